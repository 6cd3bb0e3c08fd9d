"""Pure computations on Polars frames: ranks, percentiles, intervals, rates, the composite index.

Everything here takes frames or expressions and returns new ones: no Streamlit, no SQL, no
I/O, and no input frame is ever mutated. Blank is not zero: a null stays null through every
computation, except where the catalogue says a blank counts as 0 (`complaints_carried_in` in
the resolution rate). NaN is treated as blank too, so it can never win a ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import polars as pl

NOTE_LOW_COVERAGE = "Thiếu dữ liệu"
NOTE_NO_WEIGHTS = "Chưa chọn chỉ tiêu nào"

# MAD * 1.4826 estimates the standard deviation of normally distributed values
MAD_TO_SD = 1.4826

# float noise below this is not a difference between two composite scores
_COMPOSITE_DIGITS = 9
_COVERAGE_EPS = 1e-9


def _num(expr: pl.Expr) -> pl.Expr:
    """A numeric expression as Float64 with NaN turned into null (blank)."""
    return expr.cast(pl.Float64).fill_nan(None)


def _windowed(expr: pl.Expr, group_cols: Sequence[str]) -> pl.Expr:
    # over() needs at least one key; no keys means the whole frame is one pool
    return expr.over(list(group_cols)) if group_cols else expr


def competition_rank(
    df: pl.DataFrame, score_col: str, group_cols: list[str], higher_is_better: bool = True
) -> pl.DataFrame:
    """Add `rank_computed` (competition ranking, "đồng hạng") and `n_ranked` within each group.

    Equal scores share the best rank of their tie and the next rank skips (1, 2, 2, 4).
    Rank 1 is the best. Rows with a blank score get a null rank; `n_ranked` is the number of
    ranked rows in the row's group. Put the year and the rank pool in `group_cols` so pools
    are never mixed.

    >>> df = pl.DataFrame({"year": [2024] * 4, "cchc_score": [90.0, 85.0, 85.0, 80.0]})
    >>> competition_rank(df, "cchc_score", ["year"])["rank_computed"].to_list()
    [1, 2, 2, 4]
    """
    score = _num(pl.col(score_col))
    rank = _windowed(score.rank("min", descending=higher_is_better), group_cols)
    n_ranked = _windowed(score.count(), group_cols)
    return df.with_columns(rank_computed=rank.cast(pl.Int64), n_ranked=n_ranked.cast(pl.Int64))


def rank_percentile(rank: pl.Expr, n: pl.Expr) -> pl.Expr:
    """Percentile of a rank in its pool: 100 * (n - rank) / (n - 1); 100 = best, 0 = last.

    A pool of one unit gives 100. Null when the rank or n is blank or the rank is outside 1..n.
    Name the result with `.alias()`.

    >>> df = pl.DataFrame({"rank": [1, 10, 19, 1], "n": [19, 19, 19, 1]})
    >>> df.select(rank_percentile(pl.col("rank"), pl.col("n")).alias("pct"))["pct"].to_list()
    [100.0, 50.0, 0.0, 100.0]
    """
    r = rank.cast(pl.Float64)
    m = n.cast(pl.Float64)
    invalid = r.is_null() | m.is_null() | (r < 1) | (r > m)
    return pl.when(invalid).then(None).when(m == 1).then(100.0).otherwise(100.0 * (m - r) / (m - 1))


def wilson_interval(pct_col: str, n_col: str, z: float = 1.96) -> tuple[pl.Expr, pl.Expr]:
    """Wilson score interval, in percent, for a percentage `pct_col` measured on `n_col` forms.

    With p = pct / 100: centre = (p + z²/2n) / (1 + z²/n) and
    half-width = z / (1 + z²/n) * sqrt(p(1 - p)/n + z²/4n²); bounds clipped to [0, 100].
    Both bounds are null when the percentage or n is blank or n is 0. The expressions are
    named `<pct_col>_lo` and `<pct_col>_hi`.

    >>> df = pl.DataFrame({"sat_inpatient_pct": [90.0], "sat_inpatient_n": [100]})
    >>> lo, hi = wilson_interval("sat_inpatient_pct", "sat_inpatient_n")
    >>> [round(v, 2) for v in df.select(lo, hi).row(0)]
    [82.56, 94.48]
    """
    p = _num(pl.col(pct_col)).truediv(100).clip(0.0, 1.0)
    n = _num(pl.col(n_col))
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt() / denominator
    valid = p.is_not_null() & n.is_not_null() & (n > 0)
    lo = pl.when(valid).then((100 * (centre - half_width)).clip(0.0, 100.0))
    hi = pl.when(valid).then((100 * (centre + half_width)).clip(0.0, 100.0))
    return lo.alias(f"{pct_col}_lo"), hi.alias(f"{pct_col}_hi")


def resolution_rate(df: pl.DataFrame) -> pl.DataFrame:
    """Add `resolution_rate_pct` = resolved / (received + carried_in) * 100.

    Blank-aware: null when `complaints_resolved` or `complaints_received` is blank (an unknown
    intake gives no denominator), or when the denominator is 0 (nothing to resolve). A blank
    `complaints_carried_in` counts as 0, as the catalogue rule on `complaints_resolved` says.

    >>> df = pl.DataFrame({"complaints_received": [8], "complaints_carried_in": [None],
    ...                    "complaints_resolved": [6]})
    >>> resolution_rate(df)["resolution_rate_pct"].to_list()
    [75.0]
    """
    resolved = _num(pl.col("complaints_resolved"))
    received = _num(pl.col("complaints_received"))
    denominator = received + _num(pl.col("complaints_carried_in")).fill_null(0.0)
    rate = pl.when(resolved.is_not_null() & received.is_not_null() & (denominator > 0)).then(
        100 * resolved / denominator
    )
    return df.with_columns(resolution_rate_pct=rate)


def complaints_outstanding(df: pl.DataFrame) -> pl.DataFrame:
    """Add `complaints_outstanding` = received + carried_in - resolved (carried into next year).

    Same blank rules as `resolution_rate`: null when received or resolved is blank; a blank
    carried_in counts as 0.
    """
    resolved = _num(pl.col("complaints_resolved"))
    received = _num(pl.col("complaints_received"))
    carried_in = _num(pl.col("complaints_carried_in")).fill_null(0.0)
    outstanding = pl.when(resolved.is_not_null() & received.is_not_null()).then(
        received + carried_in - resolved
    )
    return df.with_columns(complaints_outstanding=outstanding)


def per_10k(count: pl.Expr, base: pl.Expr) -> pl.Expr:
    """`count` per 10.000 of `base` (e.g. complaints per 10.000 patient visits).

    Null when the count is blank, or the base is blank or 0.

    >>> df = pl.DataFrame({"c": [5, 5, None], "visits": [20_000, 0, 1000]})
    >>> df.select(per_10k(pl.col("c"), pl.col("visits")))["c"].to_list()
    [2.5, None, None]
    """
    b = _num(base)
    return pl.when(b > 0).then(_num(count) * 10_000 / b)


def composite_index(
    wide: pl.DataFrame,
    weights: dict[str, float],
    directions: dict[str, str],
    min_coverage: float = 0.5,
    *,
    pool_cols: Sequence[str] = (),
    applicable: dict[str, str] | None = None,
    targets: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Composite index per unit-year from percentile ranks of several indicators.

    Method (write it on the page):
    1. For each indicator with a positive weight, rank the units that reported it that year
       (competition ranking, ties share a rank; direction-aware: for a "down" indicator the
       lowest value ranks first) and turn the rank into a percentile, 100 = best, 0 = last,
       100 when a single unit reported (`rank_percentile`). Blank stays blank.
    2. `composite` = weighted mean of the unit's percentiles over the indicators it reported,
       the weights renormalised over those indicators.
    3. `coverage` = the weight of the reported indicators / the total weight (0..1). Under
       `min_coverage` the composite is null and `note` says "Thiếu dữ liệu".
    4. `rank` ranks the composite within the year (ties share a rank), `n_ranked` counts
       the ranked units.

    `wide` has `unit_code`, `year` and one column per indicator code; extra pools (e.g.
    `rank_pool`) go in `pool_cols` and are kept apart like years. Weights of 0 leave an
    indicator out; when no weight is positive every composite is null and `note` says
    "Chưa chọn chỉ tiêu nào". Returns unit_code, year, pool columns, composite, coverage,
    rank, n_ranked, note and pct_<code> per weighted indicator, best first within each year.

    `applicable` maps a code to a boolean column of `wide`: where it is False the indicator
    does not concern the unit (no inpatients at a CDC), so it is left out of the unit's
    total weight instead of lowering its coverage. `targets` maps a code to a target (the
    catalogue's): a unit that meets it scores 100 on that indicator whatever its rank, so
    93% satisfaction above a 90% target never reads as the worst.

    Raises ValueError for a negative weight, a weighted code missing from `wide`, or a
    weighted code whose direction is not "up" or "down".
    """
    for code, weight in weights.items():
        if not weight >= 0:  # also catches NaN
            raise ValueError(f"weight of {code} must be >= 0, got {weight}")
    used = {code: float(w) for code, w in weights.items() if w > 0}
    for code in used:
        if code not in wide.columns:
            raise ValueError(f"indicator {code} is weighted but not a column of the frame")
        if directions.get(code) not in ("up", "down"):
            raise ValueError(f"indicator {code} needs direction 'up' or 'down' to be ranked")
    groups = ["year", *pool_cols]
    keys = ["unit_code", *groups]

    if not used:
        return wide.select(
            *keys,
            composite=pl.lit(None, pl.Float64),
            coverage=pl.lit(None, pl.Float64),
            rank=pl.lit(None, pl.Int64),
            n_ranked=pl.lit(0, pl.Int64),
            note=pl.lit(NOTE_NO_WEIGHTS),
        )

    applicable = applicable or {}
    targets = targets or {}
    pct_cols = []
    for code in used:
        score = _num(pl.col(code))
        rank = score.rank("min", descending=directions[code] == "up").over(groups)
        pct = rank_percentile(rank, score.count().over(groups))
        if code in targets:
            met = score >= targets[code] if directions[code] == "up" else score <= targets[code]
            pct = pl.when(score.is_not_null() & met).then(100.0).otherwise(pct)
        pct_cols.append(pct.alias(f"pct_{code}"))
    flags = [pl.col(applicable[c]).fill_null(True).alias(f"_applies_{c}") for c in used if c in applicable]
    scored = wide.select(*keys, *pct_cols, *flags)

    # an indicator that does not concern the unit weighs nothing in its total
    total_weight = pl.sum_horizontal(
        [
            pl.when(pl.col(f"_applies_{c}")).then(w).otherwise(0.0) if c in applicable else pl.lit(w)
            for c, w in used.items()
        ]
    )
    reported_weight = pl.sum_horizontal(
        [pl.when(pl.col(f"pct_{code}").is_not_null()).then(w).otherwise(0.0) for code, w in used.items()]
    )
    weighted_sum = pl.sum_horizontal([pl.col(f"pct_{code}").fill_null(0.0) * w for code, w in used.items()])
    coverage = pl.when(total_weight > 0).then(reported_weight / total_weight)
    enough = (reported_weight > 0) & (coverage >= min_coverage - _COVERAGE_EPS)
    scored = scored.with_columns(
        composite=pl.when(enough).then(weighted_sum / reported_weight), coverage=coverage
    )
    composite = pl.col("composite").round(_COMPOSITE_DIGITS)
    return (
        scored.with_columns(
            rank=composite.rank("min", descending=True).over(groups).cast(pl.Int64),
            n_ranked=composite.count().over(groups).cast(pl.Int64),
            note=pl.when(pl.col("composite").is_null()).then(pl.lit(NOTE_LOW_COVERAGE)),
        )
        .select(*keys, "composite", "coverage", "rank", "n_ranked", "note", *(f"pct_{code}" for code in used))
        .sort([*groups, "rank", "unit_code"], nulls_last=True)
    )


