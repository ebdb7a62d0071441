"""The `briefings` command line: a thin layer over the library API.

    briefings --version
    briefings [--config PATH] COMMAND ...   (--config and --index also after the command)
    briefings ingest PATH... [--index DIR|URL] [--prune]
    briefings search "query" [--speaker NAME] [--from DATE] [--to DATE] [-k N] [--json]
    briefings stats [--json]
    briefings serve [--corpus PATH...] [--host H] [--port P]
    briefings fetch URL... [--into DIR] [--since DATE] [--max N] [--ingest]
    briefings ask "question" [--speaker ..] [--from ..] [--to ..] [--no-llm] [--json]
    briefings compare "topic" --speakers "A,B" [--timeline] [--no-llm] [--json]
    briefings eval QUESTIONS.jsonl --out RESULTS.jsonl [--k 10] [--retrieval-only] [--no-llm]
    briefings verify "QUOTE" [--speaker NAME] [--date YYYY-MM-DD] [--json]
    briefings verify --text ARTICLE.txt | --file QUOTES.jsonl --out RESULTS.jsonl
    briefings postgres DIR [--database NAME]   (a local PostgreSQL + pgvector server)
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from importlib.metadata import entry_points, version
from pathlib import Path

from rag import config
from rag.errors import BriefingsError
from rag.text.dates import iso_date


def _index_location(args: argparse.Namespace) -> str:
    return config.index_location(config.load(), args.index)


def _open(args: argparse.Namespace, create: bool = False):
    from rag.api import Briefings
    return Briefings.open(_index_location(args), create=create)


def _filters(args: argparse.Namespace):
    from rag.filters import Filters
    return Filters(speakers=[s.strip() for s in args.speaker or [] if s.strip()],
                   roles=args.role or [], date_from=args.date_from, date_to=args.date_to,
                   sources=args.source or [])


def cmd_ingest(args: argparse.Namespace) -> int:
    briefings = _open(args, create=True)
    report = briefings.ingest(args.paths, prune=args.prune, progress=not args.quiet,
                              vectors_from=args.vectors_from)
    stats = briefings.index.store.stats()
    if args.json:
        print(json.dumps({"report": report.as_dict(), "index": stats}, indent=2))
    else:
        print("\n".join(report.summary_lines(briefings.index.name, stats)))
    return 1 if report.failed else 0


def cmd_postgres(args: argparse.Namespace) -> int:
    """`briefings postgres DIR`: run a local PostgreSQL server with pgvector until Ctrl-C."""
    from rag.store.postgres import database, local_server

    server = local_server(Path(args.folder))
    url = database(server.get_uri(), args.database)
    print(f"PostgreSQL with pgvector, data in {Path(args.folder).resolve()}, on a unix socket "
          f"there. Index URL:\n  {url}\nUse it as --index (or index.url); Ctrl-C stops the "
          "server.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.cleanup()
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """`briefings fetch`: 0 when every URL was fetched (or was unchanged), else 1."""
    from rag.fetch.run import fetch
    settings = config.load()
    since = iso_date("--since", args.since)
    if args.max_briefings is not None and args.max_briefings < 1:
        raise ValueError("--max: expected a positive number of briefings")
    into = Path(args.into) if args.into else config.resolve_path(settings.fetch.into)
    report = fetch(args.urls, into, since, args.max_briefings, settings=settings,
                   progress=not args.quiet)
    briefings = ingested = None
    if args.ingest:
        briefings = _open(args, create=True)
        ingested = briefings.ingest([into], progress=not args.quiet)
    if args.json:
        result = {"fetch": report.as_dict()}
        if ingested is not None:
            result["ingest"] = ingested.as_dict()
        print(json.dumps(result, indent=2, default=str))
    else:
        lines = report.summary_lines(into)
        if ingested is not None:
            lines += ingested.summary_lines(briefings.index.name,
                                            briefings.index.store.stats())
        print("\n".join(lines))
    return 1 if report.failed or (ingested is not None and ingested.failed) else 0


def cmd_search(args: argparse.Namespace) -> int:
    retrieval = _open(args).search(args.query, k=args.k, filters=_filters(args),
                                   use_hints=not args.no_infer)
    if args.json:
        from rag.records import ranked_records
        print(json.dumps(ranked_records(retrieval.passages), ensure_ascii=False, indent=2))
        return 0
    if retrieval.hints:
        print(f"(hints from the question: {retrieval.hints.as_dict()})")
    for i, p in enumerate(retrieval.passages, 1):
        print(f"[{i}] {p.speaker} ({p.role}), {p.date}, {p.title}")
        print(f"    {p.location}")
        print(textwrap.indent(textwrap.fill(p.text, 96), "    "))
    print(f"({len(retrieval.passages)} passages in {retrieval.timings['retrieve_ms']:.0f} ms)")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _open(args).stats()
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        top = stats.pop("top_speakers")
        for key, value in stats.items():
            print(f"{key:>16}: {value}")
        print("    top speakers: " + ", ".join(f"{name} ({n})" for name, n in top))
    return 0


def _print_citations(answer) -> None:
    for c in answer.citations:
        p = c.source.passage
        print(f"[{c.marker}] {p.speaker} ({p.role}), {p.date}, {p.title}")
        print(f"    {p.location}")
        print(textwrap.indent(textwrap.fill(c.source.text, 96), "    "))
    if answer.refused:
        print("Nearest excerpts:")
        for i, p in enumerate(answer.retrieved[:3], 1):
            print(f"  - {p.speaker}, {p.date}: {textwrap.shorten(p.text, 160)}")
    if answer.note:
        print(f"({answer.note})")


def cmd_ask(args: argparse.Namespace) -> int:
    final = None
    for event in _open(args).stream(args.question, filters=_filters(args), no_llm=args.no_llm):
        final = event.answer
        if args.json:
            continue
        if event.kind == "sources":
            print(f"({len(final.retrieved)} excerpts found in "
                  f"{final.timings['retrieve_ms']:.0f} ms)", flush=True)
        elif event.kind == "delta":
            print(event.text, end="", flush=True)
    if args.json:
        print(json.dumps(final.as_eval_record(""), ensure_ascii=False, indent=2))
        return 0
    # The streamed text is the model's raw reply; what follows is the checked answer.
    print("\n\n" + final.text + "\n")
    _print_citations(final)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    briefings = _open(args)
    speakers = [s.strip() for s in args.speakers.split(",") if s.strip()]
    if len(speakers) < 2:
        raise ValueError("--speakers needs at least two names, comma-separated")
    if args.timeline:
        from rag.answer.timeline import summarize

        marks = briefings.timeline(args.topic, speakers, filters=_filters(args))
        if args.json:
            print(json.dumps([m.as_dict() for m in marks], ensure_ascii=False, indent=2))
            return 0
        for m in marks:
            print(f"{m.date}  {m.speaker} ({m.matches}): {textwrap.shorten(m.excerpt, 200)}")
        for span in summarize(marks, speakers):
            print(span.line())
        return 0
    result = briefings.compare(args.topic, speakers, filters=_filters(args), no_llm=args.no_llm)
    if args.json:
        print(json.dumps(result.answer.as_eval_record(""), ensure_ascii=False, indent=2))
        return 0
    for name, sources in result.sides.items():
        print(f"== {name}")
        for src in sources:
            print(f"  [{src.marker}] {src.passage.date}: {textwrap.shorten(src.text, 200)}")
    print("\n" + result.answer.text + "\n")
    _print_citations(result.answer)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from rag import evaluate
    questions = evaluate.load_questions(Path(args.questions), Path(args.corpus))
    briefings = _open(args)

    def retrieve_only(q: evaluate.Question) -> dict:
        # The chat's own path up to the sources it shows (a comparison's sides interleaved),
        # stopped before anything is generated or quoted.
        shown = next(briefings.stream(q.question, k=args.k, no_llm=True)).answer
        return {**shown.as_eval_record(q.id), "answer": None, "citations": [], "refused": False}

    def answer(q: evaluate.Question) -> dict:
        # The chat's own code path: filters inferred from the question, generation, checks.
        return briefings.ask(q.question, k=args.k, no_llm=args.no_llm).as_eval_record(q.id)

    # timed as a running app: loaded, prefix cached
    briefings.warm_up(no_llm=args.retrieval_only or args.no_llm)
    started = time.perf_counter()
    results = evaluate.run(questions, retrieve_only if args.retrieval_only else answer,
                           Path(args.out),
                           progress=lambda n: print(f"{n}/{len(questions)}", file=sys.stderr))
    scores = evaluate.metrics(questions, results)
    scores["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(scores, indent=2))
    return 0


def _print_check(check) -> None:
    """A quote check as a reader reads it: the verdict, the transcript's words, the source."""
    print(check.summary())
    credited = f"{check.claim.speaker or 'no speaker'}, {check.claim.date or 'no date'}"
    print(f"  Quote:      \u201c{check.claim.quote}\u201d ({credited})")
    for m in [check.found] if check.found else check.nearest:
        label = "Transcript:" if check.found else "Nearest:   "
        print(f"  {label} \u201c{m.text}\u201d")
        print(f"              {m.turn.speaker} ({m.turn.role}), {m.turn.date}, {m.turn.title}")
        print(f"              {m.turn.location}")
        if check.found and m.turn.question:
            print(f"  Asked:      {textwrap.shorten(m.turn.question, 200)}")
    for m in check.occurrences:
        print(f"  Also:       {m.turn.date} {m.turn.speaker} ({m.turn.role}), {m.turn.title}"
              + ("" if m.alignment.verbatim else f" [close words, {m.alignment.similarity:.2f}]"))


