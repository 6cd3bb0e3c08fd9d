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
import pyarrow as pa

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
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return target


def _json(messages: list[Message]) -> str:
    return json.dumps([m.as_dict() for m in messages], ensure_ascii=False)


_COLUMNS = (
    "submission_id", "unit_code", "year", "outcome", "sha256", "source_name", "raw_path", "file_format",
    "received_at", "submitted_by", "n_values", "errors", "warnings", "indicator_codes", "values_num",
    "values_text", "source_cells",
)  # fmt: skip
_INSERT = f"insert into submission_log ({', '.join(_COLUMNS)}) values ({', '.join('?' * len(_COLUMNS))})"


def write_rejected(
    state: IngestState, result: FileResult, raw_path: Path, received_at: datetime, by: str
) -> None:
    sid = state.next_id
    state.con.execute(
        _INSERT,
        [sid, result.unit_code, result.year, "rejected", result.sha256, result.path.name, str(raw_path),
         result.path.suffix.lower().lstrip("."), received_at, by, 0, _json(result.errors),
         _json(result.warnings), None, None, None, None],
    )  # fmt: skip
    state.next_id += 1


def _warnings_of(rec: ValidRecord, warnings: list[Message]) -> list[Message]:
    """A wide file's warnings about one unit-year row, plus those about the whole file."""
    mine = {v.source_cell for v in rec.values}
    return [w for w in warnings if w.where in mine or w.where in ("", "toàn tệp")]


def _accepted_rows(result, records, file_format, raw_path, received_at, by, first_id) -> pa.Table:
    n = len(records)
    column = lambda value: [value] * n  # noqa: E731
    return pa.table(
        {
            "submission_id": pa.array(range(first_id, first_id + n), pa.int64()),
            "unit_code": [r.unit_code for r in records],
            "year": pa.array([r.year for r in records], pa.int32()),
            "outcome": column("accepted"),
            "sha256": column(result.sha256),
            "source_name": column(result.path.name),
            "raw_path": column(str(raw_path)),
            "file_format": column(file_format),
            "received_at": pa.array(column(received_at), pa.timestamp("us")),
            "submitted_by": column(by),
            "n_values": pa.array([len(r.values) for r in records], pa.int32()),
            "errors": column("[]"),
            "warnings": [_json(_warnings_of(rec, result.warnings)) for rec in records],
            "indicator_codes": [[v.indicator_code for v in r.values] for r in records],
            "values_num": pa.array(
                [[v.value_num for v in r.values] for r in records], pa.list_(pa.float64())
            ),
            "values_text": pa.array(
                [[v.value_text for v in r.values] for r in records], pa.list_(pa.string())
            ),
            "source_cells": [[v.source_cell for v in r.values] for r in records],
        }
    )


def write_accepted(state: IngestState, result, records, file_format, raw_path, received_at, by) -> None:
    """One insert, so one transaction, whatever the number of unit-years in the file."""
    con = state.con
    ids = list(range(state.next_id, state.next_id + len(records)))
    if len(records) == 1:
        [rec] = records
        con.execute(
            _INSERT,
            [ids[0], rec.unit_code, rec.year, "accepted", result.sha256, result.path.name, str(raw_path),
             file_format, received_at, by, len(rec.values), "[]", _json(result.warnings),
             [v.indicator_code for v in rec.values], [v.value_num for v in rec.values],
             [v.value_text for v in rec.values], [v.source_cell for v in rec.values]],
        )  # fmt: skip
    else:
        rows = _accepted_rows(result, records, file_format, raw_path, received_at, by, ids[0])
        con.register("staged_submissions", rows)
        try:
            con.execute(
                f"insert into submission_log ({', '.join(_COLUMNS)}) select * from staged_submissions"
            )
        finally:
            con.unregister("staged_submissions")
    state.next_id += len(records)
    state.accept(records)
