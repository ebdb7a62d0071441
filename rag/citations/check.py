"""Citation checking: an answer's [n] markers and quotations, checked against the passages given.

Pure functions over text. `check(answer, passages)` returns the repaired answer and what it found:
markers naming no given passage are removed; quoted words must occur verbatim (after
rag.text.normalize) in a cited passage, else they are cited, repaired to the exact source words,
or lose their quotation marks; sentences without a marker are listed. Offsets of the cited or
quoted words inside each passage come back for highlighting.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from rag.store.keywords import STOP_WORDS
from rag.text.normalize import normalize
from rag.text.sentences import sentence_spans

# "[1]", "[1, 2]", "[1-3]", "[1 and 2]", "[Passage 1]", "[Source 2, 3]"
_MARKER = re.compile(
    r"\[\s*(?:(?:passages?|sources?|excerpts?)\s*)?"
    r"(\d{1,3}(?:\s*(?:,|;|and|&|-|\u2013)\s*(?:(?:passages?|sources?)\s*)?\d{1,3})*)\s*\]", re.I)
# A run of markers with the spaces before it: what removing or rewriting a citation replaces.
_MARKER_RUN = re.compile(r"[ \t]*(?:" + _MARKER.pattern + r")(?:\s*(?:" + _MARKER.pattern + r"))*",
                         re.I)
# Quotations: double quotes straight or curly (pairs in order), and single curly quotes; straight
# single quotes only around 3+ characters not touching a letter outside (not apostrophes).
_QUOTE = re.compile(r"[\"\u201c\u201e]([^\"\u201c\u201d\u201e\n]+)[\"\u201d]"
                    r"|\u2018([^\u2018\u2019\n]+)\u2019(?!\w)"
                    r"|(?<!\w)'([^'\n]{3,}?)'(?!\w)")
_WORD = re.compile(r"\w+(?:[.,'\u2019-]\w+)*")
# What terms() and figures() read: a number ("4,000", "2.8") or a run of letters.
_TOKEN = re.compile(r"\d[\d.,]*\d|\d|[^\W\d_]+")
# A sentence ends after its markers when they follow the final punctuation: "... 50. [1] Next".
_AFTER_MARKERS = re.compile(
    r"[.!?][\"'\u201d\u2019)]*(?:\s*\[[^\]\n]{1,40}\])+(?=\s+[\"\u201c(]?[A-Z0-9])")


@dataclass
class RepairedQuote:
    """One quotation that was not verbatim in its cited passages, and what was done about it."""

    quote: str
    action: str               # "cited" (found in another passage), "repaired" or "unquoted"
    replacement: str = ""     # the exact source words, when repaired
    marker: int | None = None  # the passage now cited for it

    def as_dict(self) -> dict:
        return {"quote": self.quote, "action": self.action, "replacement": self.replacement,
                "marker": self.marker}


@dataclass
class Checks:
    """What checking an answer found, after its repairs."""

    citations_valid: bool = True    # every remaining marker names a given passage
    quotes_faithful: bool = True    # every remaining quotation is verbatim in a passage it cites
    uncited_sentences: list[str] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)
    added_markers: list[int] = field(default_factory=list)   # cited by word overlap
    repaired_quotes: list[RepairedQuote] = field(default_factory=list)
    invented_figures: list[str] = field(default_factory=list)  # dropped: figures in no passage
    recited_figures: list[str] = field(default_factory=list)  # cited to where their figures are

    def as_dict(self) -> dict:
        return {"citations_valid": self.citations_valid, "quotes_faithful": self.quotes_faithful,
                "uncited_sentences": self.uncited_sentences,
                "removed_markers": self.removed_markers, "added_markers": self.added_markers,
                "repaired_quotes": [r.as_dict() for r in self.repaired_quotes],
                "invented_figures": self.invented_figures,
                "recited_figures": self.recited_figures}


@dataclass
class Checked:
    """An answer after checking: repaired text, the checks, and highlight offsets per marker."""

    text: str
    checks: Checks
    markers: list[int] = field(default_factory=list)     # valid markers, in order of first use
    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # offsets in passage


def marker_numbers(group: str) -> list[int]:
    """The passage numbers inside one marker's brackets: "1, 2" -> [1, 2]; "1-3" -> [1, 2, 3]."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", re.sub(r"(?i)passages?|sources?|excerpts?", "",
                                                       group)):
        bounds = [int(n) for n in re.findall(r"\d+", part)]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 10:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def strip_markers(text: str) -> str:
    """`text` without its citation markers."""
    return _MARKER.sub("", text)


