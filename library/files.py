"""Atomic file writes: a reader sees the old file or the new one, never half of one.

A write goes through a temporary file named after the file and the writing process
(`.ui.po.<pid>.<random>.tmp`), renamed over the file when complete. A process killed
in between leaves that temporary file behind; the next write into the folder removes
the leftovers of processes that are gone, and never the files of one still writing.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["Changes", "write_atomic", "write_if_changed", "write_all", "remove_stale", "remove_leftovers",
           "resolves_inside"]

_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # as tempfile.mkstemp names them
_WRITER = re.compile(r"\.(\d+)\.[^.]+\.tmp$")


@dataclass
class Changes:
    """What a command wrote, left alone and removed, so the CLI can report it."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers_once(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        if path.exists():
            os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write data atomically unless the file already holds exactly it; say whether it wrote."""
    _remove_leftovers_once(path.parent)
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def write_all(planned: dict[Path, bytes]) -> Changes:
    """Write each planned file atomically, skipping those that already hold the same bytes."""
    changes = Changes()
    for path, data in planned.items():
        (changes.written if write_if_changed(path, data) else changes.unchanged).append(path)
    return changes


def resolves_inside(path: Path, folder: Path) -> bool:
    """Whether path, its links followed, lies inside folder: a translators' file linked from
    elsewhere (/etc/passwd) must be refused unread, or its lines would reach the messages."""
    return path.resolve().is_relative_to(folder.resolve())


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete the temporary files in folder that a killed writer left behind; return them."""
    try:
        candidates = [entry for entry in os.scandir(folder) if _TEMPORARY.fullmatch(entry.name) and entry.is_file()]
    except FileNotFoundError:
        return []
    removed = []
    for entry in candidates:
        if not _writer_alive(entry.name):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def _writer_alive(name: str) -> bool:
    """Whether the process named in a temporary file's name still runs (a name without one: no)."""
    writer = _WRITER.search(name)
    if writer is None:
        return False
    pid = int(writer[1])
    if pid == os.getpid():
        return True  # this process's own writes, in other threads
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, and someone else's
    return True


@lru_cache(maxsize=None)
def _remove_leftovers_once(folder: Path) -> None:
    # Once per folder and process: a build writes hundreds of files into one folder.
    remove_leftovers(folder)


def remove_stale(folder: Path, keep: set[Path]) -> list[Path]:
    """Delete the files under folder that are not in keep, then the folders left empty."""
    removed = [path for path in sorted(folder.rglob("*")) if path.is_file() and path not in keep]
    for path in removed:
        path.unlink()
    for directory in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    return removed
