"""The ingest's writes: what a run knows of the submission log, and the one insert per file.

`IngestState` holds, for one run, what the ingest needs to know about the log (which
hashes were seen with which status, the outlier history); `write_accepted` and
`write_rejected` append a file's rows in one statement (one transaction); `keep_raw`
keeps the received bytes by hash. Only etl.ingest calls these.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from etl.db import raw_dir
from etl.staging import Message
from etl.validate import History, ValidRecord

if TYPE_CHECKING:
    from etl.ingest import FileResult


class IngestState:
    """What the ingest needs to know about the database, kept in memory for the run.

    Only one process can hold the database read-write, so nothing changes it
    behind our back while the connection is open.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, registry_codes: Iterable[str]):
        self.con = con
        self.statuses: dict[str, list[str]] = {}
        self.first_received: dict[str, datetime] = {}
        self.unit_years: dict[str, set[tuple[str, int]]] = {}
        for sha, status, received, unit_code, year in con.execute(
            "select sha256, status, received_at, unit_code, year from submissions order by received_at"
        ).fetchall():
            self.statuses.setdefault(sha, []).append(status)
            self.first_received.setdefault(sha, received)
            if status != "rejected":
                self.unit_years.setdefault(sha, set()).add((unit_code, year))
        self.next_id = con.execute(
            "select coalesce(max(submission_id), 0) + 1 from submission_log"
        ).fetchone()[0]
        self.history: dict[tuple[str, str], list[tuple[int, float]]] = {}
        # units with nothing accepted yet have no history to query (a cold load of years of data)
        self._history_units: set[str] = set(registry_codes) - {
            u
            for (u,) in con.execute(
                "select distinct unit_code from submission_log where outcome = 'accepted'"
            ).fetchall()
        }
        self.changed = False
        # log rows of files read and judged but not yet written (see stage, flush)
        self._staged: dict[str, list] = {}
        self.staged_paths: list[Path] = []

    def history_for(self, unit_codes: list[str]) -> History:
        missing = [u for u in unit_codes if u not in self._history_units]
        if missing:
            # straight from the log, filtered first: the current_values view would
            # unnest every value of every unit before filtering
            rows = self.con.execute(
                "with latest as (select unit_code, year, indicator_codes, values_num from submission_log "
                "where outcome = 'accepted' and unit_code in (select unnest(?::varchar[])) "
                "qualify row_number() over (partition by unit_code, year order by submission_id desc) = 1) "
                "select unit_code, code, year, value from ("
                "select unit_code, year, unnest(indicator_codes) as code, unnest(values_num) as value from latest) "
                "where value is not null",
                [missing],
            ).fetchall()
            for unit_code, code, year, value in rows:
                self.history.setdefault((unit_code, code), []).append((year, value))
            self._history_units.update(missing)
        return self.history

    def stage(self, path: Path, rows: dict[str, list]) -> None:
        """Keep a file's log rows (columns of _SCHEMA) for the next flush, all in one call.

        Plain lists, made into one frame per flush: a frame per file costs more than the
        insert of a whole batch."""
        for column, values in rows.items():
            self._staged.setdefault(column, []).extend(values)
        self.staged_paths.append(path)

    def flush(self) -> None:
        """Write the staged files' rows in one insert, one transaction.

        Whole files only: a file's rows are staged together, so a crash before the commit
        undoes whole files, none of which has been reported yet (results are given when
        ingest_paths returns, after its last flush). Raises duckdb.Error with nothing
        written; the staged files are then dropped (the caller reports them as not loaded).
        """
        paths, columns = self.staged_paths, self._staged
        self.staged_paths, self._staged = [], {}
        if not paths:
            return
        self.con.register("staged_submissions", pl.DataFrame(columns, schema=_SCHEMA))
        try:
            self.con.execute("begin transaction")
            try:
                self.con.execute(_INSERT)
                self.con.execute("commit")
            except duckdb.Error:
                self.con.execute("rollback")
                raise
        finally:
            self.con.unregister("staged_submissions")

    def forget(self, sha: str) -> None:
        """Undo record() for a file whose rows never reached the database (its last verdict)."""
        if self.statuses.get(sha):
            self.statuses[sha].pop()

    def before_write(self) -> None:
        """Bump the data version before the first write of a run.

        Bumping first means a run killed half-way still leaves a version with no
        snapshot, so the next run publishes one.
        """
        if not self.changed:
            self.con.execute("update meta set value = (value::int + 1)::varchar where key = 'data_version'")
            self.changed = True

    def record(self, sha: str, result: FileResult, received_at: datetime, records: list[ValidRecord]) -> None:
        self.statuses.setdefault(sha, []).append(result.status)
        self.first_received.setdefault(sha, received_at)
        self.unit_years.setdefault(sha, set()).update((r.unit_code, r.year) for r in records)

    def accept(self, records: list[ValidRecord]) -> None:
        """Keep the outlier history in step with what was just accepted."""
        for rec in records:
            for v in rec.values:
                if v.value_num is None:
                    continue
                past = self.history.setdefault((rec.unit_code, v.indicator_code), [])
                past[:] = [(y, x) for y, x in past if y != rec.year] + [(rec.year, v.value_num)]


