"""The service application: the JSON API, the OpenAI-compatible chat and the MCP tools over one
Briefings, as one FastAPI app (the web page is mounted beside them by `briefings serve`).

Errors are one line of JSON naming what is wrong: {"error": "question: field required"} (under
/v1 in OpenAI's shape, {"error": {"message": ..., "type": ..., "code": ...}}).
A malformed field is a 422, a request that cannot be answered as asked a 400, an unknown
briefing a 404, a model that is not there a 503 and one that fails while writing a 502.
"""
from __future__ import annotations

import contextlib
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from rag.api import Briefings
from rag.errors import BriefingsError
from rag.models.generators import GenerationError, GeneratorUnavailable
from rag.service import chat, routes
from rag.service.access import Access, AccessMiddleware
from rag.service.actions import NotFound, failure
from rag.service.requests import problems
from rag.service.tools import mcp_server

_STATUS = ((NotFound, 404), (GeneratorUnavailable, 503), (GenerationError, 502))


def _error(request: Request, message: str, status: int) -> JSONResponse:
    """{"error": message}; under /v1 in OpenAI's shape, so its clients show the message."""
    if request.url.path.startswith("/v1"):
        kind = "invalid_request_error" if status < 500 else "server_error"
        return JSONResponse({"error": {"message": message, "type": kind, "code": status}},
                            status)
    return JSONResponse({"error": message}, status)


def create_app(briefings: Briefings, access: Access = Access(), extractive: bool = False,
               host: str = "127.0.0.1") -> FastAPI:
    """The service over `briefings`. With `extractive` every answer quotes the best excerpts
    without the model; `host` is the address served, for the MCP transport's host checks."""
    tools = mcp_server(briefings, extractive)
    mcp = tools.streamable_http_app(streamable_http_path="/", stateless_http=True,
                                    json_response=True, host=host)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        async with tools.session_manager.run():
            yield

    app = FastAPI(title="Briefings", lifespan=lifespan, description=(
        "Questions answered from government press-briefing transcripts, every claim cited to "
        "the words an official said. /api: JSON; /v1: OpenAI-compatible chat; /mcp: MCP tools."))
    app.state.briefings = briefings
    app.state.extractive = extractive
    app.state.started = time.time()
    app.include_router(routes.router)
    app.include_router(chat.router)
    app.mount("/mcp", mcp)
    app.add_middleware(AccessMiddleware, access=access)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        return _error(request, problems(err.errors()), 422)

    @app.exception_handler(BriefingsError)
    async def refused(request: Request, err: BriefingsError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(err, kind)), 400)
        return _error(request, failure(err), status)

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, err: ValueError) -> JSONResponse:
        return _error(request, str(err), 400)

    return app
