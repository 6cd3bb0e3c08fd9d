"""The satisfaction page's tables: pooled trends with Wilson bounds, the unit x year grid, units
against a target, the mean 5-point score."""

from __future__ import annotations

import polars as pl

from app import metrics
from app.tables.common import SATISFACTION_CODES, SCORE_CODES, unit_identity
from etl.catalogue import load_catalogue


def satisfaction_trend(panel: pl.DataFrame, codes: tuple[str, ...] = SATISFACTION_CODES) -> pl.DataFrame:
    """Province-wide satisfaction per year and survey: forms pooled over the units, Wilson 95% bounds.

    Returns year, indicator_code, label, pct, n (forms pooled), lo, hi, n_units (with a
    survey size), n_units_no_size (reported a rate without a survey size: left out).
    """
    cat = load_catalogue()
    frames = []
    for code in codes:
        n_code = cat[code].n_code
        pct, n = pl.col(code), pl.col(n_code)
        valid = pct.is_not_null() & n.is_not_null() & (n > 0)
        agg = panel.group_by("year").agg(
            satisfied=pl.when(valid).then(pct * n / 100).sum(),
            n=pl.when(valid).then(n).sum(),
            n_units=valid.sum().cast(pl.Int64),
            n_units_no_size=(pct.is_not_null() & ~valid).sum().cast(pl.Int64),
        )
        agg = agg.with_columns(pct=pl.when(pl.col("n") > 0).then(100 * pl.col("satisfied") / pl.col("n")))
        lo, hi = metrics.wilson_interval("pct", "n")
        frames.append(
            agg.with_columns(lo.alias("lo"), hi.alias("hi")).with_columns(
                indicator_code=pl.lit(code), label=pl.lit(cat[code].short_vi)
            )
        )
    return (
        pl.concat(frames)
        .filter(pl.col("n_units") > 0)
        .select("year", "indicator_code", "label", "pct", "n", "lo", "hi", "n_units", "n_units_no_size")
        .sort("indicator_code", "year")
    )


def unit_year_grid(
    panel: pl.DataFrame, expected: pl.DataFrame, code: str, years: tuple[int, int]
) -> pl.DataFrame:
    """Unit x year cells of one indicator with a status: reported, "Chưa báo cáo", or not active.

    `expected` (queries.reporting, scoped) says which unit was active which year; the
    grid covers every unit that reported the indicator at least once in the period (an
    indicator a unit type never reports does not fill the grid with grey). Adds the
    survey size when the indicator has one, and for a unit that has merged into another the
    short name of the unit it lives on in today (`successor_name`, else blank).
    """
    n_code = load_catalogue()[code].n_code
    y0, y1 = years
    exp = expected.filter(pl.col("year").is_between(y0, y1)).select("unit_code", "year")
    names = dict(expected.select("unit_code", "short_name").unique("unit_code").iter_rows())
    current = pl.col("current_code") if "current_code" in expected.columns else pl.col("unit_code")
    unit_list = (
        expected.filter(pl.col("year").is_between(y0, y1))
        .select(
            "unit_code",
            "short_name",
            "rank_group",
            successor_name=pl.when(current != pl.col("unit_code")).then(
                current.replace_strict(names, default=current, return_dtype=pl.String)
            ),
        )
        .unique("unit_code")
    )
    grid = unit_list.join(
        pl.DataFrame({"year": list(range(y0, y1 + 1))}, schema={"year": pl.Int32}), how="cross"
    )
    vals = panel.select(
        "unit_code",
        "year",
        pl.col(code).alias("value"),
        (pl.col(n_code) if n_code else pl.lit(None, pl.Float64)).alias("n"),
    )
    grid = (
        grid.join(exp.with_columns(active=pl.lit(True)), on=["unit_code", "year"], how="left")
        .join(vals, on=["unit_code", "year"], how="left")
        .with_columns(
            status=pl.when(pl.col("value").is_not_null())
            .then(pl.lit("reported"))
            .when(pl.col("active").fill_null(False))
            .then(pl.lit("missing"))
            .otherwise(pl.lit("inactive"))
        )
    )
    reporters = grid.filter(pl.col("status") == "reported")["unit_code"].unique()
    return (
        grid.filter(pl.col("unit_code").is_in(reporters.implode()))
        .select("unit_code", "short_name", "rank_group", "successor_name", "year", "value", "n", "status")
        .sort("unit_code", "year")
    )


def limit_grid(grid: pl.DataFrame, year: int, n: int, max_units: int) -> tuple[pl.DataFrame, int]:
    """Keep the `n` best and `n` worst units by their value in `year` when there are over `max_units`.

    Returns the (possibly) reduced grid and the number of units it had.
    """
    units_total = grid["unit_code"].n_unique()
    if units_total <= max(max_units, 2 * n):
        return grid, units_total
    latest = grid.filter((pl.col("year") == year) & pl.col("value").is_not_null()).sort("value")
    keep = set(latest["unit_code"].head(n).to_list()) | set(latest["unit_code"].tail(n).to_list())
    return grid.filter(pl.col("unit_code").is_in(sorted(keep))), units_total


def unit_satisfaction(panel_year: pl.DataFrame, code: str) -> pl.DataFrame:
    """Every unit's value in one survey that year with its survey size and Wilson bounds."""
    n_code = load_catalogue()[code].n_code
    lo, hi = metrics.wilson_interval(code, n_code)
    return (
        panel_year.filter(pl.col(code).is_not_null())
        .select(
            *unit_identity(),
            pct=pl.col(code),
            n=pl.col(n_code),
            lo=lo,
            hi=hi,
        )
        .sort("pct", "unit_code")
    )


def score_trend(panel: pl.DataFrame) -> pl.DataFrame:
    """Mean 5-point satisfaction score per year (weighted by survey forms when known)."""
    cat = load_catalogue()
    frames = []
    for code in SCORE_CODES:
        n = pl.col(cat[code].n_code)
        score = pl.col(code)
        weighted = score.is_not_null() & n.is_not_null() & (n > 0)
        frames.append(
            panel.group_by("year")
            .agg(
                wsum=pl.when(weighted).then(score * n).sum(),
                wn=pl.when(weighted).then(n).sum(),
                plain=score.mean(),
                n_units=score.count().cast(pl.Int64),
                n=pl.when(weighted).then(n).sum(),
            )
            .with_columns(
                score=pl.when(pl.col("wn") > 0)
                .then(pl.col("wsum") / pl.col("wn"))
                .otherwise(pl.col("plain")),
                indicator_code=pl.lit(code),
                label=pl.lit(cat[code].short_vi),
            )
        )
    return (
        pl.concat(frames)
        .filter(pl.col("n_units") > 0)
        .select("year", "indicator_code", "label", "score", "n", "n_units")
        .sort("indicator_code", "year")
    )


def below_target(panel_year: pl.DataFrame, code: str, target: float) -> pl.DataFrame:
    """Units under `target` % in one survey that year, worst first, with 95% Wilson bounds.

    `certain` is True when even the upper bound is under the target (not a small-sample effect).
    """
    return (
        unit_satisfaction(panel_year, code)
        .filter(pl.col("pct") < target)
        .with_columns(certain=(pl.col("hi") < target).fill_null(False))
    )
