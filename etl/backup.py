"""Backup and restore: one archive holding a database, its received files and its accounts.

`write_backup` copies the database through a connection of its own (etl.db.connect
waits while an ingest holds the file, and no other process can open it during the
copy), so the archive holds one consistent state, and the accounts store through
SQLite's backup API, which is safe while the server writes to it. The dashboard only
reads snapshots, so a backup can run while it serves.

`restore_backup` checks the whole archive before it changes anything, keeps a backup
of whatever it replaces, and swaps the database in whole (etl.swap).

Archive layout (a zip):
    manifest.json                  format, source, versions, counts, sha256 of every member
    database.duckdb                the DuckDB database
    accounts.sqlite3               the accounts store, when there is one
    raw/<ab>/<sha256><suffix>      every received file the database refers to
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from accounts.audit import all_events, carry_over
from accounts.store import connect as connect_store
from accounts.store import store_path
from etl.db import SCHEMA_VERSION, DatabaseBusy, connect, raw_dir
from etl.ingest import UsageError
from etl.swap import beside, inspect_database, remove_database, swap_in

FORMAT = "dan-van-dashboard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = "database.duckdb"
ACCOUNTS_MEMBER = "accounts.sqlite3"
_RAW_MEMBER = re.compile(r"raw/([0-9a-f]{2})/([0-9a-f]{64})(\.[0-9a-z]{1,8})?")


class BackupError(Exception):
    """An archive a restore refuses, or a database a backup cannot copy (Vietnamese message)."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup wrote, or what a restore brought back."""

    archive: Path
    database: Path
    n_submissions: int
    n_raw_files: int
    has_accounts: bool
    size_bytes: int
    is_demo: bool
    missing_raw: tuple[str, ...] = ()
    before_restore: Path | None = None  # restore: the backup of what it replaced
    snapshot: Path | None = None  # restore: the snapshot published for the dashboard


def default_name(today: datetime | None = None) -> str:
    """The suggested archive name, `sao_luu_YYYYMMDD.zip`."""
    return f"sao_luu_{(today or datetime.now()):%Y%m%d}.zip"


def accounts_store(db: Path) -> Path:
    """The accounts store of `db`."""
    return store_path(db)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_sqlite(source: Path, dest: Path, *, into_live: bool = False) -> None:
    """A consistent copy of a SQLite file that a running server may be writing (WAL mode).

    SQLite's backup API copies one committed state. Into a live store (`into_live`) the
    store keeps its WAL mode, so the server's open connections simply see the new content;
    a copy for an archive is made one self-contained file instead.
    """
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(dest, timeout=30)) as dst,
    ):
        src.backup(dst)
        if not into_live:
            dst.execute("pragma journal_mode = delete")


# ----------------------------------------------------------------------------- backup


@dataclass(frozen=True)
class _Copied:
    meta: dict[str, str]
    n_submissions: int
    raw: list[tuple[str, str, str]]  # sha256, suffix, raw_path as recorded


def _copy_database(db: Path, dest: Path) -> _Copied:
    """Copy `db` to `dest` while holding it, and read what the manifest needs in the same hold."""
    try:
        con = connect(db)
    except DatabaseBusy:
        raise
    except (duckdb.Error, RuntimeError) as exc:  # not a database, or one newer than this software
        raise BackupError(f"Không mở được cơ sở dữ liệu «{db}» để sao lưu ({exc}).") from exc
    try:
        source = con.execute("select current_database()").fetchone()[0]
        quoted = str(dest).replace("'", "''")
        con.execute(f"attach '{quoted}' as backup_copy")
        try:
            con.execute(f"copy from database {source} to backup_copy")
        finally:
            con.execute("detach backup_copy")
        meta = dict(con.execute("select key, value from meta").fetchall())
        n = con.execute("select count(*) from submissions").fetchone()[0]
        rows = con.execute(
            "select distinct sha256, raw_path from submission_log where raw_path is not null"
        ).fetchall()
    finally:
        con.close()
    raw = sorted({(sha, Path(path).suffix.lower(), path) for sha, path in rows})
    return _Copied(meta, n, raw)


