"""Writing the site as it is made: its folder walked once, copies taken only when their source changed.

Each file goes to its temporary file the moment it is ready, so the stage holds one page or one
PDF at a time, never the whole site; the batch shows them all at the end with one sync
(core/files.OutputBatch), and a build that fails replaces nothing.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from library.core.files import OutputBatch
from library.core.paths import SiteMap

__all__ = ["SiteFiles", "Copy", "copy_stats", "write_copies"]


class SiteFiles:
    """The site stage's files in the site's folder now, from one walk that skips the other stages' places."""

    def __init__(self, site: Path) -> None:
        self.site = site
        others = set(SiteMap.other_stages())
        self.names: set[str] = set()
        self._empty: list[str] = []  # the folders with nothing in them
        top = f"{site}/"
        for folder, subfolders, files in os.walk(site):
            prefix = f"{folder}/".removeprefix(top)
            if not subfolders and not files and prefix:
                self._empty.append(prefix[:-1])
            subfolders[:] = sorted(name for name in subfolders if f"{prefix}{name}" not in others)
            self.names.update(f"{prefix}{name}" for name in files if f"{prefix}{name}" not in others)

    def remove_except(self, keep: set[str]) -> list[Path]:
        """Delete this stage's files not in keep (names under the site), then the folders left empty.

        Only those that were empty and those a file was removed from can be: the others are not looked at.
        """
        names = sorted(self.names - keep)
        removed = [self.site / name for name in names]
        for path in removed:
            path.unlink(missing_ok=True)
        candidates: set[str] = set()  # the folders of the files removed, and the empty ones, with their parents
        for name, itself in [*((name, False) for name in names), *((name, True) for name in self._empty)]:
            parts = name.split("/")
            candidates.update("/".join(parts[:end]) for end in range(1, len(parts) + itself))
        for name in sorted(candidates, reverse=True):  # the deepest first: a folder emptied empties its parent
            folder = self.site / name
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return removed


@dataclass(frozen=True)
class Copy:
    """A file of the site copied from the project or the build: where to, and from where."""

    name: str  # under the site's folder
    source: Path


def write_copies(site: Path, copies: list[Copy], last: dict[str, list[int]], present: set[str],
                 batch: OutputBatch) -> dict[str, list[int]]:
    """Copy each file, one at a time; one whose source and copy are as the last build left them is not read.

    last holds, by name, the source's and the copy's size and modification time after the last
    build's copy; returns each copy's record: whole for those left as they were, the source's
    alone for those copied (copy_stats adds the copies' once the batch is done).
    """
    records = {}
    for copy in copies:
        source = _stat(copy.source)  # before reading: a source rewritten meanwhile is copied again next time
        if copy.name in present:
            record = source + _stat(f"{site}/{copy.name}")
            if last.get(copy.name) == record:
                batch.unchanged.append(site / copy.name)
                records[copy.name] = record
                continue
        batch.write(site / copy.name, copy.source.read_bytes())
        records[copy.name] = source
    return records


def copy_stats(site: Path, records: dict[str, list[int]]) -> dict[str, list[int]]:
    """Each copy's record for the next build: its source's size and time, then its own, as on disk now."""
    return {name: record if len(record) == 4 else record + _stat(f"{site}/{name}") for name, record in records.items()}


def _stat(path: Path | str) -> list[int]:
    found = os.stat(path)
    return [found.st_size, found.st_mtime_ns]
