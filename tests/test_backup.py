"""`python -m etl backup` and `restore`: one archive gives back the same data, and nothing else."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from etl.backup import DB_MEMBER, FORMAT_VERSION, MANIFEST, accounts_store, default_name
from etl.db import SCHEMA_VERSION, latest_snapshot, raw_dir, snapshot_dir
from tests.conftest import ingest_json, load_units, run_etl, write_submission
from tests.test_snapshots import another_writer

GOOD = {"staff_total": 120, "complaints_received": 4, "complaints_resolved": 4, "dv_self_rating": "Tốt"}


def _submissions(db: Path) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute("select * from submissions order by submission_id").fetchall()


def _raw_files(db: Path) -> dict[str, bytes]:
    """The received files `db` refers to, by name in the raw folder."""
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        rows = con.execute("select distinct sha256, raw_path from submission_log").fetchall()
    names = {f"{sha[:2]}/{sha}{Path(path).suffix}" for sha, path in rows}
    return {name: (raw_dir(db) / name).read_bytes() for name in sorted(names)}


def _accounts(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(accounts_store(db))) as con:
        return con.execute("select * from nguoi_dung order by ten").fetchall()


def _add_account(db: Path, name: str) -> None:
    # a stand-in for the accounts store: a SQLite file in WAL mode, as the server keeps it
    with closing(sqlite3.connect(accounts_store(db))) as con:
        con.execute("pragma journal_mode = wal")
        con.execute("create table if not exists nguoi_dung (ten text primary key)")
        con.execute("insert into nguoi_dung values (?)", [name])
        con.commit()


def _state(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` byte for byte, but the accounts store (its audit log records the attempt)."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and ".accounts.sqlite3" not in p.name)
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def _make_so_db(base: Path) -> Path:
    """A Sở's database with accepted, superseded and rejected files, an accounts store, and a neighbour."""
    db = load_units(base / "db" / "dashboard.duckdb")
    inbox = base / "inbox"
    write_submission(inbox / "a_bvdkt.xlsx", "BVDKT", 2024, GOOD)
    write_submission(inbox / "b_bvdkt_sua.xlsx", "BVDKT", 2024, {**GOOD, "staff_total": 125})
    write_submission(inbox / "c_bvm.xlsx", "BVM", 2024, GOOD)
    write_submission(inbox / "d_bvtt_loi.xlsx", "BVTT", 2024, {**GOOD, "complaints_resolved": 40})
    assert ingest_json(inbox, db=db)[0] == 1
    _add_account(db, "quan_tri")
    # another database in the same folder shares the raw folder: its files are not ours
    neighbour = load_units(db.parent / "khac.duckdb")
    ingest_json(write_submission(base / "khac.xlsx", "CDC", 2024, GOOD), db=neighbour)
    return db


@pytest.fixture
def so_db(tmp_path: Path) -> Path:
    return _make_so_db(tmp_path)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A Sở's database and its backup, for the tests that must leave both as they are."""
    base = tmp_path_factory.mktemp("backed_up")
    db = _make_so_db(base)
    return db, _backup(db, base / "sao_luu.zip")


