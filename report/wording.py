"""The phrases a Sở report is written in: changes against the previous year, ranks, lists of names.

Pure functions from numbers to Vietnamese text, formatted with app.fmt so a figure reads
exactly as on the dashboard ("1.234", "92,5%"). A change that rounds to nothing is said as
such ("tương đương năm 2024"), never "tăng 0,0".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from app.fmt import fmt_num, fmt_pct, fmt_rank, rounds_to_zero


def delta(
    value: float | None, previous: float | None, *, unit: str = "", decimals: int = 0, points: bool = False
) -> str:
    """The move from `previous` to `value`: "tăng 12 đơn", "giảm 3,2 điểm phần trăm", "không đổi";
    "" when either is blank. `points` says the values are percentages (compared in points).

    >>> delta(30, 42, unit="đơn"), delta(92.5, 89.3, decimals=1, points=True), delta(5, 5)
    ('giảm 12 đơn', 'tăng 3,2 điểm phần trăm', 'không đổi')
    """
    if value is None or previous is None:
        return ""
    diff = value - previous
    if rounds_to_zero(diff, decimals):
        return "không đổi"
    word = "tăng" if diff > 0 else "giảm"
    suffix = " điểm phần trăm" if points else (f" {unit}" if unit else "")
    return f"{word} {fmt_num(abs(diff), decimals)}{suffix}"


def change(
    value: float | None,
    previous: float | None,
    previous_year: int,
    *,
    unit: str = "",
    decimals: int = 0,
    points: bool = False,
) -> str:
    """How `value` moved from `previous`: "tăng 12 đơn so với năm 2024"; "" when either is blank.

    >>> change(92.5, 89.3, 2024, decimals=1, points=True)
    'tăng 3,2 điểm phần trăm so với năm 2024'
    >>> change(30, 42, 2024, unit="đơn"), change(5, 5, 2024, unit="lớp"), change(5, None, 2024)
    ('giảm 12 đơn so với năm 2024', 'tương đương năm 2024', '')
    """
    moved = delta(value, previous, unit=unit, decimals=decimals, points=points)
    if moved == "không đổi":
        return f"tương đương năm {previous_year}"
    return f"{moved} so với năm {previous_year}" if moved else ""


def with_change(text: str, change_text: str) -> str:
    """`text`, then ', <change>' when there is one: 'đạt 92,5%, tăng 1,2 điểm phần trăm so với năm 2024'."""
    return f"{text}, {change_text}" if change_text else text


def rank_change(
    rank: int, rank_of: int, previous: tuple[int, int] | None, previous_year: int | None, *, pool: str = ""
) -> str:
    """A rank and its move: 'xếp hạng 5/19, tăng 1 bậc so với năm 2024 (6/21)'. Rank 1 is best.

    `pool` names what the rank is among (" trong các sở, ban, ngành tỉnh").

    >>> rank_change(5, 19, (6, 21), 2024)
    'xếp hạng 5/19, tăng 1 bậc so với năm 2024 (6/21)'
    """
    text = f"xếp hạng {fmt_rank(rank, rank_of)}{pool}"
    if previous is None or previous_year is None:
        return text
    steps = previous[0] - rank
    move = f"tăng {steps} bậc" if steps > 0 else f"giảm {-steps} bậc" if steps < 0 else "giữ nguyên thứ hạng"
    return f"{text}, {move} so với năm {previous_year} ({fmt_rank(*previous)})"


def names(items: Sequence[str]) -> str:
    """'A', 'A và B', 'A, B và C'.

    >>> names(["A"]), names(["A", "B"]), names(["A", "B", "C"])
    ('A', 'A và B', 'A, B và C')
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def named_values(pairs: Sequence[tuple[str, str]]) -> str:
    """'A (95,5 điểm), B (94,0 điểm) và C (93,0 điểm)' from (name, value text) pairs."""
    return names([f"{name} ({value})" for name, value in pairs])


def share(part: float, whole: float) -> str:
    """'92,5%' of part over whole; '' when whole is 0."""
    return fmt_pct(100 * part / whole) if whole else ""


def whole_pct(value: float) -> str:
    """A share the way a report says it: "100%" when whole, else "94,7%".

    >>> whole_pct(100.0), whole_pct(94.74)
    ('100%', '94,7%')
    """
    return fmt_pct(value, 0) if float(value).is_integer() else fmt_pct(value)


def capitalise(text: str) -> str:
    """The first letter upper case, the rest as written."""
    return text[:1].upper() + text[1:]


# letters that are letters of their own in the Vietnamese alphabet (ă â ê ô ơ ư), in its order
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}
# tones, compared only between words that are otherwise the same
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple[list[tuple[str, int]], list[int]]:
    """A sort key in Vietnamese alphabetical order: a < ă < â, d < đ, o < ô < ơ, u < ư; tones last.

    >>> sorted(["Đông", "Du", "Ân", "An", "Ăn"], key=vietnamese_key)
    ['An', 'Ăn', 'Ân', 'Du', 'Đông']
    """
    letters: list[tuple[str, int]] = []
    tones: list[int] = []
    for ch in text:
        if ch in "Đđ":
            letters.append(("d", 9))
            tones.append(0)
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        letters.append((base.casefold(), max((_LETTER_MARKS.get(m, 0) for m in marks), default=0)))
        tones.append(sum(_TONES.get(m, 0) for m in marks))
    return letters, tones
