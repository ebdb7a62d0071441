"""The records an answer is made of: numbered sources, resolved citations, the answer itself,
the events of its stream, and the parts a comparison is generated in."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rag.citations.check import Checks
from rag.filters import Filters
from rag.records import Passage, citation_text, ranked_records

# The heading of the cited excerpts in an answer as text (Answer.as_text); a chat client sends it
# back in the conversation, where it is cut off again (rag.service.chat).
SOURCES_HEADING = "\n\nSources:\n"


@dataclass
class Source:
    """A passage as numbered in the prompt: the excerpt the model saw and where it sits."""

    marker: int
    passage: Passage
    text: str    # exact slice of passage.text given to the model
    start: int   # offset of `text` inside passage.text

    def as_dict(self) -> dict:
        p = self.passage
        return {"marker": self.marker, "text": self.text, "speaker": p.speaker, "role": p.role,
                "date": p.date, "title": p.title, "source": p.location, "passage_id": p.id,
                "passage_text": p.text, "start": self.start}


@dataclass
class Citation:
    """A marker used in the answer, resolved: its passage and the words to highlight in it."""

    marker: int
    source: Source
    spans: list[tuple[int, int]] = field(default_factory=list)  # offsets in source.passage.text

    def as_dict(self) -> dict:
        """The eval contract's citation record, plus role and highlight offsets."""
        p = self.source.passage
        return {"marker": self.marker, "text": self.source.text, "speaker": p.speaker,
                "role": p.role, "date": p.date, "title": p.title, "source": p.location,
                "highlights": [list(s) for s in self.spans]}


@dataclass
class Answer:
    """A question's answer with everything needed to show, check and score it."""

    question: str                       # as asked
    query: str = ""                     # what was searched (the follow-up rewritten)
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)       # numbered passages given/shown
    retrieved: list[Passage] = field(default_factory=list)    # all top-k, best first
    refused: bool = False
    mode: str = "llm"                   # "llm" or "extractive"
    kind: str = "answer"                # "answer" or "compare" (sources grouped in sides)
    sides: dict[str, list[int]] = field(default_factory=dict)  # compare: side -> its markers
    note: str = ""                      # e.g. why the answer is extractive
    checks: Checks = field(default_factory=Checks)
    filters: Filters = field(default_factory=Filters)
    hints: Filters = field(default_factory=Filters)
    timings: dict[str, float | None] = field(default_factory=dict)
    prompt_tokens: int = 0
    evidence: float = 0.0               # best question-sentence similarity of the evidence
    model_text: str = ""                # the model's reply before checking
    given: list[str] = field(default_factory=list)  # the exact excerpts the model read

    def as_text(self) -> str:
        """The answer as plain text: its [n] markers kept, then a "Sources" list of each cited
        excerpt (who, briefing, date, address, the exact words), for chat clients and copying."""
        sources = [f"[{c.marker}] {citation_text(c.source.passage, c.source.text)}"
                   for c in self.citations]
        return self.text + (SOURCES_HEADING + "\n".join(sources) if sources else "")

    def as_record(self) -> dict:
        """Everything needed to show this answer again (JSON-ready): question, text, sources
        with their whole passages, citations, filters, timings. Checks and the prompt's
        bookkeeping are left out: a shown answer is already checked."""
        return {
            "question": self.question, "query": self.query, "text": self.text,
            "sources": [{"marker": s.marker, "text": s.text, "start": s.start,
                         "passage": asdict(s.passage)} for s in self.sources],
            "citations": [{"marker": c.marker, "spans": [list(x) for x in c.spans]}
                          for c in self.citations],
            "retrieved": [asdict(p) for p in self.retrieved],
            "refused": self.refused, "mode": self.mode, "kind": self.kind, "sides": self.sides,
            "note": self.note, "filters": asdict(self.filters), "hints": asdict(self.hints),
            "timings": self.timings,
        }

    @classmethod
    def from_record(cls, record: dict) -> "Answer":
        """The answer `as_record` wrote (a citation whose source is missing is dropped)."""
        sources = [Source(s["marker"], Passage(**s["passage"]), s["text"], s["start"])
                   for s in record["sources"]]
        by_marker = {s.marker: s for s in sources}
        citations = [Citation(c["marker"], by_marker[c["marker"]],
                              [(a, b) for a, b in c["spans"]])
                     for c in record["citations"] if c["marker"] in by_marker]
        return cls(question=record["question"], query=record["query"], text=record["text"],
                   citations=citations, sources=sources,
                   retrieved=[Passage(**p) for p in record["retrieved"]],
                   refused=record["refused"], mode=record["mode"], kind=record["kind"],
                   sides=record["sides"], note=record["note"],
                   filters=Filters(**record["filters"]), hints=Filters(**record["hints"]),
                   timings=record["timings"])

    def as_eval_record(self, question_id: str) -> dict:
        """One line of RESULTS.jsonl (shared/eval/README.md) plus the checks the metrics read."""
        return {
            "id": question_id,
            "question": self.question,
            "retrieved": ranked_records(self.retrieved),
            "answer": self.text,
            "citations": [c.as_dict() for c in self.citations],
            "refused": self.refused,
            "timings": {key: self.timings.get(key)
                        for key in ("retrieve_ms", "first_token_s", "total_s")},
            "checks": self.checks.as_dict(),
            "mode": self.mode,
            "query": self.query,
            "prompt_tokens": self.prompt_tokens,
            "evidence": round(self.evidence, 4),
            "given": self.given,
            "model_text": self.model_text,
            "note": self.note,
        }


@dataclass
class Event:
    """One step of a streamed answer.

    kind "sources": retrieval is done; `answer` holds the sources and retrieved passages.
    kind "delta": `text` is the next piece of the model's reply (unchecked).
    kind "answer": `answer` is final: checked, repaired, with citations and timings."""

    kind: str
    answer: Answer
    text: str = ""


@dataclass
class Part:
    """One generation of an answer: the sources the model reads for it, what it is asked
    besides the question, and the heading its text goes under (a comparison writes one part
    per side, each from that side's passages only, so no side's words are put in another's
    mouth)."""

    sources: list[Source]
    instruction: str = ""
    label: str = ""