def _backup(db: Path, out: Path) -> Path:
    proc = run_etl("backup", "--out", str(out), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout and "4 bản nộp, 4 tệp gốc, kèm tệp tài khoản" in proc.stdout
    return out


def test_backup_then_restore_into_a_fresh_path(so_db, tmp_path):
    archive = _backup(so_db, tmp_path / "sao_luu_20251201.zip")
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        assert set(zf.namelist()) == {MANIFEST, *manifest["members"]}
        for name, info in manifest["members"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == info["sha256"]
    assert manifest["format_version"] == FORMAT_VERSION and manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["is_demo"] is False and manifest["source_database"] == str(so_db.resolve())
    assert manifest["counts"] == {"submissions": 4, "raw_files": 4}
    raw = {n.removeprefix("raw/") for n in manifest["members"] if n.startswith("raw/")}
    assert raw == set(_raw_files(so_db))  # only this database's own, not the neighbour's

    fresh = tmp_path / "may_moi" / "so_y_te.duckdb"
    proc = run_etl("restore", str(archive), "--db", str(fresh))
    assert proc.returncode == 0, proc.stderr
    assert "4 bản nộp, 4 tệp gốc" in proc.stdout and str(fresh) in proc.stdout
    assert _submissions(fresh) == _submissions(so_db)
    assert _raw_files(fresh) == _raw_files(so_db)
    assert _accounts(fresh) == [("quan_tri",)]
    snap = latest_snapshot(fresh)
    assert snap is not None and int(snap.name[1:10]) > manifest["data_version"]
    assert not (fresh.parent / "backups").exists()  # nothing was there to keep
    assert not [p for p in fresh.parent.iterdir() if p.name.startswith(".")]


def test_restore_over_an_existing_database_keeps_what_it_replaces(so_db, tmp_path):
    archive = _backup(so_db, tmp_path / "sao_luu.zip")
    backed_up = _submissions(so_db)
    # later work that the restore will replace
    ingest_json(write_submission(tmp_path / "sau.xlsx", "BVPH", 2024, GOOD), db=so_db)
    _add_account(so_db, "lanh_dao")
    later, old_snaps = _submissions(so_db), sorted(snapshot_dir(so_db).iterdir())
    proc = run_etl("restore", str(archive), "--db", str(so_db))
    assert proc.returncode == 0, proc.stderr
    assert _submissions(so_db) == backed_up
    assert _accounts(so_db) == [("quan_tri",)]
    [snap] = snapshot_dir(so_db).iterdir()  # the old snapshots are gone once the new one is out
    assert all(int(snap.name[1:10]) > int(p.name[1:10]) for p in old_snaps)
    with closing(duckdb.connect(str(snap), read_only=True)) as con:
        assert con.execute("select count(*) from submissions").fetchone()[0] == len(backed_up)
    [kept] = (so_db.parent / "backups").glob("truoc_khoi_phuc_*.zip")
    assert str(kept) in proc.stdout
    # the backup of what was replaced restores in its turn
    again = tmp_path / "kiem_tra" / "so_y_te.duckdb"
    assert run_etl("restore", str(kept), "--db", str(again)).returncode == 0
    assert _submissions(again) == later
    assert _accounts(again) == [("lanh_dao",), ("quan_tri",)]


def _rewrite(
    archive: Path, out: Path, change: Callable[[dict[str, bytes]], None], fix_manifest: bool
) -> Path:
    with zipfile.ZipFile(archive) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    change(members)
    if fix_manifest:  # a consistent forgery: only the content checks can catch it
        manifest = json.loads(members[MANIFEST])
        manifest["members"] = {
            n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
            for n, b in members.items()
            if n != MANIFEST
        }
        members[MANIFEST] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def _flip_raw(members: dict[str, bytes]) -> None:
    name = next(n for n in members if n.startswith("raw/"))
    members[name] = members[name][:-1] + bytes([members[name][-1] ^ 1])


def _flip_db(members: dict[str, bytes]) -> None:
    data = bytearray(members[DB_MEMBER])
    data[len(data) // 2] ^= 0xFF
    members[DB_MEMBER] = bytes(data)


def _newer_schema(members: dict[str, bytes], tmp: Path) -> None:
    path = tmp / "newer.duckdb"
    path.write_bytes(members[DB_MEMBER])
    with closing(duckdb.connect(str(path))) as con:
        con.execute("update meta set value = '99' where key = 'schema_version'")
    members[DB_MEMBER] = path.read_bytes()


TAMPERING = {
    "raw_file_changed": (_flip_raw, False),
    "raw_file_changed_and_manifest_forged": (_flip_raw, True),
    "database_changed": (_flip_db, False),
    "member_added": (lambda m: m.update({"../../etc/evil": b"x"}), False),
    "member_removed": (lambda m: m.pop(next(n for n in m if n.startswith("raw/"))), False),
    "no_manifest": (lambda m: m.pop(MANIFEST), False),
    "newer_schema": (None, True),
}


@pytest.mark.parametrize("kind", [*TAMPERING, "not_a_zip"])
def test_a_broken_or_foreign_archive_is_refused_and_changes_nothing(backed_up, tmp_path, kind):
    so_db, archive = backed_up
    bad = tmp_path / "hong.zip"
    if kind == "not_a_zip":
        bad.write_text("đây không phải tệp sao lưu", encoding="utf-8")
    else:
        change, fix = TAMPERING[kind]
        if change is None:
            work = tmp_path / "work"
            work.mkdir()
            change = lambda m: _newer_schema(m, work)  # noqa: E731
        _rewrite(archive, bad, change, fix)
    before = _state(so_db.parent)
    proc = run_etl("restore", str(bad), "--db", str(so_db))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Không khôi phục" in proc.stderr and str(bad) in proc.stderr
    if kind == "newer_schema":
        assert "mới hơn phần mềm" in proc.stderr
    assert _state(so_db.parent) == before
    assert _accounts(so_db) == [("quan_tri",)]


def test_restore_refuses_while_another_process_holds_the_database(backed_up):
    so_db, archive = backed_up
    with another_writer(so_db):
        before = _state(so_db.parent)
        proc = run_etl("restore", str(archive), "--db", str(so_db))
        assert proc.returncode == 1
        assert "đang được một tiến trình khác mở" in proc.stderr
        assert _state(so_db.parent) == before


def test_backup_never_overwrites_and_needs_a_database(backed_up, tmp_path):
    so_db, _ = backed_up
    out = tmp_path / "sao_luu.zip"
    out.write_bytes(b"an older backup")
    proc = run_etl("backup", "--out", str(out), "--db", str(so_db))
    assert proc.returncode == 2 and "đã có" in proc.stderr
    assert out.read_bytes() == b"an older backup"
    proc = run_etl("backup", "--out", str(tmp_path / "x.zip"), "--db", str(tmp_path / "khong_co.duckdb"))
    assert proc.returncode == 2 and not (tmp_path / "x.zip").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]
    assert default_name(datetime(2025, 12, 1)) == "sao_luu_20251201.zip"
