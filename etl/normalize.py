"""Turning what a person typed into a typed value, the Vietnamese way.

Vietnamese writes `1.234,5`: dot for thousands, comma for decimals. Excel cells
stored as numbers arrive as floats and need no guessing; text needs the rules
below. Every function returns a `Parsed` that says what was understood, or what
is wrong and how to fix it, in Vietnamese; nothing raises on bad input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from etl.catalogue import BOOL_NO, BOOL_YES, Indicator
from etl.registry import loose_key, nfc

BLANK_MARKERS = {"", "-", "--", "—", "–", "x/", "n/a", "k/c"}
_YES = {"co", "x", "yes", "y", "1", "true", "dat", "da to chuc", "co to chuc"}
_NO = {"khong", "no", "n", "0", "false", "khong dat", "chua", "chua to chuc", "khong to chuc"}
_NUMBER = re.compile(r"^[+-]?[\d.,]+$")


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one cell.

    Exactly one of `problem` (an error) or a value is set; `note` is a warning
    about how the value was understood.
    """

    value_num: float | None = None
    value_text: str | None = None
    problem: str | None = None
    fix: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def fmt_vn(x: float) -> str:
    """Format a number the Vietnamese way for messages: 1234567.5 -> '1.234.567,5'."""
    if not math.isfinite(x):
        return "∞" if x > 0 else "-∞" if x < 0 else "NaN"
    if x == int(x):
        return f"{int(x):,}".replace(",", ".")
    text = f"{x:,.6f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def is_blank(raw: str | float | None) -> bool:
    """True for an empty cell: the unit did not report this indicator."""
    if raw is None:
        return True
    if isinstance(raw, float):
        return math.isnan(raw)
    return nfc(raw).casefold() in BLANK_MARKERS


def _groups_ok(int_part: str, sep: str) -> bool:
    groups = int_part.split(sep)
    leading_zero = groups[0].startswith("0")
    return 1 <= len(groups[0]) <= 3 and not leading_zero and all(len(g) == 3 for g in groups[1:])


def parse_number_text(text: str, kind: str) -> tuple[float | None, str | None]:
    """Read a typed number; returns (value, how it was understood when ambiguous).

    >>> parse_number_text("1.234", "int")
    (1234.0, None)
    >>> parse_number_text("92,5", "pct")
    (92.5, None)
    """
    s = re.sub(r"[\s\u00a0\u202f']", "", text)
    if not _NUMBER.match(s):
        return None, None
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    note = None
    if "." in s and "," in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        grp = "." if dec == "," else ","
        int_part, _, frac = s.rpartition(dec)
        if frac.count(grp) or not _groups_ok(int_part, grp):
            return None, None
        if dec == ".":
            note = f"«{text}» được hiểu theo kiểu tiếng Anh (dấu phẩy phân cách hàng nghìn)"
        number = int_part.replace(grp, "") + "." + frac
    elif "," in s:
        if s.count(",") > 1 or (kind == "int" and re.fullmatch(r"\d{1,3},\d{3}", s)):
            if not _groups_ok(s, ","):
                return None, None
            note = (
                f"«{text}» được hiểu là {fmt_vn(float(s.replace(',', '')))} (dấu phẩy phân cách hàng nghìn)"
            )
            number = s.replace(",", "")
        else:
            number = s.replace(",", ".")
    elif "." in s:
        if s.count(".") > 1 or re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", s):
            if not _groups_ok(s, "."):
                return None, None
            number = s.replace(".", "")
            if kind != "int":
                note = f"«{text}» được hiểu là {fmt_vn(float(number))} (dấu chấm phân cách hàng nghìn)"
        else:
            number = s
    else:
        number = s
    try:
        value = sign * float(number)
    except ValueError:
        return None, None
    # digits beyond a float's range ("9" typed 400 times) are no number a unit can mean
    return (value, note) if math.isfinite(value) else (None, None)


def _number_hint(ind: Indicator) -> str:
    if ind.kind == "pct":
        return "nhập tỷ lệ phần trăm từ 0 đến 100, dấu phẩy thập phân, ví dụ 92,5"
    if ind.kind == "int":
        return "nhập một số nguyên, ví dụ 1.234 (không ghi chữ, không ghi khoảng)"
    return "nhập một số, dấu phẩy thập phân, ví dụ 85,5"


