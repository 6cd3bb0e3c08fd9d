"""Loading files into the database: whole files in batched transactions, every version kept.

A file is accepted whole or rejected whole. Files are written a batch at a time (up to
BATCH_FILES files or BATCH_SECONDS of work in one transaction, each file's rows together),
which is most of the speed of a folder of a thousand workbooks; a crash undoes at most the
files of the batch in progress, whole, and none that was already reported. The same bytes twice are
`unchanged`; a new accepted file for a unit-year supersedes the one in force,
which stays in `submissions` marked `superseded`. Rejected files are recorded
with their messages and never touch the values in force. Each received file is
kept under the raw folder by its hash.

Every file in a folder gets a verdict, whatever its extension: one the readers cannot
read is rejected with the reason (only Excel's lock files, hidden files and the
operating system's folder files are passed over). `only_unit` limits a run to one
unit's reports (the dashboard's upload for a unit account): a file for another unit is
refused before anything is written.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.db import publish_snapshot
from etl.ingest_log import IngestState, keep_raw, write_accepted, write_rejected
from etl.limits import file_sha256, too_large
from etl.parse_worker import Prepared, prepared_in_order
from etl.registry import REGISTRY_COLUMNS, Registry, Unit
from etl.staging import Message
from etl.validate import flag_outliers

# what a folder holds that nobody sent: Excel's lock files (~$name.xlsx), hidden files,
# and the folder files Windows and macOS write by themselves
_NOT_SENT_PREFIXES = ("~$", ".")
_NOT_SENT_NAMES = frozenset({"thumbs.db", "desktop.ini"})
# one transaction holds at most this many files, or the files judged in this many seconds;
# DASHBOARD_INGEST_BATCH sets the number (1 writes file by file, as the crash tests do)
BATCH_FILES = max(1, int(os.environ.get("DASHBOARD_INGEST_BATCH") or 500))
BATCH_SECONDS = 2.0


class UsageError(Exception):
    """A path or option the user must correct (exit code 2)."""


@dataclass
class FileResult:
    """What happened to one file, as printed by `ingest --json`."""

    path: Path
    sha256: str
    status: str  # accepted, rejected or unchanged
    unit_code: str | None = None
    year: int | None = None
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "status": self.status,
            "unit_code": self.unit_code,
            "year": self.year,
            "errors": [m.as_dict() for m in self.errors],
            "warnings": [m.as_dict() for m in self.warnings],
        }


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files named directly, plus every file found recursively in folders (each gets a verdict)."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = (f for f in p.rglob("*") if f.is_file() and is_sent_file(f))
            files.extend(sorted(found))
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"Không tìm thấy tệp hoặc thư mục «{raw}».")
    return files


def is_sent_file(path: Path) -> bool:
    """False for what a folder holds that nobody sent (lock, hidden and system files)."""
    return not path.name.startswith(_NOT_SENT_PREFIXES) and path.name.lower() not in _NOT_SENT_NAMES


def other_unit_message(path: Path, found: list[str], only_unit: str) -> Message:
    """Why a file for another unit is refused to a unit's account."""
    units = ", ".join(f"«{u}»" for u in found)
    return Message(
        "toàn tệp",
        None,
        f"Tệp «{path.name}»: là báo cáo của đơn vị {units}, không phải của đơn vị «{only_unit}» "
        "mà tài khoản này được nộp; tệp không được nhận và không có gì thay đổi. Cách sửa: tải mẫu "
        f"báo cáo của đơn vị «{only_unit}» ở trang «Nộp báo cáo», điền số liệu của đơn vị mình rồi "
        "nộp lại; báo cáo của đơn vị khác do chính đơn vị đó hoặc cán bộ quản trị của Sở nộp.",
    )


def _outside_unit(result: FileResult, units_in_file: set[str], only_unit: str | None) -> FileResult | None:
    """The refusal of a file for another unit than `only_unit` (None when it is that unit's, or no limit)."""
    others = sorted(u for u in units_in_file if u and u != only_unit)
    if only_unit is None or not others:
        return None
    msg = other_unit_message(result.path, others, only_unit)
    return FileResult(result.path, result.sha256, "rejected", result.unit_code, result.year, [msg])


def units_frame(units: list[Unit]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "unit_code": u.unit_code, "name": u.name, "short_name": u.short_name,
                "unit_type": u.unit_type, "area": u.area, "valid_from": u.valid_from,
                "valid_to": u.valid_to, "successor_code": u.successor_code,
                "rank_pool": u.rank_pool, "aliases": "|".join(u.aliases),
            }
            for u in units
        ],
        schema={c: (pl.Int32 if c in ("valid_from", "valid_to") else pl.String) for c in REGISTRY_COLUMNS},
    )  # fmt: skip


