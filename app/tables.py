"""The table behind each chart: pure Polars shaping of the panel a query returned.

Pages call these between a query and a chart so they hold no transforms of their own;
every function returns a new frame (the table a reader downloads) and never mutates its
input. Blank stays blank: sums and means skip units that did not report, and every
aggregate carries how many units it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from app import metrics
from etl.catalogue import load_catalogue
from etl.registry import UNIT_TYPES

# the report deadline (seed 003): 20/11 of the report year
DEADLINE_MONTH, DEADLINE_DAY = 11, 20
SATISFACTION_CODES = ("sat_inpatient_pct", "sat_outpatient_pct", "sat_staff_pct")
SCORE_CODES = ("sat_inpatient_score", "sat_outpatient_score")
CHANNEL_CODES = ("channel_hotline", "channel_mailbox", "channel_direct", "channel_online")
GOOD_RATINGS = ("Xuất sắc", "Tốt")
RATING_ORDER = ("Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu")


def scoped(
    df: pl.DataFrame,
    unit_types: tuple[str, ...] = (),
    areas: tuple[str, ...] = (),
    year_from: int | None = None,
    year_to: int | None = None,
) -> pl.DataFrame:
    """Rows of the chosen unit types, areas and years (empty tuples / None mean all)."""
    cond = pl.lit(True)
    if unit_types:
        cond &= pl.col("unit_type").is_in(list(unit_types))
    if areas:
        cond &= pl.col("area").is_in(list(areas))
    if year_from is not None:
        cond &= pl.col("year") >= year_from
    if year_to is not None:
        cond &= pl.col("year") <= year_to
    return df.filter(cond)


def in_year(df: pl.DataFrame, year: int) -> pl.DataFrame:
    return df.filter(pl.col("year") == year)


def has_values(df: pl.DataFrame, *codes: str) -> bool:
    """True when at least one row reports at least one of `codes`."""
    present = [c for c in codes if c in df.columns]
    if df.is_empty() or not present:
        return False
    return bool(df.select(pl.any_horizontal(pl.col(c).is_not_null() for c in present).any()).item())


def type_label(col: str = "unit_type") -> pl.Expr:
    return pl.col(col).replace_strict(UNIT_TYPES, default=pl.col(col)).alias("unit_type_vi")


# ----------------------------------------------------------------------------- reporting


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


# ----------------------------------------------------------------------------- overview KPIs


@dataclass(frozen=True)
class Kpi:
    """One KPI card: a value for the chosen year and the year before, and its history."""

    key: str
    label: str
    value: float | None
    previous: float | None
    kind: str  # "int", "pct", "ratio" (value/expected) or "num1"
    direction: str  # "up", "down" or "none": which change is good
    help: str
    history: tuple[float | None, ...] = ()
    total: float | None = None  # for "ratio": the denominator (units expected)
    previous_total: float | None = None


def _yearly(df: pl.DataFrame, agg: pl.Expr) -> dict[int, float | None]:
    if df.is_empty():
        return {}
    rows = df.group_by("year").agg(agg.alias("v")).sort("year").iter_rows()
    return {int(y): (None if v is None else float(v)) for y, v in rows}


def _pooled_pct(code: str) -> pl.Expr:
    """Province-wide percentage: survey forms pooled over units that gave a survey size."""
    n_code = load_catalogue()[code].n_code
    pct, n = pl.col(code), pl.col(n_code)
    valid = pct.is_not_null() & n.is_not_null() & (n > 0)
    return pl.when(valid).then(pct * n).sum() / pl.when(valid).then(n).sum()


def overview_kpis(panel: pl.DataFrame, reporting: pl.DataFrame, year: int) -> list[Kpi]:
    """The overview's KPI cards for `year` (values, the previous year and the history)."""
    rep = reporting_by_year(reporting)
    rep_rows = {int(r["year"]): r for r in rep.iter_rows(named=True)}
    years = sorted(rep_rows)

    def series(values: dict[int, float | None]) -> tuple[float | None, ...]:
        return tuple(values.get(y) for y in years)

    reported = {y: float(r["reported"]) for y, r in rep_rows.items()}
    expected = {y: float(r["expected"]) for y, r in rep_rows.items()}
    rates = {y: float(r["rate_pct"]) for y, r in rep_rows.items()}
    with_rate = metrics.resolution_rate(panel)
    valid_rate = pl.col("resolution_rate_pct").is_not_null()
    resolution = _yearly(
        with_rate,
        100
        * pl.when(valid_rate).then(pl.col("complaints_resolved")).sum()
        / pl.when(valid_rate)
        .then(pl.col("complaints_received") + pl.col("complaints_carried_in").fill_null(0))
        .sum(),
    )
    rated = pl.col("dv_official_rating")
    good = _yearly(panel, rated.is_in(list(GOOD_RATINGS)).sum())
    n_rated = _yearly(panel, rated.is_not_null().sum())
    sums = {
        c: _yearly(panel, pl.col(c).sum())
        for c in ("training_sessions", "training_participants", "complaints_received")
    }
    counts = {c: _yearly(panel, pl.col(c).count()) for c in sums}
    for c in sums:  # a sum over no reports is blank, not 0
        sums[c] = {y: (v if counts[c].get(y) else None) for y, v in sums[c].items()}
    sat = {c: _yearly(panel, _pooled_pct(c)) for c in ("sat_inpatient_pct", "sat_outpatient_pct")}

    def kpi(key, label, values, kind, direction, help_text, totals=None) -> Kpi:
        totals = totals or {}
        return Kpi(
            key,
            label,
            values.get(year),
            values.get(year - 1),
            kind,
            direction,
            help_text,
            series(values),
            totals.get(year),
            totals.get(year - 1),
        )

    return [
        kpi(
            "reporting",
            "Đơn vị đã báo cáo",
            reported,
            "ratio",
            "up",
            "Số đơn vị có báo cáo được tiếp nhận / số đơn vị đang hoạt động trong năm "
            f"(tỷ lệ {_pct_text(rates.get(year))}). Thay đổi tính bằng điểm phần trăm của tỷ lệ, "
            "vì số đơn vị thay đổi khi sáp nhập.",
            expected,
        ),
        kpi(
            "sat_in",
            "Hài lòng nội trú",
            sat["sat_inpatient_pct"],
            "pct",
            "up",
            "Tỷ lệ người bệnh nội trú hài lòng, gộp số phiếu khảo sát của các đơn vị.",
        ),
        kpi(
            "sat_out",
            "Hài lòng ngoại trú",
            sat["sat_outpatient_pct"],
            "pct",
            "up",
            "Tỷ lệ người bệnh ngoại trú hài lòng, gộp số phiếu khảo sát của các đơn vị.",
        ),
        kpi(
            "sessions",
            "Lớp tập huấn",
            sums["training_sessions"],
            "int",
            "up",
            "Tổng số lớp/buổi tập huấn, bồi dưỡng về công tác dân vận của các đơn vị đã báo cáo.",
        ),
        kpi(
            "participants",
            "Lượt người dự tập huấn",
            sums["training_participants"],
            "int",
            "up",
            "Tổng số lượt người tham dự tập huấn của các đơn vị đã báo cáo.",
        ),
        kpi(
            "complaints",
            "Đơn thư tiếp nhận",
            sums["complaints_received"],
            "int",
            "none",
            "Tổng số đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh tiếp nhận trong năm.",
        ),
        kpi(
            "resolution",
            "Tỷ lệ giải quyết đơn thư",
            resolution,
            "pct",
            "up",
            "Số đơn đã giải quyết / (tiếp nhận + tồn năm trước), các đơn vị có đủ số liệu.",
        ),
        kpi(
            "good",
            "Đơn vị Xuất sắc/Tốt",
            good,
            "ratio",
            "up",
            "Số đơn vị được Sở đánh giá công tác dân vận Xuất sắc hoặc Tốt / số đơn vị được đánh giá; "
            "thay đổi tính bằng điểm phần trăm của tỷ lệ.",
            n_rated,
        ),
    ]


