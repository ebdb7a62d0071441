"""The transformers backend: a Hugging Face model directory or a GGUF file (de-quantised on
load), on cuda when available."""
from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Iterator

from rag.models.generators.base import GenerationError, GeneratorUnavailable, Messages


class TransformersGenerator:
    """A Hugging Face causal LM (directory, or GGUF file de-quantised on load) on cuda if available, else cpu."""

    concurrency = 1  # one generate() at a time: parallel calls on one model only share its cores

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
