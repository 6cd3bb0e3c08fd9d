"""Hostile files: each one ingested by the real CLI (`python -m etl ingest --dry-run --json`),
timed, with the peak memory of the ingest process; one normal workbook first, for comparison.

    python -m bench.hostile [--files 2000]

Prints a table: file, size, verdict, the reader's seconds in this process, the whole command's
seconds (Python's start included), and the command's peak RSS in MB (VmHWM of its largest process). The files are those of
tests/test_hostile_files.py (tests/hostile.py), made in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl.limits import size_vi
from tests import hostile
from tests.conftest import ROOT, load_units

_VERDICTS = {"accepted": "ĐÃ NHẬN", "rejected": "TỪ CHỐI", "unchanged": "KHÔNG ĐỔI"}


def _peak_mb(pid: int) -> float:
    """VmHWM (the peak resident memory of the program the process runs since its exec) of a
    process and of its children (the ingest's parsing workers), the largest, in MB."""
    peaks = []
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))))
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            peaks.append(_peak_mb(int(child)) * 1024)
    except (OSError, StopIteration, ValueError):
        pass
    return max(peaks, default=0) / 1024


def run_ingest(path: Path, db: Path) -> tuple[dict, float, float]:
    """The CLI's JSON document, its seconds and its peak RSS in MB (sampled every 10 ms)."""
    cmd = [sys.executable, "-m", "etl", "ingest", str(path), "--db", str(db), "--json", "--dry-run"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    peak = 0.0
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.DEVNULL)
        while proc.poll() is None:
            peak = max(peak, _peak_mb(proc.pid))
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        out.seek(0)
        doc = json.loads(out.read())
    return doc, seconds, peak


def read_seconds(path: Path) -> float:
    """How long the reader takes over the file in this process (no interpreter start)."""
    from etl.readers import read_file

    files = [path] if path.is_file() else sorted(path.iterdir())
    start = time.perf_counter()
    for f in files:
        read_file(f)
    return time.perf_counter() - start


def _verdict(doc: dict) -> str:
    counts = doc["summary"]
    if len(doc["files"]) == 1:
        entry = doc["files"][0]
        return _VERDICTS[entry["status"]]
    return ", ".join(f"{n} {_VERDICTS[s]}" for s, n in counts.items() if n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="files in the many-files folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hostile_") as tmp:
        folder = Path(tmp)
        db = load_units(folder / "db" / "dashboard.duckdb")
        cases = {"báo cáo bình thường": lambda f: hostile._small_workbook(f / "bao_cao_binh_thuong.xlsx")}
        cases |= hostile.HOSTILE
        cases[f"{args.files:,} tệp trong một thư mục".replace(",", ".")] = lambda f: hostile.many_files(
            f, args.files
        )
        print(f"{'tệp':<34} {'cỡ':>8}  {'kết quả':<18} {'đọc (s)':>8} {'lệnh (s)':>8} {'RSS MB':>7}")
        for label, build in cases.items():
            made = (folder / label.replace(" ", "_")).resolve()
            made.mkdir()
            path = build(made)
            size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir()))
            doc, seconds, rss = run_ingest(path, db)
            read, whole = (f"{t:.2f}".replace(".", ",") for t in (read_seconds(path), seconds))
            print(f"{label:<34} {size_vi(size):>8}  {_verdict(doc):<18} {read:>8} {whole:>8} {rss:>7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
