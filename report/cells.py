"""How a figure reads in the report's tables and sentences: blank cells (not reported), the
signs that are not blanks, and the best and weakest units of a column."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from app.fmt import fmt_num, fmt_pct
from report import facts
from report.source import Source

BLANK = ""  # a table cell the unit did not report
NEW_UNIT = "Mới thành lập"  # no rank the year before: the unit did not exist yet
NOTHING_DUE = "–"  # no complaint received nor carried over: no rate


def num(value: float | None, decimals: int = 0) -> str:
    return BLANK if value is None else fmt_num(value, decimals)


def pct(value: float | None) -> str:
    return BLANK if value is None else fmt_pct(value)


def rate(row: dict) -> str:
    """The resolution rate of a table row: '–' when there was nothing to resolve (not a blank)."""
    if row["rate_pct"] is None and row["received"] is not None:
        return NOTHING_DUE
    return pct(row["rate_pct"])


def period(src: Source) -> str:
    """'2021–2025': the years the trend charts cover."""
    return str(src.year) if src.year_from == src.year else f"{src.year_from}–{src.year}"


def edges(
    frame: pl.DataFrame, col: str, src: Source, text: Callable[[dict], str], *, best_high: bool = True
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(best, weakest) as (unit name, value text) pairs: facts.EDGE units each (fewer when there
    are few units, never the same unit in both), the weakest listed worst first."""
    rows = frame.filter(pl.col(col).is_not_null()).sort(col, "unit_code", descending=[best_high, False])
    n = min(facts.EDGE, rows.height // 2)
    best = [(src.name(r["unit_code"]), text(r)) for r in rows.head(n).iter_rows(named=True)]
    weakest = [(src.name(r["unit_code"]), text(r)) for r in rows.tail(n).reverse().iter_rows(named=True)]
    return best, weakest
