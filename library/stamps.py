"""Hashes of exactly what an output depends on, and the record of them each stage keeps.

A stage skips an output whose inputs hash the same as when it was last written. Two levels
keep a build with nothing changed cheap: the bytes of the files a whole stage reads (no
parsing, no heavy import), then, only when those changed, the model values of each output.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sysconfig
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .config import Config
from .files import write_if_changed
from .paths import state_path

__all__ = ["Digest", "code_files", "read_state", "write_state", "distribution_version", "settings_text",
           "source_date"]

_PACKAGE = Path(__file__).parent
_RELATIVE_IMPORT = re.compile(r"^\s*from \.(\w*) import ([\w, ()]+)", re.M)


class Digest:
    """A SHA-256 over labelled parts: texts, files' bytes, other digests."""

    def __init__(self, *labels: object) -> None:
        self._hash = hashlib.sha256()
        self.add(*labels)

    def add(self, *parts: object) -> Digest:
        for part in parts:
            self._hash.update(repr(part).encode("utf-8") + b"\0")
        return self

    def files(self, paths, root: Path) -> Digest:
        """Each file's name and bytes; a missing file counts as missing.

        A name never holds the folder the project or the packages sit in, so the same
        commit hashes alike from any clone and any virtual environment: an installed
        package's file is named from its package down (checked first, as a venv may lie
        inside the project), a project file from the root down.
        """
        for path in paths:
            self._hash.update(_portable_name(path, root).encode("utf-8") + b"\0")
            self._hash.update(_file_hash(path) + b"\0")
        return self

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _portable_name(path: Path, root: Path) -> str:
    for folder in (*_package_folders(), root):
        if path.is_relative_to(folder):
            return path.relative_to(folder).as_posix()
    return path.name


@lru_cache(maxsize=None)
def _package_folders() -> tuple[Path, ...]:
    """Where this interpreter installs packages (site-packages), the longest first."""
    paths = sysconfig.get_paths()
    folders = {Path(paths[name]) for name in ("purelib", "platlib") if name in paths}
    return tuple(sorted(folders, key=lambda folder: len(folder.parts), reverse=True))


def _file_hash(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except FileNotFoundError:
        return b"-"


@lru_cache(maxsize=None)
def code_files(module: str) -> tuple[Path, ...]:
    """The library's source files a stage module runs: itself and what it imports, transitively.

    Read from its `from .x import` lines, so editing a module that a stage never imports
    (reports.py, for the PDFs) leaves that stage's outputs alone.
    """
    seen: set[str] = set()
    pending = [module]
    while pending:
        name = pending.pop()
        if name in seen or not (_PACKAGE / f"{name}.py").is_file():
            continue
        seen.add(name)
        for source, names in _RELATIVE_IMPORT.findall((_PACKAGE / f"{name}.py").read_text("utf-8")):
            pending.extend([source] if source else [n.strip() for n in names.strip("()").split(",")])
    return tuple(_PACKAGE / f"{name}.py" for name in sorted(seen))


def distribution_version(name: str) -> str:
    """An installed package's version without importing it (importing WeasyPrint takes a second)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def source_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a time, for reproducible outputs (None when it is not set)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else None


def settings_text(config: Config) -> str:
    """The settings every output depends on."""
    return f"{config.source_language} {' '.join(config.languages)} {config.threshold}"


def read_state(config: Config, stage: str) -> dict:
    """What the stage recorded at its last build ({} when nothing, or something unreadable, is there)."""
    try:
        data = json.loads(state_path(config, stage).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(config: Config, stage: str, state: dict) -> None:
    write_if_changed(state_path(config, stage), json.dumps(state, sort_keys=True, indent=1).encode("utf-8"))
