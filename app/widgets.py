"""Page widgets whose state needs a rule of its own: weights read the Vietnamese way, and a
unit list that never empties itself when a filter narrows its options.

Every widget here is bound to the page address (`bind="query-params"`), like the sidebar,
so a copied link reproduces the view.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from app.fmt import fmt_num

WEIGHT_STEPS = tuple(i / 2 for i in range(11))  # 0; 0,5; ...; 5


def weight_text(weight: float) -> str:
    """A weight as a Vietnamese reader writes it: '2', '1,5', '0'.

    >>> weight_text(2.0), weight_text(1.5)
    ('2', '1,5')
    """
    return fmt_num(weight, 0 if float(weight).is_integer() else 1)


def kept_choice(
    previous: Sequence[str] | None, options: Sequence[str], default: list[str], minimum: int
) -> list[str] | None:
    """The units to put back in a multiselect whose options changed, or None to leave it be.

    When a filter removes chosen units and fewer than `minimum` remain, the ones still
    available are kept and topped up from `default`, instead of an empty comparison.

    >>> kept_choice(["A", "X"], ["A", "B", "C"], ["B", "C"], 2)
    ['A', 'B']
    >>> kept_choice(["A", "B"], ["A", "B", "C"], ["C"], 2) is None
    True
    """
    if previous is None:
        return None
    still = [c for c in previous if c in options]
    if len(still) >= minimum or len(still) == len(previous):
        return None
    topped = list(dict.fromkeys([*still, *(c for c in default if c in options)]))
    return topped[: max(minimum, len(still))]


def unit_multiselect(
    label: str, options: dict[str, str], default: list[str], key: str, *, minimum: int = 2, maximum: int = 8
) -> list[str]:
    """A multiselect of units (code -> label) bound to the address, kept at `minimum` units."""
    kept = kept_choice(st.session_state.get(key), list(options), default, minimum)
    extra: dict = {"default": [c for c in default if c in options]}
    if kept is not None:
        st.session_state[key] = kept
        extra = {}  # a value set through the state this run may not come with a default too
    return st.multiselect(
        label,
        list(options),
        format_func=options.get,
        max_selections=maximum,
        key=key,
        bind="query-params",
        placeholder="Gõ tên đơn vị để tìm",
        select_all=False,
        **extra,
    )
