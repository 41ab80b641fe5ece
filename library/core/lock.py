"""One writer at a time: a command that writes build/ or locales/ holds that folder's lock.

The lock is an advisory `flock` on a small file, so the kernel releases it when its
holder exits in any way, kill -9 included: a lock is never left stale. The file says
who holds it (pid and command), for the message of a command that has to wait.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from library.core.errors import Busy

__all__ = ["hold_lock"]


@contextmanager
def hold_lock(path: Path, folder: str, holder: str, *, wait: bool = True,
              on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock at path while the block writes folder; holder says who we are.

    If another process holds it: with wait, call on_wait with who that is and block
    until it ends; without, raise Busy.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(descriptor, folder, wait, on_wait)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()} {holder}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock


def _acquire(descriptor: int, folder: str, wait: bool, on_wait: Callable[[str], None] | None) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    other = _holder(descriptor)
    if not wait:
        raise Busy(f"{folder}/ is being written by another library command ({other}); try again when it ends")
    if on_wait is not None:
        on_wait(f"{folder}/ is being written by another library command ({other}); waiting for it to end")
    fcntl.flock(descriptor, fcntl.LOCK_EX)


def _holder(descriptor: int) -> str:
    text = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip()
    pid, _, command = text.partition(" ")
    return f"pid {pid}: {command}" if pid.isdigit() else "starting"
