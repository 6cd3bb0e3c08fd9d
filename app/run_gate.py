"""How many page runs the server works on at once.

Streamlit runs every browser session's script in a thread of its own. With twenty readers
opening pages at the same moment, twenty runs would share the interpreter (one lock for
Python code) and two cores: each would hold its frames and figures in memory while it
waits for its turn, and all of them would finish late together. The gate lets a few runs
work at a time and the others wait at its door, holding nothing yet: the first reader's
page arrives first, the server's peak memory stays that of a few runs, and the total work
is the same.

With $DASHBOARD_LOG_RUNS set, every page run writes one line to the server's log: how long
it waited at the gate and how long it ran (bench/load.py reads them: the server's own
response time, apart from the browsers').

app/allocator.py is the other half: how the memory those runs used is given back.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Python code runs one thread at a time; a second run overlaps the first one's waits (DuckDB,
# Polars and the accounts store work outside the interpreter lock), more add only memory
RUNS_AT_ONCE = max(2, min(4, (os.cpu_count() or 1) + 1))
_GATE = threading.BoundedSemaphore(RUNS_AT_ONCE)

RUN_LOG_PREFIX = "page-run"
_LOG_RUNS = bool(os.environ.get("DASHBOARD_LOG_RUNS"))


@contextmanager
def page_run() -> Iterator[None]:
    """Hold one of the RUNS_AT_ONCE places while a page is computed and drawn."""
    arrived = time.perf_counter()
    with _GATE:
        started = time.perf_counter()
        try:
            yield
        finally:
            if _LOG_RUNS:
                print(
                    run_log_line(started - arrived, time.perf_counter() - started),
                    file=sys.stderr,
                    flush=True,
                )


def run_log_line(waited_s: float, ran_s: float) -> str:
    return f"{RUN_LOG_PREFIX} waited={waited_s:.4f} ran={ran_s:.4f}"


def parse_run_log(text: str) -> list[tuple[float, float]]:
    """(waited, ran) seconds of every run logged in `text` (see run_log_line)."""
    runs = []
    for line in text.splitlines():
        if line.startswith(RUN_LOG_PREFIX + " "):
            fields = dict(part.split("=", 1) for part in line.split()[1:])
            runs.append((float(fields["waited"]), float(fields["ran"])))
    return runs