@overload
def standing(
    value: pl.Expr, median: pl.Expr | float | None, direction: pl.Expr | str, *, tolerance: float = 0.0
) -> pl.Expr: ...
@overload
def standing(value: float | None, median: float | None, direction: str, *, tolerance: float = 0.0) -> str: ...
def standing(
    value: pl.Expr | float | None,
    median: pl.Expr | float | None,
    direction: pl.Expr | str,
    *,
    tolerance: float = 0.0,
) -> pl.Expr | str:
    """Where a value stands against the province median: "better", "same", "worse" or "missing".

    Direction-aware ("up": above the median is better; "down": below is better); "none"
    indicators are always "same" (no colour judgement). "missing" only when the value itself
    is blank; with no median to compare against the answer is "same". Differences within
    `tolerance` are "same". Works on plain values or on Polars expressions (returns an
    expression then).

    >>> standing(92.0, 90.0, "up"), standing(3, 1, "down"), standing(None, 1.0, "up")
    ('better', 'worse', 'missing')
    """
    if any(isinstance(a, pl.Expr) for a in (value, median, direction)):
        return _standing_expr(_as_expr(value), _as_expr(median), direction, tolerance)
    if value is None or value != value:  # None or NaN
        return "missing"
    if direction not in ("up", "down", "none"):
        raise ValueError(f"direction must be 'up', 'down' or 'none', got {direction!r}")
    if direction == "none" or median is None or median != median:
        return "same"
    diff = (value - median) if direction == "up" else (median - value)
    return "better" if diff > tolerance else "worse" if diff < -tolerance else "same"


