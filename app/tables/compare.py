"""The comparison page's tables: the scorecard of chosen units against the province median, and
the league table of every unit by a composite index.

Size-driven counts are compared as rates (DERIVED_MEASURES): complaints per 10.000 visits,
training participants per staff member, the resolution rate. A large hospital receives
more complaints and trains more people than a small centre; coloured against the median
as raw counts, that would read as the large unit doing worse (or better) for being large.
"""

from __future__ import annotations

import polars as pl

from app import metrics
from app.fmt import NOT_APPLICABLE, NOT_REPORTED, NOTHING_TO_RESOLVE, fmt_column, fmt_int, fmt_num, fmt_pct
from app.tables.applicability import applies, applies_expr
from app.tables.common import measure, rank_label, type_label, unique_labels, with_rates
from app.tables.markdown import NO_WRAP_CHARS, STANDING_BACKGROUNDS, escape_markdown, highlight

SCORECARD_CODES = (
    "cchc_score",
    "sat_inpatient_pct",
    "sat_outpatient_pct",
    "sat_staff_pct",
    "training_sessions",
    "training_per_staff",
    "complaints_per_10k",
    "resolution_rate_pct",
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
    "training_per_staff": 1.0,
    "complaints_protracted": 1.0,
    "leader_dialogues": 0.5,
    "dvk_models_recognized": 0.5,
}
# the units the Sở ranks; the Sở itself is ranked by the province (pool "tinh") and never
# listed among them
UNIT_POOL = "so"
# league table orderings the reader can choose: label -> (column, descending)
LEAGUE_SORTS: dict[str, tuple[str, bool]] = {
    "Hạng": ("rank", False),
    "Thay đổi hạng so với năm trước": ("rank_change", True),
    "Độ phủ dữ liệu": ("coverage", True),
    "Tên đơn vị": ("short_name", False),
}
RATE_NOTE = (
    "Đơn thư và lượt tập huấn được so sánh theo tỷ lệ (đơn thư trên 10.000 lượt khám, lượt tập huấn "
    "trên mỗi viên chức, tỷ lệ giải quyết), không theo số đếm, để đơn vị lớn và đơn vị nhỏ so sánh được "
    "với nhau; các chỉ tiêu còn lại là số đơn vị báo cáo."
)


def measure_text(value: float | None, code: str, standing: str = "") -> str:
    """A scorecard value the Vietnamese way: '92,5%', '15', '1,73', 'Chưa báo cáo', or what
    a blank means when it is not a missing report ("Không áp dụng", nothing to resolve)."""
    m = measure(code)
    if standing == "na":
        return NOT_APPLICABLE
    if standing == "nothing":
        return NOTHING_TO_RESOLVE
    if value is None:
        return NOT_REPORTED
    if m.kind == "pct":
        return fmt_pct(value)
    if m.kind == "int":
        return fmt_int(value)
    return fmt_num(value, getattr(m, "decimals", 1))


