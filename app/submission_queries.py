"""The SQL behind "Nộp báo cáo" and "Chi tiết báo cáo": file versions, their values, their raw files.

Beside app/queries.py and under the same rules: the snapshot path first (the cache key),
then the caller's `Scope`, enforced here in SQL, so a unit's account never receives another
unit's submissions, values, messages or files, whatever page or link it opens. Values are
bound parameters; results are fully fetched Polars frames.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from accounts.scope import Scope
from app.data import get_connection, query_frame, shared_frame
from app.queries import OutOfScope
from etl.db import raw_dir

# every file version of the units in scope, newest first, with its messages as JSON text
HISTORY_SQL = """
select submission_id, unit_code, year, status, source_name, received_at, submitted_by, sha256,
       n_values, coalesce(errors::varchar, '[]') as errors, coalesce(warnings::varchar, '[]') as warnings
from submissions
where (? or unit_code = ?) and (?::varchar is null or unit_code = ?) and (?::integer is null or year = ?)
order by received_at desc, submission_id desc
"""

# one unit-year's values in every version that had any (rejected files have none)
VERSION_VALUES_SQL = """
select submission_id, indicator_code, value_num, value_text, source_cell
from submitted_values
where unit_code = ? and year = ?
"""

# the unit-years that ever received a file, for the detail page's pickers
UNIT_YEARS_SQL = """
select unit_code, year, count(*)::bigint as n_versions
from submissions
where unit_code is not null and year is not null and (? or unit_code = ?)
group by unit_code, year
order by unit_code, year desc
"""

# one file version, for its download: only when it is in scope
ONE_SUBMISSION_SQL = """
select sha256, source_name from submissions
where submission_id = ? and (? or unit_code = ?)
"""


# one unit's values in force, every year (the entry form's pre-fill and outlier history)
UNIT_VALUES_SQL = """
select year, indicator_code, value_num, value_text
from mart_values
where unit_code = ?
order by year, indicator_code
"""


def _scope_params(scope: Scope) -> list:
    return [scope.sees_all_units, scope.unit_code]


@shared_frame
def submission_history(
    snapshot: str, scope: Scope, unit_code: str | None = None, year: int | None = None
) -> pl.DataFrame:
    """Every file version (accepted, superseded, rejected) in scope, newest first.

    `unit_code` and `year` narrow it further; a unit's scope gets its own unit's rows only
    (asking for another unit gives OutOfScope). Files whose unit could not be read belong
    to no unit: only the Sở sees them.
    """
    if unit_code is not None and not scope.allows_unit(unit_code):
        raise OutOfScope(unit_code)
    params = [*_scope_params(scope), unit_code, unit_code, year, year]
    return query_frame(snapshot, HISTORY_SQL, params).with_columns(pl.col("year").cast(pl.Int32))


@shared_frame
def version_values(snapshot: str, scope: Scope, unit_code: str, year: int) -> pl.DataFrame:
    """The values of every version of one unit-year (submission_id, indicator_code, value_num,
    value_text, source_cell); OutOfScope for another unit's scope."""
    if not scope.allows_unit(unit_code):
        raise OutOfScope(unit_code)
    return query_frame(snapshot, VERSION_VALUES_SQL, [unit_code, year])


@shared_frame
def unit_years(snapshot: str, scope: Scope) -> pl.DataFrame:
    """The unit-years in scope that received at least one file, with how many versions."""
    return query_frame(snapshot, UNIT_YEARS_SQL, _scope_params(scope)).with_columns(
        pl.col("year").cast(pl.Int32)
    )


@shared_frame
def unit_values(snapshot: str, scope: Scope, unit_code: str) -> pl.DataFrame:
    """The values in force of one unit, all years (year, indicator_code, value_num, value_text);
    OutOfScope for another unit's scope."""
    if not scope.allows_unit(unit_code):
        raise OutOfScope(unit_code)
    return query_frame(snapshot, UNIT_VALUES_SQL, [unit_code]).with_columns(pl.col("year").cast(pl.Int32))


def raw_file(snapshot: str, scope: Scope, db: Path, submission_id: int) -> tuple[str, bytes] | None:
    """(file name, bytes) of a version as it was received, or None (out of scope, or no longer kept).

    The path is rebuilt from the hash under the raw folder, never read from the table, so
    nothing stored can point the server at another file; the bytes are checked against it.
    """
    import hashlib

    found = query_frame(snapshot, ONE_SUBMISSION_SQL, [submission_id, *_scope_params(scope)])
    if found.is_empty():
        return None
    sha, name = found.row(0)
    if not isinstance(sha, str) or len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
        return None
    path = raw_dir(db) / sha[:2] / f"{sha}{Path(name).suffix.lower()}"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha:
        return None
    return name, data


@st.cache_data(show_spinner=False)
def registered_units(snapshot: str) -> list:
    """The snapshot's unit registry as etl.registry.Unit objects (what etl.template needs)."""
    from etl.ingest import registry_from_db

    cur = get_connection(snapshot).cursor()
    try:
        return sorted(registry_from_db(cur).units.values(), key=lambda u: u.unit_code)
    finally:
        cur.close()


@st.cache_resource(show_spinner=False, max_entries=4)
def unit_registry(snapshot: str):
    """The snapshot's unit registry as an etl.registry.Registry (name matching, for validation)."""
    from etl.registry import Registry

    return Registry(registered_units(snapshot))
