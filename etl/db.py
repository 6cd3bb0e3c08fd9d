"""The DuckDB database: where it lives, its versioned schema, and the read snapshots.

DuckDB locks a file per process: a writer excludes every reader and a reader
excludes writers. So the ETL is the only process that opens the main file, and
after each change it publishes an immutable copy (a snapshot) that the dashboard
opens read-only. A new snapshot gets a new file name, so a viewer never blocks an
ingest and an ingest never disturbs a viewer.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import duckdb

from etl.catalogue import CATALOGUE_CSV, DATA_DIR, load_catalogue
from etl.restate import restate_wide

SCHEMA_VERSION = 2  # 2: unit_changes
DEFAULT_DB = DATA_DIR / "dashboard.duckdb"
SNAPSHOTS_KEPT = 3
# bump when the marts a snapshot carries change: older snapshots are then ignored and
# the next ingest (or the dashboard's first start) publishes a new one
SNAPSHOT_FORMAT = 3

_TABLES = """
create table if not exists meta (key varchar primary key, value varchar);

create table if not exists units (
    unit_code varchar primary key,
    name varchar not null,
    short_name varchar not null,
    unit_type varchar not null,
    area varchar,
    valid_from integer,
    valid_to integer,
    successor_code varchar,
    rank_pool varchar not null,
    aliases varchar
);

-- the history of the unit list: every rename, merger, split and closure made with
-- `python -m etl units rename|merge|split|close` (etl/unit_changes.py), oldest first. The
-- units rows hold the state (validity, successor, old names as aliases); this log says
-- what happened when, and is the only record of a split (a split unit has no successor).
create table if not exists unit_changes (
    change_id integer primary key,
    change_kind varchar not null check (change_kind in ('rename', 'merge', 'split', 'close')),
    effective_year integer not null,
    from_codes varchar[] not null,
    to_codes varchar[] not null,
    old_name varchar,
    new_name varchar,
    changed_at timestamp not null,
    changed_by varchar
);

create table if not exists indicators (
    code varchar primary key,
    domain varchar not null,
    name_vi varchar not null,
    short_vi varchar not null,
    unit_vi varchar,
    kind varchar not null,
    min_value double,
    max_value double,
    direction varchar not null,
    n_code varchar,
    restate varchar not null,
    rule varchar,
    position integer not null
);

-- the log of every file version received, one row per unit-year it holds (a wide
-- history file gives many rows); rejected files have a row too. It is append-only:
-- whether an accepted version is still in force or superseded is derived in the
-- `submissions` view, so a file is written by exactly one insert (one transaction)
-- and nothing is ever updated in place. Values travel with their row as parallel
-- lists, because per-statement cost dominates small files (see bench/ingest.py).
create table if not exists submission_log (
    submission_id bigint not null,
    unit_code varchar,
    year integer,
    outcome varchar not null check (outcome in ('accepted', 'rejected')),
    sha256 varchar not null,
    source_name varchar not null,
    raw_path varchar,
    file_format varchar,
    received_at timestamp not null,
    submitted_by varchar,
    n_values integer not null default 0,
    errors json,
    warnings json,
    indicator_codes varchar[],
    values_num double[],
    values_text varchar[],
    source_cells varchar[]
);
"""

_VIEWS = """
create or replace view submissions as
select submission_id, unit_code, year,
       case when outcome = 'rejected' then 'rejected'
            when lead(submission_id) over w is null then 'accepted'
            else 'superseded' end as status,
       sha256, source_name, raw_path, file_format, received_at, submitted_by, n_values, errors, warnings,
       case when outcome = 'accepted' then lead(received_at) over w end as superseded_at,
       indicator_codes, values_num, values_text, source_cells
from submission_log
window w as (partition by unit_code, year, outcome order by submission_id);

create or replace view submitted_values as
select submission_id, unit_code, year, status,
       unnest(indicator_codes) as indicator_code,
       unnest(values_num) as value_num,
       unnest(values_text) as value_text,
       unnest(source_cells) as source_cell
from submissions
where indicator_codes is not null;

create or replace view current_values as
select unit_code, year, indicator_code, value_num, value_text
from submitted_values
where status = 'accepted';