def cmd_verify(args: argparse.Namespace) -> int:
    """`briefings verify`: one quote, an article's quotations, or a quote set scored."""
    from rag import evaluate
    if sum(bool(x) for x in (args.quote, args.text, args.file)) != 1:
        raise ValueError("verify: give one of a QUOTE, --text FILE or --file QUOTES.jsonl")
    if args.file and not args.out:
        raise ValueError("verify --file: --out RESULTS.jsonl is needed")
    claimed = iso_date("--date", args.date)
    briefings = _open(args)
    if args.file:
        cases = evaluate.load_quotes(Path(args.file))
        briefings.retriever.embed_query("warm up")   # timed as a running app: the embedder loaded
        results = []
        with open(args.out, "w", encoding="utf-8") as fh:
            for case in cases:
                record = {"id": case.id,
                          **briefings.verify(case.quote, case.speaker, case.date).as_dict(False)}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                results.append(record)
        print(json.dumps(evaluate.quote_metrics(cases, results), indent=2))
        return 0
    checks = briefings.verify_text(Path(args.text).read_text(encoding="utf-8")) if args.text \
        else [briefings.verify(args.quote, args.speaker, claimed)]
    if args.json:
        print(json.dumps([c.as_dict() for c in checks] if args.text else checks[0].as_dict(),
                         ensure_ascii=False, indent=2))
        return 0
    if args.text and not checks:
        print(f"No quotation of {briefings.settings.verify.min_words} words or more "
              f"in {args.text}.")
    for n, check in enumerate(checks, 1):
        if args.text:
            print(f"\n[{n}]")
        _print_check(check)
    return 0


