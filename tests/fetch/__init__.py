"""Tests of the fetcher (rag.fetch); a package, so test modules may share basenames with
those in other tests/ folders."""