def replace_units(con: duckdb.DuckDBPyConnection, units: list[Unit]) -> None:
    """Load a unit registry into the database, replacing the previous list.

    Refuses (ValueError, Vietnamese) to drop a unit that already has submissions.
    """
    codes = {u.unit_code for u in units}
    used = {
        r[0]
        for r in con.execute(
            "select distinct unit_code from submissions where unit_code is not null"
        ).fetchall()
    }
    lost = sorted(used - codes)
    if lost:
        raise ValueError(
            "Danh sách đơn vị mới thiếu các đơn vị đã có báo cáo: " + ", ".join(lost)
            + ". Giữ lại các đơn vị này (ghi năm ngừng hoạt động ở cột valid_to) rồi nạp lại."
        )  # fmt: skip
    frame = units_frame(units)
    con.execute("begin")
    try:
        con.execute("delete from units")
        con.register("staged_units", frame)
        con.execute(f"insert into units ({', '.join(REGISTRY_COLUMNS)}) select * from staged_units")
        con.unregister("staged_units")
        con.execute("update meta set value = (value::int + 1)::varchar where key = 'data_version'")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def registry_from_db(con: duckdb.DuckDBPyConnection) -> Registry:
    rows = con.execute(f"select {', '.join(REGISTRY_COLUMNS)} from units").fetchall()
    return Registry(
        [
            Unit(
                unit_code=r[0], name=r[1], short_name=r[2], unit_type=r[3], area=r[4] or "",
                valid_from=r[5], valid_to=r[6], successor_code=r[7], rank_pool=r[8],
                aliases=tuple(a for a in (r[9] or "").split("|") if a),
            )
            for r in rows
        ]
    )  # fmt: skip


def _unchanged(state: IngestState, path: Path, sha: str) -> FileResult | None:
    statuses = state.statuses.get(sha, [])
    if "accepted" not in statuses and "superseded" not in statuses:
        return None
    result = FileResult(path, sha, "unchanged")
    if "accepted" not in statuses:
        received = state.first_received.get(sha)
        when = received.strftime("%d/%m/%Y") if received else ""
        result.warnings.append(Message("", None, (
            f"Tệp «{path.name}» đã được nạp ngày {when} và đã có báo cáo mới hơn thay thế; "
            "giữ nguyên báo cáo mới hơn. Cách sửa: nếu muốn dùng lại số liệu cũ, sửa tệp rồi gửi như một báo cáo mới."
        )))  # fmt: skip
    unit_years = state.unit_years.get(sha, set())
    if len(unit_years) == 1:
        result.unit_code, result.year = next(iter(unit_years))
    return result


def _finish(
    state: IngestState,
    db: Path,
    prep: Prepared,
    data: bytes,
    sha: str,
    *,
    dry_run: bool,
    received_at: datetime,
    by: str,
    only_unit: str | None = None,
) -> FileResult:
    """Turn a prepared file into a result and, unless a dry run, record it.

    A file for another unit than `only_unit` is refused and recorded nowhere: it is no
    version of the uploader's unit, nor a report the other unit sent (the caller audits it).
    """
    path = prep.path
    if prep.validation is None:
        msg = Message("", None, (
            f"Tệp «{path.name}»: không đọc được tệp ({prep.crash}). "
            "Cách sửa: mở tệp bằng Excel, lưu lại dạng .xlsx (Excel Workbook) rồi gửi lại."
        ))  # fmt: skip
        result = FileResult(path, sha, "rejected", errors=[msg])
    else:
        v = prep.validation
        status = "rejected" if v.errors else "accepted"
        result = FileResult(path, sha, status, v.unit_code, v.year, list(v.errors), list(v.warnings))
        if v.records:
            history = state.history_for(sorted({r.unit_code for r in v.records}))
            result.warnings.extend(flag_outliers(path.name, v.records, history))
        units_in_file = {r.unit_code for r in v.records} | ({v.unit_code} if v.unit_code else set())
        refused = _outside_unit(result, units_in_file, only_unit)
        if refused is not None:
            return refused
    if only_unit is not None and result.unit_code is None:
        # a unit's own upload whose unit cell could not be read is still that unit's attempt:
        # it stays in the history of what the unit sent, with the message saying how to fix it
        result.unit_code = only_unit
    if result.status == "rejected" and "rejected" in state.statuses.get(sha, []):
        return result  # this exact file was already recorded as rejected
    if dry_run:
        # remember the file as a real run would, so a second copy or a resubmission later
        # in the same run gets the verdict (and the outlier warnings) a real run gives it
        records = prep.validation.records if result.status == "accepted" else []
        state.accept(records)
        state.record(sha, result, received_at, records)
        return result
    raw_path = keep_raw(db, path, data, sha)
    state.before_write()
    # staged, written with the files around it by state.flush (see _flush_staged)
    if result.status == "accepted":
        write_accepted(state, result, prep.validation.records, prep.file_format, raw_path, received_at, by)
    else:
        write_rejected(state, result, raw_path, received_at, by)
    state.record(sha, result, received_at, prep.validation.records if result.status == "accepted" else [])
    return result


