"""The refusal threshold as a measured trade-off: for each `answer.min_evidence`, the share of
unanswerable questions refused on weak evidence and the share of answerable ones refused.

    python bench/refusal_curve.py QUESTIONS.jsonl RESULTS.jsonl [QUESTIONS RESULTS ...]

RESULTS are `briefings eval` records (each carries `evidence`, its best question-sentence
cosine). Other refusals (names the index never mentions, the model's judgment) come on top.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.evaluate import load_questions  # noqa: E402


def main(args: list[str]) -> int:
    if len(args) < 2 or len(args) % 2:
        print(__doc__)
        return 2
    rows: list[tuple[bool, float]] = []  # (answerable, evidence)
    for questions, results in zip(args[::2], args[1::2]):
        kinds = {q.id: q.answerable for q in load_questions(Path(questions),
                                                            ROOT.parent / "shared" / "corpora")}
        rows += [(kinds[r["id"]], r["evidence"]) for r in map(json.loads, open(results))]
    answerable = [e for a, e in rows if a]
    unanswerable = [e for a, e in rows if not a]
    print(f"{len(answerable)} answerable, {len(unanswerable)} unanswerable")
    print("min_evidence  refused(unanswerable)  refused(answerable)")
    for step in range(20, 62, 2):
        t = step / 100
        print(f"{t:12.2f}  {sum(e < t for e in unanswerable) / max(1, len(unanswerable)):21.2f}"
              f"  {sum(e < t for e in answerable) / max(1, len(answerable)):19.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
