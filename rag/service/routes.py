"""The JSON API under /api, and /healthz: search, ask (plain or as server-sent events),
compare, verify, stats and a briefing's transcript. Handlers are plain functions (FastAPI runs
them in its thread pool), so a model writing for one request never stalls the others."""
from __future__ import annotations

import json
from typing import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from rag.api import Briefings
from rag.errors import BriefingsError
from rag.service import actions
from rag.service.requests import AskBody, CompareBody, SearchBody, VerifyBody


def briefings_of(request: Request) -> Briefings:
    return request.app.state.briefings


def extractive(request: Request, no_llm: bool) -> bool:
    """Whether this request answers without the model: asked so, or the service runs so."""
    return no_llm or request.app.state.extractive


def sse(events: Iterator[tuple[str, dict]]) -> StreamingResponse:
    """Server-sent events; a failure midway (the model's) is an "error" event, the stream's last."""
    def frames() -> Iterator[str]:
        try:
            for name, data in events:
                yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        except BriefingsError as err:
            yield f"event: error\ndata: {json.dumps({'error': actions.failure(err)})}\n\n"
    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


router = APIRouter()


@router.get("/healthz", tags=["service"])
def healthz(request: Request) -> dict:
    """Liveness: the index answers; which model writes answers (None: extractive)."""
    briefings = briefings_of(request)
    return {"status": "ok", "passages": briefings.stats()["passages"],
            "model": None if request.app.state.extractive else briefings.model()}


@router.post("/api/search", tags=["api"])
def search(body: SearchBody, request: Request) -> dict:
    """The k best passages for a query, under the filters (speakers and dates the query names
    steer the search unless use_hints is false)."""
    return actions.search(briefings_of(request), body)


@router.post("/api/ask", tags=["api"], response_model=None)
def ask(body: AskBody, request: Request) -> dict | StreamingResponse:
    """The checked, cited answer (the eval contract's record); with "stream": true, server-sent
    events `sources`, `delta` (the model's words as written, unchecked) and `answer`."""
    body = body.model_copy(update={"no_llm": extractive(request, body.no_llm)})
    if body.stream:
        return sse(actions.ask_events(briefings_of(request), body))
    return actions.answer_record(actions.ask(briefings_of(request), body))


@router.post("/api/compare", tags=["api"])
def compare(body: CompareBody, request: Request) -> dict:
    """What each speaker said about the topic, side by side, each side cited."""
    body = body.model_copy(update={"no_llm": extractive(request, body.no_llm)})
    return actions.compare(briefings_of(request), body)


@router.post("/api/verify", tags=["api"])
def verify(body: VerifyBody, request: Request) -> dict:
    """Whether a quote is what the official said: verbatim, altered, misattributed or
    not_found, with the transcript's words; or every quotation of an article."""
    return actions.verify(briefings_of(request), body)


@router.get("/api/stats", tags=["api"])
def stats(request: Request) -> dict:
    """What the index holds: counts, date range, sources, top speakers, size, embedder."""
    return briefings_of(request).stats()


@router.get("/api/briefings/{briefing_id}", tags=["api"])
def briefing(briefing_id: str, request: Request) -> dict:
    """A briefing's turns in order, with where each passage sits (a citation's passage_id)."""
    return actions.briefing(briefings_of(request), briefing_id)