def _raw_members(db: Path, raw: list[tuple[str, str, str]]) -> tuple[dict[str, Path], list[str]]:
    """This database's own received files (the raw folder is shared by the databases beside it)."""
    members: dict[str, Path] = {}
    missing: list[str] = []
    for sha, suffix, recorded in raw:
        name = f"raw/{sha[:2]}/{sha}{suffix}"
        if name in members:
            continue
        # found by hash beside the database; the recorded path may be relative to another folder
        for candidate in (raw_dir(db) / sha[:2] / f"{sha}{suffix}", Path(recorded)):
            if candidate.is_file() and _sha256(candidate) == sha:
                members[name] = candidate
                break
        else:
            missing.append(name)
    return members, missing


def _write_zip(out: Path, manifest: dict, members: dict[str, Path]) -> None:
    part = out.with_name(f".{out.name}.part")
    try:
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            for name, path in members.items():
                zf.write(path, name)
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)


def write_backup(db: Path, out: Path) -> BackupSummary:
    """Write one archive `out` with the database `db`, its raw files and its accounts store.

    Raises UsageError when `db` does not exist or `out` already does (a backup never
    overwrites another), BackupError when the database cannot be opened.

    Example:
        >>> write_backup(Path("data/so_y_te.duckdb"), Path("sao_luu_20251201.zip"))  # doctest: +SKIP
    """
    db, out = Path(db), Path(out)
    if not db.is_file():
        raise UsageError(f"Không có cơ sở dữ liệu «{db}» để sao lưu.")
    if out.exists():
        raise UsageError(f"Tệp «{out}» đã có; hãy chọn tên khác (không ghi đè lên một bản sao lưu).")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".sao_luu-", dir=out.parent) as tmp:
        work = Path(tmp)
        copied = _copy_database(db, work / DB_MEMBER)
        members = {DB_MEMBER: work / DB_MEMBER}
        raw, missing = _raw_members(db, copied.raw)
        members.update(raw)
        store = accounts_store(db)
        if store.is_file():
            _copy_sqlite(store, work / ACCOUNTS_MEMBER)
            members[ACCOUNTS_MEMBER] = work / ACCOUNTS_MEMBER
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "source_database": str(db.resolve()),
            "data_version": int(copied.meta.get("data_version") or 0),
            "schema_version": int(copied.meta.get("schema_version") or 0),
            "is_demo": copied.meta.get("is_demo") == "1",
            "counts": {"submissions": copied.n_submissions, "raw_files": len(raw)},
            "missing_raw_files": missing,
            "members": {
                name: {"sha256": _sha256(path), "size": path.stat().st_size} for name, path in members.items()
            },
        }
        _write_zip(out, manifest, members)
    return BackupSummary(
        out, db, copied.n_submissions, len(raw), ACCOUNTS_MEMBER in members, out.stat().st_size,
        manifest["is_demo"], tuple(missing),
    )  # fmt: skip


# ----------------------------------------------------------------------------- restore


def _refuse(archive: Path, why: str) -> BackupError:
    return BackupError(
        f"Không khôi phục từ «{archive}»: {why} Không có gì bị thay đổi. "
        "Cách sửa: dùng một tệp sao lưu khác do lệnh python -m etl backup tạo ra."
    )


