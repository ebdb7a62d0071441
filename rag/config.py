"""Configuration: config.yaml read in one place, exposed as a nested dict with attribute access.

Every default lives in config.yaml at the project root; BRIEFINGS_CONFIG points elsewhere.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


class Settings(dict):
    """A dict whose keys read as attributes: cfg.search.k."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError as err:
            raise AttributeError(f"config.yaml has no setting '{name}'") from err
        return Settings(value) if isinstance(value, dict) else value


def config_path() -> Path:
    return Path(os.environ.get("BRIEFINGS_CONFIG", ROOT / "config.yaml"))


@lru_cache(maxsize=None)
def load(path: str | None = None) -> Settings:
    """The settings in `path` (default: config_path())."""
    file = Path(path) if path else config_path()
    with open(file, encoding="utf-8") as fh:
        return Settings(yaml.safe_load(fh) or {})


def resolve_path(value: str | os.PathLike) -> Path:
    """A path from the config, relative to the config file's folder."""
    p = Path(value)
    return p if p.is_absolute() else (config_path().parent / p)
