"""Quote-check latency: milliseconds per quote over an index, median and p95, in one run.

    python bench/verify.py --index DIR [--quotes N] [--set QUOTES.jsonl]

Quotes: the set given (default ../shared/eval/quotes-dev.jsonl, when present) and sentences
drawn from N random turns of the index itself (seeded; see drawn_quotes), each of the set's
kinds made from them, so verdict accuracy is also measured on quotes nobody chose. The embedder
and the dense index are loaded first, as in a running app. Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from run import _percentile  # noqa: E402  (bench/run.py, beside this script: one percentile)


def drawn_quotes(store, n: int, seed: int = 7) -> list[tuple[str, str, str | None, str | None,
                                                              str]]:
    """(kind, quote, speaker, date, expected verdict) for sentences of 8-30 words drawn from
    `n` random official turns (seeded): as said; one word changed; a number changed; credited
    to another official; to the day after; a reporter's sentence credited to the official who
    answered; and two halves of sentences from different turns joined (never said)."""
    from rag.text.sentences import sentences
    rng = random.Random(seed)
    speakers = [name for name, _ in store.speakers()][:50]
    ids = [r[0] for r in store.conn.execute("SELECT id FROM turns WHERE role = 'official'")]
    asked = {r[0]: r[1] for r in store.conn.execute(
        "SELECT a.id, q.id FROM turns a JOIN turns q ON q.briefing = a.briefing "
        "AND q.ord = a.ord - 1 WHERE a.role = 'official' AND q.role = 'journalist'")}
    quotes = []
    previous = None
    for turn in store.turns(rng.sample(ids, min(len(ids), n * 4))):
        fit = [s for s in sentences(turn.text) if 8 <= len(s.split()) <= 30]
        if not fit:
            continue
        said = rng.choice(fit)
        words = said.split()
        at = rng.randrange(len(words))
        changed = " ".join(words[:at] + ["notably" if words[at] != "notably" else "plainly"]
                           + words[at + 1:])
        other = rng.choice([s for s in speakers if s != turn.speaker] or [turn.speaker])
        after = (date.fromisoformat(turn.date) + timedelta(days=1)).isoformat()
        quotes += [("drawn_verbatim", said, turn.speaker, None, "verbatim"),
                   ("drawn_altered_word", changed, turn.speaker, None, "altered"),
                   ("drawn_other_speaker", said, other, None, "misattributed"),
                   ("drawn_other_date", said, turn.speaker, after, "misattributed")]
        number = re.search(r"\b\d+\b", said)
        if number:
            bumped = said[:number.start()] + str(int(number.group(0)) + 1) + said[number.end():]
            quotes.append(("drawn_altered_number", bumped, turn.speaker, None, "altered"))
        question = store.turns([asked[turn.id]]) if turn.id in asked else []
        asking = [s for q in question for s in sentences(q.text) if 8 <= len(s.split()) <= 30]
        if asking:
            quotes.append(("drawn_journalist", rng.choice(asking), turn.speaker, None,
                           "misattributed"))
        if previous:
            half, other_half = words[:len(words) // 2], previous.split()
            quotes.append(("drawn_fabricated", " ".join(half + other_half[len(other_half) // 2:]),
                           turn.speaker, None, "not_found"))
        previous = said
        n -= 1
        if n == 0:
            break
    return quotes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--quotes", type=int, default=100, help="sentences drawn from the index")
    parser.add_argument("--set", type=Path, default=SHARED / "eval" / "quotes-dev.jsonl")
    args = parser.parse_args()
    from rag.api import Briefings
    from rag.evaluate import load_quotes
    briefings = Briefings.open(args.index)
    briefings.retriever.embed_query("warm up")
    briefings.index.dense()
    checks: list[tuple[str, str, str | None, str | None, str | None]] = []
    if args.set.exists():
        checks += [(c.kind, c.quote, c.speaker, c.date, (c.expected or {}).get("verdict"))
                   for c in load_quotes(args.set)]
    checks += drawn_quotes(briefings.index.store, args.quotes)
    timings: dict[str, list[float]] = {}
    right: dict[str, list[bool]] = {}
    false_verbatim = 0
    for kind, quote, speaker, day, expected in checks:
        result = briefings.verify(quote, speaker, day)
        family = kind if kind.startswith("drawn") else "set"
        timings.setdefault(family, []).append(result.timings["check_ms"])
        if expected:
            right.setdefault(family, []).append(result.verdict == expected)
            false_verbatim += result.verdict == "verbatim" != expected
    every = [t for values in timings.values() for t in values]
    stats = briefings.index.store.stats()
    print(json.dumps({
        "index": str(args.index), "briefings": stats["briefings"], "turns": stats["turns"],
        "passages": stats["passages"], "quotes": len(every),
        "check_ms_median": round(statistics.median(every), 1),
        "check_ms_p95": round(_percentile(every, 0.95), 1), "check_ms_max": round(max(every), 1),
        "by_kind": {k: {"quotes": len(v), "median_ms": round(statistics.median(v), 1),
                        "p95_ms": round(_percentile(v, 0.95), 1)} for k, v in timings.items()},
        "verdict_accuracy": {k: round(sum(v) / len(v), 3) for k, v in right.items()},
        "false_verbatim": false_verbatim}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