def _pct_text(value: float | None) -> str:
    from app.fmt import fmt_pct

    return fmt_pct(value)


# ----------------------------------------------------------------------------- domain trends


def domain_trends(panel: pl.DataFrame) -> pl.DataFrame:
    """One headline series per domain, per year (for the overview's small multiples).

    Returns domain, measure, unit_vi, year, value, n_units (units the value rests on).
    """
    cat = load_catalogue()
    specs = [
        (
            "cchc",
            "Điểm CCHC bình quân",
            "điểm",
            pl.col("cchc_score").filter(pl.col("rank_pool") == "so").mean(),
            pl.col("cchc_score").filter(pl.col("rank_pool") == "so").count(),
        ),
        (
            "hai_long",
            "Hài lòng nội trú (gộp phiếu)",
            "%",
            _pooled_pct("sat_inpatient_pct"),
            pl.col("sat_inpatient_pct").count(),
        ),
        (
            "tap_huan",
            cat["training_participants"].short_vi,
            cat["training_participants"].unit_vi,
            pl.col("training_participants").sum(),
            pl.col("training_participants").count(),
        ),
        (
            "khieu_nai",
            cat["complaints_received"].short_vi,
            cat["complaints_received"].unit_vi,
            pl.col("complaints_received").sum(),
            pl.col("complaints_received").count(),
        ),
    ]
    frames = []
    for domain, measure, unit, value, n in specs:
        frames.append(
            panel.group_by("year")
            .agg(value=value.cast(pl.Float64), n_units=n.cast(pl.Int64))
            .with_columns(
                value=pl.when(pl.col("n_units") > 0).then(pl.col("value")),
                domain=pl.lit(domain),
                measure=pl.lit(measure),
                unit_vi=pl.lit(unit),
            )
        )
    return (
        pl.concat(frames)
        .select("domain", "measure", "unit_vi", "year", "value", "n_units")
        .sort("domain", "year")
    )


