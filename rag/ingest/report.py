"""What an ingest did: counts, problems by file, and the lines a person reads after it."""
from __future__ import annotations

from dataclasses import dataclass, field

from rag.errors import Problem, problem_lines


@dataclass
class IngestReport:
    """What an ingest did; `failed` makes the command exit non-zero."""

    documents: int = 0          # document groups seen
    unchanged: int = 0
    updated: int = 0            # new or changed, now indexed
    removed: int = 0            # pruned
    briefings: int = 0          # briefings added by this run
    turns: int = 0
    passages: int = 0
    embedded: int = 0           # passages sent to the encoder
    reused: int = 0             # passages whose vectors were reused
    skipped: list[Problem] = field(default_factory=list)   # not transcripts, duplicates
    failed: list[Problem] = field(default_factory=list)    # unreadable input
    warnings: list[Problem] = field(default_factory=list)
    named: list[tuple[str, str]] = field(default_factory=list)  # (surname, full name) merged
    seconds: float = 0.0
    encode_seconds: float = 0.0

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if not isinstance(v, list)}
        for name in ("skipped", "failed", "warnings"):
            data[name] = [p.as_dict("path") for p in getattr(self, name)]
        data["named"] = [{"surname": short, "name": full} for short, full in self.named]
        return data

    def summary_lines(self, index_name: str, stats: dict) -> list[str]:
        """What a person reads after an ingest into the index `index_name` (whose
        store.stats() are `stats`): the counts, the index now, one line per problem."""
        return [f"{self.documents} documents: {self.updated} indexed, {self.unchanged} "
                f"unchanged, {len(self.skipped)} skipped, {len(self.failed)} failed, "
                f"{self.removed} removed",
                f"added {self.briefings} briefings, {self.turns} turns, {self.passages} "
                f"passages ({self.embedded} embedded, {self.reused} reused) in "
                f"{self.seconds:.1f}s",
                index_summary(index_name, stats),
                *(f"speaker '{short}' is {full} (one full name with that surname)"
                  for short, full in self.named),
                *problem_lines([("skipped", self.skipped), ("FAILED", self.failed),
                                ("warning", self.warnings)])]


def index_summary(index_name: str, stats: dict) -> str:
    """One line on what the index `index_name` holds, from its store.stats()."""
    return (f"index {index_name}: {stats['briefings']} briefings, {stats['turns']} turns, "
            f"{stats['passages']} passages, {stats['speakers']} speakers, "
            f"{stats['date_from']} .. {stats['date_to']}")
