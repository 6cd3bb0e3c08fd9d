"""The data behind "Kiểm tra số liệu": the values in force and every finding, in the caller's scope.

Beside app/queries.py and under its rules: the snapshot path first (the cache key), then the
caller's `Scope`, enforced in SQL where values are read; bound parameters only. The checks
themselves are the pure transforms of app/tables/data_checks.py; `findings` runs them once
per snapshot and scope (cached), since the outlier check reads every year of every unit.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from accounts.scope import Scope
from app import queries
from app.data import query_frame, shared_frame
from app.tables import data_checks
from app.tables.cchc import cchc_ranked

# the numbers in force (latest accepted version of each unit-year), one row per value
NUMERIC_VALUES_SQL = """
select unit_code, year::integer as year, indicator_code, value_num
from mart_values
where value_num is not null and (? or unit_code = ?)
"""

# the unit-years that have a file in force or ever had one (what "Chi tiết báo cáo" shows)
REPORTED_SQL = """
select distinct unit_code, year::integer as year
from submissions
where unit_code is not null and year is not null and (? or unit_code = ?)
"""


@shared_frame
def numeric_values(snapshot: str, scope: Scope) -> pl.DataFrame:
    """unit_code, year, indicator_code, value_num of every number in force in scope."""
    frame = query_frame(snapshot, NUMERIC_VALUES_SQL, [scope.sees_all_units, scope.unit_code])
    return frame.with_columns(pl.col("year").cast(pl.Int32))


@st.cache_data(show_spinner=False)
def reported_unit_years(snapshot: str, scope: Scope) -> set[tuple[str, int]]:
    """(unit_code, year) pairs in scope with at least one file received (a submission to link to)."""
    frame = query_frame(snapshot, REPORTED_SQL, [scope.sees_all_units, scope.unit_code])
    return {(u, int(y)) for u, y in frame.iter_rows()}


@shared_frame
def findings(snapshot: str, scope: Scope) -> pl.DataFrame:
    """Every finding of every check, all years, in scope (app/tables/data_checks.py's schema
    plus unit_type and area for the sidebar's filters).

    Ranks are computed on the whole pool (a unit's rank belongs to it), then cut to scope.
    """
    units = queries.units(snapshot)
    ranked = cchc_ranked(queries.panel(snapshot, data_checks.RANK_CODES, False))
    expected = queries.expected_units(units, queries.years(snapshot))
    panel = queries.panel(snapshot, data_checks.rule_codes(), False)
    found = pl.concat(
        [
            data_checks.outliers(numeric_values(snapshot, scope), units),
            data_checks.rule_findings(panel),
            data_checks.rank_findings(ranked, expected),
        ]
    )
    if not scope.sees_all_units:
        found = found.filter(pl.col("unit_code") == scope.unit_code)
    return found.join(units.select("unit_code", "unit_type", "area"), on="unit_code", how="left").sort(
        "year", "unit_code", "check", "indicator_code", descending=[True, False, False, False]
    )
