"""Briefings: question answering over press-briefing transcripts."""