def _as_expr(value: pl.Expr | float | None) -> pl.Expr:
    return value if isinstance(value, pl.Expr) else pl.lit(value, dtype=pl.Float64)


def _standing_expr(value: pl.Expr, median: pl.Expr, direction: pl.Expr | str, tolerance: float) -> pl.Expr:
    v, m = _num(value), _num(median)
    d = direction if isinstance(direction, pl.Expr) else pl.lit(direction)
    gain = pl.when(d == "up").then(v - m).when(d == "down").then(m - v)
    return (
        pl.when(v.is_null())
        .then(pl.lit("missing"))
        .when(gain > tolerance)
        .then(pl.lit("better"))
        .when(gain < -tolerance)
        .then(pl.lit("worse"))
        .otherwise(pl.lit("same"))
    )


def movers(wide: pl.DataFrame, code: str, year: int, direction: str) -> pl.DataFrame:
    """Units' change in one indicator from `year - 1` to `year`, biggest improvement first.

    Only units that reported the indicator in both years appear (a blank year is not a move).
    Returns unit_code, year, value, value_prev, delta (value - value_prev), delta_rel_pct
    (delta / |value_prev| * 100, null when value_prev is 0), gain (the direction-aware delta:
    positive = better; null for "none") and improved (True / False, null when unchanged or
    direction "none"). Sorted by gain descending ("none": by |delta|), so `head(n)` gives the
    biggest improvers and `filter(improved == False).tail(n)` the biggest falls.
    """
    if direction not in ("up", "down", "none"):
        raise ValueError(f"direction must be 'up', 'down' or 'none', got {direction!r}")
    current = wide.filter(pl.col("year") == year).select("unit_code", "year", value=_num(pl.col(code)))
    previous = wide.filter(pl.col("year") == year - 1).select("unit_code", value_prev=_num(pl.col(code)))
    delta = pl.col("value") - pl.col("value_prev")
    gain = {"up": delta, "down": -delta, "none": pl.lit(None, pl.Float64)}[direction]
    result = (
        current.join(previous, on="unit_code", how="inner")
        .filter(pl.col("value").is_not_null() & pl.col("value_prev").is_not_null())
        .select(
            "unit_code",
            "year",
            "value",
            "value_prev",
            delta=delta,
            delta_rel_pct=pl.when(pl.col("value_prev") != 0).then(100 * delta / pl.col("value_prev").abs()),
            gain=gain,
        )
        .with_columns(improved=pl.when(pl.col("gain") > 0).then(True).when(pl.col("gain") < 0).then(False))
    )
    if direction == "none":
        return result.sort(pl.col("delta").abs(), "unit_code", descending=[True, False])
    return result.sort("gain", "unit_code", descending=[True, False])


def robust_z(values: pl.Expr) -> pl.Expr:
    """Robust z-score: (x - median) / (1.4826 * MAD); null when the MAD is 0 or the value blank.

    Use over a unit's own history to flag outliers for review (never to change them):
    `robust_z(pl.col("value_num")).over("unit_code", "indicator_code")`, flag |z| > 3.5.
    """
    x = _num(values)
    median = x.median()
    mad = (x - median).abs().median()
    return pl.when(mad > 0).then((x - median) / (MAD_TO_SD * mad))