def markers(text: str) -> list[int]:
    """Every passage number cited in `text`, in order, repeats included."""
    return [n for m in _MARKER.finditer(text) for n in marker_numbers(m.group(1))]


def format_markers(numbers: list[int]) -> str:
    """Passage numbers as markers, each once: [2, 1, 2] -> "[2][1]"."""
    return "".join(f"[{n}]" for n in dict.fromkeys(numbers))


def fix_markers(text: str, count: int, drop: Collection[int] = ()) -> tuple[str, list[int]]:
    """Markers rewritten as "[1][2]", those outside 1..count or in `drop` removed (returned,
    in order)."""
    removed: list[int] = []

    def ok(n: int) -> bool:
        return 1 <= n <= count and n not in drop

    def replace(run: re.Match) -> str:
        numbers = [n for m in _MARKER.finditer(run.group(0)) for n in marker_numbers(m.group(1))]
        removed.extend(n for n in numbers if not ok(n))
        valid = [n for n in numbers if ok(n)]
        return " " + format_markers(valid) if valid else ""

    return _MARKER_RUN.sub(replace, text).strip(), removed


def answer_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets of an answer; markers after the final full stop stay with their sentence."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        cut = start
        for m in _AFTER_MARKERS.finditer(text, start, end):
            spans.append((cut, m.end()))
            cut = m.end() + len(text[m.end():end]) - len(text[m.end():end].lstrip())
        spans.append((cut, end))
    # A quotation of several sentences belongs to one sentence of the answer.
    merged: list[tuple[int, int]] = []
    quotes = quotations(text)
    for a, b in spans:
        if merged and any(qa < a < qb for qa, qb, _, _ in quotes):
            merged[-1] = (merged[-1][0], b)
        elif text[a:b].strip():
            merged.append((a, b))
    return merged


def uncited_sentences(text: str) -> list[str]:
    """Sentences of three words or more that cite nothing."""
    found = []
    for a, b in answer_sentences(text):
        sentence = text[a:b]
        if not _MARKER.search(sentence) and len(_WORD.findall(sentence)) >= 3:
            found.append(sentence)
    return found


def quotations(text: str) -> list[tuple[int, int, int, int]]:
    """(outer start, outer end, inner start, inner end) of every quotation in `text`."""
    found = []
    for m in _QUOTE.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        found.append((m.start(), m.end(), m.start(group), m.end(group)))
    return found


def _normal_chars(text: str) -> tuple[str, list[int]]:
    """normalize(text) built character by character, with each character's offset in `text`."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        piece = normalize(unicodedata.normalize("NFKC", ch)) if not ch.isspace() else " "
        if ch.isspace() or piece == "":
            if ch.isspace() and chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(i)
            continue
        for c in piece:
            chars.append(c)
            origin.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


def locate(needle: str, haystack: str) -> tuple[int, int] | None:
    """Offsets in `haystack` of the first whole-word occurrence of `needle`, compared normalised."""
    target = normalize(needle)
    if not target:
        return None
    normal, origin = _normal_chars(haystack)
    at = normal.find(target)
    while at >= 0:
        end = at + len(target)
        # whole words only: "crown" is not a quotation of "crowns"
        if not (target[0].isalnum() and at > 0 and normal[at - 1].isalnum()) and not (
                target[-1].isalnum() and end < len(normal) and normal[end].isalnum()):
            return origin[at], origin[end - 1] + 1
        at = normal.find(target, at + 1)
    return None


def best_span(quote: str, passage: str) -> tuple[float, int, int]:
    """(similarity 0..1, start, end): the run of passage words closest to the quoted words."""
    # Plain \w+ tokens ("two-thirds" matches "two thirds"), compared by their first five letters
    # ("budgets" matches "budget").
    wanted = [w[:5] for w in re.findall(r"\w+", normalize(quote))]
    words = [(m.start(), m.end(), normalize(m.group(0))[:5])
             for m in re.finditer(r"\w+", passage)]
    if not wanted or not words:
        return 0.0, 0, 0
    best = (0.0, 0, 0)
    size = len(wanted)
    for length in range(max(1, size - 3), size + 4):
        for i in range(0, max(1, len(words) - length + 1)):
            window = words[i:i + length]
            ratio = SequenceMatcher(None, wanted, [w for _, _, w in window], autojunk=False).ratio()
            if ratio > best[0]:
                best = (ratio, window[0][0], window[-1][1])
    return best


def _sentence_of(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The union of the answer sentences that overlap [start, end)."""
    touched = [(a, b) for a, b in spans if a < end and start < b] or [(start, end)]
    return touched[0][0], touched[-1][1]