-- each unit with the unit that carries its history in today's structure
create or replace view unit_lineage as
with recursive chain(unit_code, current_code, depth) as (
    select unit_code, unit_code, 0 from units
    union all
    select c.unit_code, u.successor_code, c.depth + 1
    from chain c join units u on u.unit_code = c.current_code
    where u.successor_code is not null and c.depth < 20
)
select unit_code, arg_max(current_code, depth) as current_code
from chain group by unit_code;
"""


# per unit-year that ever had a file: is one in force now, and when the first accepted
# version arrived (a later correction does not make a report late)
RECEIVED_SQL = """
select unit_code, year,
       bool_or(status = 'accepted') as has_report,
       min(received_at) filter (where status in ('accepted', 'superseded')) as first_received_at
from snap.submissions
where unit_code is not null and year is not null
group by unit_code, year
"""


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: `path`, else $DASHBOARD_DB, else data/dashboard.duckdb."""
    return Path(path or os.environ.get("DASHBOARD_DB") or DEFAULT_DB)


def raw_dir(db: Path) -> Path:
    """Where received files are kept, by hash, next to the database."""
    return db.parent / "raw"


def snapshot_dir(db: Path) -> Path:
    return db.parent / f"{db.stem}.snapshots"


def _wide_view_sql() -> str:
    # one column per indicator: numbers for numeric kinds, text otherwise
    cols = []
    for ind in load_catalogue().values():
        field = "value_num" if ind.is_numeric else "value_text"
        cols.append(f"max({field}) filter (where indicator_code = '{ind.code}') as {ind.code}")
    return (
        "create or replace view unit_year_wide as select unit_code, year, "
        + ", ".join(cols)
        + " from current_values group by unit_code, year"
    )


def _catalogue_fingerprint() -> str:
    return hashlib.sha256(CATALOGUE_CSV.read_bytes()).hexdigest()[:16]


def _is_current(con: duckdb.DuckDBPyConnection) -> bool:
    if not con.execute("select count(*) from duckdb_tables() where table_name = 'meta'").fetchone()[0]:
        return False
    rows = dict(con.execute("select key, value from meta").fetchall())
    version = int(rows.get("schema_version") or 0)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"Cơ sở dữ liệu có phiên bản cấu trúc {version}, mới hơn phần mềm ({SCHEMA_VERSION}); hãy cập nhật phần mềm."
        )
    return version == SCHEMA_VERSION and rows.get("catalogue") == _catalogue_fingerprint()


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the schema and refresh the catalogue table from the CSV.

    Writes nothing when the database is already current (a dry run stays a dry run).
    """
    if _is_current(con):
        return
    con.execute(_TABLES)
    con.execute("insert or replace into meta values ('catalogue', ?)", [_catalogue_fingerprint()])
    con.execute("insert or replace into meta values ('schema_version', ?)", [str(SCHEMA_VERSION)])
    con.execute("insert or ignore into meta values ('data_version', '0')")
    con.execute("delete from indicators")
    con.executemany(
        "insert into indicators values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [i.code, i.domain, i.name_vi, i.short_vi, i.unit_vi, i.kind, i.min, i.max,
             i.direction, i.n_code, i.restate, _rule_text(i), i.position]
            for i in load_catalogue().values()
        ],
    )  # fmt: skip
    con.execute(_VIEWS)
    con.execute(_wide_view_sql())


def _rule_text(ind) -> str | None:
    if ind.choices:
        return "one of: " + " | ".join(ind.choices)
    return "; ".join(r.text for r in ind.rules) or None


class DatabaseBusy(RuntimeError):
    """Another writer (an ingest, or a dashboard publishing its first snapshot) holds the file."""


def _connect_waiting(db: Path, attempts: int = 20, wait_s: float = 0.5) -> duckdb.DuckDBPyConnection:
    # the only other holders are writers doing short work (viewers read snapshots),
    # so waiting a few seconds is enough
    for attempt in range(attempts):
        try:
            return duckdb.connect(str(db))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or attempt == attempts - 1:
                raise DatabaseBusy(
                    f"Cơ sở dữ liệu {db} đang được một tiến trình khác ghi (ví dụ một lệnh nạp khác). "
                    "Hãy chờ tiến trình đó xong rồi chạy lại."
                ) from exc
            time.sleep(wait_s)
    raise AssertionError("unreachable")


def connect(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open the main database read-write, creating it and its schema when missing."""
    db = db_path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = _connect_waiting(db)
    con.execute("begin")
    create_schema(con)
    con.execute("commit")
    return con


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("select value from meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into meta values (?, ?)", [key, value])


