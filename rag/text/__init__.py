"""Text helpers every stage shares: normal form, sentences, dates (the one month table),
procedural turns, content words (the one tokenizer)."""
