"""The demo never replaces a Sở's database, rebuilds swap in whole, and demo data says what it is.

Refusals go through the CLI as an operator would type them. Rebuilds run in-process on a
tiny demo (two files instead of the province's 300: the swap does not depend on the
size), so a failure can be injected where a real build would fail.
"""

from __future__ import annotations

import json
import os
from contextlib import closing
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from etl import demo
from etl.cli import main
from etl.db import connect, latest_snapshot, publish_snapshot, snapshot_dir
from etl.registry import DEMO_REGISTRY_CSV, read_registry
from tests.conftest import ingest_json, run_etl, write_submission
from tests.test_snapshots import another_writer

VALUES = {"staff_total": 120, "complaints_received": 4, "complaints_resolved": 4}


def _tiny_inbox(scale: str, inbox: Path, rng) -> tuple[list, list]:
    units = read_registry(DEMO_REGISTRY_CSV)
    files = [
        demo._File(
            write_submission(inbox / "2024" / f"{code}.xlsx", code, 2024, VALUES),
            datetime(2024, 11, 10 + n, 9),
        )
        for n, code in enumerate(("BVDKT", "BVM"))
    ]
    return units, files


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "_write_inbox", _tiny_inbox)


@pytest.fixture
def demo_db(tmp_path: Path, tiny) -> Path:
    db = tmp_path / "demo" / "dashboard.duckdb"
    demo.build_demo(db)
    return db


def _files(db: Path) -> dict[str, bytes]:
    """The database file and its snapshot folder, byte for byte."""
    files = {db.name: db.read_bytes()}
    if snapshot_dir(db).is_dir():
        files.update({f"snapshots/{p.name}": p.read_bytes() for p in snapshot_dir(db).iterdir()})
    return files


def _meta(path: Path) -> dict[str, str]:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return dict(con.execute("select key, value from meta").fetchall())


# ----------------------------------------------------------------------------- refusals


def test_a_real_database_survives_demo_byte_for_byte(tmp_path, db):
    ingest_json(write_submission(tmp_path / "a.xlsx", "BVM", 2024, VALUES), db=db)
    before, listing = _files(db), sorted(os.listdir(db.parent))
    for args, env_db in [
        (("demo", "--db", str(db)), None),
        (("demo",), db),  # DASHBOARD_DB names it
        (("demo", "--db", str(db), "--scale", "national"), None),
    ]:
        proc = run_etl(*args, db=env_db)
        assert proc.returncode == 2, proc.stderr
        assert str(db) in proc.stderr
        assert "không phải dữ liệu minh họa" in proc.stderr
        assert "--db" in proc.stderr and "DASHBOARD_DB" in proc.stderr and "backup" in proc.stderr
    assert _files(db) == before
    assert sorted(os.listdir(db.parent)) == listing


def _foreign_duckdb(path: Path) -> None:
    with closing(duckdb.connect(str(path))) as con:
        con.execute("create table so_lieu as select 1 as x")


@pytest.mark.parametrize("kind", ["text", "empty", "foreign_duckdb"])
def test_a_file_that_is_not_a_demo_database_survives_demo(tmp_path, kind):
    db = tmp_path / "so_y_te.duckdb"
    if kind == "text":
        db.write_text("Báo cáo tổng kết công tác dân vận năm 2024", encoding="utf-8")
    elif kind == "empty":
        db.write_bytes(b"")
    else:
        _foreign_duckdb(db)
    before, listing = db.read_bytes(), sorted(os.listdir(tmp_path))
    proc = run_etl("demo", "--db", str(db))
    assert proc.returncode == 2
    assert str(db) in proc.stderr
    expected = (
        "không phải dữ liệu minh họa"
        if kind == "foreign_duckdb"
        else "không phải là một cơ sở dữ liệu DuckDB"
    )
    assert expected in proc.stderr
    assert db.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == listing


def test_a_locked_database_is_refused_and_left_alone(tmp_path, db):
    with another_writer(db):
        before = _files(db)
        proc = run_etl("demo", "--db", str(db))
        assert proc.returncode == 2
        assert "đang được một tiến trình khác mở" in proc.stderr and str(db) in proc.stderr
        assert _files(db) == before


# ----------------------------------------------------------------------------- rebuilds


