"""What the page tables share: scoping a panel, the rates derived from counts, display helpers.

Every function returns a new frame and never mutates its input. Blank stays blank: sums
and means skip units that did not report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from app import metrics
from app.fmt import fmt_column
from etl.catalogue import Indicator, load_catalogue
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


def unit_identity() -> list[str | pl.Expr]:
    """The columns that name a unit in a per-unit table: code, short name, ranking group, type."""
    return ["unit_code", "short_name", "rank_group", type_label()]


def rank_label(rank: str, n: str) -> pl.Expr:
    """ "X/N" from two rank columns (reported ranks arrive as floats)."""
    return pl.when(pl.col(rank).is_not_null()).then(
        pl.format(
            "{}/{}",
            pl.col(rank).cast(pl.Int64),
            pl.col(n).cast(pl.Int64).cast(pl.String).fill_null("?"),
        )
    )


def unique_labels(
    codes: Sequence[str], names: Sequence[str | None], groups: Sequence[str | None] | None = None
) -> dict[str, str]:
    """code -> display name; a short name shared by several units gets its group or code appended.

    `groups` (the ranking group, e.g. the province "P07" in the national demo) tells apart
    units of different provinces; the code is the fallback.
    """
    group_list = list(groups) if groups is not None else [None] * len(codes)
    pairs = {c: (n, g) for c, n, g in zip(codes, names, group_list, strict=True)}
    by_name: dict[str, int] = {}
    by_name_group: dict[tuple[str, str], int] = {}
    for name, group in pairs.values():
        by_name[name or ""] = by_name.get(name or "", 0) + 1
        by_name_group[(name or "", group or "")] = by_name_group.get((name or "", group or ""), 0) + 1
    out = {}
    for code, (name, group) in pairs.items():
        if name and by_name[name] == 1:
            out[code] = name
        elif name and group and by_name_group[(name, group)] == 1:
            out[code] = f"{name} ({group})"
        else:
            out[code] = f"{name or code} ({code})"
    return out


def short_name_of(units: pl.DataFrame, unit_code: str | None) -> str | None:
    """The short name of one registered unit (None for no unit or an unknown code)."""
    if unit_code is None:
        return None
    found = units.filter(pl.col("unit_code") == unit_code)
    return found["short_name"][0] if found.height else None


def labels_for(df: pl.DataFrame) -> dict[str, str]:
    """unique_labels for a frame with unit_code, short_name and (optionally) rank_group."""
    groups = df["rank_group"].to_list() if "rank_group" in df.columns else None
    return unique_labels(df["unit_code"].to_list(), df["short_name"].to_list(), groups)


def with_unique_names(df: pl.DataFrame) -> pl.DataFrame:
    """`short_name` made unique (labels_for): "BVĐK 1 (P07)" where several provinces have a "BVĐK 1"."""
    names = labels_for(df)
    return df.with_columns(short_name=pl.col("unit_code").replace_strict(names, default=pl.col("short_name")))


def formatted(df: pl.DataFrame, decimals: dict[str, int], percent: tuple[str, ...] = ()) -> pl.DataFrame:
    """A display copy of `df`: the named numeric columns as Vietnamese text ("1.234,5", "92,5%").

    Blank cells read "Chưa báo cáo". Use for a displayed table; download the numeric frame.
    """
    return df.with_columns(
        fmt_column(pl.col(c), d, percent=c in percent).alias(c)
        for c, d in decimals.items()
        if c in df.columns
    )


# ----------------------------------------------------------------------------- rates from counts


@dataclass(frozen=True)
class Measure:
    """A rate the dashboard derives from reported counts; reads like a catalogue Indicator.

    Counts such as complaints received or training participants grow with a unit's size,
    so comparing units on them penalises the large (or the small) ones; these rates don't.
    """

    code: str
    name_vi: str
    short_vi: str
    unit_vi: str
    kind: str
    direction: str
    sources: tuple[str, ...]  # the catalogue codes it is computed from
    decimals: int = 2

    def label(self) -> str:
        return f"{self.short_vi} ({self.unit_vi})" if self.unit_vi else self.short_vi


DERIVED_MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "training_per_staff",
            "Lượt người dự tập huấn trên mỗi viên chức, người lao động",
            "Lượt tập huấn / viên chức",
            "lượt/người",
            "float",
            "up",
            ("training_participants", "staff_total"),
        ),
        Measure(
            "complaints_per_10k",
            "Đơn thư tiếp nhận trên 10.000 lượt khám bệnh",
            "Đơn thư / 10.000 lượt khám",
            "đơn",
            "float",
            "down",
            ("complaints_received", "patient_visits"),
        ),
        Measure(
            "resolution_rate_pct",
            "Tỷ lệ đơn thư đã giải quyết / (tiếp nhận + tồn năm trước)",
            "Tỷ lệ giải quyết đơn thư",
            "%",
            "pct",
            "up",
            ("complaints_resolved", "complaints_received", "complaints_carried_in"),
            decimals=1,
        ),
    )
}


def measure(code: str) -> Indicator | Measure:
    """The catalogue indicator or derived rate named `code` (labels, unit, kind, direction)."""
    return DERIVED_MEASURES[code] if code in DERIVED_MEASURES else load_catalogue()[code]


def source_codes(codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The catalogue codes a query must read to get `codes` (derived rates replaced by their sources)."""
    out: list[str] = []
    for code in codes:
        out.extend(DERIVED_MEASURES[code].sources if code in DERIVED_MEASURES else (code,))
    return tuple(dict.fromkeys(out))


def with_rates(panel: pl.DataFrame) -> pl.DataFrame:
    """The panel plus every derived rate whose source columns it has (blank-aware: a rate is
    blank when a count it needs is blank or its base is 0)."""
    cols = set(panel.columns)
    out = panel
    if {"training_participants", "staff_total"} <= cols:
        out = out.with_columns(
            training_per_staff=pl.when(pl.col("staff_total") > 0).then(
                pl.col("training_participants") / pl.col("staff_total")
            )
        )
    if {"complaints_received", "patient_visits"} <= cols:
        out = out.with_columns(
            complaints_per_10k=metrics.per_10k(pl.col("complaints_received"), pl.col("patient_visits"))
        )
    if {"complaints_resolved", "complaints_received", "complaints_carried_in"} <= cols:
        out = metrics.resolution_rate(out)
    return out
