"""Reading and judging files, in worker processes when there are many: the part of an ingest
that needs no database.

Kept apart from etl.ingest so that a worker imports only the readers and the validation
(fastexcel; no DuckDB, no Polars): a spawned worker imports the module of the function it
runs, and on a small server that import was most of a worker's start-up.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etl.readers import read_file
from etl.registry import Registry
from etl.validate import Validation, validate

# below this many files, starting worker processes costs more than it saves
PARALLEL_MIN_FILES = 40
# files handed to a worker at a time: fewer round trips, and still an even share at the end
CHUNK_FILES = 8


@dataclass
class Prepared:
    """A file read and validated (in a worker process when there are many)."""

    path: Path
    file_format: str | None
    validation: Validation | None
    crash: str | None = None


_WORKER: dict = {}


def init_worker(registry: Registry, today: date) -> None:
    _WORKER["registry"], _WORKER["today"] = registry, today


def prepare(path: Path) -> Prepared:
    try:
        parsed = read_file(path)
        return Prepared(path, parsed.file_format, validate(parsed, _WORKER["registry"], _WORKER["today"]))
    except Exception as exc:  # a reader bug must not stop a folder of good files
        return Prepared(path, None, None, f"{type(exc).__name__}: {exc}")


def prepared_in_order(paths: list[Path], registry: Registry, today: date) -> Iterator[Prepared]:
    """Read and validate files, in worker processes when there are enough to pay for them."""
    # one worker a core: with writes batched (IngestState.flush) the parent mostly waits
    workers = min(os.cpu_count() or 1, 4)
    if len(paths) < PARALLEL_MIN_FILES or workers < 1:
        init_worker(registry, today)
        yield from map(prepare, paths)
        return
    # spawn, not fork: the parent holds DuckDB and Polars thread pools, which do not survive a fork
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=init_worker, initargs=(registry, today)) as pool:
        yield from pool.imap(prepare, paths, chunksize=CHUNK_FILES)
