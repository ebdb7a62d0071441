"""The evaluation harness: question sets (../shared/eval/README.md schema) -> metrics.

It runs each question through the same code path as the chat (retrieval with filters inferred
from the question, then, unless retrieval-only, the answerer) and scores the results.
"""
from __future__ import annotations

import html
import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from rag.text.normalize import clean_space, normalize

# A question set of our own holds no transcript words: each evidence quote is a pointer
# {"source": "mfa/t1.shtml", "at": [start, end]}, character offsets into that file of the
# evaluation corpus (../shared/corpora), resolved and checked when the set is loaded.
_TAG = re.compile(r"<[^>]*>")


class PointerError(ValueError):
    """An evidence pointer that does not resolve to verbatim transcript words."""


def visible_text(raw: str) -> str:
    """What a reader sees of a file: tags removed, entities unescaped (plain text unchanged)."""
    return html.unescape(_TAG.sub(" ", raw))


def resolve_pointer(corpus: Path, evidence: dict) -> str:
    """The quote an evidence pointer names: the words at `at` in `source`, checked to be
    visible text of that file (no markup inside, found verbatim once normalised)."""
    path = Path(corpus) / evidence["source"]
    if not path.is_file():
        raise PointerError(f"{evidence['source']}: no such file under {corpus}")
    raw = path.read_text(encoding="utf-8", errors="replace")
    start, end = evidence["at"]
    span = raw[start:end]
    quote = clean_space(html.unescape(span))
    if not quote or "<" in span or ">" in span \
            or normalize(quote) not in normalize(visible_text(raw)):
        raise PointerError(f"{evidence['source']}: offsets {start}-{end} are not transcript words")
    return quote


@dataclass
class Question:
    id: str
    type: str
    question: str
    evidence: list[dict]
    answer_must_include: list[str]
    filters: dict

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)


def load_questions(path: Path, corpus: Path | None = None) -> list[Question]:
    """The questions of a JSON-lines file; evidence pointers resolved against `corpus`."""
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            evidence = [dict(e) for e in data.get("evidence", [])]
            for e in evidence:
                if "quote" not in e and "at" in e:
                    if corpus is None:
                        raise PointerError("evidence pointers need the evaluation corpus")
                    e["quote"] = resolve_pointer(corpus, e)
            questions.append(Question(data["id"], data.get("type", ""), data["question"],
                                      evidence, data.get("answer_must_include", []),
                                      data.get("filters", {})))
        except (json.JSONDecodeError, KeyError, TypeError, PointerError) as err:
            raise ValueError(f"{path}:{number}: not a question record ({err})") from err
    return questions


def contains(passage_text: str, quote: str) -> bool:
    return normalize(quote) in normalize(passage_text)


def found_at(texts: list[str], question: Question, k: int) -> bool:
    """Every evidence quote is contained in some passage among the top k."""
    top = texts[:k]
    return all(any(contains(t, e["quote"]) for t in top) for e in question.evidence)


def first_rank(texts: list[str], question: Question, k: int = 10) -> int | None:
    quote = question.evidence[0]["quote"]
    for rank, text in enumerate(texts[:k], 1):
        if contains(text, quote):
            return rank
    return None


def includes_all(answer: str, terms: list[str]) -> bool:
    norm = normalize(answer or "")
    return all(any(normalize(alt) in norm for alt in term.split("|")) for term in terms)


def _median_p95(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]
    return statistics.median(ordered), p95


def metrics(questions: list[Question], results: list[dict]) -> dict:
    """Every metric of the eval README that the results allow."""
    answerable = [(q, r) for q, r in zip(questions, results) if q.answerable]
    out: dict = {"questions": len(questions), "answerable": len(answerable)}
    texts = {q.id: [p["text"] for p in r["retrieved"]] for q, r in zip(questions, results)}
    for k in (5, 10):
        hits = sum(found_at(texts[q.id], q, k) for q, _ in answerable)
        out[f"recall@{k}"] = hits / len(answerable) if answerable else None
    rr = [1 / r if (r := first_rank(texts[q.id], q)) else 0.0 for q, _ in answerable]
    out["mrr@10"] = sum(rr) / len(rr) if rr else None
    by_type: dict[str, list[bool]] = {}
    for q, _ in answerable:
        by_type.setdefault(q.type, []).append(found_at(texts[q.id], q, 10))
    out["recall@10_by_type"] = {t: sum(v) / len(v) for t, v in sorted(by_type.items())}
    med, p95 = _median_p95([r["timings"]["retrieve_ms"] for r in results])
    out["retrieve_ms_median"], out["retrieve_ms_p95"] = med, p95

    answered = [(q, r) for q, r in zip(questions, results) if r.get("answer") is not None]
    if answered:
        ans = [(q, r) for q, r in answered if q.answerable]
        out["answer_accuracy"] = (sum(includes_all(r["answer"], q.answer_must_include)
                                      for q, r in ans) / len(ans)) if ans else None
        out["citation_validity"] = sum(r["checks"]["citations_valid"]
                                       for _, r in answered) / len(answered)
        out["quote_fidelity"] = sum(r["checks"]["quotes_faithful"]
                                    for _, r in answered) / len(answered)
        out["citation_support"] = (sum(
            any(contains(c["text"], e["quote"]) for c in r["citations"] for e in q.evidence)
            for q, r in ans) / len(ans)) if ans else None
        una = [(q, r) for q, r in answered if not q.answerable]
        out["refusal_accuracy"] = sum(r["refused"] for _, r in una) / len(una) if una else None
        out["false_refusal"] = sum(r["refused"] for _, r in ans) / len(ans) if ans else None
        # what the model adds shows against what it read: the evidence quote among its excerpts
        read = [(q, r) for q, r in ans if r.get("given")]
        if read:
            out["evidence_given"] = sum(any(contains(g, e["quote"]) for g in r["given"]
                                            for e in q.evidence) for q, r in read) / len(read)
        out["by_type"] = {t: _type_scores([(q, r) for q, r in answered if q.type == t])
                          for t in sorted({q.type for q, _ in answered})}
        compare = [(q, r) for q, r in ans if q.type == "compare"]
        if compare:
            out["compare_both_sides_cited"] = sum(
                all(any(contains(c["text"], e["quote"]) for c in r["citations"])
                    for e in q.evidence) for q, r in compare) / len(compare)
        for name in ("first_token_s", "total_s"):
            med, p95 = _median_p95([r["timings"][name] for _, r in answered
                                    if r["timings"].get(name) is not None])
            out[f"{name}_median"], out[f"{name}_p95"] = med, p95
        # The same over the answers a model wrote (refusals before generation take no time).
        generated = [r for _, r in answered if r.get("prompt_tokens")]
        if generated:
            for name in ("first_token_s", "total_s"):
                med, p95 = _median_p95([r["timings"][name] for r in generated])
                out[f"generated_{name}_median"], out[f"generated_{name}_p95"] = med, p95
            med, p95 = _median_p95([r["prompt_tokens"] for r in generated])
            out["prompt_tokens_median"], out["prompt_tokens_p95"] = med, p95
    return out


