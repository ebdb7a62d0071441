"""Duplicates: one conference published twice (another file, another edition) is indexed once."""
from __future__ import annotations

from rag.records import Briefing
from rag.text.normalize import content_hash, normalize, overlap, shingles


def fingerprint(briefing: Briefing) -> str:
    """Same date and same words = same conference, whatever file or URL it came from."""
    return content_hash(briefing.date + "\n" + "\n".join(normalize(t.text) for t in briefing.turns))


class DuplicateFinder:
    """Finds the document that already holds a briefing: the same words in another file, the
    same briefing id, or the same source, date and title with much of the wording shared (one
    conference published twice, e.g. as two translations). The first one indexed is kept.

    The same words at two different web addresses with two different titles are two
    publications, both kept: the White House posted its 2024-03-15 briefing as a "press
    briefing" and as "remarks". (Search's near-duplicate pass keeps such twins from crowding
    results.)"""

    def __init__(self, store, min_overlap: float, stale: set[str]) -> None:
        self.store = store
        self.min_overlap = min_overlap
        self.stale = stale  # documents whose stored briefings are being replaced
        self.fingerprints: dict[str, tuple[str, str, str]] = {}  # -> document, location, title
        self.ids: dict[str, str] = {}
        self.titled: dict[tuple[str, str, str], list[tuple[str, set]]] = {}

    def claim(self, briefing: Briefing, key: str, fp: str) -> tuple[str, str] | None:
        """(document, why) of an earlier copy of `briefing` (read from document `key`, with
        fingerprint `fp`); None when there is none, and the briefing is then remembered as
        the copy later ones are compared with."""
        row = self.store.briefing_with_fingerprint(fp)
        if row is not None and row["document"] in self.stale:
            row = None
        twin = self.fingerprints.get(fp) or (row and (row["document"], row["location"],
                                                       row["title"]))
        if twin and not _other_publication(briefing, twin[1], twin[2]):
            return twin[0], "same date and text"
        row = self.store.has_briefing(briefing.id)
        if briefing.id in self.ids or (row is not None and row["document"] not in self.stale):
            return self.ids.get(briefing.id) or row["document"], "same briefing id"
        words = shingles(briefing_text(briefing))
        titled = self.titled.setdefault(self._title_key(briefing), [])
        earlier = titled + [(r["document"], shingles(self.store.briefing_text(r["id"])))
                            for r in self.store.briefings_titled(briefing.source, briefing.date,
                                                                 briefing.title)
                            if r["document"] not in self.stale]
        for document, other in earlier:
            shared = overlap(words, other)
            if shared >= self.min_overlap:
                return document, (f"same title and date, {shared:.0%} of the wording shared "
                                  "(another edition of the same conference)")
        self.fingerprints.setdefault(fp, (key, briefing.location, briefing.title))
        self.ids[briefing.id] = key
        titled.append((key, words))
        return None

    def committed(self, keys: list[str]) -> None:
        """The documents `keys` are now in the store, which answers for them from here on:
        what this run remembered of them is dropped (memory stays one batch's), and their
        stored briefings, no longer stale, are copies later ones are compared with."""
        self.stale.difference_update(keys)
        self.fingerprints.clear()
        self.ids.clear()
        self.titled.clear()

    @staticmethod
    def _title_key(briefing: Briefing) -> tuple[str, str, str]:
        return briefing.source, briefing.date, briefing.title


def _other_publication(briefing: Briefing, location: str, title: str) -> bool:
    """True when `briefing` was published at another web address under another title than a
    briefing with the same words (location, title): a file saved twice shares both."""
    urls = [u for u in (briefing.location, location) if u.startswith(("http://", "https://"))]
    return len(urls) == 2 and urls[0] != urls[1] and briefing.title != title


def briefing_text(briefing: Briefing) -> str:
    return "\n".join(t.text for t in briefing.turns)
