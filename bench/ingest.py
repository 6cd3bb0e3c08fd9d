"""Ingest benchmark: N generated submission workbooks, cold and unchanged, against a naive baseline.

    python -m bench.ingest [--files 1000] [--keep DIR]

Prints files per second for our ingest (cold, then an unchanged re-run) and for
the loader a team would write first (openpyxl + sqlite3, one insert per value),
run on the same files in the same process, and the ratio. Goals (2-core machine):
>= 10x the baseline, <= 3 s cold and <= 1 s unchanged for 1,000 files.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import shutil
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

# The ETL is imported inside the functions: the ingest's spawned workers import the main
# module (this one) before their work, and the CLI's workers never import etl.cli (Python
# skips a package's __main__), so a worker here must not import DuckDB, Polars and xlsxwriter.


def generate(folder: Path, n_files: int, seed: int = 7) -> tuple[list, list[Path]]:
    """Write `n_files` filled workbooks for distinct unit-years; returns (units, files)."""
    from etl.demo import national_units, simulate
    from etl.template import write_template

    rng = random.Random(seed)
    units = national_units(rng, provinces=4)
    years = range(2025 - (n_files // len(units)) - 1, 2026)
    values = simulate(units, rng, years=years)
    by_code = {u.unit_code: u for u in units}
    files = []
    for (code, year), vals in sorted(values.items(), key=lambda kv: (kv[0][1], kv[0][0]))[:n_files]:
        path = folder / str(year) / f"{code}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_template(path, units, unit=by_code[code], year=year, values=vals)
        files.append(path)
    return units, files


def baseline_load(files: list[Path], sqlite_path: Path) -> int:
    """The loader a team writes first: openpyxl walks each sheet, sqlite3 inserts value by value."""
    import openpyxl

    con = sqlite3.connect(sqlite_path)
    con.execute(
        "create table if not exists submissions (id integer primary key, unit_code text, year int, "
        "file text, sha256 text)"
    )
    con.execute("create table if not exists submitted_values (submission_id int, code text, value text)")
    loaded = 0
    for f in files:
        data = f.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if con.execute("select 1 from submissions where sha256 = ?", (sha,)).fetchone():
            continue
        wb = openpyxl.load_workbook(f, data_only=True)
        ws = wb["Báo cáo"]
        unit = year = None
        code_col = value_col = header_row = None
        rows = list(ws.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            cells = list(row)
            if "Mã đơn vị" in cells:
                unit = cells[cells.index("Mã đơn vị") + 1]
            if "Năm báo cáo" in cells:
                year = cells[cells.index("Năm báo cáo") + 1]
            if "Mã chỉ tiêu" in cells and "Giá trị" in cells:
                code_col, value_col, header_row = cells.index("Mã chỉ tiêu"), cells.index("Giá trị"), i
                break
        cur = con.execute(
            "insert into submissions (unit_code, year, file, sha256) values (?, ?, ?, ?)",
            (unit, year, f.name, sha),
        )
        for row in rows[header_row + 1 :]:
            if row[code_col] and row[value_col] is not None:
                con.execute(
                    "insert into submitted_values values (?, ?, ?)",
                    (cur.lastrowid, row[code_col], str(row[value_col])),
                )
        con.commit()
        loaded += 1
    con.close()
    return loaded


def _timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def _cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (the ingest's workers) so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="keep the generated files and databases here")
    args = parser.parse_args(argv)
    from etl.db import connect
    from etl.ingest import ingest_paths, replace_units, summary

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    shutil.rmtree(work / "inbox", ignore_errors=True)
    for stale in ("ours.duckdb", "ours.duckdb.wal", "baseline.sqlite"):
        (work / stale).unlink(missing_ok=True)
    shutil.rmtree(work / "ours.snapshots", ignore_errors=True)
    shutil.rmtree(work / "raw", ignore_errors=True)

    gen_s, (units, files) = _timed(generate, work / "inbox", args.files)
    n = len(files)
    print(f"generated {n} workbooks in {gen_s:.1f} s ({gen_s / n * 1000:.1f} ms each)")

    db = work / "ours.duckdb"
    with closing(connect(db)) as con:
        replace_units(con, units)
        cpu_before = _cpu_seconds()
        cold_s, cold = _timed(lambda: ingest_paths(con, db, [work / "inbox"]))
        cold_cpu = _cpu_seconds() - cpu_before
        again_s, again = _timed(lambda: ingest_paths(con, db, [work / "inbox"]))
    base_s, base_n = _timed(baseline_load, files, work / "baseline.sqlite")

    print(f"ours, cold:          {cold_s:6.2f} s  {n / cold_s:7.1f} files/s  {summary(cold)}")
    # on a machine others use too, the wall time says little; the CPU time depends on them much less
    print(f"ours, cold, CPU time of the process and its workers: {cold_cpu:.2f} s")
    print(f"ours, unchanged:     {again_s:6.2f} s  {n / again_s:7.1f} files/s  {summary(again)}")
    print(f"baseline (openpyxl + sqlite3), cold: {base_s:6.2f} s  {base_n / base_s:7.1f} files/s")
    ratio = base_s / cold_s
    print(f"ratio baseline/ours (cold): {ratio:.1f}x   goal >= 10x: {'met' if ratio >= 10 else 'NOT met'}")
    per_1000 = cold_s / n * 1000
    print(f"ours per 1,000 files: {per_1000:.1f} s   goal <= 3 s: {'met' if per_1000 <= 3 else 'NOT met'}")
    again_1000 = again_s / n * 1000
    print(
        f"unchanged per 1,000 files: {again_1000:.2f} s   goal <= 1 s: {'met' if again_1000 <= 1 else 'NOT met'}"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
