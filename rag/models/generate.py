"""Text generation: one interface over a local open-weights model, three backends chosen in config.yaml.

- llama_cpp: a GGUF file run by llama-cpp-python (the default; fast on CPU, reuses the prompt prefix)
- transformers: a Hugging Face model directory or a GGUF file (de-quantised), on cuda when available
- http: any OpenAI-compatible server (POST {base_url}/chat/completions with stream=true)

Every backend takes chat messages ({"role": "system"|"user"|"assistant", "content": ...}) and applies
the model's own chat template. `load_generator` raises GeneratorUnavailable when the backend or model
is not installed (or the server cannot be reached), so callers can fall back to extractive answers.
"""
from __future__ import annotations

import importlib.util
import json
import math
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol

from rag.models import files as models

Messages = list[dict[str, str]]


class GenerationError(RuntimeError):
    """Generation failed; the message names the backend, model or URL involved."""


class GeneratorUnavailable(GenerationError):
    """No generator can run here (library or model not installed, server unreachable): answer extractively."""


class Generator(Protocol):
    name: str

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        """The reply to `messages`, piece by piece as the model produces it."""

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` takes in this model's prompt (approximate for the http backend)."""


class LlamaCppGenerator:
    """A GGUF model in llama.cpp. One instance per model: it keeps the evaluated prompt prefix for reuse."""

    def __init__(self, model_path: Path, n_ctx: int, n_threads: int | None) -> None:
        """n_threads None: llama-cpp-python's choice (half the cores; the prompt always uses all)."""
        from llama_cpp import Llama

        self.name = f"llama.cpp:{model_path.name}"
        try:
            self.llama = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
        except ValueError as err:  # llama-cpp-python's way of saying the file did not load
            raise GenerationError(f"{self.name}: {err}") from err
        # One llama.cpp context cannot serve two generations at once (e.g. two UI requests).
        self._lock = threading.Lock()

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        with self._lock:
            chunks = self.llama.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, stream=True)
            try:
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as err:  # e.g. "Requested tokens (5000) exceed context window of 4096"
                raise GenerationError(f"{self.name}: {err}") from err

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))


class TransformersGenerator:
    """A Hugging Face causal LM (directory, or GGUF file de-quantised on load) on cuda if available, else cpu."""

    def __init__(self, model_ref: Path) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if model_ref.is_file():
            if importlib.util.find_spec("gguf") is None:
                raise GeneratorUnavailable(
                    "transformers needs the gguf package to read .gguf files: run `make generation`")
            source, extra = str(model_ref.parent), {"gguf_file": model_ref.name}
        else:
            source, extra = str(model_ref), {}
        self.name = f"transformers:{model_ref.name}"
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.tokenizer = AutoTokenizer.from_pretrained(source, **extra)
        self.model = AutoModelForCausalLM.from_pretrained(source, dtype="auto", **extra).to(self.device)
        self.model.eval()

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True).to(self.device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
        failure: list[BaseException] = []

        def run() -> None:
            try:
                self.model.generate(**inputs, max_new_tokens=max_tokens, streamer=streamer, **sampling)
            except BaseException as err:  # re-raised in the caller's thread below
                failure.append(err)
                streamer.end()  # unblocks the consumer loop

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        for piece in streamer:
            if piece:
                yield piece
        worker.join()
        if failure:
            raise GenerationError(f"{self.name}: {failure[0]}") from failure[0]

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))


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


_loaded: dict[str, Generator] = {}
_loading = threading.Lock()  # two first requests at once must not load the model twice


def load_generator(settings: Mapping[str, Any]) -> Generator:
    """The generator configured in settings["generation"]; loaded once per distinct configuration."""
    generation = settings["generation"]
    key = json.dumps(generation, sort_keys=True, default=str)
    with _loading:
        if key not in _loaded:
            _loaded[key] = _build(generation)
        return _loaded[key]


def available(settings: Mapping[str, Any]) -> bool:
    """True when the configured generator loads (it then stays loaded for load_generator)."""
    try:
        load_generator(settings)
    except GeneratorUnavailable:
        return False
    return True


def _build(generation: Mapping[str, Any]) -> Generator:
    backend = generation["backend"]
    if backend == "http":
        http = generation["http"]
        server = HttpGenerator(http["base_url"], http["model"], http["timeout_s"])
        server.check()
        return server
    if backend not in ("llama_cpp", "transformers"):
        raise GenerationError(f"generation.backend '{backend}' is not one of llama_cpp, transformers, http")
    if importlib.util.find_spec(backend) is None:  # each local backend is named after its library
        raise GeneratorUnavailable(f"{backend} is not installed: run `make generation`")
    try:
        model_ref = models.resolve(generation["model"], generation["cache_dir"])
    except models.ModelError as err:
        raise GeneratorUnavailable(str(err)) from err
    if backend == "llama_cpp":
        if model_ref.suffix != ".gguf":
            raise GenerationError(f"llama_cpp needs a .gguf model, got {model_ref}")
        return LlamaCppGenerator(model_ref, generation["n_ctx"], generation["n_threads"] or None)
    return TransformersGenerator(model_ref)
