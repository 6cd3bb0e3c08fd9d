"""The overview's opening: a sentence on the year, and the units needing attention.

A leader opens the overview to learn what rose, what fell and who needs a call. The
headline is written from the KPI cards (tables.overview_kpis) so the two never disagree;
the attention list names each unit once with all its reasons: no report, under a target
the catalogue sets (for a survey rate: even its 95% upper bound under it, so a
small survey is not named for chance), a sharp fall in the CCHC ranking (against the same units the year
before), protracted complaints.
"""

from __future__ import annotations

import polars as pl

from app import metrics
from app.fmt import fmt_delta, fmt_int, fmt_pct
from app.tables.common import in_year
from app.tables.kpi_card import Kpi
from etl.catalogue import load_catalogue

RANK_DROP = 5  # places lost in the CCHC ranking that make a fall "sharp"
# the card keys the headline speaks of, with how a change reads
_HEADLINE_KEYS = ("sat_in", "sat_out", "resolution", "good", "participants", "complaints")


def _change_words(kpi: Kpi) -> str | None:
    """'hài lòng nội trú tăng 0,7 điểm % (96,4%)', or None without a comparable year before."""
    if kpi.value is None or kpi.previous is None:
        return None
    name = kpi.label[:1].lower() + kpi.label[1:]
    if kpi.kind == "ratio":
        if not kpi.total or not kpi.previous_total:
            return None
        change = 100 * kpi.value / kpi.total - 100 * kpi.previous / kpi.previous_total
        shown = f"{fmt_int(kpi.value)}/{fmt_int(kpi.total)}"
        unit = " điểm %"
    elif kpi.kind == "pct":
        change, shown, unit = kpi.value - kpi.previous, fmt_pct(kpi.value), " điểm %"
    else:
        if kpi.same_units is None:
            return None
        now, before, _n = kpi.same_units
        change, shown, unit = now - before, fmt_int(kpi.value), ""
    decimals = 0 if kpi.kind == "int" else 1
    if round(change, decimals) == 0:
        return f"{name} giữ mức {shown}"
    verb = "tăng" if change > 0 else "giảm"
    return f"{name} {verb} {fmt_delta(abs(change), decimals).lstrip('+')}{unit} ({shown})"


def year_headline(kpis: list[Kpi], year: int, n_attention: int) -> str:
    """One or two sentences on the year: what rose, what fell, how many units need attention.

    >>> k = Kpi("sat_in", "Hài lòng nội trú", 96.4, 95.7, "pct", "up", "")
    >>> year_headline([k], 2025, 2)
    'Năm 2025: hài lòng nội trú tăng 0,7 điểm % (96,4%). 2 đơn vị cần chú ý (danh sách bên dưới).'
    """
    by_key = {k.key: k for k in kpis}
    parts = [w for key in _HEADLINE_KEYS if key in by_key and (w := _change_words(by_key[key]))]
    reporting = by_key.get("reporting")
    lead = f"Năm {year}: " + "; ".join(parts) + "." if parts else f"Năm {year}."
    if reporting and reporting.value is not None and reporting.total and reporting.value < reporting.total:
        lead += f" {fmt_int(reporting.value)}/{fmt_int(reporting.total)} đơn vị đã nộp báo cáo."
    tail = (
        f" {fmt_int(n_attention)} đơn vị cần chú ý (danh sách bên dưới)."
        if n_attention
        else " Không có đơn vị nào cần chú ý đặc biệt."
    )
    return lead + tail


