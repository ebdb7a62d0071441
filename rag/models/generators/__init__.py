"""Text generation: one interface over a local open-weights model, three backends (one module
each) chosen by generation.backend in config.yaml:

- llama_cpp: a GGUF file run by llama-cpp-python (rag.models.generators.llama_cpp)
- transformers: a Hugging Face model directory or GGUF file (rag.models.generators.huggingface)
- http: any OpenAI-compatible server (rag.models.generators.http_server)

`load_generator` raises GeneratorUnavailable when the backend or model is not installed (or
the server cannot be reached), so callers can fall back to extractive answers. What it returns
may be shared by any number of threads: at most `generator.concurrency` streams run at once
(one for a local model, generation.http.concurrency for a server), the others wait their turn.
"""
from __future__ import annotations

import importlib.util
import threading
from typing import Iterator

from rag.config import GenerationSettings, Settings
from rag.models import files as models
from rag.models.generators.base import GenerationError, Generator, GeneratorUnavailable, Messages

__all__ = ["BoundedGenerator", "GenerationError", "Generator", "GeneratorUnavailable", "Messages",
           "available", "load_generator"]


class BoundedGenerator:
    """A backend shared by many threads, at most `concurrency` of its streams running at once.

    A stream takes a slot when its iteration starts and gives it back when it ends, fails or is
    closed early (an abandoned stream is closed when it is garbage-collected); a stream started
    while all slots are taken waits for one.
    """

    def __init__(self, backend: Generator) -> None:
        self.backend = backend
        self.name = backend.name
        self.concurrency = backend.concurrency
        self._slots = threading.BoundedSemaphore(backend.concurrency)

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        with self._slots:
            yield from self.backend.stream(messages, max_tokens, temperature)

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)


# Keyed by the (frozen, hashable) generation settings: one model per distinct configuration.
_loaded: dict[GenerationSettings, BoundedGenerator] = {}
_loading = threading.Lock()  # two first requests at once must not load the model twice


def load_generator(settings: Settings) -> BoundedGenerator:
    """The generator configured in settings.generation; loaded once per distinct configuration."""
    generation = settings.generation
    with _loading:
        if generation not in _loaded:
            _loaded[generation] = BoundedGenerator(_build(generation))
        return _loaded[generation]


def available(settings: Settings) -> bool:
    """True when the configured generator loads (it then stays loaded for load_generator)."""
    try:
        load_generator(settings)
    except GeneratorUnavailable:
        return False
    return True


def _build(generation: GenerationSettings) -> Generator:
    backend = generation.backend
    if backend == "http":
        http = generation.http
        from rag.models.generators.http_server import HttpGenerator
        server = HttpGenerator(http.base_url, http.model, http.timeout_s, api_key_env=http.api_key_env,
                               retries=http.retries, concurrency=http.concurrency)
        server.check()
        return server
    if importlib.util.find_spec(backend) is None:  # each local backend is named after its library
        raise GeneratorUnavailable(f"{backend} is not installed: run `make generation`")
    try:
        model_ref = models.resolve(generation.model, generation.cache_dir)
    except models.ModelError as err:
        raise GeneratorUnavailable(str(err)) from err
    if backend == "llama_cpp":
        if model_ref.suffix != ".gguf":
            raise GenerationError(f"llama_cpp needs a .gguf model, got {model_ref}")
        from rag.models.generators.llama_cpp import LlamaCppGenerator
        return LlamaCppGenerator(model_ref, generation.n_ctx, generation.n_threads or None,
                                 generation.prompt_lookup)
    from rag.models.generators.huggingface import TransformersGenerator
    return TransformersGenerator(model_ref)
