"""Sentence spans: exact slices of the text, abbreviations and numbers kept whole."""
from rag.text.sentences import sentence_spans


def test_sentence_spans_are_exact_slices():
    text = 'Mr. Lan said the U.S. side agreed. "It is final." Growth was 5.2 percent!\nNew line'
    spans = sentence_spans(text)
    pieces = [text[a:b] for a, b in spans]
    assert pieces == ['Mr. Lan said the U.S. side agreed.', '"It is final."',
                      'Growth was 5.2 percent!', 'New line']
