"""Briefings: local, offline question answering over press-briefing transcripts.

The library API is `Briefings` (rag.api); `Filters` limits a search; every error a user sees
derives from `BriefingsError`. The stages, lowest first: text -> readers -> models -> store ->
ingest -> search -> citations -> answer (and fetch, evaluate beside them), then the API, the CLI
(rag.cli) and the app (ui/). Names load on first use, so `import rag.text.normalize` does not
pull in the models.
"""
from __future__ import annotations

from typing import Any

_EXPORTS = {"Briefings": "rag.api", "Filters": "rag.filters", "BriefingsError": "rag.errors"}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(_EXPORTS[name]), name)
