"""Downloads of an answer: the answer with its citations as Markdown, its excerpts as CSV."""
from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

from rag.answer.records import Answer

CSV_COLUMNS = ["marker", "cited", "speaker", "role", "date", "title", "source", "question",
               "excerpt", "passage"]


def answer_markdown(answer: Answer) -> str:
    """The question, the answer as written (with its [n] markers) and each numbered source."""
    lines = [f"# {answer.question}", ""]
    if answer.refused:
        lines += [f"{answer.text} The nearest excerpts follow; none of them answers the question."]
    else:
        lines += [answer.text]
    if answer.note:
        lines += ["", f"_{answer.note}_"]
    cited = {c.marker for c in answer.citations}
    lines += ["", "## Sources", ""]
    for source in answer.sources:
        p = source.passage
        flag = "" if source.marker in cited or answer.refused else " (not cited)"
        lines += [f"[{source.marker}] {p.speaker} ({p.role}), {p.date}, {p.title}{flag}",
                  f"<{p.location}>" if re.match(r"https?://", p.location) else p.location, ""]
        if p.question:
            lines += [f"Asked: {' '.join(p.question.split())}", ""]
        lines += ["> " + " ".join(source.text.split()), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_exports(answer: Answer, folder: Path | None = None) -> list[Path]:
    """answer.md and excerpts.csv for `answer`, in a new folder (a temporary one by default)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="briefings-answer-"))
    markdown = folder / "answer.md"
    markdown.write_text(answer_markdown(answer), encoding="utf-8")
    table = folder / "excerpts.csv"
    cited = {c.marker for c in answer.citations}
    with open(table, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for source in answer.sources:
            p = source.passage
            writer.writerow([source.marker, "yes" if source.marker in cited else "no", p.speaker,
                             p.role, p.date, p.title, p.location, p.question, source.text, p.text])
    return [markdown, table]
