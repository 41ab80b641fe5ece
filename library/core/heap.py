"""Give the memory Python freed back to the system before a long wait or a big neighbour.

glibc keeps the pages of freed blocks inside its heap for the process's next allocations, so a
command that has read and let go of many catalogs and pages stays at its peak. Returning them
matters where another process is about to need that memory (Pagefind indexing a language, a
volume laid out beside the command).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["give_back_free_heap"]


def give_back_free_heap() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim; elsewhere nothing happens). Some ms."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")  # by name: find_library would run ldconfig and gcc
    except OSError:
        name = ctypes.util.find_library("c")
        return ctypes.CDLL(name) if name else None
