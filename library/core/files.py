"""Atomic file writes, and the one check every person's file passes before it is read.

A reader sees the old file or the new one, never half of one; a file a person may be editing
is replaced only while it still holds what was read (write_if_unchanged).

A write goes through a temporary file named after the file and the writing process
(`.ui.po.<pid>.<random>.tmp`), renamed over the file when complete. A process killed
in between leaves that temporary file behind; the next write into the folder removes
the leftovers of processes that are gone, and never the files of one still writing.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from library.core.errors import EditedMeanwhile, _LocatedError

__all__ = ["Changes", "OutputBatch", "write_atomic", "write_if_changed", "write_if_unchanged", "write_all",
           "write_outputs", "remove_stale", "remove_leftovers", "resolves_inside", "make_folder", "checked_file",
           "read_checked", "read_current", "CONTROL_CHARACTERS"]

# What no person's text file (paper, catalog, memory) may hold: control characters, but tab and newline.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # as tempfile.mkstemp names them
_WRITER = re.compile(r"\.(\d+)\.[^.]+\.tmp$")


@dataclass
class Changes:
    """What a command wrote, left alone and removed, so the CLI can report it."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def write_atomic(path: Path, data: bytes, *, before_replace: Callable[[], None] | None = None,
                 sync: bool = True) -> None:
    """Write data to path through a temporary file in the same folder and a rename.

    before_replace runs once the data is safely on disk, just before the rename: the last
    moment to find that the file changed meanwhile (it raises, and nothing is replaced).
    An OSError names the file, so a full disk says which output it stopped. Without sync, the
    data is not waited onto the disk (a stage's record, which a crash can only make rebuild more).
    """
    tmp_name = _staged(path, data, sync=sync)
    try:
        if before_replace is not None:
            before_replace()
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _staged(path: Path, data: bytes, *, sync: bool) -> str:
    """A temporary file beside path holding data (synced to disk if sync), with path's mode; its name."""
    make_folder(path.parent)
    _remove_leftovers_once(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            if sync:
                tmp.flush()
                os.fsync(tmp.fileno())
        os.chmod(tmp_name, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
    except BaseException as error:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename is None:  # say which file the disk refused
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise
    return tmp_name


def write_if_changed(path: Path, data: bytes, *, sync: bool = True) -> bool:
    """Write data atomically unless the file already holds exactly it; say whether it wrote."""
    _remove_leftovers_once(path.parent)
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomic(path, data, sync=sync)
    return True


def write_if_unchanged(path: Path, data: bytes, read: bytes | None) -> bool:
    """Replace a person's file with data only while it still holds what was read (None: absent).

    A translator may save a catalog while a command merges it: their save must win, so a file
    that changed since it was read is left as it is and EditedMeanwhile is raised.
    """
    def still_as_read() -> None:
        if read_current(path) != read:
            raise EditedMeanwhile(path, None, "changed while this command ran; it was left as saved")

    still_as_read()
    if read == data:
        return False
    write_atomic(path, data, before_replace=still_as_read)
    return True


def read_current(path: Path) -> bytes | None:
    """The bytes of path now, or None when there is no file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def make_folder(folder: Path) -> None:
    """Make folder and its missing parents readable by all (0755), whatever the umask.

    Files are written 0644; under umask 077 the folders would be 0700 and a site copied
    with `rsync -a` would be unreadable to the web server.
    """
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir()
        except FileExistsError:
            continue
        os.chmod(new, 0o755)


def write_all(planned: dict[Path, bytes]) -> Changes:
    """Write each planned file atomically, skipping those that already hold the same bytes."""
    changes = Changes()
    for path, data in planned.items():
        (changes.written if write_if_changed(path, data) else changes.unchanged).append(path)
    return changes


def write_outputs(planned: dict[Path, bytes]) -> Changes:
    """write_all for what a build can make again at will (pages, indexes): one sync for the whole batch."""
    with OutputBatch() as batch:
        for path, data in planned.items():
            batch.write(path, data)
    return batch


@dataclass
class OutputBatch(Changes):
    """Outputs a build can make again at will (pages, indexes), written as they are made, shown together.

    Each file goes to a temporary file beside it as soon as it is ready (the stage holds one at a
    time, never the whole site); when the batch ends well, one os.sync() takes them all to the
    disk and each is renamed over its file, so a reader never sees half of one. One sync for the
    batch, not an fsync per file: a site of 200 papers is some 30,000 files, and an fsync costs
    about 6 ms on the project machine. A batch that fails replaces nothing. A person's files
    (catalogs, memories) keep write_atomic.
    """

    _staged: dict[Path, str] = field(default_factory=dict)

    def write(self, path: Path, data: bytes) -> None:
        """Stage data for path, unless path holds it already (then it counts as unchanged)."""
        if self._staged.get(path) is None and path.is_file() and path.read_bytes() == data:
            self.unchanged.append(path)
            return
        if path in self._staged:  # written again in the same batch: the last data win
            Path(self._staged.pop(path)).unlink(missing_ok=True)
        self._staged[path] = _staged(path, data, sync=False)

    def current(self, path: Path) -> bytes | None:
        """What path will hold once the batch is done: its staged data, or the file as it is (None: absent)."""
        return Path(self._staged[path]).read_bytes() if path in self._staged else read_current(path)

    def __enter__(self) -> OutputBatch:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None and self._staged:
                os.sync()
                for path, tmp_name in list(self._staged.items()):
                    os.replace(tmp_name, path)
                    del self._staged[path]
                    self.written.append(path)
        finally:  # a failure: the files not yet replaced stay as they were
            for tmp_name in self._staged.values():
                Path(tmp_name).unlink(missing_ok=True)
            self._staged.clear()


def checked_file(path: Path, folder: Path, error: type[_LocatedError]) -> Path:
    """path, if it is a regular file inside folder once its links are followed; else error, unread.

    The one check every person's file (paper, catalog, template, anchor record, glossary) passes
    before anything reads it: a named pipe would hang the reader, a link to nothing would make
    each command see a different project, and a link out of the project (/etc/passwd) would
    publish a file nobody meant to.
    """
    if path.is_symlink() and not path.exists():
        raise error(path, None, "a link to a file that does not exist; remove it or restore its target")
    if not resolves_inside(path, folder):
        raise error(path, None, f"links to a file outside {folder.name}/; refused without reading it")
    kind = path.stat().st_mode
    if not stat.S_ISREG(kind):
        raise error(path, None, f"not a regular file ({_kind_name(kind)}); refused without reading it")
    return path


def read_checked(path: Path, folder: Path, error: type[_LocatedError]) -> bytes:
    """The bytes of a person's file that passes checked_file; an unreadable one is error too."""
    try:
        return checked_file(path, folder, error).read_bytes()
    except OSError as failure:
        raise error(path, None, f"cannot read: {failure.strerror}") from None


def _kind_name(mode: int) -> str:
    kinds = {stat.S_ISFIFO: "a named pipe", stat.S_ISSOCK: "a socket", stat.S_ISDIR: "a folder",
             stat.S_ISCHR: "a device", stat.S_ISBLK: "a device"}
    return next((name for test, name in kinds.items() if test(mode)), "not a plain file")


def resolves_inside(path: Path, folder: Path) -> bool:
    """Whether path, its links followed, lies inside folder: a translators' file linked from
    elsewhere (/etc/passwd) must be refused unread, or its lines would reach the messages."""
    return path.resolve().is_relative_to(folder.resolve())


def files_under(folder: Path) -> set[str]:
    """The files under folder, as posix paths relative to it (links to folders not followed, as rglob does).

    os.walk reads each folder's entries without a stat per file: a static search of 200 papers is
    some 28,000 files, which Path.rglob and is_file take half a second to list.
    """
    top = os.fspath(folder)
    cut = len(os.path.join(top, ""))
    return {os.path.join(place, name)[cut:].replace(os.sep, "/") for place, _, names in os.walk(top) for name in names}


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


@cache
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