def _add_marker(text: str, position: int, marker: int) -> str:
    return text[:position] + f" [{marker}]" + text[position:]


def _repair_quotes(text: str, passages: list[str], min_ratio: float
                   ) -> tuple[str, list[RepairedQuote], dict[int, list[tuple[int, int]]]]:
    """Quotations checked one at a time (last first, so earlier offsets stay valid)."""
    repairs: list[RepairedQuote] = []
    spans: dict[int, list[tuple[int, int]]] = {}
    for outer_a, outer_b, inner_a, inner_b in reversed(quotations(text)):
        quote = text[inner_a:inner_b]
        if not _WORD.search(quote):
            continue
        sent_a, sent_b = _sentence_of(answer_sentences(text), outer_a, outer_b)
        cited = [n for n in dict.fromkeys(markers(text[sent_a:sent_b])) if 1 <= n <= len(passages)]
        others = [n for n in range(1, len(passages) + 1) if n not in cited]
        where = next(((n, at) for n in cited + others if (at := locate(quote, passages[n - 1]))),
                     None)
        if where:
            n, at = where
            spans.setdefault(n, []).append(at)
            if n not in cited:
                repairs.append(RepairedQuote(quote, "cited", marker=n))
                text = _add_marker(text, outer_b, n)
            continue
        scored = [(best_span(quote, passages[n - 1]), n) for n in cited + others]
        (ratio, a, b), n = max(scored, key=lambda item: item[0][0], default=((0.0, 0, 0), 0))
        exact = " ".join(passages[n - 1][a:b].split()) if n else ""  # one line, still verbatim
        if ratio >= min_ratio and not re.search(r"[\"\u201c\u201d]", exact):
            spans.setdefault(n, []).append((a, b))
            repairs.append(RepairedQuote(quote, "repaired", exact, n))
            cite = "" if n in cited else f" [{n}]"
            text = text[:inner_a] + exact + text[inner_b:outer_b] + cite + text[outer_b:]
        else:
            repairs.append(RepairedQuote(quote, "unquoted"))
            text = text[:outer_a] + quote + text[outer_b:]
    repairs.reverse()
    return text, repairs, spans


_PRONOUNS = frozenset("she he they her him his hers them their theirs it its".split())


def terms(text: str) -> list[str]:
    """Content-word stems of `text`: lower case, stop words dropped, cut to 6 letters."""
    words = _TOKEN.findall(normalize(text))
    return [w if w[0].isdigit() else w[:6] for w in words
            if w not in STOP_WORDS and w not in _PRONOUNS and (len(w) > 1 or w.isdigit())]


def _supporting_sentence(claim: str, passage: str) -> tuple[int, int] | None:
    """The passage sentence sharing most content words with an answer sentence that cites it."""
    words = set(terms(strip_markers(claim)))
    scored = [(len(words & set(terms(passage[a:b]))), a, b) for a, b in sentence_spans(passage)]
    best = max(scored, default=(0, 0, 0))
    return (best[1], best[2]) if best[0] else None


def _with_markers(sentence: str, numbers: list[int]) -> str:
    """`sentence` citing `numbers` too: after its last markers, else before its full stop."""
    runs = list(_MARKER_RUN.finditer(sentence))
    at = runs[-1].end() if runs else len(sentence.rstrip().rstrip(".!?"))
    return sentence[:at] + ("" if runs else " ") + format_markers(numbers) + sentence[at:]


