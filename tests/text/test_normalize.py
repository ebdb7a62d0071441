"""Text normalisation for matching, and dates read from titles."""
from rag.text.normalize import normalize
from rag.text.dates import parse_date


def test_normalize_and_dates():
    assert normalize("\u201cHello\u201d \u2014 World\u00a0 X") == '"hello" - world x'
    assert parse_date("Regular Press Conference on June12, 2018") == "2018-06-12"