def scorecard(
    panel_year: pl.DataFrame, unit_codes: list[str], codes: tuple[str, ...] = SCORECARD_CODES
) -> pl.DataFrame:
    """Indicators x chosen units for one year, each value against the median of all units.

    Long frame: indicator_code, label (short name), unit_vi, direction, kind, median,
    unit_code, short_name, value, standing ("better", "same", "worse", "missing":
    metrics.standing, direction-aware). The median is over every unit that reported the
    indicator that year (the whole province, not just the chosen units). Derived rates are
    computed from the panel's counts first.
    """
    year = with_rates(panel_year)
    present = [c for c in codes if c in year.columns]
    medians = year.select(pl.col(c).cast(pl.Float64).median().alias(c) for c in present)
    chosen = year.filter(pl.col("unit_code").is_in(unit_codes))
    names = {r[0]: r[1] for r in chosen.select("unit_code", "short_name").iter_rows()}
    types = dict(chosen.select("unit_code", "unit_type").iter_rows())
    values = {(code, r["unit_code"]): r[code] for r in chosen.iter_rows(named=True) for code in present}
    nothing_to_resolve = set(_nothing_to_resolve(chosen))
    rows = []
    for code in present:
        m = measure(code)
        median = medians[code][0] if not medians.is_empty() else None
        for unit in unit_codes:
            value = values.get((code, unit))
            value = None if value is None else float(value)
            rows.append(
                {
                    "indicator_code": code,
                    "label": m.short_vi,
                    "unit_vi": m.unit_vi,
                    "direction": m.direction,
                    "kind": m.kind,
                    "median": median,
                    "unit_code": unit,
                    "short_name": names.get(unit, unit),
                    "value": value,
                    "standing": _cell_standing(
                        code, unit, value, median, m.direction, types, nothing_to_resolve
                    ),
                }
            )
    schema = {
        "indicator_code": pl.String,
        "label": pl.String,
        "unit_vi": pl.String,
        "direction": pl.String,
        "kind": pl.String,
        "median": pl.Float64,
        "unit_code": pl.String,
        "short_name": pl.String,
        "value": pl.Float64,
        "standing": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _nothing_to_resolve(year: pl.DataFrame) -> list[str]:
    """Units that received no complaint and carried none over: a blank resolution rate is not a gap."""
    if "complaints_received" not in year.columns:
        return []
    carried = pl.col("complaints_carried_in").fill_null(0) if "complaints_carried_in" in year.columns else 0
    return year.filter((pl.col("complaints_received") == 0) & (carried == 0))["unit_code"].to_list()


def _cell_standing(
    code: str,
    unit: str,
    value: float | None,
    median: float | None,
    direction: str,
    types: dict[str, str],
    nothing_to_resolve: set[str],
) -> str:
    """metrics.standing, plus "na" (does not concern the unit) and "nothing" (nothing to resolve)."""
    if value is None and not applies(code, types.get(unit)):
        return "na"
    if value is None and code == "resolution_rate_pct" and unit in nothing_to_resolve:
        return "nothing"
    return metrics.standing(value, median, direction)


def scorecard_markdown(card: pl.DataFrame) -> str:
    """The scorecard as a Markdown table: indicators in rows, units in columns, cells coloured.

    Blue background = better than the province median (direction-aware), orange = worse,
    grey = about the same; "Chưa báo cáo" stays plain. The indicator keeps its short name
    and its unit has a column of its own, so no label is cut.
    """
    units = card.select("unit_code", "short_name").unique("unit_code", maintain_order=True)
    names = unique_labels(units["unit_code"].to_list(), units["short_name"].to_list())
    by_key = {(r["indicator_code"], r["unit_code"]): r for r in card.iter_rows(named=True)}
    header = ["Chỉ tiêu", "Đơn vị tính", "Trung vị toàn tỉnh", *names.values()]
    lines = [
        "| " + " | ".join(escape_markdown(h) for h in header) + " |",
        "| :-- | :-- | --: |" + " --: |" * len(names),
    ]
    for code in card["indicator_code"].unique(maintain_order=True).to_list():
        first = by_key[(code, units["unit_code"][0])]
        cells = [
            escape_markdown(first["label"]),
            escape_markdown(first["unit_vi"] or ""),
            escape_markdown(measure_text(first["median"], code) if first["median"] is not None else "–"),
        ]
        for unit in names:
            row = by_key[(code, unit)]
            cells.append(
                highlight(
                    measure_text(row["value"], code, row["standing"]),
                    STANDING_BACKGROUNDS.get(row["standing"]),
                )
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def league_table(
    panel_year: pl.DataFrame, weights: dict[str, float], min_coverage: float = 0.5
) -> pl.DataFrame:
    """Composite index of every unit that year (metrics.composite_index), best first, with names.

    Weights may name derived rates (training_per_staff...). Ranked within the ranking group
    (the province), like the CCHC ranks.
    """
    year = with_rates(panel_year).filter(pl.col("rank_pool").fill_null(UNIT_POOL) == UNIT_POOL)
    codes = [c for c, w in weights.items() if w > 0]
    directions = {c: measure(c).direction for c in weights}
    flags = {c: f"applies_{c}" for c in codes}
    targets = {c: t for c in codes if (t := getattr(measure(c), "target", None)) is not None}
    wide = year.select(
        "unit_code",
        "year",
        "rank_group",
        *(pl.col(c).cast(pl.Float64) for c in codes),
        *(applies_expr(c).alias(flag) for c, flag in flags.items()),
    )
    index = metrics.composite_index(
        wide, weights, directions, min_coverage, pool_cols=["rank_group"], applicable=flags, targets=targets
    )
    names = year.select("unit_code", "short_name", type_label(), "area")  # rank_group: in the index
    return index.join(names, on="unit_code", how="left").with_columns(
        rank_label=rank_label("rank", "n_ranked")
    )


def with_rank_change(league: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """The league plus `rank_change`: places gained since last year (positive = moved up).

    Like with like: both years are ranked again among the units ranked in both (same
    weights), so units that merged away or newly appeared do not move the others. Blank for
    a unit not ranked last year.
    """
    now = league.filter(pl.col("composite").is_not_null()).select("unit_code", "composite")
    before = previous.filter(pl.col("composite").is_not_null()).select("unit_code", prev="composite")
    both = now.join(before, on="unit_code", how="inner")
    # ranks come back unsigned: make them signed before taking one from the other
    before_rank = pl.col("prev").round(9).rank("min", descending=True).cast(pl.Int64)
    now_rank = pl.col("composite").round(9).rank("min", descending=True).cast(pl.Int64)
    change = both.select("unit_code", rank_change=before_rank - now_rank)
    return league.join(change, on="unit_code", how="left")


def sort_league(league: pl.DataFrame, order: str) -> pl.DataFrame:
    """The league in the reader's chosen order (LEAGUE_SORTS), unranked units last."""
    col, descending = LEAGUE_SORTS.get(order, LEAGUE_SORTS["Hạng"])
    return league.sort([col, "rank", "unit_code"], descending=[descending, False, False], nulls_last=True)


def _change_text(change: int | None) -> str:
    if change is None:
        return "–"
    return f"▲ {change}" if change > 0 else f"▼ {-change}" if change < 0 else "="


def highlighted_names(rows: pl.DataFrame, chosen: tuple[str, ...] | list[str]) -> pl.Series:
    """`short_name` as escaped Markdown, the chosen units' on a blue background (a league table
    shows where the units the reader follows stand; show with `escaped=("short_name",)`)."""
    names = [
        highlight(_no_wrap(name or code), "blue" if code in chosen else None)
        for code, name in rows.select("unit_code", "short_name").iter_rows()
    ]
    return pl.Series("short_name", names, dtype=pl.String)


def _no_wrap(name: str) -> str:
    # as markdown_table keeps a short cell on one line
    return name.replace(" ", "\u00a0") if len(name) <= NO_WRAP_CHARS else name


def league_display(rows: pl.DataFrame, chosen: tuple[str, ...] | list[str] = ()) -> pl.DataFrame:
    """The league table's rows as text: composite "72,4", coverage "80%", blank note as "".

    The units being compared are highlighted (their name on a blue background, escaped
    Markdown: show it with `escaped=("short_name",)`); `rank_change` reads "▲ 2", "▼ 1", "=".
    """
    names = highlighted_names(rows, chosen)
    change = rows["rank_change"] if "rank_change" in rows.columns else pl.Series([None] * rows.height)
    return rows.with_columns(
        short_name=names,
        change=pl.Series([_change_text(c) for c in change.to_list()], dtype=pl.String),
    ).select(
        "rank_label",
        "change",
        "short_name",
        "unit_type_vi",
        "area",
        fmt_column(pl.col("composite"), 1).alias("composite"),
        fmt_column(pl.col("coverage") * 100, 0, percent=True).alias("coverage"),
        pl.col("note").fill_null(""),
    )
