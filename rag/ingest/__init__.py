"""Ingest: transcript files -> briefings -> passages -> vectors -> the store, incrementally and
atomically (discover.py, chunking.py, duplicates.py, run.py, report.py)."""
