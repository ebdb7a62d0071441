"""Configuration: config.yaml read and validated in one place, exposed as typed, frozen settings.

Every default lives in config.yaml at the project root, which ships inside the package as
rag/config.yaml (a link to it in a checkout, a copy in the wheel); the models below declare only
types and constraints. The user's file is the first found of: `briefings --config PATH`,
BRIEFINGS_CONFIG, ./config.yaml, config.yaml in the user config folder
(platformdirs.user_config_dir("briefings")). It may be partial: it is merged over the defaults
(section by section, key by key; a list is replaced whole), so a file holding only
`generation: {backend: http}` changes that one setting. A relative path is relative to the
folder of the file that sets it; a default one is under the checkout when running from one,
else under the user data folder (platformdirs.user_data_dir("briefings")).

Validation happens once, when the file is loaded: a wrong type, a value out of range, an unknown
backend or fusion, or an unknown key (a typo) is a ConfigError whose message is one line naming
the file, the dotted key and the problem, e.g.
`config.yaml: search.fusion: must be one of 'scores', 'rrf' (got 'rff')`.
Settings are frozen (hashable, safe to share); `with_overrides` derives changed ones.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

import platformdirs
import yaml
from pydantic import (BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt,
                      PositiveFloat, PositiveInt, ValidationError)

from rag.errors import BriefingsError

PACKAGE = Path(__file__).resolve().parent
DEFAULTS = PACKAGE / "config.yaml"
APP = "briefings"   # the name of the user config and data folders

# Shares of passages or words, and similarity thresholds, which the code compares with shares.
Share = Annotated[float, Field(ge=0, le=1)]


class ConfigError(BriefingsError):
    """A configuration file that cannot be read or does not validate."""


class _Section(BaseModel):
    # strict: YAML already yields typed values, so `k: "10"` or `rerank: 1` is a mistake to report.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class IndexSettings(_Section):
    """Where the built index lives: a folder, or a PostgreSQL database when `url` is set."""

    dir: str
    url: str


class IngestSettings(_Section):
    """Reading transcripts into the index."""

    max_file_mb: PositiveFloat
    batch_size: PositiveInt
    batch_documents: PositiveInt
    duplicate_overlap: Share


class ChunkingSettings(_Section):
    """How turns are cut into passages."""

    max_words: PositiveInt
    overlap_sentences: NonNegativeInt
    min_words: NonNegativeInt


class EmbeddingSettings(_Section):
    """The sentence encoder behind dense search."""

    package: str
    model: str
    dimension: PositiveInt
    cache_dir: str
    precision: Literal["float32", "int8"]
    with_question: bool


class WeightSettings(_Section):
    """Weight of each kind of ranked list in the fusion."""

    bm25: NonNegativeFloat
    dense: NonNegativeFloat
    hinted: NonNegativeFloat


class SearchSettings(_Section):
    """Hybrid retrieval: ranked lists, their fusion and the rerank."""

    k: PositiveInt
    candidates: PositiveInt
    fusion: Literal["scores", "rrf"]
    weights: WeightSettings
    common_word_share: Share
    most_query_words: PositiveInt
    keyword_postings: PositiveInt
    month_slack_days: NonNegativeInt
    hnsw_from: NonNegativeInt
    exact_filter_most: PositiveInt
    rerank: bool
    near_duplicate: Share


class HttpSettings(_Section):
    """An OpenAI-compatible model server (generation.backend: http)."""

    base_url: str
    model: str
    timeout_s: PositiveFloat
    api_key_env: Annotated[str, Field(min_length=1)]   # the NAME of the variable holding the key
    retries: NonNegativeInt
    concurrency: PositiveInt


class GenerationSettings(_Section):
    """The answer model and the backend that runs it."""

    backend: Literal["llama_cpp", "transformers", "http"]
    model: str
    cache_dir: str
    n_ctx: PositiveInt
    n_threads: NonNegativeInt   # 0: the library's default
    max_tokens: PositiveInt
    temperature: NonNegativeFloat
    prompt_lookup: NonNegativeInt
    http: HttpSettings


class EvidenceSettings(_Section):
    """Evidence sentences: which sentences of the retrieved passages an answer stands on."""

    passages: PositiveInt
    sentences: PositiveInt
    max_words: PositiveInt
    budget_tokens: PositiveInt
    words: NonNegativeFloat
    meaning: NonNegativeFloat
    kind: NonNegativeFloat
    period: NonNegativeFloat
    rank: NonNegativeFloat
    pair: NonNegativeFloat


class AnswerSettings(_Section):
    """Answers, comparisons and timelines built from retrieved passages."""

    k: PositiveInt
    max_tokens: PositiveInt
    min_evidence: Share
    grounded_share: Share
    quote_min_similarity: Share
    attribute_min_share: Share
    citation_min_share: Share
    quotes: PositiveInt
    compare_per_side: PositiveInt
    timeline_min_similarity: Share
    timeline_most_passages: PositiveInt
    timeline_words: PositiveInt


class VerifySettings(_Section):
    """Quote checks: how candidates are found and how close counts as the same words."""

    phrase_turns: PositiveInt
    keyword_turns: PositiveInt
    run_words: PositiveInt
    dense_passages: NonNegativeInt
    close_similarity: Share
    nearest: PositiveInt
    bracket_words: NonNegativeInt
    min_words: PositiveInt


class FetchSettings(_Section):
    """Polite downloading of transcript pages."""

    into: str
    user_agent: str
    delay_s: NonNegativeFloat
    timeout_s: PositiveFloat
    retries: NonNegativeInt
    backoff_s: NonNegativeFloat
    max_wait_s: NonNegativeFloat
    max_list_pages: PositiveInt


class QueueSettings(_Section):
    """How many app requests run at a time, and how many may wait."""

    retrieval_concurrency: PositiveInt
    max_size: PositiveInt


class UiSettings(_Section):
    """The web app."""

    host: str
    port: Annotated[int, Field(ge=1, le=65535)]
    # A tuple keeps the settings hashable; YAML gives a list, hence not strict here.
    corpus: Annotated[tuple[str, ...], Field(strict=False)]
    uploads: str
    user: str
    password: str
    timeline_speakers: PositiveInt
    queue: QueueSettings


class Settings(_Section):
    """Every setting of Briefings, one attribute per section of config.yaml."""

    index: IndexSettings
    ingest: IngestSettings
    chunking: ChunkingSettings
    embedding: EmbeddingSettings
    search: SearchSettings
    generation: GenerationSettings
    evidence: EvidenceSettings
    answer: AnswerSettings
    verify: VerifySettings
    fetch: FetchSettings
    ui: UiSettings


# The file named by `briefings --config`. A setting of this module rather than BRIEFINGS_CONFIG
# set by the command line: the choice reaches every config.load() in the process, ranks above
# the environment without overwriting it, and leaks into no process the command starts.
_chosen: Path | None = None


def choose(path: str | os.PathLike | None) -> None:
    """Make `path` the configuration file in use (None: back to the lookup of config_path())."""
    global _chosen
    _chosen = Path(path).expanduser().absolute() if path else None


def user_config_file() -> Path:
    """config.yaml in the user config folder (platformdirs.user_config_dir("briefings"))."""
    return Path(platformdirs.user_config_dir(APP)) / "config.yaml"


def config_path() -> Path:
    """The configuration file in use: the first of choose()'s (--config), BRIEFINGS_CONFIG,
    ./config.yaml and user_config_file() that is set or exists; else the shipped defaults."""
    if _chosen:
        return _chosen
    if os.environ.get("BRIEFINGS_CONFIG"):
        return Path(os.environ["BRIEFINGS_CONFIG"])
    return next((file for file in (Path.cwd() / "config.yaml", user_config_file())
                 if file.is_file()), DEFAULTS)


def load(path: str | os.PathLike | None = None) -> Settings:
    """The validated settings in `path` (default: config_path()) merged over config.yaml;
    read once per file. Raises ConfigError."""
    return _load(Path(path) if path else config_path())


# The settings that name files or folders (ui.corpus: a list of them).
_PATHS = (("index", "dir"), ("embedding", "cache_dir"), ("generation", "cache_dir"),
          ("fetch", "into"), ("ui", "uploads"), ("ui", "corpus"))


@lru_cache(maxsize=None)
def _load(file: Path) -> Settings:
    layers = [(str(DEFAULTS), _read(DEFAULTS))]
    if file.resolve() != DEFAULTS.resolve():
        layers.insert(0, (str(file), _anchored(_read(file), file.parent)))
    return _validate(layers)


def _anchored(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """`data` with its relative paths made relative to `folder` (the file's own folder)."""
    def anchor(value: Any) -> Any:
        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
            return str(folder / value)
        return [anchor(v) for v in value] if isinstance(value, list) else value
    for section, key in _PATHS:
        if isinstance(data.get(section), dict) and key in data[section]:
            data[section] = {**data[section], key: anchor(data[section][key])}
    model = (data.get("generation") or {}).get("model") if isinstance(data.get("generation"),
                                                                      dict) else None
    if isinstance(model, str) and ("/" in model or model.endswith(".gguf")):
        data["generation"] = {**data["generation"], "model": anchor(model)}  # a file, not a name
    return data


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """`settings` with `overrides` ({"answer": {"k": 3}}) merged in deeply and validated again.
    Raises ConfigError naming the overridden key at fault."""
    return _validate([("overrides", overrides), ("settings", settings.model_dump())])


def checkout() -> Path | None:
    """The project folder when running from a checkout (pyproject.toml and config.yaml beside
    the package, as in an editable install), else None (an installed package)."""
    root = PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / "config.yaml").is_file() \
        else None


