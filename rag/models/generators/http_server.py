"""The http backend: any OpenAI-compatible chat server (llama.cpp's server, vLLM, Ollama), POST
{base_url}/chat/completions with stream=true, read as server-sent events."""
from __future__ import annotations

import json
import math
import socket
import urllib.error
import urllib.request
from typing import Any, Iterator

from rag.models.generators.base import GenerationError, GeneratorUnavailable, Messages


class HttpGenerator:
    """An OpenAI-compatible chat endpoint (llama.cpp server, vLLM, Ollama ...), streamed over SSE."""

    CHARS_PER_TOKEN = 4  # no portable tokenize endpoint; English averages about 4 characters a token

    def __init__(self, base_url: str, model: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self.name = f"http:{model}@{self.base_url}"

    def check(self) -> None:
        """Raise GeneratorUnavailable unless the server answers GET {base_url}/models."""
        with self._open(urllib.request.Request(self.base_url + "/models")):
            pass

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        body = json.dumps({"model": self.model, "messages": messages, "max_tokens": max_tokens,
                           "temperature": temperature, "stream": True}).encode("utf-8")
        request = urllib.request.Request(self.base_url + "/chat/completions", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Accept": "text/event-stream"})
        with self._open(request) as response:
            try:
                yield from self._events(response)
            except (socket.timeout, TimeoutError) as err:
                raise GenerationError(f"{request.full_url} sent nothing for {self.timeout_s} s") from err

    def _open(self, request: urllib.request.Request) -> Any:
        url = request.full_url
        try:
            return urllib.request.urlopen(request, timeout=self.timeout_s)
        except urllib.error.HTTPError as err:
            detail = err.read(300).decode("utf-8", "replace").strip()
            raise GenerationError(f"{url} answered HTTP {err.code}: {detail}") from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, ConnectionRefusedError):
                raise GeneratorUnavailable(f"no model server at {url}: connection refused") from err
            raise GeneratorUnavailable(f"cannot reach {url}: {err.reason}") from err
        except (socket.timeout, TimeoutError) as err:
            raise GeneratorUnavailable(f"{url} did not answer within {self.timeout_s} s") from err

    def _events(self, response: Any) -> Iterator[str]:
        """Content pieces from server-sent events: lines 'data: {json}', ending with 'data: [DONE]'."""
        for raw in response:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue  # blank separators, comments (": ping"), event names
            data = line[len("data:"):].strip()
            if data == "[DONE]":
                return
            try:
                event = json.loads(data)
            except json.JSONDecodeError as err:
                raise GenerationError(f"{self.base_url} sent a malformed event: {data[:100]}") from err
            if "error" in event:
                raise GenerationError(f"{self.base_url} reported: {event['error']}")
            for choice in event.get("choices", []):
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text) / self.CHARS_PER_TOKEN)
