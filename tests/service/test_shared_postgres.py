"""Two app processes on one PostgreSQL index answer the same question at the same time, while
an ingest writes to that index from a third process (the shared backend's purpose)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from conftest import ROOT, copy_pipeline_corpus, make_location

QUESTION = "How much did the seawall cost?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bulk(folder, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        answers = "\n\n".join(
            f"Q: What is planned for the quay at {n}-{q}?\n\nSpokesperson Ines Dahl: The quay at "
            f"{n}-{q} gets {n + q} new cranes and a longer berth before the winter storms."
            for q in range(10))
        (folder / f"quays-{n:03d}.txt").write_text(
            f"Title: Quay briefing {n} (fictional)\nDate: April {n % 28 + 1}, 2032\n\n{answers}\n")


def _wait_ready(url: str, proc: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        assert proc.poll() is None, f"the app at {url} exited with {proc.returncode}"
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the app at {url} did not answer within {seconds} s")


def test_two_app_processes_answer_together_while_an_ingest_writes(tmp_path, request):
    from rag.ingest.run import ingest
    from rag.store import open_index

    url = make_location("postgresql", request, tmp_path / "unused")
    corpus = copy_pipeline_corpus(tmp_path)
    index = open_index(url, create=True)
    ingest([corpus], index, progress=False)
    index.close()
    bulk = tmp_path / "bulk"
    _bulk(bulk, 80)
    settings = tmp_path / "app.yaml"
    settings.write_text(f"index: {{dir: {tmp_path / 'state'}}}\ningest: {{batch_documents: 8}}\n"
                        f"ui: {{corpus: [], uploads: {tmp_path / 'uploads'}}}\n")
    base = [sys.executable, "-m", "rag.cli", "--config", str(settings)]
    ports = [_free_port(), _free_port()]
    apps = [subprocess.Popen([*base, "serve", "--index", url, "--port", str(port), "--extractive"],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for port in ports]
    writer = None
    try:
        for port, app in zip(ports, apps):
            _wait_ready(f"http://127.0.0.1:{port}", app)
        writer = subprocess.Popen([*base, "ingest", str(bulk), "--index", url, "-q"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # Once the ingest has committed a batch, both apps answer at the same moment.
        deadline = time.time() + 180
        while time.time() < deadline and httpx.get(
                f"http://127.0.0.1:{ports[0]}/healthz", timeout=10).json()["passages"] <= 7:
            time.sleep(0.2)

        def ask(port: int) -> dict:
            reply = httpx.post(f"http://127.0.0.1:{port}/api/ask",
                               json={"question": QUESTION}, timeout=120)
            assert reply.status_code == 200, reply.text
            return reply.json()

        with ThreadPoolExecutor(2) as pool:
            records = list(pool.map(ask, ports))
        assert writer.poll() is None, "the ingest ended before the questions were answered"
        for record in records:
            assert not record["refused"] and "3.2 billion crowns" in record["answer"]
            assert record["citations"] and record["sources"][0]["speaker"] == "Tova Renwick"
        assert records[0]["answer"] == records[1]["answer"]
        output, _ = writer.communicate(timeout=600)
        assert writer.returncode == 0, output
        # Both apps see the finished ingest: 80 more briefings, the quays searchable.
        for port in ports:
            found = httpx.post(f"http://127.0.0.1:{port}/api/search",
                               json={"query": "cranes at the quay 79-9", "k": 1}, timeout=60)
            assert "79-9" in found.json()["passages"][0]["text"]
            assert httpx.get(f"http://127.0.0.1:{port}/api/stats",
                             timeout=30).json()["briefings"] == 83
    finally:
        for proc in [*apps, *([writer] if writer else [])]:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
