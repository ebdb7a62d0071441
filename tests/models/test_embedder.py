"""The embedder: the packaged MiniLM exported to ONNX once, run by ONNX Runtime."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rag import config
from rag.models.embedder import Embedder, package_model_dir

from conftest import ROOT

TEXTS = ["How much did the seawall cost?",
         "The seawall will cost 3.2 billion crowns over six years, the minister said.",
         "Next question.",
         " ".join(["The harbour authority answered questions about the barley harvest."] * 30)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An embedder exported into a fresh cache folder (once for the module, about 5 s)."""
    emb = config.load().embedding
    cache = tmp_path_factory.mktemp("models")
    return Embedder(emb.package, emb.model, emb.dimension, str(cache)), cache


def test_onnx_vectors_are_the_sentence_transformers_vectors(exported):
    from sentence_transformers import SentenceTransformer

    embedder, _ = exported
    emb = config.load().embedding
    reference = SentenceTransformer(str(package_model_dir(emb.package)), device="cpu").encode(
        TEXTS, normalize_embeddings=True)
    batch = embedder.encode(TEXTS)                              # padded batch, all cores
    one_by_one = np.vstack([embedder.encode([t]) for t in TEXTS])  # one thread, no padding
    for vectors in (batch, one_by_one):
        assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 384)
        assert np.min(np.sum(vectors * reference, axis=1)) > 0.9999
    assert embedder.encode([]).shape == (0, 384)


def test_export_is_reused_and_an_incomplete_one_redone(exported, capfd):
    embedder, cache = exported
    emb = config.load().embedding
    onnx = next(cache.glob("*.onnx"))
    stamp = onnx.stat().st_mtime_ns
    capfd.readouterr()
    Embedder(emb.package, emb.model, emb.dimension, str(cache))
    assert onnx.stat().st_mtime_ns == stamp and "Exporting" not in capfd.readouterr().err

    # A crash between writing the model and its description: the export is made again.
    onnx.with_suffix(".json").unlink()
    again = Embedder(emb.package, emb.model, emb.dimension, str(cache))
    assert "Exporting" in capfd.readouterr().err
    assert json.loads(onnx.with_suffix(".json").read_text())["onnx_bytes"] == onnx.stat().st_size
    assert np.allclose(again.encode(TEXTS[:2]), embedder.encode(TEXTS[:2]), atol=1e-6)
    assert not list(cache.glob("*.tmp"))


def test_a_search_process_does_not_load_torch(exported):
    _, cache = exported
    emb = config.load().embedding
    code = ("import sys; from rag.models.embedder import Embedder; "
            f"e = Embedder({emb.package!r}, {emb.model!r}, {emb.dimension}, {str(cache)!r}); "
            "e.encode(['a question']); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_wrong_dimension_is_a_clear_error(exported):
    _, cache = exported
    emb = config.load().embedding
    with pytest.raises(RuntimeError, match="384-d vectors, config.yaml says 768"):
        Embedder(emb.package, emb.model, 768, str(cache))


def test_int8_precision_runs_a_checked_quantised_copy_and_an_index_keeps_its_precision(
        exported, tmp_path):
    from rag.store import open_index
    from rag.store.index import IndexUnusable

    embedder, cache = exported
    emb = config.load().embedding
    int8 = Embedder(emb.package, emb.model, emb.dimension, str(cache), "int8")
    assert int8.path.name.endswith("-int8.onnx") and int8.path != embedder.path
    assert int8.path.stat().st_size < embedder.path.stat().st_size / 2
    close = np.sum(int8.encode(TEXTS) * embedder.encode(TEXTS), axis=1)
    assert 0.97 <= close.min() < 1.0  # near the float32 vectors, not the same file
    with pytest.raises(RuntimeError, match="embedding.precision is 'int4'"):
        Embedder(emb.package, emb.model, emb.dimension, str(cache), "int4")

    # An index built with float32 vectors refuses int8 queries (and the other way round).
    open_index(tmp_path / "index", create=True).close()
    settings = config.with_overrides(config.load(), {"embedding": {"precision": "int8"}})
    with pytest.raises(IndexUnusable, match="embedding_precision='float32'.*'int8'"):
        open_index(tmp_path / "index", settings=settings)
