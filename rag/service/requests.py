"""The bodies the service accepts, validated once: an unknown or malformed field is a 4xx whose
one-line message names it (see rag.service.app), never a guess."""
from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from rag.filters import Filters
from rag.records import ROLES, SOURCES

def problems(errors: list[dict]) -> str:
    """Pydantic's errors in one line: 'field.path: message; ...' (the body's own name left out)."""
    def one(error: dict) -> str:
        where = ".".join(str(p) for p in error["loc"] if p != "body")
        message = error["msg"][:1].lower() + error["msg"][1:]
        return f"{where}: {message}" if where else message
    return "; ".join(one(e) for e in errors)


Text = Annotated[str, Field(min_length=1, pattern=r"\S")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersBody(_Body):
    """Hard limits of a search: only passages meeting all of them are read."""

    speakers: list[str] = []
    roles: list[Literal[ROLES]] = []  # type: ignore[valid-type]
    date_from: Optional[datetime.date] = None
    date_to: Optional[datetime.date] = None
    sources: list[Literal[SOURCES]] = []  # type: ignore[valid-type]

    def filters(self) -> Filters:
        return Filters(speakers=[s.strip() for s in self.speakers if s.strip()],
                       roles=list(self.roles),
                       date_from=self.date_from.isoformat() if self.date_from else None,
                       date_to=self.date_to.isoformat() if self.date_to else None,
                       sources=list(self.sources))


class SearchBody(_Body):
    query: Text
    k: Optional[Annotated[int, Field(ge=1, le=100)]] = None
    filters: FiltersBody = FiltersBody()
    use_hints: bool = True   # speakers and dates the query names steer the search


class Exchange(_Body):
    """An earlier question of the conversation and the reply it got."""

    question: Text
    answer: str = ""


class AskBody(_Body):
    question: Text
    filters: FiltersBody = FiltersBody()
    history: list[Exchange] = []   # oldest first: "she", "and in 2020?" refer to it
    k: Optional[Annotated[int, Field(ge=1, le=100)]] = None
    no_llm: bool = False           # quote the best evidence, without the model
    use_hints: bool = True
    stream: bool = False           # server-sent events: sources, delta..., answer


class CompareBody(_Body):
    topic: Text
    speakers: Annotated[list[Text], Field(min_length=2)]
    filters: FiltersBody = FiltersBody()
    no_llm: bool = False


class VerifyBody(_Body):
    """One quote (with whom and when it is credited to), or an article's every quotation."""

    quote: Optional[Text] = None
    speaker: Optional[str] = None
    date: Optional[datetime.date] = None
    text: Optional[Text] = None


class ChatMessage(BaseModel):
    """An OpenAI chat message; content is a string or a list of parts ({"type": "text"})."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatBody(BaseModel):
    """POST /v1/chat/completions. Sampling options an OpenAI client sends (temperature, top_p,
    max_tokens ...) are accepted and ignored: the answer is the checked, cited one."""

    model_config = ConfigDict(extra="allow")
    model: Text
    messages: Annotated[list[ChatMessage], Field(min_length=1)]
    stream: bool = False
