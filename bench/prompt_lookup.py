"""Prompt-lookup decoding against plain decoding, on the prompts the answerer really sends.

    python bench/prompt_lookup.py --index DIR [--questions ../shared/eval/dev.jsonl] [--draft 10]

Every question is answered once with the configured model (plain decoding), recording each
prompt; each prompt is then generated again by a second instance of the same model with
LlamaPromptLookupDecoding (`--draft` tokens drafted from the prompt's n-grams). Both are greedy,
both have their fixed prefix evaluated before timing. Prints the share of identical replies and
the generation seconds and tokens per second of each, measured in one run. Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


class Recording:
    """A generator that records every prompt it is given and how long its reply took."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[dict] = []

    def stream(self, messages, max_tokens, temperature=0.0):
        started = time.perf_counter()
        pieces = []
        first = None
        for piece in self.inner.stream(messages, max_tokens, temperature):
            first = first or time.perf_counter() - started
            pieces.append(piece)
            yield piece
        self.calls.append({"messages": messages, "max_tokens": max_tokens,
                           "reply": "".join(pieces), "first_s": first,
                           "seconds": time.perf_counter() - started})

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def timed(generator, messages, max_tokens) -> tuple[str, float, float]:
    started = time.perf_counter()
    first = None
    pieces = []
    for piece in generator.stream(messages, max_tokens, 0.0):
        first = first or time.perf_counter() - started
        pieces.append(piece)
    return "".join(pieces), first or 0.0, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--draft", type=int, default=10)
    args = parser.parse_args()
    from rag import config
    from rag.answer.prompt import build_messages
    from rag.api import Briefings
    from rag.models import files
    from rag.models.generators.llama_cpp import LlamaCppGenerator
    settings = config.load()
    g = settings.generation
    path = files.resolve(g.model, g.cache_dir)
    plain = Recording(LlamaCppGenerator(path, g.n_ctx, g.n_threads or None))
    lookup = LlamaCppGenerator(path, g.n_ctx, g.n_threads or None, prompt_lookup=args.draft)
    for gen in (plain, lookup):   # the fixed prefix evaluated once, as in a running app
        timed(gen, build_messages("", []), 1)
    plain.calls.clear()
    briefings = Briefings.open(args.index, generator=plain)
    questions = [json.loads(line)["question"] for line in
                 args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in questions:
        briefings.ask(q)
    same, rows = 0, []
    for call in plain.calls:
        reply, first, seconds = timed(lookup, call["messages"], call["max_tokens"])
        same += reply == call["reply"]
        tokens = max(1, lookup.count_tokens(reply))
        rows.append((call["seconds"], seconds, call["first_s"] or 0.0, first,
                     max(1, plain.count_tokens(call["reply"])), tokens))
    plain_s = [r[0] for r in rows]
    lookup_s = [r[1] for r in rows]
    print(json.dumps({
        "questions": len(questions), "generations": len(rows), "draft_tokens": args.draft,
        "identical_replies": round(same / len(rows), 3) if rows else None,
        "plain_median_s": round(statistics.median(plain_s), 2),
        "lookup_median_s": round(statistics.median(lookup_s), 2),
        "lookup_over_plain": round(sum(lookup_s) / sum(plain_s), 3),
        "plain_first_token_median_s": round(statistics.median(r[2] for r in rows), 2),
        "lookup_first_token_median_s": round(statistics.median(r[3] for r in rows), 2),
        "plain_tokens_per_s": round(sum(r[4] for r in rows) / sum(plain_s), 2),
        "lookup_tokens_per_s": round(sum(r[5] for r in rows) / sum(lookup_s), 2)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
