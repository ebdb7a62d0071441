"""The MFA and White House readers over the real corpora in ../shared (pure parsing, fast)."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from rag.readers import NotATranscript, Page, read_group
from rag.readers import mfa, whitehouse
from rag.records import JOURNALIST, OFFICIAL
from rag.text.procedural import asks

from conftest import shared_path

pytestmark = pytest.mark.corpus

ISO = re.compile(r"^\d{4}-\d\d-\d\d$")
NEUBERGER = ("2024-12/2024-12-27-on-the-record-press-gaggle-by-white-house-national-security-"
             "communications-advisor-john-kirby-38.md")
# The one 2024 file under press-briefings/ with no speaker labels: a published statement.
STATEMENT_2024 = "2024-09-20-a-u-s-framework-for-climate-resilience-and-security.md"


def read(module, path: Path):
    return module.read([Page(path, path.read_text(encoding="utf-8"))])


def read_each(module, paths) -> dict[str, object]:
    """File name -> its briefing, or the NotATranscript it raised."""
    results: dict[str, object] = {}
    for path in sorted(paths):
        try:
            results[path.name] = read(module, path)[0]
        except NotATranscript as err:
            results[path.name] = err
    return results


@pytest.fixture(scope="module")
def mfa_corpus() -> dict[str, object]:
    return read_each(mfa, shared_path("corpora", "mfa").glob("*.shtml"))


@pytest.fixture(scope="module")
def whitehouse_2024() -> dict[str, object]:
    return read_each(whitehouse,
                     shared_path("corpora", "whitehouse", "press-briefings").glob("2024-*/*.md"))


def test_every_mfa_transcript_has_date_title_and_its_spokesperson(mfa_corpus):
    transcripts = {name: b for name, b in mfa_corpus.items() if name.startswith("t")}
    assert len(transcripts) == 500
    for name, briefing in transcripts.items():
        assert not isinstance(briefing, Exception), f"{name}: {briefing}"
        spokesperson = re.search(r"Spokesperson (\w+ \w+)'s", briefing.title).group(1)
        assert ISO.match(briefing.date), name
        assert briefing.location.endswith("/" + name), name
        officials = {t.speaker for t in briefing.turns if t.role == OFFICIAL}
        assert spokesperson in officials, name
        # Only spokespeople speak for the ministry (a colleague may introduce a new one).
        assert officials <= {spokesperson, *mfa._SPOKESPEOPLE}, (name, officials)
        asked = {t.text for t in briefing.turns if t.role == JOURNALIST}
        for before, turn in zip(briefing.turns, briefing.turns[1:]):
            if before.role == JOURNALIST and turn.role == OFFICIAL and asks(before.text):
                assert turn.question == before.text, name
            elif turn.role == OFFICIAL:  # "Yes.", "The border areas of Thailand." ask nothing new
                assert turn.question in asked | {""}, name
        assert not any("Related News" in t.text or "Suggest to a friend" in t.text
                       for t in briefing.turns), name


def test_mfa_list_pages_are_not_transcripts(mfa_corpus):
    lists = {name: r for name, r in mfa_corpus.items() if name.startswith("default")}
    assert len(lists) == 13
    assert all(isinstance(r, NotATranscript) and "list page" in str(r) for r in lists.values())


def test_mfa_yearless_titles_get_their_year(mfa_corpus):
    # "... Regular Press Conference on September 10" .. "September 28" (2018).
    yearless = {name: b.date for name, b in mfa_corpus.items() if name.startswith("t")
                and re.search(r"on September \d+$", b.title)}
    assert len(yearless) == 14
    assert all(iso.startswith("2018-09-") for iso in yearless.values())
    assert mfa_corpus["t1593756.shtml"].date == "2018-09-10"


def test_mfa_conference_published_twice(mfa_corpus):
    # The April 29, 2019 conference appears under two file names with different translations.
    by_title = defaultdict(list)
    for name, briefing in mfa_corpus.items():
        if name.startswith("t"):
            by_title[(briefing.title, briefing.date)].append(name)
    assert [names for names in by_title.values() if len(names) > 1] == [
        ["t1659619.shtml", "t1660057.shtml"]]


def test_whitehouse_2024_briefings_have_date_title_and_officials(whitehouse_2024):
    assert len(whitehouse_2024) == 261
    assert not [name for name, b in whitehouse_2024.items() if isinstance(b, Exception)]
    statement = whitehouse_2024[STATEMENT_2024]
    assert [t.speaker for t in statement.turns] == ["The White House"]
    for name, briefing in whitehouse_2024.items():
        assert briefing.date == name[:10], name
        assert briefing.title, name
        assert briefing.location.startswith("https://"), name
        officials = {t.speaker for t in briefing.turns if t.role == OFFICIAL}
        assert officials, name
        for speaker in officials:
            if " " not in speaker:
                # A bare surname only where the title does not give the full name.
                assert not re.search(rf"\b[A-Z][\w'’-]+ {re.escape(speaker)}\b", briefing.title), (
                    name, speaker)


def test_whitehouse_recurring_briefers_resolve_to_full_names(whitehouse_2024):
    speakers = {t.speaker for b in whitehouse_2024.values() if not isinstance(b, Exception)
                for t in b.turns}
    assert {"Karine Jean-Pierre", "John Kirby", "Jake Sullivan"} <= speakers
    assert not speakers & {"Jean-Pierre", "Kirby", "Sullivan"}


def test_whitehouse_introduced_briefer_resolves():
    path = shared_path("corpora", "whitehouse", "press-briefings", NEUBERGER)
    doc = read_group([path], max_bytes=20_000_000)
    (briefing,) = doc.briefings
    officials = [t.speaker for t in briefing.turns if t.role == OFFICIAL]
    assert set(officials) == {"John Kirby", "Anne Neuberger"}
    assert [p.name for p in briefing.participants] == ["John Kirby", "Anne Neuberger"]
    assert briefing.participants[0].post == "White House National Security Communications Advisor"
    assert briefing.chair == "Moderator"


def test_mfa_page_through_read_group():
    path = shared_path("corpora", "mfa", "t1748946.shtml")
    (briefing,) = read_group([path], max_bytes=20_000_000).briefings
    assert briefing.date == "2020-02-24"
    # Hua Chunying opens and introduces the new spokesperson, who then takes the questions.
    assert [t.speaker for t in briefing.turns[:2]] == ["Hua Chunying", "Zhao Lijian"]
    assert briefing.participants[0].name == "Zhao Lijian"
