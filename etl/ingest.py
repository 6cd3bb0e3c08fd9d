"""Loading files into the database: one transaction per file, every version kept.

A file is accepted whole or rejected whole. The same bytes twice are
`unchanged`; a new accepted file for a unit-year supersedes the one in force,
which stays in `submissions` marked `superseded`. Rejected files are recorded
with their messages and never touch the values in force. Each received file is
kept under the raw folder by its hash.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.db import publish_snapshot, raw_dir
from etl.readers import read_file
from etl.registry import REGISTRY_COLUMNS, Registry, Unit
from etl.staging import Message
from etl.validate import History, flag_outliers, validate

SUFFIXES = (".xlsx", ".xlsm", ".csv")


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
    """Files named directly, plus the submission files found recursively in folders."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = (f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            # Excel's lock files (~$name.xlsx) and hidden files are not submissions
            files.extend(sorted(f for f in found if not f.name.startswith(("~$", "."))))
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"Không tìm thấy tệp hoặc thư mục «{raw}».")
    return files


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


def _history(con: duckdb.DuckDBPyConnection, unit_codes: list[str]) -> History:
    rows = con.execute(
        "select unit_code, indicator_code, year, value_num from current_values "
        "where value_num is not null and unit_code in (select unnest(?::varchar[]))",
        [unit_codes],
    ).fetchall()
    history: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for unit_code, code, year, value in rows:
        history.setdefault((unit_code, code), []).append((year, value))
    return history


def _keep_raw(db: Path, path: Path, data: bytes, sha: str) -> Path:
    target = raw_dir(db) / sha[:2] / f"{sha}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return target


def _json(messages: list[Message]) -> str:
    return json.dumps([m.as_dict() for m in messages], ensure_ascii=False)


def _write_rejected(con, result: FileResult, raw_path: Path, received_at: datetime, by: str) -> None:
    con.execute(
        "insert into submissions (unit_code, year, status, sha256, source_name, raw_path, file_format, "
        "received_at, submitted_by, errors, warnings) values (?, ?, 'rejected', ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.unit_code, result.year, result.sha256, result.path.name, str(raw_path),
         result.path.suffix.lower().lstrip("."), received_at, by, _json(result.errors), _json(result.warnings)],
    )  # fmt: skip


def _write_accepted(con, result, records, file_format, raw_path, received_at, by) -> None:
    n = len(records)
    ids = [r[0] for r in con.execute("select nextval('submission_id_seq') from range(?)", [n]).fetchall()]
    subs = pl.DataFrame(
        {
            "submission_id": ids,
            "unit_code": [r.unit_code for r in records],
            "year": [r.year for r in records],
            "n_values": [len(r.values) for r in records],
        },
        schema={"submission_id": pl.Int64, "unit_code": pl.String, "year": pl.Int32, "n_values": pl.Int32},
    )
    values = pl.DataFrame(
        {
            "submission_id": [sid for sid, r in zip(ids, records, strict=True) for _ in r.values],
            "indicator_code": [v.indicator_code for r in records for v in r.values],
            "value_num": [v.value_num for r in records for v in r.values],
            "value_text": [v.value_text for r in records for v in r.values],
            "source_cell": [v.source_cell for r in records for v in r.values],
        },
        schema={"submission_id": pl.Int64, "indicator_code": pl.String, "value_num": pl.Float64,
                "value_text": pl.String, "source_cell": pl.String},
    )  # fmt: skip
    con.register("staged_submissions", subs)
    con.register("staged_values", values)
    try:
        con.execute(
            "update submissions set status = 'superseded', superseded_at = ? from staged_submissions s "
            "where submissions.status = 'accepted' and submissions.unit_code = s.unit_code "
            "and submissions.year = s.year",
            [received_at],
        )
        con.execute(
            "insert into submissions (submission_id, unit_code, year, status, sha256, source_name, raw_path, "
            "file_format, received_at, submitted_by, n_values, errors, warnings) "
            "select submission_id, unit_code, year, 'accepted', ?, ?, ?, ?, ?, ?, n_values, '[]', ? "
            "from staged_submissions",
            [
                result.sha256,
                result.path.name,
                str(raw_path),
                file_format,
                received_at,
                by,
                _json(result.warnings),
            ],
        )
        con.execute("insert into submitted_values select * from staged_values")
    finally:
        con.unregister("staged_submissions")
        con.unregister("staged_values")


