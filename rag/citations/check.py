"""The citation check: an ordered list of steps over an answer's sentences, parsed once.

Each step reads the `Draft` and the `Evidence`, rewrites or drops sentences, and returns a
`Change` saying what it did; `Checks` is the sum of the changes, so nothing is patched after the
fact. A model's reply for one part of an answer goes through `reply_steps` against that part's
passages only; the assembled answer through `answer_steps` against all of them:

    markers naming no given passage removed -> sentences giving figures no passage holds
    dropped -> a sentence citing none of the passages holding its figures cited to them ->
    each sentence cited to the passages that state it -> quotations made verbatim

The offsets of the cited or quoted words inside each passage come back for highlighting.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rag.citations.attribution import (asked_not_said, attribute, names_anyone, stated_by,
                                        supporting_sentence)
from rag.citations.draft import Draft
from rag.citations.evidence import Evidence
from rag.citations.figures import figures, invented
from rag.citations.markers import MARKER, fix_markers, markers, recited, strip_markers
from rag.citations.quotes import RepairedQuote, faithful, quoted_in, repair_quotes

Span = tuple[int, int]


@dataclass
class Change:
    """What one step did."""

    step: str
    removed_markers: list[int] = field(default_factory=list)
    added_markers: list[int] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)      # sentences taken out
    rewritten: list[str] = field(default_factory=list)    # sentences re-cited
    repairs: list[RepairedQuote] = field(default_factory=list)
    spans: dict[int, list[Span]] = field(default_factory=dict)  # quotations found, per passage


Step = Callable[[Draft, Evidence], Change]


def valid_markers(draft: Draft, evidence: Evidence) -> Change:
    """Markers rewritten as "[1][2]"; those naming no passage of the evidence removed."""
    change = Change("markers")
    blank = evidence.blank()
    for i in reversed(range(len(draft.sentences))):
        sentence, removed = fix_markers(draft.sentences[i], len(evidence), drop=blank)
        change.removed_markers[:0] = removed
        draft.sentences[i] = sentence
        if not sentence:
            draft.drop(i)
    return change


def _dropping(step: str, draft: Draft, unwanted: Callable[[str], bool]) -> Change:
    """The Change of `step` dropping the sentences `unwanted` picks."""
    change = Change(step)
    for i in reversed(range(len(draft.sentences))):
        if unwanted(draft.sentences[i]):
            change.dropped.insert(0, draft.drop(i))
    return change


def invented_figures(draft: Draft, evidence: Evidence) -> Change:
    """Sentences giving a number that no passage holds dropped: a small model invents figures."""
    return _dropping("figures", draft,
                     lambda s: invented(strip_markers(s), evidence.held_figures))


def recite_figures(draft: Draft, evidence: Evidence) -> Change:
    """A sentence giving figures that none of its cited passages holds (nor what was shown with
    it) cited instead to the passages stating them all ("50 delegates [2]" with the 50 in [1]).
    A cited passage that the sentence quotes keeps its marker."""
    change = Change("recite")
    count = len(evidence)
    for i, sentence in enumerate(draft.sentences):
        wanted = figures(strip_markers(sentence))
        cited = [n for n in dict.fromkeys(markers(sentence)) if 1 <= n <= count]
        holders = [n for n, s in enumerate(evidence.stated_figures, 1) if wanted and wanted <= s]
        if not cited or not holders or any(wanted & evidence.held_figures[n - 1] for n in cited):
            continue
        quoted = quoted_in(sentence, evidence.passages, cited)
        draft.sentences[i] = recited(sentence, count, set(cited) - quoted,
                                     [n for n in holders if n not in quoted])
        change.rewritten.append(" ".join(draft.sentences[i].split()))
    return change


def attribution(min_share: float, keep_share: float) -> Step:
    """The step citing each sentence to the passages that state it (see attribution.attribute)."""
    def step(draft: Draft, evidence: Evidence) -> Change:
        change = Change("attribute")
        for i, sentence in enumerate(draft.sentences):
            draft.sentences[i], added, removed = attribute(
                sentence, evidence.passages, evidence.stems, evidence.held_stems,
                min_share, keep_share)
            change.added_markers += added
            change.removed_markers += removed
        return change
    return step


def quotations(min_ratio: float) -> Step:
    """The step making every quotation verbatim (see quotes.repair_quotes)."""
    def step(draft: Draft, evidence: Evidence) -> Change:
        change = Change("quotes")
        for i, sentence in enumerate(draft.sentences):
            draft.sentences[i], repairs = repair_quotes(sentence, evidence.passages, min_ratio,
                                                        change.spans)
            change.repairs += repairs
        return change
    return step


def journalists_words(draft: Draft, evidence: Evidence) -> Change:
    """Sentences repeating the journalist's question shown with a passage, rather than what
    the official said, dropped: they would put a reporter's words in an official's mouth."""
    return _dropping("journalists", draft,
                     lambda s: asked_not_said(s, evidence.asked_stems, evidence.said))


def grounded(min_share: float) -> Step:
    """The step dropping the sentences that the evidence they cite does not state (see
    attribution.stated_by): the answer's evidence quotes take their place."""
    def step(draft: Draft, evidence: Evidence) -> Change:
        return _dropping("grounded", draft, lambda s: not stated_by(s, evidence, min_share))
    return step


