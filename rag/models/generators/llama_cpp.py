"""The llama_cpp backend: a GGUF file run by llama-cpp-python (the default: fast on CPU, and it
reuses the evaluated prompt prefix between calls)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from rag.models.generators.base import GenerationError, Messages


class LlamaCppGenerator:
    """A GGUF model in llama.cpp. One instance per model: it keeps the evaluated prompt prefix for reuse."""

    concurrency = 1  # one llama.cpp context writes one reply at a time (load_generator queues the rest)

    def __init__(self, model_path: Path, n_ctx: int, n_threads: int | None,
                 prompt_lookup: int = 0) -> None:
        """n_threads None: llama-cpp-python's choice (half the cores; the prompt always uses all).
        prompt_lookup > 0: prompt-lookup decoding, drafting that many tokens from n-grams of the
        prompt (an answer that copies evidence words is checked several tokens at a time)."""
        from llama_cpp import Llama

        self.name = f"llama.cpp:{model_path.name}"
        draft = None
        if prompt_lookup:
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
            draft = LlamaPromptLookupDecoding(num_pred_tokens=prompt_lookup)
        try:
            # a draft model needs every position's logits; llama-cpp-python sizes its logits
            # buffer from this argument alone (a batch's rows otherwise: a broadcast error)
            self.llama = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads,
                               draft_model=draft, logits_all=draft is not None, verbose=False)
        except ValueError as err:  # llama-cpp-python's way of saying the file did not load
            raise GenerationError(f"{self.name}: {err}") from err

    def stream(self, messages: Messages, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
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
