"""The package's layering, checked from the source with `ast` (nothing is imported).

Data flows one way: files -> readers -> records -> passages -> store + indexes -> retriever
-> answerer -> CLI / service / app. Each stage may use the stages below it, never those above, so a
stage can be read, tested and replaced knowing only what lies beneath it; an upward import
or a cycle is where that breaks (and where import-order bugs come from). Every import
counts, module-level or inside a function: a lazy import is still a dependency.

An import resolves to the deepest project module it names: `import rag.store.index` is
rag/store/index.py, `from rag import config` is rag/config.py (a submodule), and
`from rag.answer import Answer` is rag/answer/__init__.py (a name in the package).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rag", "ui")

# Lowest first. A module belongs to the stage of its longest matching prefix; a prefix
# matches itself and the modules under it, except those in EXACT, which match only the
# package itself (rag/__init__.py is the public API; rag.text is not "under" it).
STAGES = [
    ("base", ("rag.errors", "rag.config", "rag.records", "rag.filters", "rag.files")),
    ("text", ("rag.text",)),
    ("readers", ("rag.readers",)),
    ("models", ("rag.models",)),
    ("store", ("rag.store",)),
    ("ingest", ("rag.ingest",)),
    ("search", ("rag.search",)),
    ("citations", ("rag.citations",)),
    ("verify", ("rag.verify",)),
    ("answer", ("rag.answer",)),
    ("fetch", ("rag.fetch",)),
    ("evaluate", ("rag.evaluate",)),
    ("api", ("rag.api", "rag")),
    ("service", ("rag.service",)),
    ("cli", ("rag.cli",)),
    ("ui", ("ui",)),
]
EXACT = {"rag"}


@dataclass(frozen=True, order=True)
class Edge:
    path: str  # the importing file, relative to the tree's root
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} -> {self.imported}"


def modules(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Every module under the packages: dotted name -> file (a package is its __init__.py)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def resolve(name: str, known) -> str | None:
    """The longest prefix of a dotted name that is a project module (None: not ours)."""
    parts = name.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts) or None


def import_edges(root: Path, packages=PACKAGES) -> list[Edge]:
    """Every import (at any depth) from a project module to another project module."""
    known = modules(root, packages)
    edges = set()
    for importer, path in known.items():
        here = importer.split(".") if path.name == "__init__.py" else importer.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: `from ..x import y`
                    base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
                # `from PKG import NAME` is the submodule PKG.NAME when there is one, else PKG
                names = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                target = resolve(name, known)
                if target and target != importer:
                    rel = path.relative_to(root).as_posix()
                    edges.add(Edge(rel, node.lineno, importer, target))
    return sorted(edges)


def cycles(edges: list[Edge]) -> list[list[Edge]]:
    """The edges inside each strongly connected component of two or more modules (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.importer, set()).add(e.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: set[str] = set()
            while v not in component:
                component.add(stack.pop())
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [[e for e in edges if e.importer in c and e.imported in c] for c in components]


def stage_of(module: str, stages=STAGES) -> tuple[int, str] | None:
    """(rank, stage name) by the longest matching prefix, or None when no prefix matches."""
    matches = [(len(prefix), rank, name)
               for rank, (name, prefixes) in enumerate(stages) for prefix in prefixes
               if module == prefix or (prefix not in EXACT and module.startswith(prefix + "."))]
    return max(matches)[1:] if matches else None


def upward(edges: list[Edge], stages=STAGES) -> list[str]:
    """The imports of a higher stage from a lower one."""
    found = []
    for e in edges:
        low, high = stage_of(e.importer, stages), stage_of(e.imported, stages)
        if low and high and high[0] > low[0]:
            found.append(f"{e}   ({low[1]} imports {high[1]})")
    return found


def unassigned(root: Path, packages=PACKAGES, stages=STAGES) -> list[str]:
    return [f"{path.relative_to(root).as_posix()}: {name}"
            for name, path in modules(root, packages).items() if stage_of(name, stages) is None]


def report(title: str, lines: list[str]) -> None:
    if lines:
        pytest.fail(f"{len(lines)} {title}:\n  " + "\n  ".join(lines), pytrace=False)


@cache
def project_edges() -> list[Edge]:
    return import_edges(ROOT)


def test_no_import_cycles():
    found = cycles(project_edges())
    report("import cycle(s) (the imports inside each strongly connected group of modules)",
           ["\n    ".join([" <-> ".join(sorted({e.importer for e in c}))] + [str(e) for e in c])
            for c in found])


def test_rag_does_not_import_ui():
    report("import(s) of ui from rag/",
           [str(e) for e in project_edges()
            if e.importer.split(".")[0] == "rag" and e.imported.split(".")[0] == "ui"])


def test_every_module_has_a_stage():
    assert len(modules(ROOT)) > 10  # the walk found the project
    report("module(s) in no stage (place the new stage in STAGES deliberately)", unassigned(ROOT))


def test_no_stage_imports_a_higher_stage():
    report("upward import(s)", upward(project_edges()))


def test_walker_finds_cycles_and_upward_imports(tmp_path):
    """On a fictional tree: a<->b cycle (lazy and relative), low -> mid upward, high -> low down."""
    files = {
        "app/__init__.py": "",
        "app/a.py": "def f():\n    from app import b\n",  # submodule through `from PKG import`
        "app/b.py": "from . import a\nimport os\n",  # relative; os is not ours
        "app/low.py": "from app.mid import thing\n",  # upward
        "app/mid.py": "thing = 1\n",
        "app/high.py": "import app.low\nfrom app import mid as m\n",  # downward
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    stages = [("low", ("app.low", "app.a", "app.b")), ("mid", ("app.mid",)), ("high", ("app.high",))]

    edges = import_edges(tmp_path, ("app",))
    assert {(e.importer, e.imported, e.line) for e in edges} == {
        ("app.a", "app.b", 2), ("app.b", "app.a", 1), ("app.low", "app.mid", 1),
        ("app.high", "app.low", 1), ("app.high", "app.mid", 2)}
    assert [{(e.importer, e.imported) for e in c} for c in cycles(edges)] == [
        {("app.a", "app.b"), ("app.b", "app.a")}]
    assert upward(edges, stages) == ["app/low.py:1: app.low -> app.mid   (low imports mid)"]
    assert unassigned(tmp_path, ("app",), stages) == ["app/__init__.py: app"]
