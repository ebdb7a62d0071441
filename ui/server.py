"""Start-up: bring the index up to date with the corpus folders, load the model, serve the app
and the API (rag.service) from one process.

    briefings serve [--corpus PATH...] [--index DIR|URL] [--host H] [--port N] [--extractive]

Defaults come from the `ui:` section of config.yaml; the login from BRIEFINGS_USER and
BRIEFINGS_PASSWORD (or ui.user / ui.password); the API's key from BRIEFINGS_API_KEY (see
rag.service.access). It binds 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from rag import config
from rag.service.access import Access

# Gradio reports usage to its makers unless told not to; this app runs offline.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def login(settings: config.Settings) -> tuple[str, str] | None:
    """(user, password) when both are set (environment first), else None: no login."""
    ui = settings.ui
    user = os.environ.get("BRIEFINGS_USER") or ui.user
    password = os.environ.get("BRIEFINGS_PASSWORD") or ui.password
    if bool(user) != bool(password):
        raise ValueError("a login needs both BRIEFINGS_USER and BRIEFINGS_PASSWORD "
                         "(or ui.user and ui.password in config.yaml)")
    return (user, password) if user else None


def prepare_index(corpus: list[Path], location: str, settings: config.Settings,
                  progress: bool = True):
    """Open (or create) the index and ingest `corpus` into it, reporting in the terminal."""
    from rag.store import open_index
    from rag.store.index import IndexBusy
    from rag.ingest.report import index_summary
    from rag.ingest.run import ingest

    index = open_index(location, create=True, settings=settings)
    folders = [p for p in corpus if p.exists()]
    for missing in sorted(set(corpus) - set(folders)):
        print(f"corpus folder {missing} does not exist; skipped", file=sys.stderr)
    if not folders:
        print(index_summary(index.name, index.store.stats()), flush=True)
        return index
    print(f"indexing {', '.join(map(str, folders))} into {index.name} ...", flush=True)
    try:
        report = ingest(folders, index, progress=progress)
    except IndexBusy as busy:
        # Another process is writing (a shared index): serve what it has committed so far.
        print(f"{busy}; serving what is committed", file=sys.stderr, flush=True)
        print(index_summary(index.name, index.store.stats()), flush=True)
        return index
    print("\n".join(report.summary_lines(index.name, index.store.stats())), flush=True)
    return index


class Running:
    """A service started with block=False: serving in a background thread until close()."""

    def __init__(self, server, thread: threading.Thread, index) -> None:
        self.server = server
        self.thread = thread
        self.index = index

    @property
    def host(self) -> str:
        return self.server.config.host

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.index.close()


def access_rule(host: str | None) -> Access:
    """The API's access: BRIEFINGS_API_KEY when set; else loopback clients only, unless the
    address to bind was given explicitly (`--host`)."""
    return Access(key=os.environ.get("BRIEFINGS_API_KEY", ""), loopback_only=host is None)


def serve(corpus: list[Path] | None = None, index: str | Path | None = None,
          host: str | None = None, port: int | None = None, extractive: bool = False,
          uploads: Path | None = None, generator=None, block: bool = True,
          settings: config.Settings | None = None) -> Running | None:
    """Index `corpus` (None: ui.corpus; []: no folder) and the uploads folder (default
    ui.uploads) into the index at `index` (a folder or URL; default index.url, else
    index.dir), then serve the app at / and the API (/api, /v1, /mcp, /docs) in one process
    until stopped.

    With block=False the server runs in a background thread and a `Running` is returned (call
    .close() on it); `generator` replaces the configured model (tests, benchmarks)."""
    import gradio as gr
    import uvicorn

    from rag.service.app import create_app
    from ui.app import LAUNCH_STYLE, build_app
    from ui.service import Service

    settings = settings or config.load()
    ui = settings.ui
    auth = login(settings)
    uploads = Path(uploads) if uploads else config.resolve_path(ui.uploads)
    folders = ([Path(p) for p in corpus] if corpus is not None
               else [config.resolve_path(p) for p in ui.corpus])
    if uploads.is_dir():
        folders.append(uploads)
    index = prepare_index(folders, config.index_location(settings, index), settings)
    if not extractive and generator is None:
        from rag.models.generators import GeneratorUnavailable, load_generator
        print(f"loading the answer model {settings.generation.model} ...", flush=True)
        try:
            generator = load_generator(settings)
        except GeneratorUnavailable as err:
            print(f"no answer model ({err}): answers will quote the best excerpts", flush=True)
    service = Service(index, uploads, generator=generator, no_llm=extractive,
                      timeline_speakers=ui.timeline_speakers)
    print("warming up (search, model, prompt prefix) ...", flush=True)
    service.warm_up()
    bind, port = host or ui.host, port or ui.port
    access = access_rule(host)
    api = create_app(service.briefings, access, extractive=extractive, host=bind)
    page = build_app(service, ui.queue)
    app = gr.mount_gradio_app(api, page, "/", auth=auth,
                              auth_message="Briefings: sign in" if auth else None,
                              show_error=True, max_file_size=f"{settings.ingest.max_file_mb:g}mb",
                              **LAUNCH_STYLE)
    server = uvicorn.Server(uvicorn.Config(app, host=bind, port=port,
                                           log_level="warning", timeout_graceful_shutdown=5))
    print(access.describe(), flush=True)
    print(f"serving on http://{bind}:{port}/ (the app; the API at /api, /v1 and "
          f"/mcp, its documentation at /docs)", flush=True)
    if block:
        server.run()
        index.close()
        return None
    thread = threading.Thread(target=server.run, name="briefings-server", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"the server did not start on {bind}:{port}")
    return Running(server, thread, index)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `briefings serve` (--index is the CLI's common option)."""
    parser.add_argument("--corpus", nargs="+", metavar="PATH",
                        help="transcript folders or files to index at start-up "
                             "(default: ui.corpus in config.yaml)")
    parser.add_argument("--host", help="address to bind (default: ui.host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ui.port, 7860)")
    parser.add_argument("--extractive", action="store_true",
                        help="answer by quoting the best excerpts, without the model")


def register(command: Callable[[str, Callable, str], argparse.ArgumentParser]) -> None:
    """Add `briefings serve` to the command line (the "briefings.commands" entry point)."""
    add_arguments(command("serve", run, "serve the web app (indexes the corpus first)"))


def run(args: argparse.Namespace) -> int:
    """`briefings serve`: returns when the server is stopped (Ctrl-C)."""
    serve([Path(p) for p in args.corpus] if args.corpus else None,
          getattr(args, "index", None),
          args.host, args.port, extractive=args.extractive)
    return 0


if __name__ == "__main__":
    cli = argparse.ArgumentParser(prog="python -m ui.server", description=__doc__.split("\n\n")[0])
    cli.add_argument("--index", help="index folder or postgresql:// URL (default: index.url, "
                     "else index.dir in config.yaml)")
    add_arguments(cli)
    sys.exit(run(cli.parse_args()))