def _type_scores(pairs: list[tuple[Question, dict]]) -> dict:
    """Accuracy and support (refusals, for unanswerable questions) of one kind of question."""
    if pairs and not pairs[0][0].answerable:
        return {"n": len(pairs), "refusal": sum(r["refused"] for _, r in pairs) / len(pairs)}
    return {"n": len(pairs),
            "accuracy": sum(includes_all(r["answer"], q.answer_must_include)
                            for q, r in pairs) / len(pairs),
            "support": sum(any(contains(c["text"], e["quote"]) for c in r["citations"]
                               for e in q.evidence) for q, r in pairs) / len(pairs)}


def run(questions: Iterable[Question], answer_one: Callable[[Question], dict],
        out_path: Path, progress: Callable[[int], None] | None = None) -> list[dict]:
    """Run every question, writing one result per line to `out_path` as it goes."""
    results = []
    with open(out_path, "w", encoding="utf-8") as fh:
        for n, question in enumerate(questions, 1):
            result = answer_one(question)
            fh.write(json.dumps(result, ensure_ascii=False) + "\n")
            fh.flush()
            results.append(result)
            if progress:
                progress(n)
    return results


# -- quote checks (../shared/eval/README.md, "Quote checks") ---------------------------------------

@dataclass
class QuoteCase:
    """One line of a quote set: the claim to check, and for scoring its kind and expectation."""

    id: str
    quote: str
    speaker: str | None
    date: str | None
    kind: str = ""
    expected: dict | None = None


def load_quotes(path: Path) -> list[QuoteCase]:
    """The quote set in `path` (JSON lines); a bad line is reported by its number and field."""
    cases = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row.get("quote"), str) or not row["quote"].strip():
                raise ValueError("field 'quote': missing or empty")
            cases.append(QuoteCase(str(row.get("id", n)), row["quote"], row.get("speaker"),
                                   row.get("date"), row.get("kind", ""), row.get("expected")))
        except (ValueError, AttributeError) as err:
            raise ValueError(f"{path}:{n}: {err}") from None
    return cases


def quote_metrics(cases: list[QuoteCase], results: list[dict]) -> dict:
    """Verdict accuracy (overall and by kind), source accuracy (the real speaker and date
    found, for quotes that were said), false verbatim verdicts, and time per quote."""
    scored = [(c, r) for c, r in zip(cases, results) if c.expected]
    out: dict = {"quotes": len(results), "scored": len(scored)}
    if scored:
        right = [r["verdict"] == c.expected["verdict"] for c, r in scored]
        out["verdict_accuracy"] = sum(right) / len(right)
        kinds: dict[str, list[bool]] = {}
        for (c, _), ok in zip(scored, right):
            kinds.setdefault(c.kind, []).append(ok)
        out["verdict_accuracy_by_kind"] = {k: sum(v) / len(v) for k, v in sorted(kinds.items())}
        said = [(c, r) for c, r in scored if c.expected["verdict"] != "not_found"]
        out["source_accuracy"] = sum(
            bool(r["found"]) and r["found"]["speaker"] == c.expected.get("speaker")
            and r["found"]["date"] == c.expected.get("date") for c, r in said) / len(said) \
            if said else None
        out["false_verbatim"] = sum(r["verdict"] == "verbatim" != c.expected["verdict"]
                                    for c, r in scored)
    med, p95 = _median_p95([r["timings"]["check_ms"] for r in results])
    out["check_ms_median"], out["check_ms_p95"] = med, p95
    return out