def test_a_rebuild_swaps_in_whole_with_a_higher_version(demo_db, monkeypatch):
    old_snap, old_meta = latest_snapshot(demo_db), _meta(demo_db)
    before = _files(demo_db)
    seen: list[tuple] = []
    real_ingest = demo.ingest_paths

    def ingest_while_watching(con, db, *args, **kwargs):
        # mid-build: the target is untouched and the dashboard still reads the old snapshot
        assert db != demo_db and db.parent == demo_db.parent
        with closing(duckdb.connect(str(latest_snapshot(demo_db)), read_only=True)) as viewer:
            seen.append(viewer.execute("select count(*) from current_values").fetchone())
        seen.append(_files(demo_db) == before)
        return real_ingest(con, db, *args, **kwargs)

    monkeypatch.setattr(demo, "ingest_paths", ingest_while_watching)
    assert main(["demo", "--db", str(demo_db)]) == 0
    assert seen == [(6,), True]
    new_snap, new_meta = latest_snapshot(demo_db), _meta(demo_db)
    assert int(new_meta["data_version"]) > int(old_meta["data_version"])
    assert new_snap != old_snap and not old_snap.exists()
    assert [p.name for p in snapshot_dir(demo_db).iterdir()] == [new_snap.name]
    assert new_snap.name.startswith(f"v{int(new_meta['data_version']):09d}-")
    assert new_meta["is_demo"] == "1"
    # nothing temporary is left beside it
    assert not [p for p in demo_db.parent.iterdir() if p.name.startswith(".")]
    assert sorted(p.name for p in (demo_db.parent / "demo_inbox" / "2024").iterdir()) == [
        "BVDKT.xlsx",
        "BVM.xlsx",
    ]


def test_a_failed_rebuild_leaves_the_old_demo_intact(demo_db, monkeypatch):
    before, listing = _files(demo_db), sorted(os.listdir(demo_db.parent))

    def failing_ingest(*args, **kwargs):
        raise RuntimeError("simulated failure half-way through the build")

    monkeypatch.setattr(demo, "ingest_paths", failing_ingest)
    with pytest.raises(RuntimeError, match="simulated"):
        demo.build_demo(demo_db)
    assert _files(demo_db) == before
    assert sorted(os.listdir(demo_db.parent)) == listing


def test_an_inbox_that_cannot_be_written_leaves_the_old_demo_intact(demo_db, tmp_path):
    before, listing = _files(demo_db), sorted(os.listdir(demo_db.parent))
    blocker = tmp_path / "not_a_folder.txt"
    blocker.write_text("x")
    with pytest.raises(OSError):
        demo.build_demo(demo_db, inbox=blocker / "inbox")
    assert _files(demo_db) == before
    assert sorted(os.listdir(demo_db.parent)) == listing


# ----------------------------------------------------------------------------- demo data says so


def test_ingest_into_the_demo_says_so_and_names_the_file(demo_db, tmp_path):
    f = write_submission(tmp_path / "in" / "bvph.xlsx", "BVPH", 2024, VALUES)
    proc = run_etl("ingest", str(f), "--db", str(demo_db))
    assert proc.returncode == 0, proc.stderr
    assert "đã được nạp vào cơ sở dữ liệu MINH HỌA" in proc.stdout and str(demo_db) in proc.stdout
    proc = run_etl("ingest", str(f), "--db", str(demo_db), "--json", "--dry-run")
    doc = json.loads(proc.stdout)  # stdout holds exactly the JSON document
    assert doc["summary"] == {"accepted": 0, "rejected": 0, "unchanged": 1}
    assert "kiểm tra thử với cơ sở dữ liệu MINH HỌA" in proc.stderr and str(demo_db) in proc.stderr
    proc = run_etl("ingest", str(f), "--db", str(demo_db), "--dry-run")
    assert "kiểm tra thử với cơ sở dữ liệu MINH HỌA" in proc.stdout


def test_ingest_into_a_real_database_has_no_demo_notice(tmp_path, db):
    proc = run_etl("ingest", str(write_submission(tmp_path / "a.xlsx", "BVM", 2024, VALUES)), "--db", str(db))
    assert proc.returncode == 0 and "MINH HỌA" not in proc.stdout + proc.stderr


def test_template_without_a_database_says_the_units_are_the_demo_provinces(tmp_path):
    out = tmp_path / "mau.xlsx"
    proc = run_etl("template", "--out", str(out), "--db", str(tmp_path / "chua_co.duckdb"))
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and "tỉnh MINH HỌA" in proc.stdout
    assert not (tmp_path / "chua_co.duckdb").exists()


def test_template_for_a_database_without_units_is_refused(tmp_path):
    db = tmp_path / "so_y_te.duckdb"
    with closing(connect(db)) as con:
        publish_snapshot(con, db)
    out = tmp_path / "mau.xlsx"
    proc = run_etl("template", "--out", str(out), "--db", str(db))
    assert proc.returncode == 2
    assert "units load" in proc.stderr and str(db) in proc.stderr
    assert not out.exists()


def test_template_from_the_demo_says_so(demo_db, tmp_path):
    proc = run_etl("template", "--out", str(tmp_path / "mau.xlsx"), "--db", str(demo_db))
    assert proc.returncode == 0 and "tỉnh MINH HỌA" in proc.stdout
