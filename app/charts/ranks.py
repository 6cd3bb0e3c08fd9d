"""Rank axes and rank lines: rank 1 on top, "X/N" labels that stay inside the axis.

Used by the CCHC page (the units' ranks, the Sở's PAR Index rank) and a unit's profile.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.charts.common import domain_color, y_axis
from app.fmt import fmt_int


def rank_ticks(max_n: int) -> list[int]:
    """Rank axis ticks that always show rank 1: 1, 5, 10, 15 ... (every rank for small pools).

    The pool size itself is added when the last round tick is well short of it.

    >>> rank_ticks(6), rank_ticks(18), rank_ticks(31)
    ([1, 2, 3, 4, 5, 6], [1, 5, 10, 15, 18], [1, 5, 10, 15, 20, 25, 30])
    """
    n = max(1, int(max_n))
    if n <= 10:
        return list(range(1, n + 1))
    step = 5 if n <= 60 else 10 if n <= 120 else 25 if n <= 300 else 50
    ticks = [1, *range(step, n + 1, step)]
    if n - ticks[-1] >= max(2, step // 2):
        ticks.append(n)
    return ticks


def rank_axis(max_n: int, title: str | None = "Thứ hạng (1 = cao nhất)") -> dict:
    """A rank y axis: rank 1 on top, ticks from rank_ticks, nothing beyond the largest pool."""
    n = max(1, int(max_n))
    ticks = rank_ticks(n)
    return y_axis(
        title,
        autorange=False,
        range=[n + 0.6, 0.4],
        tickmode="array",
        tickvals=ticks,
        ticktext=[fmt_int(t) for t in ticks],
    )


def rank_line(
    years: list[int],
    ranks: list[float | None],
    labels: list[str],
    max_n: int,
    *,
    name: str,
    custom: list[list[str]],
    hovertemplate: str,
    marker_size: int = 8,
) -> dict:
    """One unit's rank over the years as a line with its "X/N" labels (the Sở's PAR rank, a
    unit's CCHC rank on its profile); labels sit away from the edges of the rank axis."""
    return {
        "type": "scatter",
        "x": years,
        "y": ranks,
        "mode": "lines+markers+text",
        "name": name,
        "line": {"color": domain_color("cchc"), "width": 3},
        "marker": {"size": marker_size},
        "text": labels,
        "textposition": rank_text_positions(ranks, max_n),
        "cliponaxis": False,
        "customdata": custom,
        "hovertemplate": hovertemplate,
    }


def rank_text_positions(ranks: Sequence[float | None], max_n: int) -> list[str]:
    """'bottom center' for a point in the upper half, 'top center' in the lower half: a label
    never runs past the top or the bottom of a rank axis."""
    return ["top center" if (r or 0) > max(1, max_n) / 2 else "bottom center" for r in ranks]
