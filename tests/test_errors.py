"""User-facing errors: one base class, and the command line's one-line report of them."""
from __future__ import annotations

import json

import pytest

from rag import cli
from rag.errors import BriefingsError
from rag.fetch.client import FetchError
from rag.models.embedder import EmbedderError
from rag.models.files import ModelError
from rag.models.generators import GenerationError, GeneratorUnavailable
from rag.readers import NotATranscript, ReadError
from rag.store import open_index
from rag.store.index import IndexUnusable


@pytest.mark.parametrize("error", [ReadError, NotATranscript, IndexUnusable, GenerationError,
                                   GeneratorUnavailable, ModelError, EmbedderError, FetchError])
def test_every_user_facing_error_is_a_briefings_error(error):
    assert issubclass(error, BriefingsError)


@pytest.mark.parametrize("error", [IndexUnusable, GenerationError, GeneratorUnavailable,
                                   ModelError, EmbedderError])
def test_errors_that_were_runtime_errors_still_are(error):
    assert issubclass(error, RuntimeError)  # callers may catch RuntimeError


def test_an_unusable_index_is_one_line_and_exit_status_2(tmp_path, capsys):
    open_index(tmp_path / "index", create=True).close()
    manifest = tmp_path / "index" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["embedding_model"] = "some/other-model"
    manifest.write_text(json.dumps(data))
    assert cli.main(["search", "seawall", "--index", str(tmp_path / "index")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefings: ") and "other-model" in lines[0]