def top_movers(panel: pl.DataFrame, code: str, year: int, n: int = 5) -> pl.DataFrame:
    """The `n` biggest improvements and `n` biggest falls in `code` from year-1 to `year`."""
    ind = load_catalogue()[code]
    moves = metrics.movers(panel.select("unit_code", "year", code), code, year, ind.direction)
    if moves.is_empty():
        return moves.with_columns(short_name=pl.lit(None, pl.String), group=pl.lit(None, pl.String))
    names = panel.select("unit_code", "short_name", "rank_group").unique("unit_code")
    up = moves.filter(pl.col("improved") == True).head(n).with_columns(group=pl.lit("Cải thiện nhiều nhất"))  # noqa: E712
    down = (
        moves.filter(pl.col("improved") == False)  # noqa: E712
        .tail(n)
        .with_columns(group=pl.lit("Giảm nhiều nhất"))
    )
    return pl.concat([up, down]).join(names, on="unit_code", how="left").sort("gain")


# ----------------------------------------------------------------------------- CCHC ranks


def cchc_ranked(panel: pl.DataFrame) -> pl.DataFrame:
    """Units ranked by the Sở (pool "so"), per year and ranking group, never mixed with other pools.

    Ranks are computed from the scores (competition ranking: 1, 2, 2, 4). When the Sở
    ranked more units than have a score here (a report missing or rejected), the
    computed ranks would be too good, so that year keeps the reported ranks. Adds
    rank, rank_of, rank_label ("X/N"), rank_source ("computed"/"reported"), is_tie,
    percentile (100 = best) and rank_mismatch: the reported rank contradicts the scores
    (outside what the missing units could explain). Run it on the unscoped panel: a
    unit's rank belongs to the whole pool, not to the view.
    """
    pool = panel.filter(pl.col("rank_pool") == "so")
    groups = ["year", "rank_pool", "rank_group"]
    ranked = metrics.competition_rank(pool, "cchc_score", groups)
    reported_rank = pl.col("cchc_rank").cast(pl.Int64)
    has_computed = pl.col("rank_computed").is_not_null()
    ranked = ranked.with_columns(
        n_reported=pl.col("cchc_rank_of").cast(pl.Int64).max().over(groups),
    ).with_columns(
        n_missing=(pl.col("n_reported") - pl.col("n_ranked")).clip(lower_bound=0).fill_null(0),
    )
    complete = pl.col("n_missing") == 0
    use_computed = has_computed & complete
    ranked = ranked.with_columns(
        rank=pl.when(use_computed).then(pl.col("rank_computed")).otherwise(reported_rank),
        rank_of=pl.when(use_computed)
        .then(pl.col("n_ranked"))
        .otherwise(pl.col("cchc_rank_of").cast(pl.Int64)),
        rank_source=pl.when(use_computed).then(pl.lit("computed")).otherwise(pl.lit("reported")),
    )
    # with m units missing a score, a consistent reported rank lies in [computed, computed + m]
    outside = (reported_rank < pl.col("rank_computed")) | (
        reported_rank > pl.col("rank_computed") + pl.col("n_missing")
    )
    wrong_n = (pl.col("cchc_rank_of").cast(pl.Int64) != pl.col("n_reported")).fill_null(False)
    ranked = ranked.with_columns(
        is_tie=pl.col("rank").is_not_null() & (pl.len().over([*groups, "rank"]) > 1),
        percentile=metrics.rank_percentile(pl.col("rank"), pl.col("rank_of")),
        rank_mismatch=(has_computed & reported_rank.is_not_null() & (outside | wrong_n)).fill_null(False),
    )
    return ranked.with_columns(rank_label=_rank_label("rank", "rank_of"))


def incomplete_rank_years(ranked: pl.DataFrame) -> list[int]:
    """Years whose ranks come from the reports because some ranked units have no score here."""
    rows = ranked.filter((pl.col("rank_source") == "reported") & pl.col("cchc_score").is_not_null())
    return sorted(rows["year"].unique().to_list())


def _rank_label(rank: str, n: str) -> pl.Expr:
    """ "X/N" from two rank columns (reported ranks arrive as floats)."""
    return pl.when(pl.col(rank).is_not_null()).then(
        pl.format(
            "{}/{}",
            pl.col(rank).cast(pl.Int64),
            pl.col(n).cast(pl.Int64).cast(pl.String).fill_null("?"),
        )
    )


