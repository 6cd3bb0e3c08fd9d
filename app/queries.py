"""Every SQL query the dashboard runs, against one read-only snapshot.

Each public function takes the snapshot path first: it is the cache key, and a new
snapshot (new data) is a new path, so an ingest shows at once. Queries that return
submissions, files or messages also take the caller's `Scope` (accounts.scope) and
enforce it here, where the data is read: a unit's scope never gets another unit's rows. Values are bound
parameters; column names come only from the indicator catalogue. Results are Polars
frames (or plain Python values for tiny lookups), always fully fetched so a cursor
never holds the connection.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from accounts.scope import Scope
from app.data import get_connection, query_frame, shared_frame
from etl.catalogue import load_catalogue

# Queries stay on single tables (the mart, units, submissions) and the pages join the small
# cached units frame in Polars: joining the recursive lineage view in every query cost
# 50-100 ms at national scale, the plain mart read costs 3 ms.
UNITS_SQL = """
select unit_code, name, short_name, unit_type, coalesce(area, '') as area, valid_from, valid_to,
       successor_code, rank_pool, coalesce(aliases, '') as aliases
from units
"""

YEARS_SQL = "select distinct year from mart_unit_year where year is not null order by year"

META_SQL = "select key, value from meta"

# materialised by etl.db.publish_snapshot (RECEIVED_SQL): has_report, first_received_at
RECEIVED_SQL = "select unit_code, year, has_report, first_received_at from mart_received"

# one row per file version received, rejected ones included, for the operators' intake page
INTAKE_SQL = """
select unit_code, year, status, source_name, received_at,
       coalesce(json_array_length(warnings), 0)::bigint as n_warnings,
       coalesce(json_array_length(errors), 0)::bigint as n_errors,
       json_extract_string(errors, '$[0].message') as first_error
from submissions
"""

ONLY_UNITS = " where unit_code in (select unnest(?))"
ONE_YEAR = " where year = ?"
ONE_UNIT = " where unit_code = ?"

# rank_group keeps rankings apart: a real province is one group (""); in the national
# demo each province ranks its own units and unit codes carry the province (P07_...)
_RANK_GROUP = pl.col("unit_code").str.extract(r"^(P\d\d)_", 1).fill_null("")


class OutOfScope(PermissionError):
    """A query asked for a unit's submissions, files or messages outside the caller's scope."""


def _numeric_or_text_codes(codes: tuple[str, ...]) -> list[str]:
    """Only catalogue codes may become column names in SQL text."""
    catalogue = load_catalogue()
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        raise ValueError(f"unknown indicator codes: {unknown}")
    return list(dict.fromkeys(codes))


@st.cache_data(show_spinner=False)
def meta(snapshot: str) -> dict[str, str]:
    """The snapshot's meta table as a dict (is_demo, data_version, schema_version...)."""
    cur = get_connection(snapshot).cursor()
    try:
        return dict(cur.execute(META_SQL).fetchall())
    finally:
        cur.close()


@st.cache_data(show_spinner=False)
def years(snapshot: str) -> list[int]:
    """The years that have at least one accepted value, ascending."""
    cur = get_connection(snapshot).cursor()
    try:
        return [int(r[0]) for r in cur.execute(YEARS_SQL).fetchall()]
    finally:
        cur.close()


@shared_frame
def units(snapshot: str) -> pl.DataFrame:
    """Every registered unit with its type, area, validity, rank pool, current successor and rank group."""
    registry = query_frame(snapshot, UNITS_SQL)
    return registry.with_columns(current_code=_current_codes(registry), rank_group=_RANK_GROUP).sort(
        "unit_code"
    )


def _current_codes(registry: pl.DataFrame) -> pl.Series:
    """Each unit's current successor, following successor_code like the unit_lineage view.

    Done in Python: the recursive view costs more than the whole registry read at 5.000 units.
    """
    successor = dict(zip(registry["unit_code"].to_list(), registry["successor_code"].to_list(), strict=True))
    out = []
    for code in registry["unit_code"].to_list():
        seen = {code}
        while (nxt := successor.get(code)) and nxt not in seen and nxt in successor:
            seen.add(nxt)
            code = nxt
        out.append(code)
    return pl.Series("current_code", out, dtype=pl.String)


