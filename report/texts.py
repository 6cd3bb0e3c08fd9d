"""The units' own words (highlights, difficulties, proposals), grouped for the writer to edit.

A unit's text is split into its points (lines, bullets, sentences). A point several units
made is said once, followed by every unit that made it, the most shared first: the writer
sees at once what the sector as a whole faces and who said what.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import polars as pl

_BULLET = re.compile(r"^[\s\-–—•+*·]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SPACES = re.compile(r"\s+")
# "TP.", "TX.", "ThS.": an abbreviation, not the end of a sentence
_ABBREVIATION = re.compile(r"(?:^|\s)[A-ZĐ]\w{0,3}\.$")
TEXT_CODES = ("highlights", "difficulties", "proposals")


def points(text: str | None) -> list[str]:
    """The points of one unit's text: one per line or bullet, long lines cut into sentences.

    A sentence boundary is a full stop, "!" or "?" followed by a capital letter, except
    after a short capitalised abbreviation ("TP. Hồ Chí Minh", "ThS. Nguyễn").

    >>> points("- Thiếu nhân lực. Cơ sở vật chất xuống cấp.\\n- Kinh phí còn ít")
    ['Thiếu nhân lực.', 'Cơ sở vật chất xuống cấp.', 'Kinh phí còn ít']
    """
    out: list[str] = []
    for line in unicodedata.normalize("NFC", text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        pieces = _SENTENCE_END.split(line)
        merged: list[str] = []
        for piece in pieces:
            if merged and (not piece[:1].isupper() or _ABBREVIATION.search(merged[-1])):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        out.extend(p.strip() for p in merged if p.strip())
    return out


def _key(point: str) -> str:
    """Points that differ only in case, spacing or the final full stop are the same point."""
    return _SPACES.sub(" ", point).strip().rstrip(".;").casefold()


def grouped(texts: Iterable[tuple[str, str | None]]) -> list[tuple[str, list[str]]]:
    """(point, [unit names]) from (unit name, text) pairs: the most shared points first.

    >>> grouped([("A", "Thiếu bác sĩ."), ("B", "thiếu bác sĩ"), ("C", "Kinh phí ít.")])
    [('Thiếu bác sĩ', ['A', 'B']), ('Kinh phí ít', ['C'])]
    """
    order: dict[str, tuple[str, list[str]]] = {}
    for name, text in texts:
        for point in points(text):
            key = _key(point)
            _point, who = order.setdefault(key, (point.rstrip(" .;"), []))
            if name not in who:
                who.append(name)
    ranked = sorted(enumerate(order.values()), key=lambda item: (-len(item[1][1]), item[0]))
    return [(point, who) for _, (point, who) in ranked]


def unit_texts(panel_year: pl.DataFrame, code: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    """(unit label, text) of every unit that wrote something under `code` that year, in label order."""
    rows = panel_year.filter(pl.col(code).is_not_null() & (pl.col(code).str.strip_chars() != ""))
    pairs = [(labels.get(c, c), t) for c, t in rows.select("unit_code", code).iter_rows()]
    return sorted(pairs)
