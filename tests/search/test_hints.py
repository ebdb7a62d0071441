"""Question hints: speakers and periods named in a question, facets, month slack, labels."""
from rag.search.hints import infer, period_label


def test_hints_from_question():
    speakers = ["Tova Renwick", "Osric Vanterpool", "Renwick", "The White House"]
    hints = infer("What did Tova Renwick say in March 2031 about the seawall?", speakers)
    assert hints.speakers == ["Tova Renwick"]
    assert hints.periods == [("2031-03-01", "2031-03-31")]
    assert hints.remainder == "What did say in about the seawall?"
    hints = infer("On May 12, 2031, what did Osric Vanterpool's ministry say?", speakers)
    assert hints.speakers == ["Osric Vanterpool"]
    assert hints.periods == [("2031-05-12", "2031-05-12")]
    assert not infer("What is the ministry's view on wind farms? What did the White House say?",
                     speakers)


def test_each_named_speaker_and_period_is_a_facet():
    speakers = ["Tova Renwick", "Osric Vanterpool"]
    hints = infer("How did Minister Vanterpool in early January 2031 and Tova Renwick in "
                  "May 2031 differ?", speakers)
    assert hints.speakers == ["Osric Vanterpool", "Tova Renwick"]   # in the order named
    assert hints.periods == [("2031-01-01", "2031-01-31"), ("2031-05-01", "2031-05-31")]
    assert len(hints.facets()) == 4
    assert (hints.as_filters().date_from, hints.as_filters().date_to) == ("2031-01-01", "2031-05-31")


def test_period_labels_read_as_written():
    assert period_label(("2024-05-01", "2024-05-31")) == "May 2024"
    assert period_label(("2024-02-01", "2024-02-29")) == "February 2024"
    assert period_label(("2024-01-01", "2024-12-31")) == "2024"
    assert period_label(("2024-10-10", "2024-10-10")) == "2024-10-10"
    assert period_label(("2024-10-10", "2024-11-02")) == "2024-10-10 to 2024-11-02"


def test_a_named_month_also_hints_the_weeks_after_it():
    hints = infer("How many jobs were added in December 2023, and what did Ada Quill say on "
                  "May 9, 2024 and in 2022?", ["Ada Quill"])
    assert hints.periods == [("2024-05-09", "2024-05-09"), ("2023-12-01", "2023-12-31"),
                             ("2022-01-01", "2022-12-31")]
    spans = [(f.date_from, f.date_to) for f in hints.facets(month_slack_days=14)]
    # only the month reaches on (across the year's end); a day and a year stay as written
    assert spans == [("2024-05-09", "2024-05-09"), ("2023-12-01", "2024-01-14"),
                     ("2022-01-01", "2022-12-31")]
    assert hints.as_filters().date_to == "2024-05-09"   # what the app shows is what was asked
