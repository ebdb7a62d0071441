"""What each capability of the service does: a validated body in, a JSON-ready record out.

The /api routes, the OpenAI-compatible chat and the MCP tools all call these, so a search, an
answer, a comparison or a quote check is the same record whichever door it came through.
"""
from __future__ import annotations

import uuid
from typing import Iterator

from rag.answer.records import Answer
from rag.api import Briefings
from rag.errors import BriefingsError
from rag.models.generators import GenerationError
from rag.records import Briefing, ranked_records
from rag.service.requests import AskBody, CompareBody, SearchBody, VerifyBody


class BadRequest(BriefingsError):
    """A request the service cannot answer as asked (HTTP 400); the message names the field."""


class NotFound(BriefingsError):
    """A thing the request names is not in the index (HTTP 404)."""


def failure(err: BriefingsError) -> str:
    """What went wrong, in one line: a model failure says it was the model."""
    return f"the answer model failed: {err}" if isinstance(err, GenerationError) else str(err)


def search(briefings: Briefings, body: SearchBody) -> dict:
    retrieval = briefings.search(body.query, body.k, body.filters.filters(), body.use_hints)
    return {"query": retrieval.query, "passages": ranked_records(retrieval.passages),
            "filters": retrieval.filters.as_dict(), "hints": retrieval.hints.as_dict(),
            "timings": retrieval.timings}


def answer_record(answer: Answer) -> dict:
    """The eval contract's record of an answer (answer, citations with their exact text and
    highlight offsets, refused, timings), with the numbered excerpts it stands on, whether the
    model wrote it ("llm") or the best excerpts are quoted ("extractive", `note` says why), and
    a comparison's sides (side -> its markers)."""
    record = answer.as_eval_record(uuid.uuid4().hex[:12])
    record.update(kind=answer.kind, sources=[s.as_dict() for s in answer.sources],
                  filters=answer.filters.as_dict(), hints=answer.hints.as_dict())
    if answer.sides:
        record["sides"] = answer.sides
    return record


def _ask_events(briefings: Briefings, body: AskBody):
    history = briefings.conversation([(e.question, e.answer) for e in body.history])
    return briefings.stream(body.question, body.filters.filters(), history, body.no_llm,
                            body.k, body.use_hints)


def ask(briefings: Briefings, body: AskBody) -> Answer:
    """The final answer (GenerationError when the model fails midway)."""
    final = None
    for event in _ask_events(briefings, body):
        final = event.answer
    return final


def ask_events(briefings: Briefings, body: AskBody) -> Iterator[tuple[str, dict]]:
    """The answer as (event, data): "sources" once retrieval is done, "delta" for each piece of
    the model's reply as written (unchecked: the checked text is the answer's), "answer" last."""
    for event in _ask_events(briefings, body):
        if event.kind == "sources":
            yield "sources", {"sources": [s.as_dict() for s in event.answer.sources],
                              "retrieved": ranked_records(event.answer.retrieved),
                              "mode": event.answer.mode, "note": event.answer.note}
        elif event.kind == "delta":
            yield "delta", {"text": event.text}
        else:
            yield "answer", answer_record(event.answer)


def compare(briefings: Briefings, body: CompareBody) -> dict:
    comparison = briefings.compare(body.topic, body.speakers, body.filters.filters(),
                                   body.no_llm)
    return {"topic": comparison.topic, **answer_record(comparison.answer)}


def verify(briefings: Briefings, body: VerifyBody) -> dict:
    """{"checks": [...]}: one check of `quote`, or one per quotation of the article `text`."""
    if (body.quote is None) == (body.text is None):
        raise BadRequest("give either 'quote' (one quotation) or 'text' (an article), not both")
    if body.text is not None:
        checks = briefings.verify_text(body.text)
    else:
        checks = [briefings.verify(body.quote, (body.speaker or "").strip() or None,
                                   body.date.isoformat() if body.date else None)]
    return {"checks": [c.as_dict() for c in checks]}


def briefing(briefings: Briefings, briefing_id: str) -> dict:
    """A briefing's every turn in order (who, role, the question it answers, the text), with
    where each passage sits in its turn, so a citation's `passage_id` finds its place."""
    found: Briefing | None = briefings.briefing(briefing_id)
    if found is None:
        raise NotFound(f"no briefing with id '{briefing_id}' in the index")
    spans = briefings.passage_spans(briefing_id)
    return {"id": found.id, "title": found.title, "date": found.date, "source": found.source,
            "location": found.location, "chair": found.chair,
            "participants": [vars(p) for p in found.participants],
            "turns": [{"order": t.order, "speaker": t.speaker, "role": t.role,
                       "outlet": t.outlet, "page": t.page, "question": t.question,
                       "text": t.text,
                       "passages": [{"passage_id": i, "start": a, "end": b}
                                    for i, a, b in spans.get(t.order, [])]}
                      for t in found.turns]}