def without_others(names: Sequence[str]) -> Step:
    """The step dropping the sentences of one official's side of a comparison that name
    another side's official (`names`): the side reads that official's own passages only, so
    such a sentence ascribes across sides ("Secretary Cardona cited $160 billion" on Benjamin's
    side, from the question)."""
    def step(draft: Draft, evidence: Evidence) -> Change:
        return _dropping("others", draft, lambda s: names_anyone(s, names))
    return step


def without_labels(labels: Sequence[str]) -> Step:
    """The step removing side labels the model wrote into a part's reply ("Lu Kang: ..."): the
    part is under its own heading, and the label written may be another side's."""
    patterns = [re.compile(r"(^|(?<=[.!?\]\n])\s*)" + re.escape(label) + r":\s*", re.I)
                for label in labels]

    def step(draft: Draft, evidence: Evidence) -> Change:
        for i, sentence in enumerate(draft.sentences):
            for pattern in patterns:
                sentence = pattern.sub(r"\1", sentence)
            draft.sentences[i] = sentence.strip()
        return Change("labels")
    return step


_FINISHED = re.compile(r"[.!?][\"'\u201d\u2019)]*(?:\s*" + MARKER.pattern + r")*\s*$", re.I)


def unfinished(draft: Draft, evidence: Evidence) -> Change:
    """A reply cut off by the token limit loses its unfinished last sentence (if it has a
    finished one)."""
    change = Change("unfinished")
    if len(draft.sentences) > 1 and not _FINISHED.search(draft.sentences[-1]):
        change.dropped.append(draft.drop(len(draft.sentences) - 1))
    return change


def reply_steps(labels: Sequence[str] = (), cut_off: bool = False, own_only: bool = False,
                min_share: float = 0.6, keep_share: float = 0.0,
                others: Sequence[str] = ()) -> list[Step]:
    """The steps for one model reply, against the passages it read: an unfinished sentence
    (when the reply hit the token limit), side labels and journalists' words out, markers
    naming no passage it read and sentences giving figures none holds removed (a reply left
    empty is a refusal); for a part that read only some of the passages (`own_only`), each
    sentence cited to its own passages that state it, before its uncited passages are quoted;
    for an official's side, sentences naming the `others` sides' officials out."""
    steps: list[Step] = [unfinished] if cut_off else []
    steps += [without_labels(labels), journalists_words]
    if others:
        steps.append(without_others(others))
    steps += [valid_markers, invented_figures]
    if own_only:
        steps.append(attribution(min_share, keep_share))
    return steps


def answer_steps(min_ratio: float = 0.75, min_share: float = 0.6, keep_share: float = 0.0,
                 replied: bool = False) -> list[Step]:
    """The steps for a whole answer (module docstring); after reply_steps (`replied`) its
    markers and figures are checked already."""
    steps: list[Step] = [] if replied else [valid_markers, invented_figures]
    return steps + [recite_figures, attribution(min_share, keep_share), quotations(min_ratio)]


