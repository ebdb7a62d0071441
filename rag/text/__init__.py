"""Text helpers every stage shares: normal form, sentences, dates, procedural turns."""
