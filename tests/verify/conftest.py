"""A small fictional index for quote checks: two briefings of one ministry, a talking point
said on both days, a reporter's question, the moderator, and two officials."""
from __future__ import annotations

import pytest

from conftest import BACKENDS, make_location

FIRST = """Title: Press briefing of the Ministry of Lakes (fictional)
Date: April 2, 2033

Moderator: Good morning. Spokesperson Idris Vale and Deputy Minister Ona Brask will take your questions today.

Idris Vale: The Ministry of Lakes will close the Merrow dam for repairs on April 30. The closure will last eleven weeks. We will never accept that the fishing villages bear the cost alone.

Q: Reuters. Critics say the ministry abandoned the Merrow fishermen to save money. Is that fair?

Idris Vale: No. The ministry will pay every licensed fisherman 4,000 marks a month during the closure. "We keep our promises to the lake villages," as the minister said last year.

Ona Brask: The repairs cost 61 million marks. The national budget pays two thirds of it.

Q: Will the dam reopen before the autumn rains?

Ona Brask: Yes, it will reopen in mid-July, well before the rains.
"""

SECOND = """Title: Press briefing of the Ministry of Lakes (fictional)
Date: May 14, 2033

Moderator: Good afternoon, everyone.

Idris Vale: Work on the Merrow dam is on schedule. The ministry stands with the lake villages, today and every day.

Q: Is the ministry still paying the fishermen?

Idris Vale: Yes. The ministry will pay every licensed fisherman 4,000 marks a month during the closure. Payments began on May 2.
"""


@pytest.fixture(scope="session", params=BACKENDS)
def quote_index(request, tmp_path_factory):
    """A real index (SQLite + FTS5 + FAISS, or PostgreSQL + pgvector; MiniLM) over the two
    fictional briefings."""
    from rag.ingest.run import ingest
    from rag.store import open_index

    corpus = tmp_path_factory.mktemp("lakes")
    (corpus / "2033-04-02-ministry-of-lakes.txt").write_text(FIRST, encoding="utf-8")
    (corpus / "2033-05-14-ministry-of-lakes.txt").write_text(SECOND, encoding="utf-8")
    location = make_location(request.param, request, tmp_path_factory.mktemp("index"))
    index = open_index(location, create=True)
    report = ingest([corpus], index, progress=False)
    assert not report.failed, report.failed
    return index


@pytest.fixture(scope="session")
def briefings(quote_index):
    from rag.api import Briefings
    return Briefings(quote_index)
