"""KPI cards: a grid of labelled values with their change from the year before, as one HTML block.

Eight `st.metric` cards are some forty elements for the browser to build (columns, labels
parsed as Markdown, help icons, delta chips); the same cards as one static block draw in a
fraction of that, on the page the leadership opens first. The look follows st.metric's.
Each card's explanation is its label's tooltip (`title`), and the change is written out
(arrow, sign, "so với 2024") so it never rests on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import streamlit as st

# delta colour -> (text, background): st.metric's green, red and grey
_DELTA_COLORS = {
    "green": ("#177233", "rgba(33,195,84,0.12)"),
    "red": ("#bd4043", "rgba(255,43,43,0.09)"),
    "gray": ("#555867", "rgba(49,51,63,0.07)"),
}
_ARROWS = {"up": "↑", "down": "↓", "off": ""}

_STYLE = """<style>
.kpi-grid {display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 1rem;}
.kpi-card {border: 1px solid rgba(49,51,63,0.2); border-radius: 0.5rem; padding: 0.75rem 1rem;}
.kpi-label {font-size: 0.875rem; color: rgb(49,51,63);}
.kpi-label[title] {text-decoration: underline dotted rgba(49,51,63,0.4); cursor: help;}
.kpi-value {font-size: 2.25rem; line-height: 1.3; padding: 0.25rem 0; white-space: nowrap;}
.kpi-change {font-size: 0.875rem; color: rgba(49,51,63,0.6);}
.kpi-delta {border-radius: 0.75rem; padding: 0.1rem 0.5rem; margin-right: 0.4rem; white-space: nowrap;}
.kpi-basis {font-size: 0.8rem; color: rgba(49,51,63,0.75); padding-bottom: 0.25rem;}
@media (max-width: 640px) {
  /* a phone: two cards a row, not eight screens of one */
  .kpi-grid {grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem;}
  .kpi-card {padding: 0.5rem 0.6rem;}
  .kpi-value {font-size: 1.4rem; white-space: normal;}
  .kpi-change, .kpi-basis {font-size: 0.75rem;}
}
@media print {.kpi-grid {grid-template-columns: repeat(4, minmax(0, 1fr));} .kpi-card {break-inside: avoid;}}
</style>"""


@dataclass(frozen=True)
class Card:
    """One card, every text already formatted the Vietnamese way."""

    label: str
    value: str
    delta: str | None = None  # "+0,7 điểm %"; None: nothing to compare with
    color: str = "gray"  # "green" (better), "red" (worse) or "gray"
    arrow: str = "off"  # "up", "down" or "off"
    help: str = ""
    basis: str = ""  # what the delta compares with: "so với 2024"
    rests_on: str = ""  # what the value rests on: "27/28 đơn vị báo cáo"


def card_html(card: Card) -> str:
    """The HTML of one card."""
    title = f' title="{escape(card.help)}"' if card.help else ""
    parts = [
        '<div class="kpi-card" role="listitem">',
        f'<div class="kpi-label"{title}>{escape(card.label)}</div>',
        f'<div class="kpi-value">{escape(card.value)}</div>',
    ]
    if card.rests_on:
        parts.append(f'<div class="kpi-basis">{escape(card.rests_on)}</div>')
    if card.delta:
        text, background = _DELTA_COLORS.get(card.color, _DELTA_COLORS["gray"])
        arrow = _ARROWS.get(card.arrow, "")
        chip = f"{arrow} {card.delta}".strip()
        parts.append(
            f'<div class="kpi-change"><span class="kpi-delta" style="color:{text};background:{background}">'
            f"{escape(chip)}</span>{escape(card.basis)}</div>"
        )
    else:
        parts.append('<div class="kpi-change">&nbsp;</div>')
    parts.append("</div>")
    return "".join(parts)


def cards_html(cards: list[Card]) -> str:
    """The grid of `cards` with its style, as one block."""
    return _STYLE + '<div class="kpi-grid" role="list">' + "".join(card_html(c) for c in cards) + "</div>"


def show_cards(cards: list[Card]) -> None:
    """Draw `cards` in a grid that wraps to the page's width."""
    st.html(cards_html(cards))
