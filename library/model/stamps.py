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
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from library.core.config import Config
from library.core.files import write_if_changed
from library.core.paths import state_path

__all__ = ["Digest", "FileHashes", "code_files", "read_state", "write_state", "distribution_version", "settings_text",
           "source_date"]

_LIBRARY = Path(__file__).resolve().parents[1]  # the package's folder, library/
_IMPORT = re.compile(r"^\s*from (library(?:\.\w+)*) import (\([^)]*\)|[\w, ]+)", re.M)


class Digest:
    """A SHA-256 over labelled parts: texts, files' bytes, other digests."""

    def __init__(self, *labels: object) -> None:
        self._hash = hashlib.sha256()
        self.add(*labels)

    def add(self, *parts: object) -> Digest:
        for part in parts:
            self._hash.update(repr(part).encode("utf-8") + b"\0")
        return self

    def files(self, paths: Iterable[Path], root: Path, hashes: FileHashes | None = None) -> Digest:
        """Each file's name and bytes; a missing file counts as missing.

        A name never holds the folder the project or the packages sit in, so the same
        commit hashes alike from any clone and any virtual environment: an installed
        package's file is named from its package down (checked first, as a venv may lie
        inside the project), a project file from the root down. hashes (the project's) reads
        each file once however many digests name it: the interface catalog is in every PDF's.
        """
        for path in paths:
            self._hash.update(_portable_name(path, root).encode("utf-8") + b"\0")
            self._hash.update((_file_hash(path) if hashes is None else _known_hash(hashes, path)) + b"\0")
        return self

    def code(self, module: str) -> Digest:
        """The source files module runs (code_files), named from the library's folder down."""
        return self.add(_code_digest(module, tuple(_status(path) for path in code_files(module))))

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@cache
def _code_digest(module: str, statuses: tuple[tuple[int, int, int], ...]) -> str:
    """The digest of module's source files, hashed once while their sizes and times stay (stages ask per output)."""
    return Digest().files(code_files(module), _LIBRARY.parent).hexdigest()


def _status(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


class FileHashes:
    """Files' SHA-256 by path, each kept with its inode, size and times: read again only once one of those moved.

    A command makes one; a long-lived process (`library serve --watch`) keeps it from save to save,
    so that a save reads the files it changed, not every file of the library. The watcher also
    forgets each file it saw saved, so a save of the same size within one tick of the clock is
    read again all the same.
    """

    def __init__(self) -> None:
        self._known: dict[Path, tuple[tuple[int, int, int, int], str]] = {}

    def sha256(self, path: Path) -> str:
        """The hex SHA-256 of path's bytes ('-' when there is no such file)."""
        try:
            status = path.stat()  # before reading: bytes saved meanwhile are read again next time
            identity = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
            known = self._known.get(path)
            if known is not None and known[0] == identity:
                return known[1]
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            self._known.pop(path, None)
            return "-"
        self._known[path] = (identity, digest)
        return digest

    def forget(self, paths: Iterable[Path]) -> None:
        for path in paths:
            self._known.pop(path, None)


@cache  # the same few thousand files, named again for each of a build's 1,300 PDF and EPUB plans
def _portable_name(path: Path, root: Path) -> str:
    for folder in (*_package_folders(), root):
        if path.is_relative_to(folder):
            return path.relative_to(folder).as_posix()
    return path.name


@cache
def _package_folders() -> tuple[Path, ...]:
    """Where this interpreter installs packages (site-packages), the longest first."""
    paths = sysconfig.get_paths()
    folders = {Path(paths[name]) for name in ("purelib", "platlib") if name in paths}
    return tuple(sorted(folders, key=lambda folder: len(folder.parts), reverse=True))


def _known_hash(hashes: FileHashes, path: Path) -> bytes:
    found = hashes.sha256(path)
    return b"-" if found == "-" else bytes.fromhex(found)  # the bytes _file_hash gives


def _file_hash(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except FileNotFoundError:
        return b"-"


@cache
def code_files(module: str) -> tuple[Path, ...]:
    """The library's source files a module runs (dotted name): itself and what it imports, transitively.

    Read from its `from library... import` lines, so editing a module that a stage never imports
    (quality/reports.py, for the PDFs) leaves that stage's outputs alone.
    """
    seen: set[Path] = set()
    pending = [module]
    while pending:
        for path in _module_files(pending.pop()):
            if path in seen:
                continue
            seen.add(path)
            for source, names in _IMPORT.findall(path.read_text("utf-8")):
                pending.append(source)
                pending.extend(f"{source}.{name.split()[0]}" for name in names.strip("()").split(",") if name.strip())
    return tuple(sorted(seen))


def _module_files(dotted: str) -> list[Path]:
    """The file of a module of the library, or a package's __init__.py ([] for a name that is neither)."""
    base = _LIBRARY.parent.joinpath(*dotted.split("."))
    candidates = [base.with_suffix(".py"), base / "__init__.py"]
    return [path for path in candidates if dotted.startswith("library") and path.is_file()][:1]


@cache
def distribution_version(name: str) -> str:
    """An installed package's version without importing it (importing WeasyPrint takes a second)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def source_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a time, for reproducible outputs (None when it is not set)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else None


def settings_text(config: Config) -> str:
    """The settings every output depends on."""
    return f"{config.source_language} {' '.join(config.languages)} {config.threshold}"


def read_state(config: Config, stage: str) -> dict[str, Any]:
    """What the stage recorded at its last build ({} when nothing, or something unreadable, is there)."""
    try:
        data = json.loads(state_path(config, stage).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(config: Config, stage: str, state: dict[str, Any]) -> None:
    # One line: json's C encoder writes it (indented, its Python encoder would), and a save in watch
    # mode writes the ledger of every input three times. Not synced: it is written after the outputs
    # it records, so a record a crash lost or cut short only makes the next build do more (an fsync
    # costs some 5 ms, and a save writes seven records).
    write_if_changed(state_path(config, stage), json.dumps(state, sort_keys=True).encode("utf-8"), sync=False)
