"""The eval harness: evidence pointers resolve to verbatim transcript words, or fail clearly."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.evaluate import PointerError, load_questions, resolve_pointer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora"


def test_a_pointer_resolves_to_the_visible_words(tmp_path):
    page = "<html><p>Mara Velin: The bridge opened on May&nbsp;3 after six years.</p></html>"
    (tmp_path / "b.html").write_text(page, encoding="utf-8")
    start = page.index("The bridge")
    end = page.index(" after")
    assert resolve_pointer(tmp_path, {"source": "b.html", "at": [start, end]}) == \
        "The bridge opened on May 3"
    with pytest.raises(PointerError, match="b.html: offsets"):
        resolve_pointer(tmp_path, {"source": "b.html", "at": [0, end]})  # markup inside
    line = json.dumps({"id": "x", "type": "lookup", "question": "q?", "answer_must_include": [],
                       "evidence": [{"source": "missing.html", "at": [0, 4]}]})
    (tmp_path / "q.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:1: .*missing.html"):
        load_questions(tmp_path / "q.jsonl", tmp_path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared is absent")
def test_our_question_set_resolves_verbatim():
    questions = load_questions(ROOT / "bench" / "questions" / "own.jsonl", CORPUS)
    assert len(questions) >= 40
    assert all(e["quote"] for q in questions for e in q.evidence)