def _with_units(values: pl.DataFrame, all_units: pl.DataFrame) -> pl.DataFrame:
    """Unit attributes joined onto unit-year values, in the column order pages expect."""
    attrs = all_units.select(*UNIT_ATTRIBUTES)
    rest = [c for c in values.columns if c not in ("unit_code", "year")]
    return (
        values.join(attrs, on="unit_code", how="inner")
        .select("year", *UNIT_ATTRIBUTES, *rest)
        .sort("year", "unit_code")
    )


def _unit_years(
    snapshot: str, cols: list[str], *, restated: bool, where: str = "", params: list | None = None
) -> pl.DataFrame:
    """Unit-year rows with `cols`, n_sources and source_units, joined to the unit attributes.

    As reported, every row is its own single source; restated, the rows come from the mart
    attributed to today's units (etl.restate). `where` (ONLY_UNITS, ONE_YEAR) filters on the
    values bound from `params`.
    """
    if restated:
        mart, sources = "mart_unit_year_restated", "n_sources, source_units"
    else:
        mart, sources = "mart_unit_year", "1::bigint as n_sources, unit_code as source_units"
    sql = f"select unit_code, year, {', '.join([*cols, sources])} from {mart}{where}"
    return _with_units(query_frame(snapshot, sql, params), units(snapshot))


def expected_units(all_units: pl.DataFrame, year_list: list[int]) -> pl.DataFrame:
    """One row per unit and year the unit was active (valid_from/valid_to): who should report.

    A unit closed in 2024 is not expected in 2025, so a reporting rate never passes 100%.
    """
    grid = all_units.select(*UNIT_ATTRIBUTES, "valid_from", "valid_to").join(
        pl.DataFrame({"year": year_list}, schema={"year": pl.Int32}), how="cross"
    )
    active = (pl.col("valid_from").is_null() | (pl.col("valid_from") <= pl.col("year"))) & (
        pl.col("valid_to").is_null() | (pl.col("year") <= pl.col("valid_to"))
    )
    return grid.filter(active).select("year", *UNIT_ATTRIBUTES)


# the unit list's change log (etl/unit_changes.py); a snapshot published before it existed has none
UNIT_CHANGES_SQL = """
select change_id, change_kind, effective_year, from_codes, to_codes, old_name, new_name, changed_at, changed_by
from unit_changes order by change_id
"""
HAS_UNIT_CHANGES_SQL = "select count(*) from duckdb_tables() where table_name = 'unit_changes'"


@shared_frame
def unit_changes(snapshot: str) -> pl.DataFrame:
    """Every rename, merger, split and closure of the unit list, oldest first (none in an older snapshot)."""
    cur = get_connection(snapshot).cursor()
    try:
        if cur.execute(HAS_UNIT_CHANGES_SQL).fetchall()[0][0]:
            return cur.sql(UNIT_CHANGES_SQL).pl()
    finally:
        cur.close()
    return pl.DataFrame(
        schema={
            "change_id": pl.Int32, "change_kind": pl.String, "effective_year": pl.Int32,
            "from_codes": pl.List(pl.String), "to_codes": pl.List(pl.String), "old_name": pl.String,
            "new_name": pl.String, "changed_at": pl.Datetime, "changed_by": pl.String,
        }
    )  # fmt: skip


def intake_log(snapshot: str, scope: Scope) -> pl.DataFrame:
    """Every file version received (accepted, superseded, rejected) with its message counts.

    A unit's scope gets its own unit's rows only, filtered here in SQL: files whose unit
    could not be read belong to no unit and are the Sở's to see. Every role that sees all
    units shares one cached frame.
    """
    return _intake_rows(snapshot, None if scope.sees_all_units else scope.unit_code)


@shared_frame
def _intake_rows(snapshot: str, unit_code: str | None) -> pl.DataFrame:
    """intake_log's rows: every file's (`unit_code` None) or one unit's."""
    if unit_code is None:
        frame = query_frame(snapshot, INTAKE_SQL)
    else:
        frame = query_frame(snapshot, INTAKE_SQL + ONE_UNIT, [unit_code])
    return frame.with_columns(pl.col("year").cast(pl.Int32))


@shared_frame
def received(snapshot: str) -> pl.DataFrame:
    """Per unit-year that ever had an accepted file: has_report (one in force now), first_received_at."""
    return query_frame(snapshot, RECEIVED_SQL).with_columns(pl.col("year").cast(pl.Int32))


