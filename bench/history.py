"""National history benchmark: the national demo's history tables ingested cold, time and peak memory.

    python -m bench.history [--provinces 34] [--keep DIR]

Writes what `python -m etl demo --scale national` ingests (one wide CSV table per province,
148 units x 11 years each: 5.000+ units, 2015-2025) and a database holding the national
registry, then runs `python -m etl ingest --db DB --json TABLES` on it, as a Sở would load
its history, and prints the command's time (start-up and publishing included) and its peak
memory: the largest resident set of the command and of any worker process it started
(ru_maxrss of the reaped command, which Linux takes over the children it waited for).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path


def write_history(work: Path, provinces: int, seed: int) -> tuple[Path, list[Path], int]:
    """The national registry in a new database and the history tables: (db, tables, units)."""
    from etl.db import connect
    from etl.demo import national_units, simulate, write_wide_history
    from etl.ingest import replace_units

    rng = random.Random(seed)
    units = national_units(rng, provinces=provinces)
    tables = [f.path for f in write_wide_history(units, simulate(units, rng), work / "inbox", rng)]
    db = work / "history.duckdb"
    with closing(connect(db)) as con:
        replace_units(con, units)
    return db, tables, len(units)


def run_ingest(db: Path, tables: list[Path]) -> tuple[float, float, dict]:
    """Run the CLI ingest; (seconds, peak resident MB, summary)."""
    command = [sys.executable, "-m", "etl", "ingest", "--db", str(db), "--json", *map(str, tables)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ingest failed with exit code {proc.returncode}")
    # Linux reports ru_maxrss in KB, macOS in bytes
    peak_mb = usage.ru_maxrss / 1024 / (1024 if sys.platform == "darwin" else 1)
    return seconds, peak_mb, json.loads(out)["summary"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34, help="provinces (one history table each)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", type=Path, help="keep the tables and the database here")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-history-"))
    for stale in ("inbox", "raw", "history.snapshots"):
        shutil.rmtree(work / stale, ignore_errors=True)
    for stale in ("history.duckdb", "history.duckdb.wal"):
        (work / stale).unlink(missing_ok=True)

    started = time.perf_counter()
    db, tables, n_units = write_history(work, args.provinces, args.seed)
    size_mb = sum(t.stat().st_size for t in tables) / 1024 / 1024
    print(
        f"generated {len(tables)} history tables ({n_units} units, 2015-2025, {size_mb:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    seconds, peak_mb, counts = run_ingest(db, tables)
    print(f"python -m etl ingest, cold: {seconds:6.2f} s  peak memory {peak_mb:.0f} MB  {counts}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
