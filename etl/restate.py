"""Restating: the history of today's units, with what their predecessors reported attributed to them.

"Quy đổi theo cơ cấu hiện tại" (DOMAIN.md): a renamed unit's values move to its new code; a
merged unit's values combine with its partners' by the catalogue's `restate` rule. Pure
Polars on frames, no I/O: etl.db.publish_snapshot materialises the restated panel once per
snapshot (mart_unit_year_restated), so a page reads it as fast as the reported one.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from etl.catalogue import Indicator

KEYS = ["unit_code", "year"]


def _num(expr: pl.Expr) -> pl.Expr:
    """A numeric expression as Float64 with NaN turned into null (blank)."""
    return expr.cast(pl.Float64).fill_nan(None)


def restate_to_current(
    long: pl.DataFrame,
    lineage: pl.DataFrame,
    catalogue: Mapping[str, Indicator],
    *,
    with_sources: bool = True,
) -> pl.DataFrame:
    """Attribute each value to the unit that carries its history today ("quy đổi theo cơ cấu hiện tại").

    `long` has unit_code, year, indicator_code, value_num (as `current_values`); `lineage` has
    unit_code, current_code (as `unit_lineage`; a unit missing from it stands for itself).
    Per today's unit, year and indicator, the catalogue's `restate` rule combines the
    predecessors' values:
    - "sum": summed (only reported values: a predecessor that left it blank adds nothing);
    - "wmean": weighted by the same unit-year's value of the indicator's `n_code` (survey
      forms); when any source in the group lacks a positive weight, the plain mean is used
      and `method` says "mean_fallback". Keep the n_code rows in `long` or every merged
      group falls back;
    - "mean": plain mean;
    - "none": dropped (ranks and scores belong to their pool and year).
    Returns unit_code (today's code), year, indicator_code, value_num, n_sources (units that
    contributed a value), source_units (their codes, ", "-joined, sorted) and method ("sum",
    "wmean", "mean", or "mean_fallback" when a survey size was missing). `with_sources=False`
    skips source_units, the costly part, for callers that label sources per unit-year themselves.
    """
    rules = pl.DataFrame(
        {
            "indicator_code": [i.code for i in catalogue.values()],
            "restate": [i.restate for i in catalogue.values()],
            "n_code": [i.n_code for i in catalogue.values()],
        },
        schema={"indicator_code": pl.String, "restate": pl.String, "n_code": pl.String},
    )
    links = lineage.select("unit_code", "current_code").unique("unit_code")
    sizes = long.select(
        "unit_code",
        "year",
        pl.col("indicator_code").alias("n_code"),
        _num(pl.col("value_num")).alias("weight"),
    ).filter(pl.col("weight").is_not_null())
    values = (
        long.select("unit_code", "year", "indicator_code", _num(pl.col("value_num")).alias("value_num"))
        .filter(pl.col("value_num").is_not_null())
        .join(rules.filter(pl.col("restate") != "none"), on="indicator_code", how="inner")
        .join(links, on="unit_code", how="left")
        .with_columns(current_code=pl.coalesce("current_code", "unit_code"))
        .join(sizes, on=["unit_code", "year", "n_code"], how="left")
    )
    # a group is weighted only when every source has a positive survey size
    has_weights = (pl.col("weight") > 0).fill_null(False).all()
    sources = [pl.col("unit_code").sort().str.join(", ").alias("source_units")] if with_sources else []
    combined = values.group_by("current_code", "year", "indicator_code", "restate").agg(
        *sources,
        n_sources=pl.len().cast(pl.Int64),
        total=pl.col("value_num").sum(),
        mean=pl.col("value_num").mean(),
        weighted=(pl.col("value_num") * pl.col("weight")).sum() / pl.col("weight").sum(),
        has_weights=has_weights,
    )
    restate = pl.col("restate")
    fallback = (restate == "wmean") & ~pl.col("has_weights") & (pl.col("n_sources") > 1)
    value = (
        pl.when(restate == "sum")
        .then(pl.col("total"))
        .when((restate == "wmean") & pl.col("has_weights"))
        .then(pl.col("weighted"))
        .otherwise(pl.col("mean"))
    )
    return combined.select(
        pl.col("current_code").alias("unit_code"),
        "year",
        "indicator_code",
        value.alias("value_num"),
        "n_sources",
        *(["source_units"] if with_sources else []),
        pl.when(fallback).then(pl.lit("mean_fallback")).otherwise(restate).alias("method"),
    ).sort("unit_code", "year", "indicator_code")


def restate_wide(
    wide: pl.DataFrame, lineage: pl.DataFrame, catalogue: Mapping[str, Indicator]
) -> pl.DataFrame:
    """A reported unit-year panel (unit_code, year, one column per indicator) attributed to today's units.

    Numeric indicators are combined by their catalogue rule (restate_to_current); indicators
    the catalogue does not restate (ranks, scores, ratings, text) keep only the values a unit
    that still exists reported itself. Adds n_sources and source_units ("gộp từ ...": the
    units that reported that year). Only lineage groups with more than one unit go through
    the restating; every other unit's history is already today's. `lineage` has unit_code
    and current_code; a unit missing from it stands for itself.
    """
    codes = [c for c in wide.columns if c in catalogue]
    numeric = [c for c in codes if catalogue[c].is_numeric and catalogue[c].restate != "none"]
    own_codes = [c for c in codes if c not in numeric]
    links = lineage.select("unit_code", "current_code").unique("unit_code")
    wide = wide.join(links, on="unit_code", how="left").with_columns(
        current_code=pl.coalesce("current_code", "unit_code")
    )
    moved = links.filter(pl.col("unit_code") != pl.col("current_code"))
    in_lineage = pl.col("current_code").is_in(moved["current_code"].unique().implode())
    sources = wide.group_by(pl.col("current_code").alias("unit_code"), "year").agg(
        n_sources=pl.len().cast(pl.Int64), source_units=pl.col("unit_code").sort().str.join(", ")
    )
    # units outside any lineage: their own values are today's values
    plain = wide.filter(~in_lineage).select(*KEYS, *codes)
    affected = wide.filter(in_lineage)
    parts: list[pl.DataFrame] = []
    if numeric and not affected.is_empty():
        long = affected.select(*KEYS, *(pl.col(c).cast(pl.Float64) for c in numeric)).unpivot(
            index=KEYS, on=numeric, variable_name="indicator_code", value_name="value_num"
        )
        restated = restate_to_current(long, links, catalogue, with_sources=False)
        parts.append(restated.pivot(on="indicator_code", index=KEYS, values="value_num"))
    if own_codes and not affected.is_empty():
        parts.append(affected.filter(pl.col("unit_code") == pl.col("current_code")).select(*KEYS, *own_codes))
    merged = parts[0] if parts else affected.select(KEYS).head(0)
    for extra in parts[1:]:
        merged = merged.join(extra, on=KEYS, how="full", coalesce=True)
    merged = merged.with_columns(
        pl.lit(None, dtype=wide.schema[c]).alias(c) for c in codes if c not in merged.columns
    ).select(
        *(pl.col(k).cast(wide.schema[k]) for k in KEYS), *(pl.col(c).cast(wide.schema[c]) for c in codes)
    )
    return (
        pl.concat([plain, merged], how="vertical")
        .join(sources, on=KEYS, how="left")
        .select(*KEYS, *codes, "n_sources", "source_units")
        .sort(*KEYS)
    )
