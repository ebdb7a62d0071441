"""Configuration: config.yaml validates, a bad file is one clear line naming the file and key,
a partial file merges over the defaults, and derived settings are validated again."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from rag import config

ROOT = Path(__file__).resolve().parents[1]


def write(folder: Path, text: str, name: str = "other.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


def test_the_shipped_config_validates_and_is_frozen():
    settings = config.load(config.DEFAULTS)
    assert isinstance(settings, config.Settings)
    assert settings.search.fusion in ("scores", "rrf")
    assert settings.ui.corpus == ("sample_corpus",)
    assert hash(settings) == hash(config.load(config.DEFAULTS).model_copy())
    with pytest.raises(ValidationError):
        settings.answer.k = 3


@pytest.mark.parametrize("text, problem", [
    ("search:\n  fuson: scores\n", "search.fuson: unknown setting"),
    ("searh:\n  k: 3\n", "searh: unknown setting"),
    ("search:\n  fusion: rff\n", "search.fusion: must be one of 'scores', 'rrf' (got 'rff')"),
    ("generation:\n  backend: gpt\n",
     "generation.backend: must be one of 'llama_cpp', 'transformers', 'http' (got 'gpt')"),
    ("answer:\n  k: ten\n", "answer.k: must be an integer (got 'ten')"),
    ("search:\n  rerank: 1\n", "search.rerank: must be true or false (got 1)"),
    ("search:\n  common_word_share: 1.5\n", "search.common_word_share: must be at most 1 (got 1.5)"),
    ("search:\n  weights: {dense: -1}\n", "search.weights.dense: must be at least 0 (got -1)"),
    ("ui:\n  corpus: [7]\n", "ui.corpus[0]: must be a string (got 7)"),
    ("fetch: 5\n", "fetch: must be a section of settings (got 5)"),
])
def test_an_invalid_setting_is_one_line_naming_the_file_and_key(tmp_path, text, problem):
    path = write(tmp_path, text)
    assert config_error(path) == f"{path}: {problem}"


def test_every_invalid_setting_is_named_on_the_one_line(tmp_path):
    message = config_error(write(tmp_path, "search: {fusion: rff}\nanswer: {k: 0}\n"))
    assert "search.fusion: must be one of" in message and "answer.k: must be greater than 0" in message


def test_invalid_yaml_and_a_missing_file_name_the_file(tmp_path):
    assert "invalid YAML at line" in config_error(write(tmp_path, "search:\n  k: [1\n"))
    assert "must hold sections" in config_error(write(tmp_path, "- search\n"))
    assert "cannot read" in config_error(tmp_path / "absent.yaml")


def test_a_partial_file_merges_over_the_defaults(tmp_path, monkeypatch):
    path = write(tmp_path, "generation: {backend: http}\nsearch:\n  weights: {dense: 0}\n")
    monkeypatch.setenv("BRIEFINGS_CONFIG", str(path))
    defaults = config.load(config.DEFAULTS)

    settings = config.load()

    assert config.config_path() == path
    assert settings.generation.backend == "http"
    assert settings.generation.model == defaults.generation.model
    assert settings.search.weights.dense == 0 and settings.search.weights.bm25 == defaults.search.weights.bm25
    assert settings.answer == defaults.answer
    # a default path stays under the project; a path the file sets is relative to the file
    assert config.resolve_path(settings.index.dir) == ROOT / "index"
    moved = write(tmp_path, "index: {dir: idx}\nui: {corpus: [a, /abs/b]}\n"
                            "generation: {model: models/x.gguf}\n", name="moved.yaml")
    moved_settings = config.load(moved)
    assert config.resolve_path(moved_settings.index.dir) == tmp_path / "idx"
    assert [config.resolve_path(p) for p in moved_settings.ui.corpus] == [
        tmp_path / "a", Path("/abs/b")]
    assert moved_settings.generation.model == str(tmp_path / "models/x.gguf")
    assert config.load(write(tmp_path, "generation: {model: smollm2-135m-instruct}\n", "named.yaml")
                       ).generation.model == "smollm2-135m-instruct"   # a packaged name


def test_with_overrides_merges_deeply_and_validates_again():
    base = config.load(config.DEFAULTS)

    changed = config.with_overrides(base, {"search": {"weights": {"dense": 0.5}}, "answer": {"k": 3}})

    assert changed.search.weights.dense == 0.5 and changed.search.weights.bm25 == base.search.weights.bm25
    assert changed.answer.k == 3 and changed.answer.quotes == base.answer.quotes
    assert changed.generation == base.generation and base.answer.k != 3
    with pytest.raises(config.ConfigError, match=r"^overrides: answer\.k: must be greater than 0 \(got 0\)$"):
        config.with_overrides(base, {"answer": {"k": 0}})
    with pytest.raises(config.ConfigError, match=r"^overrides: answer\.kk: unknown setting$"):
        config.with_overrides(base, {"answer": {"kk": 3}})


def test_the_command_line_reports_a_bad_config_in_one_line_before_any_work(tmp_path):
    bad = write(tmp_path, "search:\n  fusion: rff\n")
    done = subprocess.run([sys.executable, "-m", "rag.cli", "stats", "--index", str(tmp_path / "none")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BRIEFINGS_CONFIG": str(bad)})
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"briefings: {bad}: search.fusion: must be one of 'scores', 'rrf' (got 'rff')"]
    assert done.stdout == "" and not (tmp_path / "none").exists()


def test_the_defaults_ship_in_the_package_as_the_one_top_level_file():
    import tomllib
    assert config.DEFAULTS == ROOT / "rag" / "config.yaml"
    assert config.DEFAULTS.is_symlink() and config.DEFAULTS.resolve() == ROOT / "config.yaml"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "config.yaml" in pyproject["tool"]["setuptools"]["package-data"]["rag"]
    assert any(d.startswith("platformdirs") for d in pyproject["project"]["dependencies"])


@pytest.fixture
def places(tmp_path, monkeypatch):
    """No --config, no BRIEFINGS_CONFIG, an empty current folder and user config folder."""
    monkeypatch.setattr(config, "_chosen", None)   # restored after the test
    monkeypatch.delenv("BRIEFINGS_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path


def test_the_config_file_is_looked_up_in_order_and_merged_over_the_defaults(places, monkeypatch):
    defaults = config.load(config.DEFAULTS)
    assert config.config_path() == config.DEFAULTS and config.load() == defaults
    user = config.user_config_file()
    assert user == places / "xdg" / "briefings" / "config.yaml"
    user.parent.mkdir(parents=True)
    # each place, once it holds a file, beats the ones set up before it
    steps = [(lambda: write(user.parent, "answer: {k: 4}\n", "config.yaml"), 4),
             (lambda: write(places / "cwd", "answer: {k: 3}\n", "config.yaml"), 3),
             (lambda: monkeypatch.setenv("BRIEFINGS_CONFIG", str(
                 write(places, "answer: {k: 2}\n", "env.yaml"))), 2),
             (lambda: config.choose(write(places, "answer: {k: 1}\n", "chosen.yaml")), 1)]
    for place, k in steps:
        place()
        settings = config.load()
        assert settings.answer.k == k and settings.answer.quotes == defaults.answer.quotes
    assert config.config_path() == places / "chosen.yaml"
    config.choose(None)
    assert config.config_path() == places / "env.yaml"


def test_a_relative_path_in_the_current_folders_file_is_under_that_folder(places):
    write(places / "cwd", "index: {dir: idx}\n", "config.yaml")
    assert config.resolve_path(config.load().index.dir) == places / "cwd" / "idx"


def test_default_paths_are_under_the_checkout_or_the_user_data_folder(tmp_path, monkeypatch):
    defaults = config.load(config.DEFAULTS)
    assert config.checkout() == ROOT
    assert config.resolve_path(defaults.fetch.into) == ROOT / "corpus"
    # installed: the package sits in site-packages, with no pyproject.toml beside it
    monkeypatch.setattr(config, "PACKAGE", tmp_path / "site-packages" / "rag")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert config.checkout() is None
    data = tmp_path / "data" / "briefings"
    assert config.data_dir() == data
    assert config.resolve_path(defaults.index.dir) == data / "index"
    assert config.resolve_path(defaults.ui.uploads) == data / "uploads"
    assert [config.resolve_path(p) for p in defaults.ui.corpus] == [data / "sample_corpus"]
    assert config.resolve_path("~/x") == Path.home() / "x"