def _recited(sentence: str, count: int, drop: Collection[int], add: list[int]) -> str:
    """`sentence` without its markers in `drop` and citing `add` too, its spacing kept."""
    body, _ = fix_markers(sentence.strip(), count, drop=drop)
    if add:
        body = _with_markers(body, add)
    lead = sentence[:len(sentence) - len(sentence.lstrip())]
    return lead + body + sentence[len(sentence.rstrip()):]


def _quoted(sentence: str, passages: list[str], cited: list[int]) -> set[int]:
    """The cited passages that hold a quotation the sentence makes."""
    return {n for n in cited for _, _, qa, qb in quotations(sentence)
            if locate(sentence[qa:qb], passages[n - 1])}


def attribute(text: str, passages: list[str], min_share: float, keep_share: float = 0.0,
              context: list[str] | None = None) -> tuple[str, list[int], list[int]]:
    """Each sentence cited to every passage that states it: one holding at least `min_share`
    of the sentence's content words (two or more) and every figure the sentence gives (in its
    text or in what the model was shown with it, `context`: a side's "May 2031" label). An
    uncited sentence gains its sources; "2 million masks [2]" with the 2 million masks in [1]
    too becomes "2 million masks [2][1]", so a reader (and the reference check) sees each
    excerpt that backs the claim, not only the one the model happened to name. Beside a
    passage that states the sentence, a cited one holding less than `keep_share` of its words
    (and none of its quotations) loses its marker: the model named a neighbouring passage.
    Returns the text, the markers added and the markers removed."""
    added: list[int] = []
    removed: list[int] = []
    stems = [set(terms(p)) for p in passages]
    held = [s | set(terms(c)) for s, c in zip(stems, context or [""] * len(passages))]
    for a, b in reversed(answer_sentences(text)):
        sentence = text[a:b]
        words = set(terms(strip_markers(sentence)))
        if len(words) < 2:
            continue
        numbers = {w for w in words if w[0].isdigit()}
        cited = [n for n in dict.fromkeys(markers(sentence)) if 1 <= n <= len(passages)]
        states = [n for n, s in enumerate(stems, 1) if numbers <= held[n - 1]
                  and len(words & s) >= max(2, min_share * len(words))]
        new = [n for n in states if n not in cited]
        stray = [n for n in cited if n not in states
                 and len(words & stems[n - 1]) < keep_share * len(words)] if states else []
        if stray:
            stray = [n for n in stray if n not in _quoted(sentence, passages, cited)]
        if not new and not stray:
            continue
        text = text[:a] + _recited(sentence, len(passages), stray, new) + text[b:]
        added[:0] = new
        removed[:0] = stray
    return text, added, removed


_NUMBER_WORDS = {
    **dict(zip("one two three four five six seven eight nine ten eleven twelve thirteen "
               "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(),
               map(str, range(1, 21)))),
    **dict(zip("first second third fourth fifth sixth seventh eighth ninth tenth".split(),
               map(str, range(1, 11)))),
    **dict(zip("thirty forty fifty sixty seventy eighty ninety hundred".split(),
               ["30", "40", "50", "60", "70", "80", "90", "100"])),
}


def figures(text: str, spelled: bool = False) -> set[str]:
    """The numbers `text` gives, without thousands commas ("4,000" -> "4000") or leading zeros
    (a date's "05" -> "5"); with `spelled`, number words too ("nine" -> "9", "third" -> "3",
    "fifty" -> "50")."""
    words = _TOKEN.findall(normalize(text))
    numbers = {w.replace(",", "") for w in words if w[0].isdigit()}
    return {(n.lstrip("0") or "0") if n.isdigit() else n for n in numbers} | (
        {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS} if spelled else set())


def without_invented_figures(text: str, passages: list[str]) -> tuple[str, list[str]]:
    """`text` without the sentences giving a number that no passage holds (each passage with
    whatever else the model was shown of it, such as its date): a small model does invent
    figures. Returns the text and the sentences dropped."""
    held = [figures(p, spelled=True) for p in passages]

    def invented(sentence: str) -> bool:
        return any(all(f not in h for h in held) for f in figures(strip_markers(sentence)))

    return drop_sentences(text, invented)


