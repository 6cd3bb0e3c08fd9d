"""Viewers read snapshots: an ingest never waits on a viewer, and viewers keep reading during an ingest."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing, contextmanager

import duckdb

from etl.db import latest_snapshot
from tests.conftest import ROOT, ingest_json, run_etl, write_submission

VALUES = {"staff_total": 120, "complaints_received": 4, "complaints_resolved": 4}


@contextmanager
def another_writer(db):
    """A separate process holding the main file read-write, as a running ingest does."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_ingest_proceeds_while_a_viewer_holds_a_snapshot(tmp_path, db):
    ingest_json(write_submission(tmp_path / "a.xlsx", "BVM", 2023, VALUES), db=db)
    first = latest_snapshot(db)
    with closing(duckdb.connect(str(first), read_only=True)) as viewer:
        code, doc = ingest_json(write_submission(tmp_path / "b.xlsx", "BVM", 2024, VALUES), db=db)
        assert code == 0 and doc["summary"]["accepted"] == 1
        # the viewer still reads its own consistent snapshot
        assert viewer.execute("select count(*) from current_values where year = 2024").fetchone()[0] == 0
    second = latest_snapshot(db)
    assert second != first
    with closing(duckdb.connect(str(second), read_only=True)) as fresh:
        assert fresh.execute("select count(distinct year) from mart_values").fetchone()[0] == 2


def test_viewers_read_while_an_ingest_holds_the_database(tmp_path, db):
    ingest_json(write_submission(tmp_path / "a.xlsx", "BVM", 2023, VALUES), db=db)
    with another_writer(db), closing(duckdb.connect(str(latest_snapshot(db)), read_only=True)) as viewer:
        assert viewer.execute("select count(*) from mart_unit_year").fetchone()[0] == 1


def test_a_second_writer_gets_a_clear_message(tmp_path, db):
    ingest_json(write_submission(tmp_path / "a.xlsx", "BVM", 2023, VALUES), db=db)
    with another_writer(db):
        proc = run_etl("ingest", str(tmp_path / "a.xlsx"), "--db", str(db))
    assert proc.returncode == 1
    assert "đang được một tiến trình khác ghi" in proc.stderr