def apply(text: str, evidence: Evidence, steps: Sequence[Step]) -> tuple[str, list[Change]]:
    """`text` after `steps`, in order, and what each changed."""
    draft = Draft.parse(text)
    changes = [step(draft, evidence) for step in steps]
    return draft.text, changes


@dataclass
class Checks:
    """What checking an answer found, after its repairs: the sum of every step's change."""

    citations_valid: bool = True    # every remaining marker names a given passage
    quotes_faithful: bool = True    # every remaining quotation is verbatim in a passage it cites
    uncited_sentences: list[str] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)
    added_markers: list[int] = field(default_factory=list)   # cited by word overlap
    repaired_quotes: list[RepairedQuote] = field(default_factory=list)
    invented_figures: list[str] = field(default_factory=list)  # dropped: figures in no passage
    recited_figures: list[str] = field(default_factory=list)  # cited to where their figures are
    journalists_words: list[str] = field(default_factory=list)  # dropped: the reporter's words
    other_sides: list[str] = field(default_factory=list)  # dropped: naming another side's official
    grounded: list[str] = field(default_factory=list)  # dropped: not stated by the evidence cited

    @classmethod
    def of(cls, changes: Sequence[Change], draft: Draft, evidence: Evidence) -> "Checks":
        by_step: dict[str, list[Change]] = {}
        for change in changes:
            by_step.setdefault(change.step, []).append(change)

        def dropped(step: str) -> list[str]:
            return [s for c in by_step.get(step, []) for s in c.dropped]

        return cls(
            citations_valid=all(1 <= n <= len(evidence) for s in draft.sentences
                                for n in markers(s)),
            quotes_faithful=all(faithful(s, evidence.passages) for s in draft.sentences),
            uncited_sentences=draft.uncited(),
            removed_markers=[n for c in changes for n in c.removed_markers],
            added_markers=[n for c in changes for n in c.added_markers],
            repaired_quotes=[r for c in changes for r in c.repairs],
            invented_figures=dropped("figures"),
            recited_figures=[s for c in by_step.get("recite", []) for s in c.rewritten],
            journalists_words=dropped("journalists"),
            other_sides=dropped("others"),
            grounded=dropped("grounded"))

    def as_dict(self) -> dict:
        return {"citations_valid": self.citations_valid, "quotes_faithful": self.quotes_faithful,
                "uncited_sentences": self.uncited_sentences,
                "removed_markers": self.removed_markers, "added_markers": self.added_markers,
                "repaired_quotes": [r.as_dict() for r in self.repaired_quotes],
                "invented_figures": self.invented_figures,
                "recited_figures": self.recited_figures,
                "journalists_words": self.journalists_words,
                "other_sides": self.other_sides, "grounded": self.grounded}


@dataclass
class Checked:
    """An answer after checking: repaired text, the checks, and highlight offsets per marker."""

    text: str
    checks: Checks
    markers: list[int] = field(default_factory=list)     # valid markers, in order of first use
    spans: dict[int, list[Span]] = field(default_factory=dict)  # offsets in passage


def check(text: str, evidence: Evidence, steps: Sequence[Step] | None = None,
          earlier: Sequence[Change] = ()) -> Checked:
    """Check and repair an answer against `evidence` with `steps` (default: answer_steps());
    `earlier` are the changes already made to its parts' replies, counted in the checks."""
    draft = Draft.parse(text)
    changes = list(earlier) + [step(draft, evidence) for step in
                               (answer_steps() if steps is None else steps)]
    spans: dict[int, list[Span]] = {}
    for change in changes:
        for n, found in change.spans.items():
            spans.setdefault(n, []).extend(found)
    for sentence in draft.sentences:
        for n in dict.fromkeys(markers(sentence)):
            if 1 <= n <= len(evidence) and n not in spans:
                support = supporting_sentence(sentence, evidence.passages[n - 1])
                if support:
                    spans[n] = [support]
    used = list(dict.fromkeys(n for s in draft.sentences for n in markers(s)))
    return Checked(text=draft.text, checks=Checks.of(changes, draft, evidence),
                   markers=[n for n in used if 1 <= n <= len(evidence)],
                   spans={n: sorted(set(s)) for n, s in spans.items() if n in used})