def rank_mismatches(ranked: pl.DataFrame) -> pl.DataFrame:
    """Unit-years whose reported rank contradicts the scores (see cchc_ranked)."""
    low = pl.col("rank_computed")
    high = pl.col("rank_computed") + pl.col("n_missing")
    n = pl.coalesce(pl.col("n_reported"), pl.col("n_ranked")).cast(pl.String)
    expected = (
        pl.when(pl.col("n_missing") == 0)
        .then(pl.format("{}/{}", low, n))
        .otherwise(pl.format("{}–{}/{}", low, high, n))
    )
    return (
        ranked.filter(pl.col("rank_mismatch"))
        .select(
            "year",
            "unit_code",
            "short_name",
            "cchc_score",
            reported_label=_rank_label("cchc_rank", "cchc_rank_of"),
            computed_label=expected,
        )
        .sort("year", "unit_code")
    )


def par_ranks(panel: pl.DataFrame) -> pl.DataFrame:
    """The Sở's own PAR rank among provincial departments (pool "tinh"), per year."""
    return (
        panel.filter((pl.col("rank_pool") == "tinh") & pl.col("cchc_rank").is_not_null())
        .select(
            "year",
            "unit_code",
            "short_name",
            "cchc_score",
            rank=pl.col("cchc_rank").cast(pl.Int64),
            rank_of=pl.col("cchc_rank_of").cast(pl.Int64),
        )
        .with_columns(
            rank_label=_rank_label("rank", "rank_of"),
            percentile=metrics.rank_percentile(pl.col("rank"), pl.col("rank_of")),
        )
        .sort("unit_code", "year")
    )


def default_highlight(ranked: pl.DataFrame, year: int, n: int = 5) -> list[str]:
    """Units to highlight on the bump chart: the best `n` and the worst 2 of `year`.

    Units ranked in at least half of the years come first, so the lines have a history.
    """
    ranked_years = ranked.filter(pl.col("rank").is_not_null())
    span = max(1, ranked_years["year"].n_unique())
    history = ranked_years.group_by("unit_code").agg(n_years=pl.len())
    yr = (
        ranked_years.filter(pl.col("year") == year)
        .join(history, on="unit_code", how="left")
        .filter(pl.col("n_years") * 2 >= span)
        .sort("rank", "unit_code")
    )
    codes = yr["unit_code"].head(n).to_list() + yr["unit_code"].tail(2).to_list()
    return list(dict.fromkeys(codes))


def league_year(ranked: pl.DataFrame, year: int) -> pl.DataFrame:
    """The ranking of one year, best first, with ties marked "đồng hạng"."""
    return (
        in_year(ranked, year)
        .filter(pl.col("rank").is_not_null())
        .select(
            "rank",
            "rank_label",
            "unit_code",
            "short_name",
            type_label(),
            "cchc_score",
            reported_label=_rank_label("cchc_rank", "cchc_rank_of"),
            note=pl.when(pl.col("is_tie")).then(pl.lit("Đồng hạng")).otherwise(pl.lit("")),
            rank_group="rank_group",
        )
        .sort("rank_group", "rank", "unit_code")
    )


