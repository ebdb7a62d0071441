"""Text generation: one interface over a local open-weights model, three backends (one module
each) chosen by generation.backend in config.yaml:

- llama_cpp: a GGUF file run by llama-cpp-python (rag.models.generators.llama_cpp)
- transformers: a Hugging Face model directory or GGUF file (rag.models.generators.huggingface)
- http: any OpenAI-compatible server (rag.models.generators.http_server)

`load_generator` raises GeneratorUnavailable when the backend or model is not installed (or
the server cannot be reached), so callers can fall back to extractive answers.
"""
from __future__ import annotations

import importlib.util
import threading

from rag.config import GenerationSettings, Settings
from rag.models import files as models
from rag.models.generators.base import GenerationError, Generator, GeneratorUnavailable, Messages

__all__ = ["GenerationError", "Generator", "GeneratorUnavailable", "Messages", "available",
           "load_generator"]


# Keyed by the (frozen, hashable) generation settings: one model per distinct configuration.
_loaded: dict[GenerationSettings, Generator] = {}
_loading = threading.Lock()  # two first requests at once must not load the model twice


def load_generator(settings: Settings) -> Generator:
    """The generator configured in settings.generation; loaded once per distinct configuration."""
    generation = settings.generation
    with _loading:
        if generation not in _loaded:
            _loaded[generation] = _build(generation)
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
        server = HttpGenerator(http.base_url, http.model, http.timeout_s)
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
