"""The generator contract: chat messages in, the reply streamed out; and its errors.

Every backend takes chat messages ({"role": "system"|"user"|"assistant", "content": ...}) and
applies the model's own chat template.
"""
from __future__ import annotations

from typing import Iterator, Protocol

from rag.errors import BriefingsError

Messages = list[dict[str, str]]


class GenerationError(BriefingsError, RuntimeError):
    """Generation failed; the message names the backend, model or URL involved."""


class GeneratorUnavailable(GenerationError):
    """No generator can run here (library or model not installed, server unreachable): answer extractively."""


class Generator(Protocol):
    name: str
    # How many replies the backend writes at once; load_generator lets no more streams run
    # together (local models: 1; http: the server's parallel slots, generation.http.concurrency).
    concurrency: int

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        """The reply to `messages`, piece by piece as the model produces it."""

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` takes in this model's prompt (approximate for the http backend)."""
