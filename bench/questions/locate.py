"""For writing a question set: the pointer {"source", "at"} of a quote in an evaluation-corpus
file, so the set holds offsets, never transcript words.

    python bench/questions/locate.py mfa/t1566835.shtml "China has signed bilateral ..."
    python bench/questions/locate.py --check bench/questions/own.jsonl

The quote is matched word by word (any punctuation, spaces or entities between words); the
pointer resolves back to it through rag.evaluate.resolve_pointer, as the eval will.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora"

from rag.evaluate import load_questions, resolve_pointer  # noqa: E402


def locate(source: str, quote: str) -> list[int]:
    raw = (CORPUS / source).read_text(encoding="utf-8", errors="replace")
    words = re.findall(r"\w+", quote)
    between = r"(?:[^\w<>]|&#?\w+;)+"
    found = [m.span() for m in re.finditer(r"\b" + between.join(map(re.escape, words)) + r"\b",
                                           raw)]
    if len(found) != 1:
        raise SystemExit(f"{source}: the quote occurs {len(found)} times (need exactly once, "
                         "within one paragraph)")
    start, end = found[0]
    resolve_pointer(CORPUS, {"source": source, "at": [start, end]})
    return [start, end]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?")
    parser.add_argument("quote", nargs="?")
    parser.add_argument("--check", help="a question set whose pointers must all resolve")
    args = parser.parse_args()
    if args.check:
        questions = load_questions(Path(args.check), CORPUS)
        print(f"{len(questions)} questions, every pointer resolves")
        return 0
    print(json.dumps({"source": args.source, "at": locate(args.source, args.quote)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
