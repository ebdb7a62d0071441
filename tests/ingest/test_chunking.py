"""Chunking a turn: size limits, sentence overlap, verbatim text, long sentences kept whole."""
from rag.ingest.chunking import chunk_turn
from rag.records import Turn


def test_chunks_respect_size_overlap_and_stay_verbatim():
    text = " ".join(f"Sentence {i} carries exactly seven words here." for i in range(30))
    turn = Turn(0, "Tova Renwick", "official", text)
    chunks = chunk_turn(turn, max_words=50, overlap=1, min_words=5)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text in text
        assert len(chunk.text.split()) <= 50
    for first, second in zip(chunks, chunks[1:]):
        # one sentence of overlap: the next chunk starts with the last sentence of this one
        last_sentence = first.text[first.text.rstrip(".").rfind(".") + 1:].strip()
        assert second.text.startswith(last_sentence)
    # every adjacent pair of sentences is whole inside some chunk
    sentences = [f"Sentence {i} carries exactly seven words here." for i in range(30)]
    for a, b in zip(sentences, sentences[1:]):
        assert any(f"{a} {b}" in c.text for c in chunks)


def test_one_long_sentence_is_not_cut():
    text = "word " * 200 + "end."
    chunks = chunk_turn(Turn(0, "A", "official", text.strip()), 50, 1, 5)
    assert len(chunks) == 1 and chunks[0].text == text.strip()
