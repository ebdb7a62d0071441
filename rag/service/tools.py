"""The MCP server: search, ask, compare and verify as tools an agent can call, served over
streamable HTTP under /mcp. Each tool returns the same record as its /api route."""
from __future__ import annotations

import contextlib
from typing import Iterator

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from rag.api import Briefings
from rag.errors import BriefingsError
from rag.text.dates import iso_date
from rag.service import actions
from rag.service.requests import (AskBody, CompareBody, FiltersBody, SearchBody, VerifyBody,
                                  problems)


@contextlib.contextmanager
def _told() -> Iterator[None]:
    """A failure the caller can act on (a bad date, a model that failed) reaches the agent as
    the tool's error message; anything else stays a crash, logged here."""
    try:
        yield
    except BriefingsError as err:
        raise ToolError(actions.failure(err)) from err
    except ValidationError as err:
        raise ToolError(problems(err.errors())) from err
    except ValueError as err:
        raise ToolError(str(err)) from err


def _filters(speaker: str | None, date_from: str | None, date_to: str | None) -> FiltersBody:
    # pydantic reads the checked ISO strings as dates
    return FiltersBody(speakers=[speaker] if speaker else [],
                       date_from=iso_date("date_from", date_from or None),
                       date_to=iso_date("date_to", date_to or None))


def mcp_server(briefings: Briefings, extractive: bool) -> MCPServer:
    """The tools over `briefings`; with `extractive` answers quote the best excerpts."""
    # WARNING: MCPServer configures the root logger, and at INFO every HTTP request would be logged
    server = MCPServer("briefings", log_level="WARNING", instructions=(
        "Government press-briefing transcripts (China's SCIO and Foreign Ministry, the White "
        "House). Every answer cites the exact words an official said, with speaker and date; "
        "quote only what the citations hold."))

    @server.tool()
    def search(query: str, k: int = 10, speaker: str | None = None,
               date_from: str | None = None, date_to: str | None = None) -> dict:
        """The k transcript passages that best match `query`, best first, each with speaker,
        role, date, briefing title and source URL. Dates are YYYY-MM-DD."""
        with _told():
            return actions.search(briefings, SearchBody(query=query, k=k, filters=_filters(
                speaker, date_from, date_to)))

    @server.tool()
    def ask(question: str, speaker: str | None = None, date_from: str | None = None,
            date_to: str | None = None) -> dict:
        """A short answer from the transcripts with numbered [n] citations to the exact
        excerpts (speaker, date, briefing); `refused` is true when they hold no answer."""
        with _told():
            body = AskBody(question=question, filters=_filters(speaker, date_from, date_to),
                           no_llm=extractive)
            return actions.answer_record(actions.ask(briefings, body))

    @server.tool()
    def compare(topic: str, speakers: list[str]) -> dict:
        """What each of two or more officials said about `topic`, side by side, each side
        cited to that official's own words."""
        with _told():
            return actions.compare(briefings, CompareBody(topic=topic, speakers=speakers,
                                                          no_llm=extractive))

    @server.tool()
    def verify(quote: str, speaker: str | None = None, date: str | None = None) -> dict:
        """Whether `speaker` said these exact words (on `date`, YYYY-MM-DD): verbatim,
        altered (with the differences), misattributed (who said them) or not_found."""
        with _told():
            return actions.verify(briefings, VerifyBody(
                quote=quote, speaker=speaker, date=iso_date("date", date or None)))

    return server
