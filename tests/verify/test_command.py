"""`briefings verify`: one quote, an article, a scored quote set, and bad input in one line."""
import json

from rag import cli


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_one_quote_prints_the_verdict_the_transcript_words_and_the_source(quote_index, capsys):
    code, out, _ = run(capsys, "verify", "The repairs cost 61 million marks.", "--speaker",
                       "Idris Vale", "--index", quote_index.location)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Misattributed: Ona Brask said these words on 2033-04-02")
    assert "Transcript: \u201cThe repairs cost 61 million marks\u201d" in out
    code, out, _ = run(capsys, "verify", "The repairs cost 61 million marks.", "--json",
                       "--index", quote_index.location)
    result = json.loads(out)
    assert result["verdict"] == "verbatim" and result["found"]["speaker"] == "Ona Brask"


def test_an_article_is_checked_quotation_by_quotation(quote_index, capsys, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text('"The repairs cost 61 million marks," Idris Vale said on Tuesday.\n'
                       '\u201cThe closure will last twelve weeks,\u201d Vale added.\n',
                       encoding="utf-8")
    code, out, _ = run(capsys, "verify", "--text", str(article), "--json",
                       "--index", quote_index.location)
    assert [r["verdict"] for r in json.loads(out)] == ["misattributed", "altered"]


def test_a_quote_set_is_scored_and_written_one_result_a_line(quote_index, capsys, tmp_path):
    cases = [
        {"id": "q1", "kind": "verbatim", "quote": "The closure will last eleven weeks.",
         "speaker": "Idris Vale", "date": "2033-04-02",
         "expected": {"verdict": "verbatim", "speaker": "Idris Vale", "date": "2033-04-02"}},
        {"id": "q2", "kind": "journalist", "quote": "the ministry abandoned the Merrow "
         "fishermen to save money", "speaker": "Idris Vale", "date": None,
         "expected": {"verdict": "misattributed", "speaker": "Journalist", "role": "journalist",
                      "date": "2033-04-02"}},
        {"id": "q3", "kind": "altered_number", "quote": "The repairs cost 62 million marks.",
         "speaker": "Ona Brask", "date": None,
         "expected": {"verdict": "altered", "speaker": "Ona Brask", "date": "2033-04-02"}},
        {"id": "q4", "kind": "fabricated", "quote": "The lakes belong to the grandchildren "
         "of the villages.", "speaker": "Ona Brask", "date": None,
         "expected": {"verdict": "verbatim"}},   # expectations wrong on purpose, to score
        {"id": "q5", "kind": "altered_word", "quote": "The closure will last eleven weeks.",
         "speaker": "Idris Vale", "date": None,
         "expected": {"verdict": "altered", "speaker": "Idris Vale", "date": "2033-04-02"}},
    ]
    quotes = tmp_path / "quotes.jsonl"
    quotes.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    out_path = tmp_path / "results.jsonl"
    code, out, _ = run(capsys, "verify", "--file", str(quotes), "--out", str(out_path),
                       "--index", quote_index.location)
    assert code == 0
    scores = json.loads(out)
    results = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert [r["id"] for r in results] == ["q1", "q2", "q3", "q4", "q5"]
    assert [r["verdict"] for r in results] == ["verbatim", "misattributed", "altered",
                                               "not_found", "verbatim"]
    assert set(results[0]["found"]) >= {"speaker", "role", "date", "title", "source", "text"}
    assert scores["verdict_accuracy"] == 0.6
    assert scores["verdict_accuracy_by_kind"]["fabricated"] == 0.0
    assert scores["source_accuracy"] == 0.8    # q4: words expected said, none found
    assert scores["false_verbatim"] == 1       # q5
    assert scores["check_ms_median"] > 0


def test_bad_input_is_one_line_naming_the_option_or_line(quote_index, capsys, tmp_path):
    index = quote_index.location
    code, _, err = run(capsys, "verify", "some words here", "--date", "2033-02-30",
                       "--index", index)
    assert code == 2 and err.strip() == ("briefings: --date: expected a date like 2024-07-05, "
                                         "got '2033-02-30'")
    code, _, err = run(capsys, "verify", "--index", index)
    assert code == 2 and "give one of a QUOTE, --text FILE or --file" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "quote": "fine words to check"}\n{"id": "y"}\n',
                   encoding="utf-8")
    code, _, err = run(capsys, "verify", "--file", str(bad), "--out", str(tmp_path / "r"),
                       "--index", index)
    assert code == 2 and err.strip() == f"briefings: {bad}:2: field 'quote': missing or empty"
    assert not (tmp_path / "r").exists()