def data_dir() -> Path:
    """Where the relative paths of the defaults resolve: the checkout, else the user data
    folder (platformdirs.user_data_dir("briefings")), since site-packages is no place for data."""
    return checkout() or Path(platformdirs.user_data_dir(APP))


def is_database_url(location: str | os.PathLike) -> bool:
    """Whether an index location names a PostgreSQL database rather than a folder."""
    return str(location).startswith(("postgresql://", "postgres://"))


def index_location(settings: Settings, given: str | os.PathLike | None = None) -> str:
    """Where the index is: `given` (--index: a folder or a postgresql:// URL), else index.url,
    else index.dir. A URL is returned as written (a Path would fold its '//')."""
    if given:
        return str(given) if is_database_url(given) else str(Path(given).expanduser())
    return settings.index.url or str(resolve_path(settings.index.dir))


def resolve_path(value: str | os.PathLike) -> Path:
    """A path from the settings: "~" expanded; a relative one (a default) under data_dir()."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else data_dir() / p


def _read(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{file}: cannot read ({err.strerror or err})") from err
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{file}: invalid YAML{where}: {err.problem or err.context}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{file}: invalid YAML: {' '.join(str(err).split())}") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: must hold sections such as `search:` (got {_shown(data)})")
    return data


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `over` merged in: mappings key by key, anything else replaced."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            value = _merge(merged[key], value)
        merged[key] = value
    return merged


def _validate(layers: list[tuple[str, Mapping[str, Any]]]) -> Settings:
    """Settings from (name, data) layers, the first winning; an error names the layer that set
    the value at fault (the last one when none did: a missing key)."""
    data: Mapping[str, Any] = {}
    for _, layer in reversed(layers):
        data = _merge(data, layer)
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        raise ConfigError("; ".join(_describe(e, layers) for e in err.errors())) from None


# What each pydantic error type means to the person editing the file; {…} come from its ctx.
_PROBLEMS = {
    "extra_forbidden": "unknown setting",
    "missing": "missing setting",
    "literal_error": "must be one of {expected}",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "tuple_type": "must be a list",
    "model_type": "must be a section of settings",
    "greater_than": "must be greater than {gt:g}",
    "greater_than_equal": "must be at least {ge:g}",
    "less_than_equal": "must be at most {le:g}",
}


def _describe(error: Mapping[str, Any], layers: list[tuple[str, Mapping[str, Any]]]) -> str:
    loc = error["loc"]
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    file = next((name for name, layer in layers if _sets(layer, loc)), layers[-1][0])
    ctx = dict(error.get("ctx") or {})
    if "expected" in ctx:   # "'a', 'b' or 'c'" -> "'a', 'b', 'c'"
        ctx["expected"] = ctx["expected"].replace(" or ", ", ")
    template = _PROBLEMS.get(error["type"])
    problem = template.format(**ctx) if template else error["msg"][:1].lower() + error["msg"][1:]
    if error["type"] not in ("extra_forbidden", "missing"):
        problem += f" (got {_shown(error['input'])})"
    return f"{file}: {key}: {problem}" if key else f"{file}: {problem}"


def _sets(layer: Mapping[str, Any], loc: tuple) -> bool:
    """Whether `layer` holds the value at `loc` (a list is set whole, so its items with it)."""
    node: Any = layer
    for part in loc:
        if isinstance(part, int):
            return True
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _shown(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."
