"""OpenAI-compatible chat under /v1, so any OpenAI client or chat front end can use Briefings
as a model.

The last user message is the question; the earlier user and assistant messages are the
conversation its follow-ups read. The assistant message is the checked answer with its [n]
markers and a "Sources" list at the end, the citations also in an extra `citations` field.
Streaming sends the checked answer too, never the model's unchecked words: a chat window
cannot take back a misquote it has already shown. Model "briefings-extractive" (or a service
started with --extractive) quotes the best excerpts without the model.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from rag.answer.records import SOURCES_HEADING, Answer
from rag.errors import BriefingsError
from rag.service import actions
from rag.service.actions import BadRequest, failure
from rag.service.requests import AskBody, ChatBody, ChatMessage, Exchange
from rag.service.routes import briefings_of, extractive

MODEL = "briefings"
EXTRACTIVE = "briefings-extractive"

router = APIRouter(prefix="/v1", tags=["openai"])


@router.get("/models")
def models(request: Request) -> dict:
    created = int(request.app.state.started)
    return {"object": "list",
            "data": [{"id": name, "object": "model", "created": created, "owned_by": "briefings"}
                     for name in (MODEL, EXTRACTIVE)]}


def _question(messages: list[ChatMessage]) -> tuple[str, list[Exchange]]:
    """The question (the last message, a user's) and the exchanges before it."""
    said = [(m.role, m.text().strip()) for m in messages if m.role in ("user", "assistant")]
    if not said or said[-1][0] != "user" or not said[-1][1]:
        raise BadRequest("messages: the last message must be the user's question")
    history: list[Exchange] = []
    for role, text in said[:-1]:
        if role == "user" and text:
            history.append(Exchange(question=text))
        elif role == "assistant" and history and not history[-1].answer:
            # our own earlier reply: its Sources list is not part of what was answered
            history[-1].answer = text.partition(SOURCES_HEADING)[0]
    return said[-1][1], history


@router.post("/chat/completions", response_model=None)
def chat_completions(body: ChatBody, request: Request) -> dict | StreamingResponse:
    if body.model not in (MODEL, EXTRACTIVE):
        raise BadRequest(f"model: unknown model '{body.model}' (use '{MODEL}' or '{EXTRACTIVE}')")
    question, history = _question(body.messages)
    ask = AskBody(question=question, history=history,
                  no_llm=extractive(request, body.model == EXTRACTIVE))
    reply_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    if body.stream:
        return StreamingResponse(_chunks(request, ask, reply_id, body.model),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})
    answer = actions.ask(briefings_of(request), ask)
    text = answer.as_text()
    return {"id": reply_id, "object": "chat.completion", "created": int(time.time()),
            "model": body.model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": _usage(answer, text), **_extra(answer)}


def _usage(answer: Answer, text: str) -> dict:
    completion = len(text) // 4   # no tokenizer for the composed text: about 4 characters a token
    return {"prompt_tokens": answer.prompt_tokens, "completion_tokens": completion,
            "total_tokens": answer.prompt_tokens + completion}


def _extra(answer: Answer) -> dict:
    """The fields an OpenAI reply lacks: the citations, whether it is a refusal, who wrote it."""
    return {"citations": [c.as_dict() for c in answer.citations], "refused": answer.refused,
            "mode": answer.mode, "note": answer.note}


def _chunks(request: Request, ask: AskBody, reply_id: str, model: str) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        data = {"id": reply_id, "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model, "choices": [{"index": 0, "delta": delta,
                                             "finish_reason": finish}], **extra}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        answer = actions.ask(briefings_of(request), ask)
    except BriefingsError as err:  # the stream has begun: the error is its last event
        error = {"error": {"message": failure(err), "type": "server_error"}}
        yield f"data: {json.dumps(error, ensure_ascii=False)}\n\n"
        return
    # the checked text, a line at a time, so a front end renders it as it arrives
    text = answer.as_text()
    for line in text.splitlines(keepends=True):
        yield chunk({"content": line})
    yield chunk({}, "stop", usage=_usage(answer, text), **_extra(answer))
    yield "data: [DONE]\n\n"