def _already_loaded(con, sha: str) -> tuple[list[str], datetime | None]:
    rows = con.execute("select status, received_at from submissions where sha256 = ?", [sha]).fetchall()
    return [r[0] for r in rows], max((r[1] for r in rows), default=None)


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    db: Path,
    path: Path,
    registry: Registry,
    *,
    dry_run: bool = False,
    received_at: datetime | None = None,
    submitted_by: str | None = None,
    today: date | None = None,
) -> FileResult:
    """Validate one file and, unless `dry_run`, record it in one transaction."""
    received_at = received_at or datetime.now()
    by = submitted_by or getpass.getuser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = Message(
            "",
            None,
            f"Tệp «{path.name}»: không mở được tệp ({exc.strerror}). Cách sửa: kiểm tra tệp có tồn tại và không bị khoá.",
        )
        return FileResult(path, "", "rejected", errors=[msg])
    sha = hashlib.sha256(data).hexdigest()
    statuses, first_received = _already_loaded(con, sha)
    if "accepted" in statuses or "superseded" in statuses:
        result = FileResult(path, sha, "unchanged")
        if "superseded" in statuses:
            when = first_received.strftime("%d/%m/%Y") if first_received else ""
            result.warnings.append(Message("", None, (
                f"Tệp «{path.name}» đã được nạp ngày {when} và đã có báo cáo mới hơn thay thế; "
                "giữ nguyên báo cáo mới hơn. Cách sửa: nếu muốn dùng lại số liệu cũ, sửa tệp rồi gửi như một báo cáo mới."
            )))  # fmt: skip
        rows = con.execute(
            "select unit_code, year from submissions where sha256 = ? and status <> 'rejected'", [sha]
        ).fetchall()
        if len(rows) == 1:
            result.unit_code, result.year = rows[0]
        return result
    try:
        parsed = read_file(path)
        validation = validate(parsed, registry, today or date.today())
    except Exception as exc:  # a reader bug must not stop a folder of good files
        msg = Message(
            "",
            None,
            f"Tệp «{path.name}»: không đọc được tệp ({type(exc).__name__}: {exc}). Cách sửa: mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại.",
        )
        parsed, validation = None, None
        result = FileResult(path, sha, "rejected", errors=[msg])
    if validation is not None:
        result = FileResult(
            path, sha, "rejected" if validation.errors else "accepted", validation.unit_code, validation.year,
            list(validation.errors), list(validation.warnings),
        )  # fmt: skip
        if validation.records:
            history = _history(con, sorted({r.unit_code for r in validation.records}))
            result.warnings.extend(flag_outliers(path.name, validation.records, history))
    if dry_run:
        return result
    if result.status == "rejected" and "rejected" in statuses:
        return result  # this exact file was already recorded as rejected
    raw_path = _keep_raw(db, path, data, sha)
    con.execute("begin")
    try:
        if result.status == "accepted":
            _write_accepted(con, result, validation.records, parsed.file_format, raw_path, received_at, by)
        else:
            _write_rejected(con, result, raw_path, received_at, by)
        con.execute("update meta set value = (value::int + 1)::varchar where key = 'data_version'")
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        msg = Message(
            "",
            None,
            f"Tệp «{path.name}»: lỗi khi ghi vào cơ sở dữ liệu ({exc}); tệp chưa được nạp. Cách sửa: chạy lại lệnh nạp.",
        )
        return FileResult(path, sha, "rejected", result.unit_code, result.year, [msg], result.warnings)
    return result


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
) -> list[FileResult]:
    """Ingest files and folders; publish a new read snapshot when anything changed.

    `received_at` maps a file to its receipt time (the demo uses it to replay
    history); by default it is now.
    """
    files = expand_paths(paths)
    registry = registry_from_db(con)
    results = []
    for i, path in enumerate(files, start=1):
        when = received_at(path) if received_at else None
        results.append(
            ingest_file(
                con,
                db,
                path,
                registry,
                dry_run=dry_run,
                received_at=when,
                submitted_by=submitted_by,
                today=today,
            )
        )
        if progress and len(files) > 1:
            _progress(i, len(files))
    if not dry_run:
        publish_snapshot(con, db)
    return results


def summary(results: list[FileResult]) -> dict[str, int]:
    counts = {"accepted": 0, "rejected": 0, "unchanged": 0}
    for r in results:
        counts[r.status] += 1
    return counts