def bump_data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Mark a change; call inside the transaction that makes it."""
    version = int(get_meta(con, "data_version") or 0) + 1
    set_meta(con, "data_version", str(version))
    return version


def latest_snapshot(db: Path) -> Path | None:
    """The newest published snapshot of `db`, or None."""
    folder = snapshot_dir(db)
    if not folder.is_dir():
        return None
    snaps = sorted(folder.glob(f"v*-f{SNAPSHOT_FORMAT}.duckdb"))
    return snaps[-1] if snaps else None


def _materialise_restated(con: duckdb.DuckDBPyConnection) -> None:
    """snap.mart_unit_year_restated: mart_unit_year attributed to today's units (etl.restate).

    Restating a national history takes a few hundred ms in Polars; done here once per
    snapshot, the dashboard's "quy đổi" view reads as fast as the reported one.
    """
    wide = con.sql("select * from snap.mart_unit_year").pl()
    lineage = con.sql("select unit_code, current_code from unit_lineage").pl()
    restated = restate_wide(wide, lineage, load_catalogue())
    con.register("restated_panel", restated)
    try:
        con.execute("create table snap.mart_unit_year_restated as select * from restated_panel")
    finally:
        con.unregister("restated_panel")


def publish_snapshot(con: duckdb.DuckDBPyConnection, db: Path) -> Path:
    """Copy the committed database to a new read-only snapshot file and prune old ones.

    The copy is written under a temporary name and renamed, so a reader sees either
    the previous snapshot or the complete new one. Marts are materialised as tables.
    """
    version = int(get_meta(con, "data_version") or 0)
    folder = snapshot_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"v{version:09d}-f{SNAPSHOT_FORMAT}.duckdb"
    if final.exists():
        return final
    tmp = folder / f"tmp-{os.getpid()}.duckdb"
    tmp.unlink(missing_ok=True)
    source = con.execute("select current_database()").fetchone()[0]
    con.execute(f"attach '{tmp}' as snap")
    try:
        con.execute(f"copy from database {source} to snap")
        con.execute("create table snap.mart_unit_year as select * from snap.unit_year_wide")
        con.execute("create table snap.mart_values as select * from snap.current_values")
        con.execute(f"create table snap.mart_received as {RECEIVED_SQL}")
        _materialise_restated(con)
    finally:
        con.execute("detach snap")
    os.replace(tmp, final)
    current = sorted(folder.glob(f"v*-f{SNAPSHOT_FORMAT}.duckdb"))
    stale = [p for p in folder.glob("v*.duckdb") if p not in current]
    for old in stale + current[:-SNAPSHOTS_KEPT]:
        # unlinking a file a viewer still has open is safe on POSIX; the viewer
        # keeps reading it until it moves to the new snapshot
        old.unlink(missing_ok=True)
    return final


def published_facts(db: Path) -> tuple[dict[str, str], list[str]]:
    """The newest snapshot's meta table and unit codes, read without touching the main file.

    ({}, []) when nothing is published yet. For commands and the server, which must not
    wait on (or block) an ingest that holds the main file.
    """
    snap = latest_snapshot(db)
    if snap is None:
        return {}, []
    con = duckdb.connect(str(snap), read_only=True)
    try:
        meta = dict(con.execute("select key, value from meta").fetchall())
        codes = [r[0] for r in con.execute("select unit_code from units order by unit_code").fetchall()]
    finally:
        con.close()
    return meta, codes


def publish_first_snapshot(db: Path) -> Path:
    """Open the main file (waiting briefly while another writer holds it: DatabaseBusy after
    that) and publish a snapshot of it, for a reader that found none."""
    con = connect(db)
    try:
        return publish_snapshot(con, db)
    finally:
        con.close()
