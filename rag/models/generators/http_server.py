"""The http backend: any OpenAI-compatible chat server (llama.cpp's llama-server, vLLM, Ollama),
streamed from {base_url}/chat/completions through the openai client.

The client retries a request whose reply has not begun (generation.http.retries; 408, 409, 429
and 5xx answers, timeouts, refused connections) with exponential backoff: 0.5 s doubling to at
most 8 s, less up to 25 % jitter, or the server's Retry-After up to 120 s.
"""
from __future__ import annotations

import math
import os
from contextlib import contextmanager
from typing import Iterator

import openai

from rag.models.generators.base import GenerationError, GeneratorUnavailable, Messages

PLACEHOLDER_KEY = "no-key"  # the client requires a key; servers started without one ignore it


class HttpGenerator:
    """An OpenAI-compatible chat endpoint (llama-server, vLLM, Ollama ...), streamed."""

    CHARS_PER_TOKEN = 4  # no portable tokenize endpoint; English averages about 4 characters a token

    def __init__(self, base_url: str, model: str, timeout_s: float, *, api_key_env: str,
                 retries: int, concurrency: int) -> None:
        """api_key_env: the name of the environment variable holding the key (read once, here).
        concurrency: replies the server writes at once (its parallel slots)."""
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self.api_key_env = api_key_env
        self.concurrency = concurrency
        self.name = f"http:{model}@{self.base_url}"
        # A number as timeout bounds each phase (connecting, every read), not the whole reply.
        self.client = openai.OpenAI(base_url=self.base_url, timeout=timeout_s, max_retries=retries,
                                    api_key=os.environ.get(api_key_env) or PLACEHOLDER_KEY)

    def check(self) -> None:
        """Raise GeneratorUnavailable unless the server answers GET {base_url}/models."""
        with self._translated(self.base_url + "/models", replying=False):
            self.client.models.list()

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        url = self.base_url + "/chat/completions"
        with self._translated(url, replying=False):
            chunks = self.client.chat.completions.create(
                model=self.model, messages=messages,  # type: ignore[arg-type]  # plain role/content dicts
                max_tokens=max_tokens, temperature=temperature, stream=True)
        # Closing the stream early drops the connection, which frees the server's slot.
        with chunks, self._translated(url, replying=True):
            for chunk in chunks:
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content

    @contextmanager
    def _translated(self, url: str, replying: bool) -> Iterator[None]:
        """The client's errors as the generator contract's, one line naming the URL. Before the
        reply (replying False) a server that cannot be reached is unavailable; once the reply has
        begun (HTTP 200) any failure is a GenerationError."""
        try:
            yield
        except openai.APIStatusError as err:
            key = (f" (the API key is read from ${self.api_key_env})"
                   if err.status_code in (401, 403) else "")
            raise GenerationError(f"{url} answered HTTP {err.status_code}: "
                                  f"{_one_line(err.response.text)}{key}") from err
        except openai.APITimeoutError as err:
            if replying:
                raise GenerationError(f"{url}: the HTTP 200 reply sent nothing for {self.timeout_s} s") from err
            raise GeneratorUnavailable(f"{url} did not answer within {self.timeout_s} s") from err
        except openai.APIConnectionError as err:
            if replying:
                raise GenerationError(f"{url}: the HTTP 200 reply broke off: {_reason(err)}") from err
            raise GeneratorUnavailable(f"no model server at {url}: {_reason(err)}") from err
        except openai.APIError as err:  # an error event inside the stream, or a malformed one
            raise GenerationError(f"{url}: the HTTP 200 reply reported: {_one_line(err.message)}") from err

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text) / self.CHARS_PER_TOKEN)


def _reason(err: BaseException) -> str:
    """The innermost cause of a connection failure, e.g. 'connection refused'."""
    while err.__cause__ or err.__context__:
        err = err.__cause__ or err.__context__  # type: ignore[assignment]
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    return _one_line(str(err)) or type(err).__name__


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]