def recite_figures(text: str, passages: list[str], context: list[str]) -> tuple[str, list[str]]:
    """Sentences giving figures that none of their cited passages holds (nor what the model was
    shown with it, `context`), cited instead to the passages stating them all: a small model
    names a neighbouring passage ("50 delegates [2]" with the 50 in [1]). A cited passage that
    the sentence quotes keeps its marker. Returns the text and the sentences recited."""
    held = [figures(c, spelled=True) for c in context]
    stated = [figures(p, spelled=True) for p in passages]
    recited: list[str] = []
    for a, b in reversed(answer_sentences(text)):
        sentence = text[a:b]
        wanted = figures(strip_markers(sentence))
        cited = [n for n in dict.fromkeys(markers(sentence)) if 1 <= n <= len(passages)]
        holders = [n for n, s in enumerate(stated, 1) if wanted and wanted <= s]
        if not cited or not holders or any(wanted & held[n - 1] for n in cited):
            continue
        quoted = _quoted(sentence, passages, cited)
        sentence = _recited(sentence, len(passages), set(cited) - quoted,
                            [n for n in holders if n not in quoted])
        text = text[:a] + sentence + text[b:]
        recited.insert(0, " ".join(sentence.split()))
    return text, recited


def drop_sentences(text: str, unwanted: Callable[[str], bool]) -> tuple[str, list[str]]:
    """`text` without the answer sentences `unwanted` picks, and those sentences (their spaces
    collapsed), in order."""
    dropped: list[str] = []
    for a, b in reversed(answer_sentences(text)):
        if unwanted(text[a:b]):
            dropped.insert(0, " ".join(text[a:b].split()))
            text = text[:a] + text[b:]
    return re.sub(r"[ \t]{2,}", " ", text).strip(), dropped


def faithful(text: str, passages: list[str]) -> bool:
    """Every quotation in `text` occurs verbatim in a passage cited by its sentence."""
    sentences = answer_sentences(text)
    for outer_a, outer_b, inner_a, inner_b in quotations(text):
        if not _WORD.search(text[inner_a:inner_b]):
            continue
        sent_a, sent_b = _sentence_of(sentences, outer_a, outer_b)
        cited = [n for n in markers(text[sent_a:sent_b]) if 1 <= n <= len(passages)]
        if not any(locate(text[inner_a:inner_b], passages[n - 1]) for n in cited):
            return False
    return True


def check(text: str, passages: list[str], min_ratio: float = 0.75,
          min_share: float = 0.6, shown: list[str] | None = None,
          keep_share: float = 0.0) -> Checked:
    """Check and repair an answer given the texts of the passages numbered 1..len(passages).

    `min_ratio` is the word-sequence similarity a misquote needs with a passage span to be
    replaced by that span; below it the quotation marks are dropped. A sentence whose content
    words are at least `min_share` in one passage is cited to it, and then loses its citations
    of passages holding less than `keep_share` of its words (see `attribute`).
    Figures are checked against each passage together with `shown[n]`, the rest of what the
    model was shown of it (see `without_invented_figures`), and a sentence citing none of the
    passages holding its figures is cited to them (`recite_figures`)."""
    text, removed = fix_markers(text, len(passages))
    context = [f"{extra} {p}" for p, extra in zip(passages, shown or [""] * len(passages))]
    text, invented = without_invented_figures(text, context)
    text, recited = recite_figures(text, passages, context)
    text, added, stray = attribute(text, passages, min_share, keep_share, context)
    removed += stray
    text, repairs, spans = _repair_quotes(text, passages, min_ratio)
    text, _ = fix_markers(text, len(passages))  # tidy markers a repair appended
    used = list(dict.fromkeys(markers(text)))
    for a, b in answer_sentences(text):
        sentence = text[a:b]
        for n in dict.fromkeys(markers(sentence)):
            if 1 <= n <= len(passages) and n not in spans:
                support = _supporting_sentence(sentence, passages[n - 1])
                if support:
                    spans[n] = [support]
    return Checked(
        text=text,
        checks=Checks(
            citations_valid=all(1 <= n <= len(passages) for n in markers(text)),
            quotes_faithful=faithful(text, passages),
            uncited_sentences=uncited_sentences(text),
            removed_markers=removed,
            added_markers=added,
            repaired_quotes=repairs,
            invented_figures=invented,
            recited_figures=recited),
        markers=[n for n in used if 1 <= n <= len(passages)],
        spans={n: sorted(set(s)) for n, s in spans.items() if n in used},
    )