def _filter_options(p: argparse.ArgumentParser) -> None:
    """The hard filters of search, ask and compare."""
    p.add_argument("--speaker", action="append", help="only this speaker (repeatable)")
    p.add_argument("--role", action="append", choices=["official", "journalist", "chair"])
    p.add_argument("--source", action="append", choices=["scio", "mfa", "whitehouse", "generic"])
    p.add_argument("--from", dest="date_from", help="from this date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="up to this date (YYYY-MM-DD)")


def _fetch_options(p: argparse.ArgumentParser) -> None:
    """What to fetch, where to, and how much."""
    p.add_argument("urls", nargs="+", metavar="URL",
                   help="a transcript page, or a list page of briefings (SCIO, MFA, White House)")
    p.add_argument("--into", help="corpus folder to save into (default: fetch.into in "
                                  "config.yaml)")
    p.add_argument("--since", help="only briefings on or after this date (YYYY-MM-DD)")
    p.add_argument("--max", dest="max_briefings", type=int, metavar="N",
                   help="fetch at most N briefings")
    p.add_argument("--ingest", action="store_true",
                   help="then update the index with the corpus folder")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


EXAMPLES = """\
examples:
  briefings ingest ~/transcripts              read a folder of transcripts into the index
  briefings ask "How much did the seawall cost?" --no-llm
  briefings ask "What did Tova Renwick say about fishermen?" --from 2031-03-01 --json
  briefings compare "the seawall" --speakers "Tova Renwick,Ines Halloway" --timeline
  briefings verify "The seawall cost 3.2 billion crowns." --speaker "Tova Renwick"
  briefings verify --text article.txt         check every quotation of an article
  briefings serve --corpus ~/transcripts --port 7860
  briefings serve --host 0.0.0.0              the page, /api, /v1 and /mcp to the network
                                              (set BRIEFINGS_API_KEY first: see the README)
  briefings eval questions.jsonl --out results.jsonl --corpus ~/transcripts --retrieval-only
  briefings --config my.yaml ask "..."        settings merged over the defaults
"""


def _epilog() -> str:
    """The examples, then where settings are read from and where data goes on this machine."""
    return (f"{EXAMPLES}\nsettings: the first found of --config PATH, $BRIEFINGS_CONFIG, "
            f"./config.yaml,\n  {config.user_config_file()}, merged over the shipped defaults"
            f"\ndata: the index and other relative paths of the defaults are under\n"
            f"  {config.data_dir()}")


def _add_config_option(p: argparse.ArgumentParser, default: str | None) -> None:
    """--config, before the command (default None) or after it (SUPPRESS: an absent one leaves
    the value given before the command)."""
    p.add_argument("--config", metavar="PATH", default=default,
                   help="a settings file merged over the defaults (before "
                        "$BRIEFINGS_CONFIG and ./config.yaml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefings", description=__doc__.split("\n\n")[0],
                                     epilog=_epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"briefings {version('briefings')}")
    _add_config_option(parser, None)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--index", help="index folder or postgresql:// URL (default: index.url, "
                                        "else index.dir in config.yaml)")
        _add_config_option(p, argparse.SUPPRESS)
        p.set_defaults(func=func)
        return p

    p = command("ingest", cmd_ingest, "read transcripts into the index (incremental)")
    p.add_argument("paths", nargs="+", help="files or folders of transcripts")
    p.add_argument("--prune", action="store_true", help="remove briefings whose files are gone")
    p.add_argument("--vectors-from", metavar="INDEX",
                   help="another index (folder or URL, same embedding model) whose vectors are "
                        "reused instead of encoding again: moving a folder index to PostgreSQL")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")

    p = command("search", cmd_search, "find passages by meaning, keyword, speaker and date")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=None, help="number of passages")
    p.add_argument("--no-infer", action="store_true",
                   help="do not take speakers/dates named in the query as hints")
    p.add_argument("--json", action="store_true", help="print passages as JSON")

    p = command("ask", cmd_ask, "answer a question from the transcripts, with citations")
    p.add_argument("question")
    p.add_argument("--no-llm", action="store_true", help="extractive answer, no model")
    p.add_argument("--json", action="store_true", help="print the result as JSON")

    p = command("compare", cmd_compare, "compare what officials said on a topic")
    p.add_argument("topic")
    p.add_argument("--speakers", required=True, help='comma-separated names, e.g. "A,B"')
    p.add_argument("--timeline", action="store_true",
                   help="every briefing with a statement on the topic, in date order")
    p.add_argument("--no-llm", action="store_true", help="extractive comparison, no model")
    p.add_argument("--json", action="store_true")

    for p in (sub.choices["search"], sub.choices["ask"], sub.choices["compare"]):
        _filter_options(p)

    _fetch_options(command("fetch", cmd_fetch, "download transcripts from the official sites"))

    # Commands of packages above the library (the app's `serve`) register themselves through
    # the "briefings.commands" entry point: the library never imports them.
    for plugin in entry_points(group="briefings.commands"):
        plugin.load()(command)

    p = command("stats", cmd_stats, "what the index holds")
    p.add_argument("--json", action="store_true")

    p = command("eval", cmd_eval, "run a question set and print the metrics")
    p.add_argument("questions", help="questions in JSON lines (../shared/eval/README.md)")
    p.add_argument("--out", required=True, help="where to write one result per question")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "shared" /
                                           "corpora"),
                   help="the evaluation corpus that evidence pointers point into "
                        "(default: ../shared/corpora)")
    p.add_argument("--retrieval-only", action="store_true", help="score retrieval only")
    p.add_argument("--no-llm", action="store_true",
                   help="extractive answers (the best sentences, cited): the model's share shows")
    p = sub.add_parser("postgres", help="run a local PostgreSQL server with pgvector for a "
                       "shared index", description=cmd_postgres.__doc__)
    p.add_argument("folder", help="where the server keeps its data (created on first use)")
    p.add_argument("--database", default="briefings", help="the database the index lives in")
    _add_config_option(p, argparse.SUPPRESS)
    p.set_defaults(func=cmd_postgres)

    p = command("verify", cmd_verify, "check a quote: who said these words, and when")
    p.add_argument("quote", nargs="?", help="the words as quoted")
    p.add_argument("--speaker", help="the official the words are attributed to")
    p.add_argument("--date", help="the date they are attributed to (YYYY-MM-DD)")
    p.add_argument("--text", metavar="FILE", help="check every quotation of an article")
    p.add_argument("--file", metavar="QUOTES.jsonl",
                   help="check a quote set (../shared/eval/README.md) and print its scores")
    p.add_argument("--out", metavar="RESULTS.jsonl", help="with --file: one result per line")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config.choose(args.config)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    # One clear line for the user, not a traceback. ValueError: a bad option value found past
    # argparse; FileNotFoundError: a file named on the command line.
    except (BriefingsError, ValueError, FileNotFoundError) as err:
        print(f"briefings: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