def _rank_falls(panel: pl.DataFrame, year: int) -> pl.DataFrame:
    """Units whose CCHC standing fell by RANK_DROP places or more, among the units the Sở
    scored both years (a merger or a missing report moves no one)."""
    if "cchc_score" not in panel.columns:
        return pl.DataFrame(schema={"unit_code": pl.String, "reason": pl.String})
    scores = panel.filter(pl.col("rank_pool").fill_null("so") == "so").select(
        "unit_code", "year", "rank_group", pl.col("cchc_score").cast(pl.Float64)
    )
    now = in_year(scores, year).drop_nulls("cchc_score")
    before = in_year(scores, year - 1).drop_nulls("cchc_score").select("unit_code", prev="cchc_score")
    both = now.join(before, on="unit_code", how="inner").with_columns(
        rank_now=pl.col("cchc_score").rank("min", descending=True).over("rank_group").cast(pl.Int64),
        rank_prev=pl.col("prev").rank("min", descending=True).over("rank_group").cast(pl.Int64),
    )
    falls = both.filter(pl.col("rank_now") - pl.col("rank_prev") >= RANK_DROP)
    return falls.select(
        "unit_code",
        reason=pl.format(
            "tụt {} bậc xếp hạng CCHC so với {}",
            (pl.col("rank_now") - pl.col("rank_prev")).cast(pl.Int64),
            year - 1,
        ),
    )


def units_needing_attention(panel: pl.DataFrame, expected: pl.DataFrame, year: int) -> pl.DataFrame:
    """Each unit needing attention in `year`, once, with its reasons (most pressing first).

    `panel` is the overview's (as reported or restated), `expected` who had to report
    (queries.reporting, scoped: unit_code, short_name, year, has_report). Returns unit_code,
    short_name, reasons ("; "-joined), n_reasons; units without a report first.
    """
    catalogue = load_catalogue()
    reasons: list[pl.DataFrame] = []
    missing = in_year(expected, year).filter(~pl.col("has_report"))
    reasons.append(
        missing.select("unit_code", reason=pl.lit("chưa nộp báo cáo năm " + str(year)), order=pl.lit(0))
    )
    rows = in_year(panel, year)
    for code, ind in catalogue.items():
        if ind.target is None or code not in rows.columns or ind.direction not in ("up", "down"):
            continue
        under = rows.filter(pl.col(code) < ind.target if ind.direction == "up" else pl.col(code) > ind.target)
        if ind.n_code and ind.n_code in rows.columns and ind.direction == "up":
            # a rate from few forms is named only when even its 95% upper bound misses the target
            _lo, hi = metrics.wilson_interval(code, ind.n_code)
            under = under.with_columns(hi).filter(pl.col(f"{code}_hi") < ind.target)
        reasons.append(
            under.select(
                "unit_code",
                reason=pl.format(
                    "{} {} (mục tiêu {})",
                    pl.lit(ind.short_vi.lower()),
                    pl.col(code).map_elements(fmt_pct, return_dtype=pl.String),
                    pl.lit(fmt_pct(ind.target, 0)),
                ),
                order=pl.lit(2),
            )
        )
    reasons.append(_rank_falls(panel, year).with_columns(order=pl.lit(1)))
    if "complaints_protracted" in rows.columns:
        protracted = rows.filter(pl.col("complaints_protracted") > 0)
        reasons.append(
            protracted.select(
                "unit_code",
                reason=pl.format(
                    "{} vụ việc phức tạp, kéo dài", pl.col("complaints_protracted").cast(pl.Int64)
                ),
                order=pl.lit(3),
            )
        )
    frames = [r.with_columns(pl.col("order").cast(pl.Int32)) for r in reasons if not r.is_empty()]
    schema = {"unit_code": pl.String, "short_name": pl.String, "reasons": pl.String, "n_reasons": pl.UInt32}
    if not frames:
        return pl.DataFrame(schema=schema)
    names = pl.concat(
        [expected.select("unit_code", "short_name"), panel.select("unit_code", "short_name")]
    ).unique("unit_code")
    return (
        pl.concat(frames)
        .sort("order")
        .group_by("unit_code", maintain_order=True)
        .agg(reasons=pl.col("reason").str.join("; "), n_reasons=pl.len(), first=pl.col("order").min())
        .join(names, on="unit_code", how="left")
        .sort(["first", "n_reasons", "unit_code"], descending=[False, True, False])
        .select(*schema)
    )