# ----------------------------------------------------------------------------- satisfaction


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
    survey size when the indicator has one.
    """
    n_code = load_catalogue()[code].n_code
    y0, y1 = years
    exp = expected.filter(pl.col("year").is_between(y0, y1)).select("unit_code", "year")
    unit_list = (
        expected.filter(pl.col("year").is_between(y0, y1))
        .select("unit_code", "short_name", "rank_group")
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
        .select("unit_code", "short_name", "rank_group", "year", "value", "n", "status")
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


def below_target(panel_year: pl.DataFrame, code: str, target: float) -> pl.DataFrame:
    """Units under `target` % in one survey that year, worst first, with 95% Wilson bounds.

    `certain` is True when even the upper bound is under the target (not a small-sample effect).
    """
    n_code = load_catalogue()[code].n_code
    lo, hi = metrics.wilson_interval(code, n_code)
    return (
        panel_year.filter(pl.col(code).is_not_null())
        .select(
            "unit_code",
            "short_name",
            "rank_group",
            type_label(),
            pct=pl.col(code),
            n=pl.col(n_code),
            lo=lo,
            hi=hi,
        )
        .filter(pl.col("pct") < target)
        .with_columns(certain=(pl.col("hi") < target).fill_null(False))
        .sort("pct", "unit_code")
    )


def unit_satisfaction(panel_year: pl.DataFrame, code: str) -> pl.DataFrame:
    """Every unit's value in one survey that year with its survey size and Wilson bounds."""
    n_code = load_catalogue()[code].n_code
    lo, hi = metrics.wilson_interval(code, n_code)
    return (
        panel_year.filter(pl.col(code).is_not_null())
        .select(
            "unit_code",
            "short_name",
            "rank_group",
            type_label(),
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


# ----------------------------------------------------------------------------- trainings


def training_by_year(panel: pl.DataFrame) -> pl.DataFrame:
    """Sessions and participants per year and unit type (sums over units that reported)."""
    return (
        panel.group_by("year", "unit_type")
        .agg(
            sessions=pl.col("training_sessions").sum(),
            participants=pl.col("training_participants").sum(),
            n_units=pl.col("training_sessions").count().cast(pl.Int64),
        )
        .filter(pl.col("n_units") > 0)
        .with_columns(type_label())
        .sort("year", "unit_type")
    )


def training_coverage(panel_year: pl.DataFrame) -> pl.DataFrame:
    """Per unit in one year: sessions, participants, staff and participants per staff member."""
    per_staff = pl.when(pl.col("staff_total") > 0).then(
        pl.col("training_participants") / pl.col("staff_total")
    )
    return (
        panel_year.select(
            "unit_code",
            "short_name",
            "rank_group",
            type_label(),
            sessions=pl.col("training_sessions"),
            participants=pl.col("training_participants"),
            staff=pl.col("staff_total"),
            per_staff=per_staff,
        )
        .filter(pl.col("sessions").is_not_null() | pl.col("participants").is_not_null())
        .sort("per_staff", "unit_code", nulls_last=False)
    )


def no_training(panel_year: pl.DataFrame, expected_year: pl.DataFrame) -> pl.DataFrame:
    """Units with no training that year: reported 0 sessions, or did not report it (said so)."""
    reported = panel_year.select("unit_code", "training_sessions")
    return (
        expected_year.select("unit_code", "short_name", type_label(), "has_report")
        .join(reported, on="unit_code", how="left")
        .filter(pl.col("training_sessions").fill_null(0) == 0)
        .with_columns(
            status=pl.when(pl.col("training_sessions") == 0)
            .then(pl.lit("Báo cáo 0 lớp"))
            .when(pl.col("has_report"))
            .then(pl.lit("Chưa báo cáo chỉ tiêu này"))
            .otherwise(pl.lit("Chưa nộp báo cáo năm"))
        )
        .select("unit_code", "short_name", "unit_type_vi", "status")
        .sort("status", "unit_code")
    )


# ----------------------------------------------------------------------------- complaints


def channels_by_year(panel: pl.DataFrame) -> pl.DataFrame:
    """Feedback volume per year and channel (sums over units that reported the channel)."""
    cat = load_catalogue()
    rows = panel.group_by("year").agg(
        *(pl.col(c).sum().alias(c) for c in CHANNEL_CODES),
        *(pl.col(c).count().alias(f"{c}__n") for c in CHANNEL_CODES),
    )
    frames = [
        rows.select(
            "year",
            indicator_code=pl.lit(c),
            label=pl.lit(cat[c].short_vi),
            value=pl.when(pl.col(f"{c}__n") > 0).then(pl.col(c)),
            n_units=pl.col(f"{c}__n").cast(pl.Int64),
        )
        for c in CHANNEL_CODES
    ]
    return pl.concat(frames).filter(pl.col("n_units") > 0).sort("year", "indicator_code")


def complaint_flow(panel: pl.DataFrame) -> pl.DataFrame:
    """Per year: received, carried in, resolved, still open, protracted and the resolution rate.

    The rate pools the units whose own rate is defined (blank-aware, metrics.resolution_rate).
    """
    rated = metrics.complaints_outstanding(metrics.resolution_rate(panel))
    ok = pl.col("resolution_rate_pct").is_not_null()
    return (
        rated.group_by("year")
        .agg(
            received=pl.col("complaints_received").sum(),
            carried_in=pl.col("complaints_carried_in").sum(),
            resolved=pl.col("complaints_resolved").sum(),
            outstanding=pl.col("complaints_outstanding").sum(),
            protracted=pl.col("complaints_protracted").sum(),
            rate_num=pl.when(ok).then(pl.col("complaints_resolved")).sum(),
            rate_den=pl.when(ok)
            .then(pl.col("complaints_received") + pl.col("complaints_carried_in").fill_null(0))
            .sum(),
            n_units=pl.col("complaints_received").count().cast(pl.Int64),
        )
        .filter(pl.col("n_units") > 0)
        .with_columns(
            rate_pct=pl.when(pl.col("rate_den") > 0).then(100 * pl.col("rate_num") / pl.col("rate_den"))
        )
        .drop("rate_num", "rate_den")
        .sort("year")
    )


def complaints_by_unit(panel_year: pl.DataFrame) -> pl.DataFrame:
    """Per unit in one year: volumes, resolution rate, protracted cases, complaints per 10.000 visits."""
    rated = metrics.resolution_rate(panel_year)
    return (
        rated.select(
            "unit_code",
            "short_name",
            "rank_group",
            type_label(),
            received=pl.col("complaints_received"),
            carried_in=pl.col("complaints_carried_in"),
            resolved=pl.col("complaints_resolved"),
            rate_pct=pl.col("resolution_rate_pct"),
            protracted=pl.col("complaints_protracted"),
            visits=pl.col("patient_visits"),
            per_10k=metrics.per_10k(pl.col("complaints_received"), pl.col("patient_visits")),
        )
        .filter(pl.col("received").is_not_null() | pl.col("resolved").is_not_null())
        .sort("unit_code")
    )


def reception_by_year(panel: pl.DataFrame) -> pl.DataFrame:
    """Citizen-reception sessions, citizens received and leader dialogues per year (long)."""
    cat = load_catalogue()
    codes = ("citizen_reception_days", "leader_dialogues", "citizen_visits")
    frames = [
        panel.group_by("year")
        .agg(value=pl.col(c).sum(), n_units=pl.col(c).count().cast(pl.Int64))
        .with_columns(indicator_code=pl.lit(c), label=pl.lit(cat[c].short_vi), unit_vi=pl.lit(cat[c].unit_vi))
        for c in codes
    ]
    return (
        pl.concat(frames)
        .filter(pl.col("n_units") > 0)
        .select("year", "indicator_code", "label", "unit_vi", "value", "n_units")
        .sort("indicator_code", "year")
    )


# ----------------------------------------------------------------------------- comparison


SCORECARD_CODES = (
    "cchc_score",
    "sat_inpatient_pct",
    "sat_outpatient_pct",
    "sat_staff_pct",
    "training_sessions",
    "training_participants",
    "complaints_received",
    "complaints_resolved",
    "complaints_protracted",
    "citizen_reception_days",
    "leader_dialogues",
    "dvk_models",
    "dvk_models_recognized",
    "dv_awards",
)
COMPOSITE_DEFAULT_WEIGHTS: dict[str, float] = {
    "cchc_score": 2.0,
    "sat_inpatient_pct": 1.5,
    "sat_outpatient_pct": 1.5,
    "sat_staff_pct": 1.0,
    "training_participants": 1.0,
    "complaints_protracted": 1.0,
    "leader_dialogues": 0.5,
    "dvk_models_recognized": 0.5,
}


def scorecard(
    panel_year: pl.DataFrame, unit_codes: list[str], codes: tuple[str, ...] = SCORECARD_CODES
) -> pl.DataFrame:
    """Indicators x chosen units for one year, each value against the median of all units.

    Long frame: indicator_code, label, direction, median, unit_code, short_name, value,
    standing ("better", "same", "worse", "missing": metrics.standing, direction-aware).
    The median is over every unit that reported the indicator that year (the whole
    province, not just the chosen units).
    """
    cat = load_catalogue()
    present = [c for c in codes if c in panel_year.columns]
    medians = panel_year.select(pl.col(c).cast(pl.Float64).median().alias(c) for c in present)
    chosen = panel_year.filter(pl.col("unit_code").is_in(unit_codes))
    names = {r[0]: r[1] for r in chosen.select("unit_code", "short_name").iter_rows()}
    rows = []
    for code in present:
        median = medians[code][0] if not medians.is_empty() else None
        for unit in unit_codes:
            vals = chosen.filter(pl.col("unit_code") == unit)[code]
            value = vals[0] if len(vals) else None
            value = None if value is None else float(value)
            rows.append(
                {
                    "indicator_code": code,
                    "label": cat[code].label(),
                    "direction": cat[code].direction,
                    "kind": cat[code].kind,
                    "median": median,
                    "unit_code": unit,
                    "short_name": names.get(unit, unit),
                    "value": value,
                    "standing": metrics.standing(value, median, cat[code].direction),
                }
            )
    schema = {
        "indicator_code": pl.String,
        "label": pl.String,
        "direction": pl.String,
        "kind": pl.String,
        "median": pl.Float64,
        "unit_code": pl.String,
        "short_name": pl.String,
        "value": pl.Float64,
        "standing": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def league_table(
    panel_year: pl.DataFrame, weights: dict[str, float], min_coverage: float = 0.5
) -> pl.DataFrame:
    """Composite index of every unit that year (metrics.composite_index), best first, with names.

    Ranked within the ranking group (the province), like the CCHC ranks.
    """
    cat = load_catalogue()
    codes = [c for c, w in weights.items() if w > 0]
    directions = {c: cat[c].direction for c in weights}
    wide = panel_year.select("unit_code", "year", "rank_group", *(pl.col(c).cast(pl.Float64) for c in codes))
    index = metrics.composite_index(wide, weights, directions, min_coverage, pool_cols=["rank_group"])
    names = panel_year.select("unit_code", "short_name", "rank_group", type_label(), "area")
    return index.join(names, on="unit_code", how="left").with_columns(
        rank_label=_rank_label("rank", "n_ranked")
    )


# ----------------------------------------------------------------------------- unit profile


def unit_lineage(all_units: pl.DataFrame, unit_code: str) -> dict[str, list[dict]]:
    """The unit's predecessors (directly merged or renamed into it) and its successor chain."""
    by_code = {r["unit_code"]: r for r in all_units.iter_rows(named=True)}
    preds = [r for r in all_units.iter_rows(named=True) if r["successor_code"] == unit_code]
    chain = []
    seen = {unit_code}
    nxt = by_code.get(unit_code, {}).get("successor_code")
    while nxt and nxt not in seen and nxt in by_code:
        chain.append(by_code[nxt])
        seen.add(nxt)
        nxt = by_code[nxt]["successor_code"]
    return {"predecessors": sorted(preds, key=lambda r: r["unit_code"]), "successors": chain}


def lineage_events(all_units: pl.DataFrame, unit_code: str) -> list[tuple[int, str]]:
    """(year, Vietnamese label) events to mark on the unit's trend charts.

    A predecessor that closed in year Y joined the unit in Y + 1: when the unit itself
    starts in Y + 1 it was renamed ("Đổi tên từ ...") or formed by a merger ("Hợp nhất
    từ ..."), otherwise the predecessor merged into it ("... sáp nhập vào"). A unit
    that later merged into another gets its last year marked.
    """
    lin = unit_lineage(all_units, unit_code)
    me = next((r for r in all_units.iter_rows(named=True) if r["unit_code"] == unit_code), None)
    events: list[tuple[int, str]] = []
    if me is None:
        return events
    by_year: dict[int, list[str]] = {}
    for pred in lin["predecessors"]:
        if pred["valid_to"] is not None:
            by_year.setdefault(int(pred["valid_to"]) + 1, []).append(pred["short_name"])
    for year, names in sorted(by_year.items()):
        joined = ", ".join(names)
        if me["valid_from"] is not None and int(me["valid_from"]) == year:
            label = f"Đổi tên từ {joined}" if len(names) == 1 else f"Hợp nhất từ {joined}"
        else:
            label = f"{joined} sáp nhập vào"
        events.append((year, label))
    if me["successor_code"] and me["valid_to"] is not None:
        succ = lin["successors"][0] if lin["successors"] else None
        label = succ["short_name"] if succ else me["successor_code"]
        events.append((int(me["valid_to"]), f"Năm cuối trước khi sáp nhập vào {label}"))
    return events


def restated_sources(panel: pl.DataFrame, all_units: pl.DataFrame) -> pl.DataFrame:
    """Which predecessors a restated panel combined, per today's unit: for the chart captions."""
    if "source_units" not in panel.columns:
        return pl.DataFrame(schema={"unit_code": pl.String, "short_name": pl.String, "sources": pl.String})
    names = {r[0]: r[1] for r in all_units.select("unit_code", "short_name").iter_rows()}
    merged = (
        panel.filter(pl.col("n_sources") > 1)
        .group_by("unit_code", "short_name")
        .agg(
            codes=pl.col("source_units")
            .str.split(", ")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort(),
            year_from=pl.col("year").min(),
            year_to=pl.col("year").max(),
        )
        .sort("unit_code")
    )
    return merged.with_columns(
        sources=pl.col("codes").map_elements(
            lambda codes: ", ".join(names.get(c, c) for c in codes), return_dtype=pl.String
        )
    ).select("unit_code", "short_name", "sources", "year_from", "year_to")


# ----------------------------------------------------------------------------- KPI card text


def kpi_display(kpi: Kpi) -> tuple[str, str | None, str, str]:
    """(value, delta, delta colour, delta arrow) for st.metric, all formatted the Vietnamese way.

    The colour follows the indicator's direction (green = better), never the sign alone.
    """
    from app.fmt import NOT_REPORTED, fmt_delta, fmt_int, fmt_pct

    if kpi.value is None:
        return NOT_REPORTED, None, "gray", "off"
    if kpi.kind == "ratio":
        value = f"{fmt_int(kpi.value)}/{fmt_int(kpi.total)}" if kpi.total is not None else fmt_int(kpi.value)
    elif kpi.kind == "pct":
        value = fmt_pct(kpi.value)
    else:
        value = fmt_int(kpi.value)
    if kpi.previous is None:
        return value, None, "gray", "off"
    change = kpi.value - kpi.previous
    if kpi.kind == "pct":
        delta = fmt_delta(change, 1, " điểm %")
    elif kpi.kind == "ratio":
        # the number of units changes with mergers: compare the shares, not the counts
        if not kpi.total or not kpi.previous_total:
            return value, None, "gray", "off"
        change = 100 * kpi.value / kpi.total - 100 * kpi.previous / kpi.previous_total
        delta = fmt_delta(change, 1, " điểm %")
    else:
        rel = f" ({fmt_delta(100 * change / kpi.previous, 1)}%)" if kpi.previous else ""
        delta = fmt_delta(change, 0) + rel
    if abs(change) < 1e-9:
        return value, delta, "gray", "off"
    arrow = "up" if change > 0 else "down"
    if kpi.direction == "none":
        color = "gray"
    else:
        good = (change > 0) == (kpi.direction == "up")
        color = "green" if good else "red"
    return value, delta, color, arrow


# ----------------------------------------------------------------------------- restated bookkeeping


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


def rank_groups(all_units: pl.DataFrame) -> dict[str, str]:
    """Ranking group -> a Vietnamese label (the name of the Sở that ranks it), in code order.

    A real province has one group (""); the national demo has one per province.
    """
    groups = sorted(all_units["rank_group"].unique().to_list())
    syt = all_units.filter(pl.col("rank_pool") == "tinh").select("rank_group", "name")
    names = {g: n for g, n in syt.iter_rows()}
    return {g: names.get(g) or (g or "Toàn tỉnh") for g in groups}


def formatted(df: pl.DataFrame, decimals: dict[str, int], percent: tuple[str, ...] = ()) -> pl.DataFrame:
    """A display copy of `df`: the named numeric columns as Vietnamese text ("1.234,5", "92,5%").

    Blank cells read "Chưa báo cáo". Use for st.dataframe; download the numeric frame.
    """
    from app.fmt import fmt_column

    return df.with_columns(
        fmt_column(pl.col(c), d, percent=c in percent).alias(c)
        for c, d in decimals.items()
        if c in df.columns
    )


def league_display(rows: pl.DataFrame) -> pl.DataFrame:
    """The league table's rows as text: composite "72,4", coverage "80%", blank note as ""."""
    from app.fmt import fmt_column

    return rows.select(
        "rank_label",
        "short_name",
        "unit_type_vi",
        "area",
        fmt_column(pl.col("composite"), 1).alias("composite"),
        fmt_column(pl.col("coverage") * 100, 0, percent=True).alias("coverage"),
        pl.col("note").fill_null(""),
    )


# ----------------------------------------------------------------------------- unit profile helpers


def default_profile_unit(units: pl.DataFrame) -> str:
    """The unit a profile opens on: a unit ranked by the Sở with a long history and a lineage to show."""
    preds = (
        units.filter(pl.col("unit_code") != pl.col("current_code")).group_by("current_code").agg(n=pl.len())
    )
    current = (
        units.filter(pl.col("unit_code") == pl.col("current_code"))
        .join(preds, left_on="unit_code", right_on="current_code", how="left")
        .with_columns(n=pl.col("n").fill_null(0), is_so=pl.col("rank_pool") == "so")
        .sort(
            ["is_so", "valid_from", pl.col("n") > 0, "n", "unit_code"],
            descending=[True, False, True, True, False],
            nulls_last=True,
        )
    )
    return current["unit_code"][0] if not current.is_empty() else units["unit_code"][0]


def lineage_group(all_units: pl.DataFrame, unit_code: str) -> list[str]:
    """The unit and every unit whose history it carries today (for the restated profile)."""
    members = all_units.filter(pl.col("current_code") == unit_code)["unit_code"].to_list()
    return sorted({unit_code, *members})


def active_years(all_units: pl.DataFrame, codes: list[str], year_from: int, year_to: int) -> list[int]:
    """Years in [year_from, year_to] when at least one of `codes` was active (expected to report)."""
    years: set[int] = set()
    for row in all_units.filter(pl.col("unit_code").is_in(codes)).iter_rows(named=True):
        start = max(year_from, row["valid_from"] or year_from)
        end = min(year_to, row["valid_to"] or year_to)
        years.update(range(start, end + 1))
    return sorted(years)


def restated_caption(history: pl.DataFrame, all_units: pl.DataFrame, name: str) -> str | None:
    """'Số liệu quy đổi theo cơ cấu hiện tại: X gộp từ A, B (2015–2024).' for a restated chart."""
    sources = restated_sources(history, all_units)
    if sources.is_empty():
        return None
    row = sources.row(0, named=True)
    return (
        f"Số liệu quy đổi theo cơ cấu hiện tại: {name} gộp từ {row['sources']} "
        f"({row['year_from']}–{row['year_to']})."
    )


def ratings_table(texts: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """Ratings and yes/no criteria per year, columns named in Vietnamese, blanks spelled out."""
    present = [c for c in labels if c in texts.columns]
    if not present:
        return pl.DataFrame(schema={"year": pl.Int32})
    from app.fmt import NOT_REPORTED

    return (
        texts.select("year", *present)
        .filter(pl.any_horizontal(pl.col(c).is_not_null() for c in present))
        .with_columns(pl.col(c).fill_null(NOT_REPORTED) for c in present)
        .rename({c: labels[c] for c in present})
        .sort("year", descending=True)
    )


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$"})


def escape_markdown(text: str) -> str:
    """Text a unit typed, safe to show inside st.markdown (no links, images or formatting)."""
    return text.translate(_MARKDOWN_SPECIAL)


def free_texts(texts: pl.DataFrame, labels: dict[str, str]) -> list[tuple[int, list[tuple[str, str]]]]:
    """(year, [(label, escaped text), ...]) newest first, only years with some text."""
    present = [c for c in labels if c in texts.columns]
    out = []
    for row in texts.sort("year", descending=True).iter_rows(named=True):
        items = [(labels[c], escape_markdown(row[c])) for c in present if row.get(c)]
        if items:
            out.append((int(row["year"]), items))
    return out
