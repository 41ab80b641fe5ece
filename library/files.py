"""Atomic file writes: a reader sees the old file or the new one, never half of one."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Changes", "write_atomic", "write_if_changed", "write_all", "remove_stale"]


@dataclass
class Changes:
    """What a command wrote, left alone and removed, so the CLI can report it."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def remove_stale(folder: Path, keep: set[Path]) -> list[Path]:
    """Delete the files under folder that are not in keep, then the folders left empty."""
    removed = [path for path in sorted(folder.rglob("*")) if path.is_file() and path not in keep]
    for path in removed:
        path.unlink()
    for directory in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    return removed