def parse_numeric(raw: str | float, ind: Indicator) -> Parsed:
    """Parse a value for an int, float or pct indicator and check its bounds."""
    note = None
    had_percent = False
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return Parsed(problem=f"«{fmt_vn(raw)}» không phải là số", fix=_number_hint(ind))
        value = raw
        shown = fmt_vn(raw)
    else:
        shown = nfc(raw)
        text = shown
        if text.endswith("%"):
            had_percent = True
            text = text[:-1]
        value, note = parse_number_text(text, ind.kind)
        if value is None:
            return Parsed(problem=f"«{shown}» không phải là số", fix=_number_hint(ind))
    if ind.kind == "pct" and not had_percent and 0 < value <= 1:
        note = f"«{shown}» giống một phân số; đã hiểu là {fmt_vn(round(value * 100, 6))}%. Nếu đúng là {shown}% hãy ghi rõ «{shown}%»"
        value = round(value * 100, 6)
    if ind.kind == "int" and abs(value - round(value)) > 1e-9:
        return Parsed(problem=f"«{shown}» không phải là số nguyên", fix=_number_hint(ind))
    lo, hi = ind.min, ind.max
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        unit = ind.unit_vi if ind.unit_vi == "%" else f" {ind.unit_vi}"
        bounds = (
            f"từ {fmt_vn(lo or 0)} đến {fmt_vn(hi)}{unit}" if hi is not None else f"từ {fmt_vn(lo)}{unit}"
        )
        understood = f"; {note}" if note else ""
        return Parsed(
            problem=f"giá trị {fmt_vn(value)} nằm ngoài giới hạn cho phép {bounds}{understood}".rstrip(),
            fix=f"kiểm tra lại số liệu; {_number_hint(ind)}",
        )
    return Parsed(value_num=float(round(value)) if ind.kind == "int" else value, note=note)


def parse_bool(raw: str | float) -> Parsed:
    """Có/Không, also x, 1/0, yes/no, đạt/không đạt."""
    key = loose_key(fmt_vn(raw) if isinstance(raw, float) else raw)
    if key in _YES:
        return Parsed(value_text=BOOL_YES)
    if key in _NO:
        return Parsed(value_text=BOOL_NO)
    return Parsed(
        problem=f"«{raw}» không phải Có/Không", fix="chọn «Có» hoặc «Không» trong danh sách thả xuống"
    )


def parse_category(raw: str | float, choices: tuple[str, ...]) -> Parsed:
    """One of the catalogue's choices; spelling, case and accents are forgiven."""
    key = loose_key(str(raw))
    for choice in choices:
        if loose_key(choice) == key:
            return Parsed(value_text=choice)
    return Parsed(
        problem=f"«{raw}» không có trong danh sách xếp loại",
        fix="chọn một trong: " + ", ".join(choices),
    )


def parse_value(raw: str | float | None, ind: Indicator) -> Parsed | None:
    """Parse one cell for an indicator; None when the cell is blank (not reported)."""
    if is_blank(raw):
        return None
    if ind.is_numeric:
        return parse_numeric(raw, ind)
    if ind.kind == "bool":
        return parse_bool(raw)
    if ind.kind == "category":
        return parse_category(raw, ind.choices)
    text = fmt_vn(raw) if isinstance(raw, float) else free_text(raw)
    return Parsed(value_text=text)


def free_text(raw: str) -> str:
    r"""A unit's free text (highlights, difficulties, proposals) as stored: NFC, spaces collapsed
    within each line, the unit's own line breaks kept (blank lines dropped), so a list of
    points stays a list. Windows and old Mac line ends become "\n".

    >>> free_text("- Thiếu  nhân lực.\r\n\r\n- Kinh phí ít ")
    '- Thiếu nhân lực.\n- Kinh phí ít'
    """
    lines = (nfc(line) for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def parse_year(raw: str | float | None) -> int | None:
    """A report year typed as 2024, '2024', 'Năm 2024' or '2.024'; None when unreadable."""
    if raw is None:
        return None
    if isinstance(raw, float):
        return int(raw) if math.isfinite(raw) and raw == int(raw) else None
    digits = re.sub(r"[^\d]", "", nfc(raw))
    return int(digits) if len(digits) == 4 else None
