"""One KPI card of the overview: its value, what it rests on and its change from the year
before, formatted the Vietnamese way and coloured by the indicator's direction.

tables.overview computes the values (Kpi); this module only writes them as a Card.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.cards import Card
from app.fmt import NOT_REPORTED, fmt_delta, fmt_int, fmt_pct, rounds_to_zero


@dataclass(frozen=True)
class Kpi:
    """One KPI card: a value for the chosen year and the year before."""

    key: str
    label: str
    value: float | None
    previous: float | None
    kind: str  # "int", "pct", "ratio" (value/expected) or "num1"
    direction: str  # "up", "down" or "none": which change is good
    help: str
    total: float | None = None  # for "ratio": the denominator (units expected)
    previous_total: float | None = None
    rests_on: str = ""  # what the value rests on: "27/28 đơn vị báo cáo"
    # a like-with-like change for sums: this year and last over the units that gave both
    same_units: tuple[float, float, int] | None = None


def kpi_card(kpi: Kpi, year: int) -> Card:
    """The card of `kpi` for `year`: value and change from the year before, formatted the
    Vietnamese way.

    The colour follows the indicator's direction (green = better), never the sign alone.
    """
    card = Card(kpi.label, NOT_REPORTED, help=kpi.help, rests_on=kpi.rests_on)
    if kpi.value is None:
        return card
    if kpi.kind == "ratio":
        value = f"{fmt_int(kpi.value)}/{fmt_int(kpi.total)}" if kpi.total is not None else fmt_int(kpi.value)
    elif kpi.kind == "pct":
        value = fmt_pct(kpi.value)
    else:
        value = fmt_int(kpi.value)
    card = replace(card, value=value)
    if kpi.previous is None:
        return card
    change = kpi.value - kpi.previous
    if kpi.kind == "pct":
        delta = fmt_delta(change, 1, " điểm %")
    elif kpi.kind == "ratio":
        # the number of units changes with mergers: compare the shares, not the counts
        if not kpi.total or not kpi.previous_total:
            return card
        change = 100 * kpi.value / kpi.total - 100 * kpi.previous / kpi.previous_total
        delta = fmt_delta(change, 1, " điểm %")
    else:
        # a sum compares the same units both years, or says it cannot
        basis = f"so với {year - 1}"
        if kpi.same_units is not None:
            now, before, n_same = kpi.same_units
            change = now - before
            basis = f"so với {year - 1}, cùng {fmt_int(n_same)} đơn vị báo cáo cả hai năm"
            rel = f" ({fmt_delta(100 * change / before, 1)}%)" if before else ""
        elif kpi.rests_on:
            return replace(card, basis=f"không so được với {year - 1}: không đơn vị nào báo cáo cả hai năm")
        else:
            rel = f" ({fmt_delta(100 * change / kpi.previous, 1)}%)" if kpi.previous else ""
        delta = fmt_delta(change, 0) + rel
        card = replace(card, delta=delta, basis=basis)
        return _coloured(card, kpi, change)
    card = replace(card, delta=delta, basis=f"so với {year - 1}")
    return _coloured(card, kpi, change)


def _coloured(card: Card, kpi: Kpi, change: float) -> Card:
    """The card's arrow and colour: green = better along the indicator's direction."""
    # a change that shows as 0 (−0,04 → "0,0") is no change: no arrow, no colour
    if rounds_to_zero(change, 0 if kpi.kind == "int" else 1):
        return card
    if kpi.direction == "none":
        color = "gray"
    else:
        color = "green" if (change > 0) == (kpi.direction == "up") else "red"
    return replace(card, color=color, arrow="up" if change > 0 else "down")