@shared_frame
def reporting(snapshot: str) -> pl.DataFrame:
    """Units expected to report each year (expected_units) with `has_report` and `first_received_at`.

    Built from three cached frames (units, years, received) and cached itself: about 2 MB at
    national scale, held once for every reader, where building it took 30 ms a page run.
    """
    return (
        expected_units(units(snapshot), years(snapshot))
        .join(received(snapshot), on=["unit_code", "year"], how="left")
        .with_columns(has_report=pl.col("has_report").fill_null(False))
        .sort("year", "unit_code")
    )


@shared_frame
def unit_texts(snapshot: str, unit_code: str, scope: Scope) -> pl.DataFrame:
    """One unit's ratings, yes/no criteria and free text (highlights, difficulties, proposals) by year.

    What a unit wrote to the Sở is for the Sở and that unit: another unit's scope gets
    OutOfScope, never the rows.
    """
    if not scope.allows_unit(unit_code):
        raise OutOfScope(unit_code)
    text_codes = [c for c, ind in load_catalogue().items() if not ind.is_numeric]
    sql = f"select unit_code, year, {', '.join(text_codes)} from mart_unit_year{ONLY_UNITS}"
    return query_frame(snapshot, sql, [[unit_code]]).drop("unit_code").sort("year")


# the unit attributes a unit-year frame carries (full names and validity stay in `units`,
# so the cached unit-year frames stay lean)
UNIT_ATTRIBUTES = ("unit_code", "short_name", "unit_type", "area", "rank_pool", "current_code", "rank_group")
_SOURCES = ("n_sources", "source_units")  # which reports a row rests on (_unit_years)


def _with_survey_sizes(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The codes plus the survey-size indicators their rates are weighted by."""
    catalogue = load_catalogue()
    codes = tuple(_numeric_or_text_codes(codes))
    extra = [catalogue[c].n_code for c in codes if catalogue[c].n_code]
    return tuple(dict.fromkeys([*codes, *(e for e in extra if e)]))


def panel(snapshot: str, codes: tuple[str, ...], restated: bool = False) -> pl.DataFrame:
    """The unit-year frame a page charts: as reported, or restated to today's units.

    Survey sizes behind the requested rates are always included (hovers and Wilson
    intervals need them). Blank stays null (not reported); the page decides how to draw it.
    Numeric indicators are columns picked from one cached frame of them all (a pick shares
    its columns, so each page's panel costs no memory of its own); text ones get a query.
    """
    cols = _numeric_or_text_codes(_with_survey_sizes(codes))
    catalogue = load_catalogue()
    if all(catalogue[c].is_numeric for c in cols):
        return _numeric_panel(snapshot, restated).select("year", *UNIT_ATTRIBUTES, *cols, *_SOURCES)
    return _text_panel(snapshot, tuple(cols), restated)


@shared_frame
def _numeric_panel(snapshot: str, restated: bool) -> pl.DataFrame:
    """Every numeric indicator of every unit-year, with the unit attributes (see panel)."""
    cols = [c for c, ind in load_catalogue().items() if ind.is_numeric]
    return _unit_years(snapshot, cols, restated=restated)


@shared_frame
def year_panel(snapshot: str, codes: tuple[str, ...], year: int, restated: bool = False) -> pl.DataFrame:
    """panel's rows of one year only: for what a page shows of a single year from long text
    (what units wrote), which the whole history would hold in memory eleven times over."""
    cols = _numeric_or_text_codes(_with_survey_sizes(codes))
    return _unit_years(snapshot, cols, restated=restated, where=ONE_YEAR, params=[year])


@shared_frame
def _text_panel(snapshot: str, cols: tuple[str, ...], restated: bool) -> pl.DataFrame:
    """panel for codes that include text: a query of its own (texts are long; most pages need none)."""
    return _unit_years(snapshot, list(cols), restated=restated)


@shared_frame
def unit_history(
    snapshot: str, codes: tuple[str, ...], unit_codes: tuple[str, ...], restated: bool = False
) -> pl.DataFrame:
    """The given units' rows (all years) with the given indicators; restated to today's units on demand.

    Restated rows are keyed by today's units (their predecessors' values are attributed to
    them), so only today's codes among `unit_codes` match.
    """
    cols = _numeric_or_text_codes(_with_survey_sizes(codes))
    return _unit_years(snapshot, cols, restated=restated, where=ONLY_UNITS, params=[list(unit_codes)])
