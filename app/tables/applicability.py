"""Which indicators concern which units: blank, zero and "không áp dụng" kept apart.

The catalogue's `applies_to` column names the unit types an indicator concerns (a CDC has
no inpatients, the Sở receives no patients). A blank there is not a missing report: tables
show "Không áp dụng", coverage and the composite index leave the indicator out, charts do
not draw a "chưa báo cáo" mark. A derived rate concerns the units all its sources concern.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from app.fmt import NOT_APPLICABLE, NOTHING_TO_RESOLVE
from app.tables.common import DERIVED_MEASURES
from etl.catalogue import load_catalogue
from etl.registry import UNIT_TYPES


def applies_to(code: str) -> tuple[str, ...]:
    """The unit types `code` concerns; () = every type. Derived rates: the types all sources concern."""
    catalogue = load_catalogue()
    if code not in DERIVED_MEASURES:
        return catalogue[code].applies_to
    types: set[str] | None = None
    for source in DERIVED_MEASURES[code].sources:
        limited = catalogue[source].applies_to
        if limited:
            types = set(limited) if types is None else types & set(limited)
    return tuple(t for t in UNIT_TYPES if t in types) if types is not None else ()


def applies(code: str, unit_type: str | None) -> bool:
    """Does indicator (or derived rate) `code` concern a unit of `unit_type`?

    >>> applies("sat_inpatient_pct", "tt_tinh"), applies("sat_staff_pct", "tt_tinh")
    (False, True)
    """
    types = applies_to(code)
    return not types or unit_type in types


def applies_expr(code: str, col: str = "unit_type") -> pl.Expr:
    """A boolean expression: does `code` concern the row's unit type?"""
    types = applies_to(code)
    return pl.lit(True) if not types else pl.col(col).is_in(list(types)).fill_null(False)


def applicable_codes(codes: Iterable[str], unit_type: str | None) -> list[str]:
    """The codes that concern a unit of `unit_type`, in the given order."""
    return [c for c in codes if applies(c, unit_type)]


def not_applicable_note(codes: Iterable[str], unit_type: str | None, labels: dict[str, str]) -> str | None:
    """'Không áp dụng cho Trung tâm tuyến tỉnh: hài lòng nội trú, hài lòng ngoại trú.' or None."""
    left_out = [labels.get(c, c) for c in codes if not applies(c, unit_type)]
    if not left_out:
        return None
    kind = UNIT_TYPES.get(unit_type or "", unit_type or "đơn vị này")
    return f"Không áp dụng cho {kind.lower()}: {', '.join(x[:1].lower() + x[1:] for x in left_out)}."


def explain_blanks(display: pl.DataFrame, numeric: pl.DataFrame, codes: dict[str, str]) -> pl.DataFrame:
    """`display` (tables.formatted text, same rows as `numeric`) with blanks that are not missing
    reports spelled out: "Không áp dụng" where the column's indicator (`codes`: column -> code)
    does not concern the unit's type, "0 đơn, không có gì cần giải quyết" for a resolution rate
    with nothing received or carried over. Other blanks keep "Chưa báo cáo"."""
    if "unit_type" not in numeric.columns:  # a display frame names the type in words only
        by_name = {name: code for code, name in UNIT_TYPES.items()}
        numeric = numeric.with_columns(unit_type=pl.col("unit_type_vi").replace_strict(by_name, default=None))
    out = display
    for col, code in codes.items():
        if col not in display.columns or col not in numeric.columns:
            continue
        not_applicable = numeric.select(pl.col(col).is_null() & ~applies_expr(code))[col]
        nothing = pl.Series([False] * numeric.height)
        if code == "resolution_rate_pct" and {"received", "carried_in"} <= set(numeric.columns):
            nothing = numeric.select(
                pl.col(col).is_null() & (pl.col("received") == 0) & (pl.col("carried_in").fill_null(0) == 0)
            )[col].fill_null(False)
        texts = [
            NOT_APPLICABLE if na else NOTHING_TO_RESOLVE if zero else shown
            for shown, na, zero in zip(
                display[col].to_list(), not_applicable.to_list(), nothing.to_list(), strict=True
            )
        ]
        out = out.with_columns(pl.Series(col, texts, dtype=pl.String))
    return out