def keep_raw(db: Path, path: Path, data: bytes, sha: str) -> Path:
    target = raw_dir(db) / sha[:2] / f"{sha}{path.suffix.lower()}"
    if not target.exists():
        tmp = target.with_suffix(".part")
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:  # the first file of its folder: a folder made only then saves a call a file
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, target)
    return target


def _json(messages: list[Message]) -> str:
    return json.dumps([m.as_dict() for m in messages], ensure_ascii=False)


# the log rows are staged as Polars frames, which DuckDB reads without a copy; pyarrow's own
# constructors would import pandas first, a second of every ingest command
_SCHEMA = {
    "submission_id": pl.Int64, "unit_code": pl.String, "year": pl.Int32, "outcome": pl.String,
    "sha256": pl.String, "source_name": pl.String, "raw_path": pl.String, "file_format": pl.String,
    "received_at": pl.Datetime("us"), "submitted_by": pl.String, "n_values": pl.Int32, "errors": pl.String,
    "warnings": pl.String, "indicator_codes": pl.List(pl.String), "values_num": pl.List(pl.Float64),
    "values_text": pl.List(pl.String), "source_cells": pl.List(pl.String),
}  # fmt: skip
_INSERT = f"insert into submission_log ({', '.join(_SCHEMA)}) select * from staged_submissions"


def write_rejected(
    state: IngestState, result: FileResult, raw_path: Path, received_at: datetime, by: str
) -> None:
    """Stage the log row of a rejected file (written by state.flush)."""
    row = {
        "submission_id": [state.next_id], "unit_code": [result.unit_code], "year": [result.year],
        "outcome": ["rejected"], "sha256": [result.sha256], "source_name": [result.path.name],
        "raw_path": [str(raw_path)], "file_format": [result.path.suffix.lower().lstrip(".")],
        "received_at": [received_at], "submitted_by": [by], "n_values": [0], "errors": [_json(result.errors)],
        "warnings": [_json(result.warnings)], "indicator_codes": [None], "values_num": [None],
        "values_text": [None], "source_cells": [None],
    }  # fmt: skip
    state.stage(result.path, row)
    state.next_id += 1


def _warnings_of(rec: ValidRecord, warnings: list[Message]) -> list[Message]:
    """A wide file's warnings about one unit-year row, plus those about the whole file."""
    mine = {v.source_cell for v in rec.values}
    return [w for w in warnings if w.where in mine or w.where in ("", "toàn tệp")]


def _accepted_rows(result, records, file_format, raw_path, received_at, by, first_id) -> dict[str, list]:
    n = len(records)
    column = lambda value: [value] * n  # noqa: E731
    return {
        "submission_id": list(range(first_id, first_id + n)),
        "unit_code": [r.unit_code for r in records],
        "year": [r.year for r in records],
        "outcome": column("accepted"),
        "sha256": column(result.sha256),
        "source_name": column(result.path.name),
        "raw_path": column(str(raw_path)),
        "file_format": column(file_format),
        "received_at": column(received_at),
        "submitted_by": column(by),
        "n_values": [len(r.values) for r in records],
        "errors": column("[]"),
        "warnings": [_json(_warnings_of(rec, result.warnings)) for rec in records],
        "indicator_codes": [[v.indicator_code for v in r.values] for r in records],
        "values_num": [[v.value_num for v in r.values] for r in records],
        "values_text": [[v.value_text for v in r.values] for r in records],
        "source_cells": [[v.source_cell for v in r.values] for r in records],
    }


def write_accepted(state: IngestState, result, records, file_format, raw_path, received_at, by) -> None:
    """Stage the log rows of an accepted file, one per unit-year (written by state.flush)."""
    state.stage(
        result.path, _accepted_rows(result, records, file_format, raw_path, received_at, by, state.next_id)
    )
    state.next_id += len(records)
    state.accept(records)
