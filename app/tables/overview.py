"""The overview's numbers: the KPI cards' values for a year (their text: tables.kpi_card), the same
indicators as yearly trends, movers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

from app import metrics
from app.fmt import fmt_int
from app.tables.applicability import applies_expr
from app.tables.common import GOOD_RATINGS
from app.tables.kpi_card import Kpi
from app.tables.reporting import reporting_by_year
from etl.catalogue import load_catalogue

# the indicators the KPI cards and their trends are computed from
KPI_CODES = (
    "cchc_score",
    "sat_inpatient_pct",
    "sat_outpatient_pct",
    "training_sessions",
    "training_participants",
    "complaints_received",
    "complaints_carried_in",
    "complaints_resolved",
    "dv_official_rating",
)


@dataclass(frozen=True)
class KpiSeries:
    """One indicator per year: its value, the denominator of a ratio, the units it rests on."""

    values: dict[int, float | None]
    n_units: dict[int, float | None]
    totals: dict[int, float | None] = field(default_factory=dict)
    # units that gave the figure without what it needs (a rate without forms, a blank carried-over)
    n_aside: dict[int, float | None] = field(default_factory=dict)
    same_units: dict[int, tuple[float, float, int]] = field(default_factory=dict)


def _yearly(df: pl.DataFrame, agg: pl.Expr) -> dict[int, float | None]:
    if df.is_empty():
        return {}
    rows = df.group_by("year").agg(agg.alias("v")).sort("year").iter_rows()
    return {int(y): (None if v is None else float(v)) for y, v in rows}


def pooled_pct(code: str) -> pl.Expr:
    """Province-wide percentage: survey forms pooled over units that gave a survey size."""
    n_code = load_catalogue()[code].n_code
    pct, n = pl.col(code), pl.col(n_code)
    valid = pct.is_not_null() & n.is_not_null() & (n > 0)
    return pl.when(valid).then(pct * n).sum() / pl.when(valid).then(n).sum()


def _pooled_units(code: str) -> pl.Expr:
    n = pl.col(load_catalogue()[code].n_code)
    return (pl.col(code).is_not_null() & n.is_not_null() & (n > 0)).sum()


def _rate_without_size(code: str) -> pl.Expr:
    n = pl.col(load_catalogue()[code].n_code)
    return (pl.col(code).is_not_null() & (n.is_null() | (n == 0))).sum()


def same_units_sums(
    panel: pl.DataFrame, codes: Sequence[str]
) -> dict[str, dict[int, tuple[float, float, int]]]:
    """code -> year -> (sum this year, sum the year before, units) over the units that gave the
    code both years: a change that a merger or a missing report cannot make up. One join of
    each unit-year with its year before serves every code.

    >>> df = pl.DataFrame({"unit_code": ["A", "B", "A"], "year": [2024, 2024, 2025], "x": [5, 9, 7]})
    >>> same_units_sums(df, ["x"])
    {'x': {2025: (7.0, 5.0, 1)}}
    """
    rows = panel.select("unit_code", "year", *(pl.col(c).cast(pl.Float64) for c in codes))
    prev = rows.with_columns(year=pl.col("year") + 1).rename({c: f"{c}:prev" for c in codes})
    both = rows.join(prev, on=["unit_code", "year"], how="inner")
    given = {c: pl.col(c).is_not_null() & pl.col(f"{c}:prev").is_not_null() for c in codes}
    agg = (
        both.group_by("year")
        .agg(
            *(pl.col(c).filter(given[c]).sum().alias(f"{c}:now") for c in codes),
            *(pl.col(f"{c}:prev").filter(given[c]).sum().alias(f"{c}:before") for c in codes),
            *(given[c].sum().alias(f"{c}:n") for c in codes),
        )
        .sort("year")
    )
    return {
        c: {
            int(r["year"]): (float(r[f"{c}:now"]), float(r[f"{c}:before"]), int(r[f"{c}:n"]))
            for r in agg.iter_rows(named=True)
            if r[f"{c}:n"]
        }
        for c in codes
    }


def kpi_series(panel: pl.DataFrame, reporting: pl.DataFrame) -> dict[str, KpiSeries]:
    """Every overview indicator per year, from the panel and the reporting frame: what the KPI
    cards (overview_kpis) and the trends (kpi_trends) are read from, built once for both."""
    rep = reporting_by_year(reporting)
    reported = {int(y): float(r) for y, r in rep.select("year", "reported").iter_rows()}
    expected = {int(y): float(e) for y, e in rep.select("year", "expected").iter_rows()}
    valid_rate = pl.col("resolution_rate_pct").is_not_null()
    with_rate = metrics.resolution_rate(panel)
    rated = pl.col("dv_official_rating")
    series = {
        "reporting": KpiSeries(reported, expected, expected),
        "sat_in": KpiSeries(
            _yearly(panel, pooled_pct("sat_inpatient_pct")),
            _yearly(panel, _pooled_units("sat_inpatient_pct")),
            n_aside=_yearly(panel, _rate_without_size("sat_inpatient_pct")),
        ),
        "sat_out": KpiSeries(
            _yearly(panel, pooled_pct("sat_outpatient_pct")),
            _yearly(panel, _pooled_units("sat_outpatient_pct")),
            n_aside=_yearly(panel, _rate_without_size("sat_outpatient_pct")),
        ),
        "resolution": KpiSeries(
            _yearly(
                with_rate,
                100
                * pl.when(valid_rate).then(pl.col("complaints_resolved")).sum()
                / pl.when(valid_rate)
                .then(pl.col("complaints_received") + pl.col("complaints_carried_in").fill_null(0))
                .sum(),
            ),
            _yearly(with_rate, valid_rate.sum()),
            n_aside=_yearly(with_rate, (valid_rate & pl.col("complaints_carried_in").is_null()).sum()),
        ),
        "good": KpiSeries(
            _yearly(panel, rated.is_in(list(GOOD_RATINGS)).sum()),
            _yearly(panel, rated.is_not_null().sum()),
            _yearly(panel, rated.is_not_null().sum()),
        ),
        "cchc": KpiSeries(
            _yearly(panel, pl.col("cchc_score").filter(pl.col("rank_pool") == "so").mean()),
            _yearly(panel, pl.col("cchc_score").filter(pl.col("rank_pool") == "so").count()),
        ),
    }
    summed = {
        "sessions": "training_sessions",
        "participants": "training_participants",
        "complaints": "complaints_received",
    }
    same_units = same_units_sums(panel, list(summed.values()))
    for key, code in summed.items():
        counts = _yearly(panel, pl.col(code).count())
        sums = _yearly(panel, pl.col(code).sum())
        # a sum over no reports is blank, not 0
        series[key] = KpiSeries(
            {y: (v if counts.get(y) else None) for y, v in sums.items()}, counts, same_units=same_units[code]
        )
    return series


def _rests_on(key: str, s: KpiSeries, year: int, n_reported: float | None) -> str:
    """The card's line on what its value rests on, in the units' own count."""
    n, aside = s.n_units.get(year), s.n_aside.get(year)
    if key == "reporting":
        return "đơn vị đang hoạt động đã nộp báo cáo"
    if key == "good":
        return "trong số đơn vị được Sở đánh giá"
    if not n:
        return ""
    text = f"{fmt_int(n)}/{fmt_int(n_reported)} đơn vị báo cáo" if n_reported else f"{fmt_int(n)} đơn vị"
    if aside and key in ("sat_in", "sat_out"):
        text += f"; {fmt_int(aside)} đơn vị không ghi số phiếu, không tính"
    elif aside and key == "resolution":
        text += f"; {fmt_int(aside)} đơn vị để trống tồn năm trước, tính là 0"
    return text


# the catalogue indicator behind each card (whose applies_to says which units it concerns)
_CARD_CODES = {
    "sat_in": "sat_inpatient_pct",
    "sat_out": "sat_outpatient_pct",
    "sessions": "training_sessions",
    "participants": "training_participants",
    "complaints": "complaints_received",
    "resolution": "complaints_resolved",
}

# key, card label, kind, direction, help text
_CARDS = (
    (
        "reporting",
        "Đơn vị đã báo cáo",
        "ratio",
        "up",
        "Số đơn vị có báo cáo được tiếp nhận / số đơn vị đang hoạt động trong năm. Thay đổi tính bằng "
        "điểm phần trăm của tỷ lệ, vì số đơn vị thay đổi khi sáp nhập.",
    ),
    (
        "sat_in",
        "Hài lòng nội trú",
        "pct",
        "up",
        "Tỷ lệ người bệnh nội trú hài lòng, gộp số phiếu khảo sát của các đơn vị.",
    ),
    (
        "sat_out",
        "Hài lòng ngoại trú",
        "pct",
        "up",
        "Tỷ lệ người bệnh ngoại trú hài lòng, gộp số phiếu khảo sát của các đơn vị.",
    ),
    (
        "sessions",
        "Lớp tập huấn",
        "int",
        "up",
        "Tổng số lớp/buổi tập huấn, bồi dưỡng về công tác dân vận của các đơn vị đã báo cáo.",
    ),
    (
        "participants",
        "Lượt người dự tập huấn",
        "int",
        "up",
        "Tổng số lượt người tham dự tập huấn của các đơn vị đã báo cáo.",
    ),
    (
        "complaints",
        "Đơn thư tiếp nhận",
        "int",
        "none",
        "Tổng số đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh tiếp nhận trong năm.",
    ),
    (
        "resolution",
        "Tỷ lệ giải quyết đơn thư",
        "pct",
        "up",
        "Số đơn đã giải quyết / (tiếp nhận + tồn năm trước), các đơn vị có đủ số liệu.",
    ),
    (
        "good",
        "Đơn vị Xuất sắc/Tốt",
        "ratio",
        "up",
        "Số đơn vị được Sở đánh giá công tác dân vận Xuất sắc hoặc Tốt / số đơn vị được đánh giá; "
        "thay đổi tính bằng điểm phần trăm của tỷ lệ.",
    ),
)


def overview_kpis(series: dict[str, KpiSeries], panel: pl.DataFrame, year: int) -> list[Kpi]:
    """The overview's KPI cards for `year` (values and the previous year's) from kpi_series of `panel`."""
    # the units with a report row that year, in the panel's own basis (as reported or restated),
    # of the unit types a card's indicator concerns (a CDC has no inpatients to survey)
    n_reported = {
        key: _yearly(panel, pl.col("unit_code").filter(applies_expr(code)).count())
        for key, code in _CARD_CODES.items()
    }
    cards = []
    for key, label, kind, direction, help_text in _CARDS:
        s = series[key]
        cards.append(
            Kpi(
                key,
                label,
                s.values.get(year),
                s.values.get(year - 1),
                kind,
                direction,
                help_text,
                s.totals.get(year),
                s.totals.get(year - 1),
                rests_on=_rests_on(key, s, year, n_reported.get(key, {}).get(year)),
                same_units=s.same_units.get(year) if kind == "int" else None,
            )
        )
    return cards


def _share_basis(what: str) -> Callable[[float | None, float | None, float | None], str]:
    return lambda v, total, _n: f"{fmt_int(v)}/{fmt_int(total)} {what}"


def _units_basis(template: str) -> Callable[[float | None, float | None, float | None], str]:
    return lambda _v, _total, n: template.format(fmt_int(n))


# key, panel label, unit, kind, domain ("" = none), hover line; ratios become rates (%)
_TRENDS = (
    (
        "reporting",
        "Tỷ lệ đơn vị đã báo cáo",
        "%",
        "pct",
        "",
        _share_basis("đơn vị đang hoạt động đã báo cáo"),
    ),
    ("good", "Tỷ lệ đơn vị Xuất sắc/Tốt", "%", "pct", "dan_van", _share_basis("đơn vị được Sở đánh giá")),
    (
        "cchc",
        "Điểm CCHC bình quân",
        "điểm",
        "float",
        "cchc",
        _units_basis("Bình quân {} đơn vị do Sở xếp hạng"),
    ),
    ("sat_in", "Hài lòng nội trú", "%", "pct", "hai_long", _units_basis("Gộp phiếu khảo sát của {} đơn vị")),
    (
        "sat_out",
        "Hài lòng ngoại trú",
        "%",
        "pct",
        "hai_long",
        _units_basis("Gộp phiếu khảo sát của {} đơn vị"),
    ),
    ("sessions", "Lớp tập huấn", "lớp", "int", "tap_huan", _units_basis("Cộng {} đơn vị đã báo cáo")),
    (
        "participants",
        "Lượt người dự tập huấn",
        "lượt người",
        "int",
        "tap_huan",
        _units_basis("Cộng {} đơn vị"),
    ),
    ("complaints", "Đơn thư tiếp nhận", "đơn", "int", "khieu_nai", _units_basis("Cộng {} đơn vị đã báo cáo")),
    (
        "resolution",
        "Tỷ lệ giải quyết đơn thư",
        "%",
        "pct",
        "khieu_nai",
        _units_basis("{} đơn vị có đủ số liệu"),
    ),
)


def kpi_trends(series: dict[str, KpiSeries], year_from: int, year_to: int) -> pl.DataFrame:
    """The overview's indicators (kpi_series) per year in [year_from, year_to], for the small multiples.

    Long frame: key, label, unit_vi, kind, domain, year, value, basis (the hover's second
    line: what the value rests on). Shares of units (reporting, Xuất sắc/Tốt) are rates in
    %, never counts: after the 2025 mergers there are fewer units, not worse reporting.
    """
    rows = []
    for key, label, unit_vi, kind, domain, basis in _TRENDS:
        s = series[key]
        for year in sorted(set(s.values) | set(s.n_units)):
            if not year_from <= year <= year_to:
                continue
            value, total, n = s.values.get(year), s.totals.get(year), s.n_units.get(year)
            if key in ("reporting", "good"):
                shown = 100 * value / total if value is not None and total else None
            else:
                shown = value if n else None
            rows.append((key, label, unit_vi, kind, domain, year, shown, basis(value, total, n) if n else ""))
    schema = {
        "key": pl.String,
        "label": pl.String,
        "unit_vi": pl.String,
        "kind": pl.String,
        "domain": pl.String,
        "year": pl.Int32,
        "value": pl.Float64,
        "basis": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def top_movers(panel: pl.DataFrame, code: str, year: int, n: int = 5) -> pl.DataFrame:
    """The `n` biggest improvements and `n` biggest falls in `code` from year-1 to `year`."""
    ind = load_catalogue()[code]
    moves = metrics.movers(panel.select("unit_code", "year", code), code, year, ind.direction)
    if moves.is_empty():
        return moves.with_columns(short_name=pl.lit(None, pl.String), group=pl.lit(None, pl.String))
    names = panel.select("unit_code", "short_name", "rank_group").unique("unit_code")
    # unchanged units (improved is null) are neither
    up = moves.filter(pl.col("improved").eq_missing(True)).head(n)
    down = moves.filter(pl.col("improved").eq_missing(False)).tail(n)
    up = up.with_columns(group=pl.lit("Cải thiện nhiều nhất"))
    down = down.with_columns(group=pl.lit("Giảm nhiều nhất"))
    return pl.concat([up, down]).join(names, on="unit_code", how="left").sort("gain")
