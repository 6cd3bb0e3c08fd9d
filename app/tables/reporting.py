"""Who was expected to report each year, who did, and the same in today's units (restated view)."""

from __future__ import annotations

import polars as pl

from app.tables.common import DEADLINE_DAY, DEADLINE_MONTH, in_year, type_label


def reporting_by_year(expected: pl.DataFrame) -> pl.DataFrame:
    """Per year: units expected (active that year), units that reported, rate, late reports.

    `expected` is queries.reporting (one row per active unit-year), already scoped. A unit
    that closed is not expected after its last year, so the rate never exceeds 100%.
    """
    deadline = pl.datetime(pl.col("year"), DEADLINE_MONTH, DEADLINE_DAY, 23, 59, 59)
    return (
        expected.group_by("year")
        .agg(
            expected=pl.len().cast(pl.Int64),
            reported=pl.col("has_report").sum().cast(pl.Int64),
            late=(pl.col("first_received_at") > deadline).sum().cast(pl.Int64),
        )
        .with_columns(rate_pct=100 * pl.col("reported") / pl.col("expected"))
        .sort("year")
    )


def missing_reports(expected: pl.DataFrame, year: int) -> pl.DataFrame:
    """Units active in `year` that sent no accepted report."""
    return (
        in_year(expected, year)
        .filter(~pl.col("has_report"))
        .select("unit_code", "short_name", type_label(), "area")
        .sort("unit_code")
    )


def expected_with_reports(expected: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """queries.expected_units plus `has_report`: the unit-year has a row in the (as-reported) panel.

    Cheaper than queries.reporting when the page does not need when files arrived.
    """
    reported = panel.select("unit_code", "year").unique().with_columns(has_report=pl.lit(True))
    return expected.join(reported, on=["unit_code", "year"], how="left").with_columns(
        has_report=pl.col("has_report").fill_null(False), first_received_at=pl.lit(None, pl.Datetime)
    )


def expected_current(expected: pl.DataFrame) -> pl.DataFrame:
    """The expected unit-years in today's units: expected when the unit or a predecessor was.

    Used in the restated view, where a merged centre's history includes its predecessors'
    years; the name and type are today's unit's. `has_report` (when present) is true when
    any of them reported.
    """
    today = (
        expected.filter(pl.col("unit_code") == pl.col("current_code"))
        .select("unit_code", "short_name", "unit_type", "area", "rank_pool", "rank_group")
        .unique("unit_code")
    )
    aggs = [pl.col("has_report").any()] if "has_report" in expected.columns else [pl.len().alias("_n")]
    mapped = expected.group_by(pl.col("current_code").alias("unit_code"), "year").agg(*aggs)
    return (
        mapped.join(today, on="unit_code", how="inner")
        .with_columns(current_code=pl.col("unit_code"))
        .drop("_n", strict=False)
        .sort("year", "unit_code")
    )


def expected_in_view(expected: pl.DataFrame, panel: pl.DataFrame, restated: bool) -> pl.DataFrame:
    """Who was expected to report each year, in the units the panel shows, with `has_report`."""
    return expected_with_reports(expected_current(expected) if restated else expected, panel)