def _flush_staged(state: IngestState, results: dict[Path, FileResult]) -> None:
    """Write the staged files in one transaction; if the database refuses, each of them is
    reported as not loaded, with the reason, and nothing of them is in the database."""
    staged = list(state.staged_paths)
    try:
        state.flush()
    except duckdb.Error as exc:
        for path in staged:
            old = results[path]
            msg = Message("", None, (
                f"Tệp «{path.name}»: lỗi khi ghi vào cơ sở dữ liệu ({exc}); tệp chưa được nạp. "
                "Cách sửa: chạy lại lệnh nạp."
            ))  # fmt: skip
            results[path] = FileResult(
                path, old.sha256, "rejected", old.unit_code, old.year, [msg], old.warnings
            )
            state.forget(old.sha256)


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} tệp")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    db: Path,
    paths: Iterable[str | os.PathLike],
    *,
    dry_run: bool = False,
    received_at: Callable[[Path], datetime] | None = None,
    submitted_by: str | None = None,
    progress: bool = False,
    today: date | None = None,
    publish: bool = True,
    only_unit: str | None = None,
) -> list[FileResult]:
    """Ingest files and folders; publish a new read snapshot when anything changed.

    Each file is one transaction: after a crash the database holds whole files
    only. `received_at` maps a file to its receipt time (the demo uses it to
    replay history); by default it is now. A dry run gives every file the verdict
    a real run would and writes nothing. `publish=False` leaves publishing to the
    caller (the demo builds beside its target and publishes once, after the swap).
    `only_unit` refuses, without recording them, the files of any other unit (see _finish).
    """
    files = expand_paths(paths)
    registry = registry_from_db(con)
    state = IngestState(con, registry.units)
    by = submitted_by or getpass.getuser()
    today = today or date.today()
    contents: dict[Path, tuple[bytes, str]] = {}
    results: dict[Path, FileResult] = {}
    for path in files:
        try:
            oversize = too_large(path, path.stat().st_size)
            if oversize is not None:  # refused unread: its bytes are never held in memory nor kept
                results[path] = FileResult(path, file_sha256(path), "rejected", errors=[oversize])
                continue
            data = path.read_bytes()
        except OSError as exc:
            msg = Message(
                "",
                None,
                f"Tệp «{path.name}»: không mở được tệp ({exc.strerror}). Cách sửa: kiểm tra tệp có tồn tại và không bị khoá.",
            )
            results[path] = FileResult(path, "", "rejected", errors=[msg])
            continue
        sha = hashlib.sha256(data).hexdigest()
        unchanged = _unchanged(state, path, sha)
        if unchanged:
            # the same bytes as another unit's report already loaded are still another unit's
            units_in_file = {u for u, _ in state.unit_years.get(sha, set())}
            results[path] = _outside_unit(unchanged, units_in_file, only_unit) or unchanged
        else:
            contents[path] = (data, sha)
    done = len(results)
    # one small insert per file gains nothing from DuckDB's threads, which would only
    # compete with the parsing workers for the cores
    con.execute("set threads = 1")
    flushed_at = time.monotonic()
    for prep in prepared_in_order(list(contents), registry, today):
        data, sha = contents.pop(prep.path)
        # the same bytes may come twice in one run: the second copy is unchanged
        again = _unchanged(state, prep.path, sha)
        if again is not None:
            units_in_file = {u for u, _ in state.unit_years.get(sha, set())}
            again = _outside_unit(again, units_in_file, only_unit) or again
        results[prep.path] = again or _finish(
            state, db, prep, data, sha, dry_run=dry_run,
            received_at=received_at(prep.path) if received_at else datetime.now(), by=by,
            only_unit=only_unit,
        )  # fmt: skip
        if len(state.staged_paths) >= BATCH_FILES or time.monotonic() - flushed_at > BATCH_SECONDS:
            _flush_staged(state, results)
            flushed_at = time.monotonic()
        done += 1
        if progress and len(files) > 1:
            _progress(done, len(files))
    _flush_staged(state, results)
    con.execute("reset threads")
    if publish and not dry_run:
        publish_snapshot(con, db)
    return [results[p] for p in files]


def summary(results: list[FileResult]) -> dict[str, int]:
    counts = {"accepted": 0, "rejected": 0, "unchanged": 0}
    for r in results:
        counts[r.status] += 1
    return counts