def _read_manifest(archive: Path, zf: zipfile.ZipFile) -> dict:
    if MANIFEST not in zf.namelist():
        raise _refuse(archive, "tệp không phải là bản sao lưu của trang theo dõi (không có manifest.json).")
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except (ValueError, zipfile.BadZipFile) as exc:
        raise _refuse(archive, f"không đọc được manifest.json ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(archive, "tệp không phải là bản sao lưu của trang theo dõi.")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise _refuse(archive, "bản sao lưu do một phiên bản phần mềm mới hơn tạo ra; hãy cập nhật phần mềm.")
    if not isinstance(manifest.get("members"), dict) or not isinstance(manifest.get("counts"), dict):
        raise _refuse(archive, "manifest.json thiếu danh sách tệp.")
    return manifest


def _check_member_names(archive: Path, zf: zipfile.ZipFile, manifest: dict) -> None:
    listed, present = set(manifest["members"]), set(zf.namelist()) - {MANIFEST}
    if listed != present:
        extra, lacking = sorted(present - listed), sorted(listed - present)
        raise _refuse(
            archive, f"các tệp bên trong không khớp manifest.json (thừa: {extra}, thiếu: {lacking})."
        )
    if DB_MEMBER not in listed:
        raise _refuse(archive, "bản sao lưu không có cơ sở dữ liệu.")
    for name in listed - {DB_MEMBER, ACCOUNTS_MEMBER}:
        m = _RAW_MEMBER.fullmatch(name)
        # names come from the archive: only the shapes a backup writes, never a path elsewhere
        if m is None or m.group(1) != m.group(2)[:2]:
            raise _refuse(archive, f"tệp lạ trong bản sao lưu: «{name}».")


def _extract_member(archive: Path, zf: zipfile.ZipFile, name: str, expected: dict, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with zf.open(name) as src, open(dest, "wb") as f:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                f.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _refuse(archive, f"tệp «{name}» trong bản sao lưu bị hỏng ({exc}).") from exc
    if not isinstance(expected, dict) or digest.hexdigest() != expected.get("sha256"):
        raise _refuse(archive, f"tệp «{name}» trong bản sao lưu đã bị thay đổi (mã băm không khớp).")
    m = _RAW_MEMBER.fullmatch(name)
    if m and digest.hexdigest() != m.group(2):
        raise _refuse(archive, f"tệp gốc «{name}» không đúng với mã băm trong tên của nó.")


def _check_database(archive: Path, path: Path, manifest: dict) -> None:
    try:
        with closing(duckdb.connect(str(path), read_only=True)) as con:
            meta = dict(con.execute("select key, value from meta").fetchall())
            n = con.execute("select count(*) from submissions").fetchone()[0]
    except duckdb.Error as exc:
        raise _refuse(archive, f"cơ sở dữ liệu trong bản sao lưu không mở được ({exc}).") from exc
    version = int(meta.get("schema_version") or 0)
    if version > SCHEMA_VERSION:
        raise _refuse(
            archive,
            f"cơ sở dữ liệu có phiên bản cấu trúc {version}, mới hơn phần mềm ({SCHEMA_VERSION}); "
            "hãy cập nhật phần mềm rồi khôi phục.",
        )
    if n != manifest["counts"].get("submissions"):
        raise _refuse(archive, "số bản nộp trong cơ sở dữ liệu không khớp manifest.json.")


def _check_accounts(archive: Path, path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as con:
            ok = con.execute("pragma integrity_check").fetchone()[0] == "ok"
    except sqlite3.Error:
        ok = False
    if not ok:
        raise _refuse(archive, "tệp tài khoản trong bản sao lưu bị hỏng.")


def verify_archive(archive: Path, work: Path) -> dict:
    """Check `archive` whole and extract it into `work`; returns its manifest.

    Raises BackupError (Vietnamese) for a file that is not a backup, a member missing,
    added or changed, a database that does not open or is newer than this software.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(archive, "tệp không phải là bản sao lưu (không đọc được như tệp .zip).") from exc
    with zf:
        manifest = _read_manifest(archive, zf)
        _check_member_names(archive, zf, manifest)
        for name, expected in manifest["members"].items():
            _extract_member(archive, zf, name, expected, work / name)
    n_raw = sum(1 for name in manifest["members"] if name.startswith("raw/"))
    if n_raw != manifest["counts"].get("raw_files"):
        raise _refuse(archive, "số tệp gốc không khớp manifest.json.")
    _check_database(archive, work / DB_MEMBER, manifest)
    if ACCOUNTS_MEMBER in manifest["members"]:
        _check_accounts(archive, work / ACCOUNTS_MEMBER)
    return manifest


def _unique(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}_{n}{path.suffix}")
        n += 1
    return candidate


def _backup_before_restore(db: Path, store: Path) -> Path | None:
    """Keep what a restore would replace, in `<db folder>/backups/truoc_khoi_phuc_<time>.zip`."""
    folder = db.parent / "backups"
    stamp = f"truoc_khoi_phuc_{datetime.now():%Y%m%d_%H%M%S}"
    if db.exists():
        try:
            return write_backup(db, _unique(folder / f"{stamp}.zip")).archive
        except (BackupError, duckdb.Error) as exc:
            raise BackupError(
                f"Không sao lưu được cơ sở dữ liệu hiện có «{db}» trước khi khôi phục ({exc}), nên không "
                "khôi phục đè lên nó. Cách sửa: tự chuyển tệp đó sang chỗ khác rồi chạy lại."
            ) from exc
    if store.exists():
        # accounts without a database: keep the store itself
        folder.mkdir(parents=True, exist_ok=True)
        kept = _unique(folder / f"{stamp}.accounts.sqlite3")
        _copy_sqlite(store, kept)
        return kept
    return None


def _put_back_raw(work: Path, db: Path, names: list[str]) -> int:
    """Put the archive's received files back by hash; returns how many were not already there."""
    restored = 0
    for name in names:
        source, target = work / name, raw_dir(db) / name.removeprefix("raw/")
        if target.is_file() and _sha256(target) == _sha256(source):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f"{target.name}.part")
        shutil.copyfile(source, part)
        part.replace(target)
        restored += 1
    return restored


def restore_backup(archive: Path, db: Path) -> BackupSummary:
    """Bring back the archive `archive` as the database `db` (with its raw files and accounts).

    Nothing changes until the archive has passed every check (verify_archive). What
    exists at `db` is first backed up (BackupSummary.before_restore); the database is
    then swapped in whole and a snapshot published with a version above the old ones.
    Raises UsageError for a missing archive, BackupError for a refused one, DatabaseBusy
    while another process holds `db`.
    """
    archive, db = Path(archive), Path(db)
    if not archive.is_file():
        raise UsageError(f"Không tìm thấy tệp sao lưu «{archive}».")
    # staged beside the target when its folder exists, so the final move is a rename
    with tempfile.TemporaryDirectory(
        prefix=f".{db.stem}.khoi_phuc-", dir=db.parent if db.parent.is_dir() else None
    ) as tmp:
        work = Path(tmp)
        manifest = verify_archive(archive, work)
        inspect_database(db)  # DatabaseBusy before anything is touched
        db.parent.mkdir(parents=True, exist_ok=True)
        store = accounts_store(db)
        before = _backup_before_restore(db, store)
        raw_names = sorted(n for n in manifest["members"] if n.startswith("raw/"))
        _put_back_raw(work, db, raw_names)
        staged = beside(db, "restore")
        try:
            shutil.move(work / DB_MEMBER, staged)
            snap = swap_in(staged, db, at_least=int(manifest.get("data_version") or 0))
        except BaseException:
            remove_database(staged)
            raise
        has_accounts = ACCOUNTS_MEMBER in manifest["members"]
        if has_accounts:
            since = all_events(store)
            _copy_sqlite(work / ACCOUNTS_MEMBER, store, into_live=True)
            with closing(connect_store(store)) as con:
                carry_over(con, since)
    return BackupSummary(
        archive, db, manifest["counts"]["submissions"], len(raw_names), has_accounts, archive.stat().st_size,
        bool(manifest.get("is_demo")), before_restore=before, snapshot=snap,
    )  # fmt: skip
