"""The command line's global options: --version, --config before or after the command, and
the examples of --help, which must be commands the parser takes."""
from __future__ import annotations

import json
import shlex
from importlib.metadata import version

import pytest

from rag import cli, config


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"briefings {version('briefings')}\n" == "briefings 0.1.0\n"


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_before_or_after_the_command_beats_the_environment(where, tmp_path, monkeypatch,
                                                                   capsys):
    monkeypatch.setattr(config, "_chosen", None)   # restored after the test
    monkeypatch.setenv("BRIEFINGS_CONFIG", str(tmp_path / "env.yaml"))   # absent: it would fail
    chosen = tmp_path / "chosen.yaml"
    chosen.write_text("search:\n  fusion: rff\n", encoding="utf-8")
    command = ["stats", "--index", str(tmp_path / "none")]
    argv = ["--config", str(chosen), *command] if where == "before" else \
        [*command, "--config", str(chosen)]

    assert cli.main(argv) == 2
    # the settings were read from the chosen file, by config.load() called without arguments
    assert capsys.readouterr().err.splitlines() == [
        f"briefings: {chosen}: search.fusion: must be one of 'scores', 'rrf' (got 'rff')"]
    assert config.config_path() == chosen and not (tmp_path / "none").exists()


def test_without_config_the_lookup_order_applies_again(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "_chosen", tmp_path / "earlier.yaml")
    monkeypatch.setenv("BRIEFINGS_CONFIG", str(tmp_path / "env.yaml"))
    assert cli.main(["stats", "--index", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.startswith(f"briefings: {tmp_path / 'env.yaml'}: cannot read")


def test_every_example_of_the_help_is_a_command_the_parser_takes():
    parser = cli.build_parser()
    examples = [line.split("  ")[1] if line.startswith("  briefings") else None
                for line in cli.EXAMPLES.splitlines()]
    examples = [shlex.split(e.strip()) for e in examples if e]
    assert {e[e.index("--config") + 2] if e[1] == "--config" else e[1] for e in examples} >= {
        "ingest", "ask", "compare", "verify", "serve", "eval"}
    for argv in examples:
        args = parser.parse_args(argv[1:])   # an unknown option or a missing value exits
        assert callable(args.func), argv
    assert cli.EXAMPLES in parser.format_help()


def test_compare_timeline_prints_each_briefing_then_each_speakers_span(timeline_index, capsys):
    argv = ["compare", "the Varra dam", "--speakers", "Anselm Korr,Ilse Marant", "--timeline",
            "--index", str(timeline_index.directory)]
    assert cli.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2032-01-14  Anselm Korr (1): ") and len(lines) == 12 + 2
    assert lines[-2:] == [
        "Anselm Korr: 10 briefings from 2032-01 to 2032-11, most in 2032-05 (3)",
        "Ilse Marant: 2 briefings from 2032-05 to 2032-08, most in 2032-05 (1)"]
    assert cli.main([*argv, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 12 and {r["matches"] for r in records} == {1, 2}
    assert all(r["text"][r["start"]:r["end"]] == r["excerpt"] for r in records)
