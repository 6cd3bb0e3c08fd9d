"""How the server's memory allocators give memory back.

A page run at national scale allocates a few hundred MB for a moment (query frames, the
figures' JSON, the message to the browser) and keeps little. What the process then holds
is decided by the allocators, not by the dashboard's objects:

- glibc's malloc (Python's larger objects, Arrow, protobuf) gives each new thread an arena
  of its own, up to eight a core, and keeps what was freed in each; Streamlit runs every
  page on a fresh thread, so a burst of visitors leaves many half-empty arenas. Blocks of
  128 KiB and more start out in their own mappings, but glibc raises that threshold (up to
  32 MiB) every time such a block is freed, after which big blocks land in the arenas and
  stay. One arena and a fixed threshold keep the heap the size of what is alive.
- Polars' jemalloc keeps freed pages for ten seconds before returning them. Its setting
  is read once, when Polars loads, so `POLARS_MALLOC_CONF` is set in the environment at
  the start of the process (app/__init__.py), before anything imports Polars.

bench/load.py measures the effect: the server's peak memory with 20 readers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

# glibc's mallopt parameter numbers (malloc.h) and the values the server uses
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
GLIBC_SETTINGS = {
    _M_ARENA_MAX: 1,
    _M_MMAP_THRESHOLD: 128 * 1024,  # glibc's own start value, kept from rising
    _M_TRIM_THRESHOLD: 256 * 1024,
}

# Polars' jemalloc (its symbols and settings carry the _rjem_ prefix): return freed pages at once
POLARS_MALLOC_ENV = "_RJEM_MALLOC_CONF"
POLARS_MALLOC_CONF = "dirty_decay_ms:0,muzzy_decay_ms:0"


def set_polars_allocator_env() -> None:
    """Put POLARS_MALLOC_CONF in the environment unless someone chose otherwise; it only
    counts when done before Polars is first imported."""
    os.environ.setdefault(POLARS_MALLOC_ENV, POLARS_MALLOC_CONF)


def tune_glibc_malloc() -> bool:
    """Apply GLIBC_SETTINGS (call before the server starts its threads); False without glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return all(libc.mallopt(param, value) for param, value in GLIBC_SETTINGS.items())
    except (OSError, AttributeError):  # another C library (musl, macOS) has no such knob
        return False
