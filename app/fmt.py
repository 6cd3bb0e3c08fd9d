"""Vietnamese number formatting for everything a person reads: KPI cards, tables, captions.

A dot groups thousands and a comma marks decimals (`1.234.567`, `1.234,5`, `92,5%`); negative
numbers take the true minus sign U+2212, as Plotly draws them on axes; a blank (None or NaN)
reads "Chưa báo cáo", never 0. Rounding is half away from zero on the number as written
(92,45 -> 92,5; 0,125 -> 0,13), the way Excel rounds, so a figure here matches the same
figure in the unit's workbook. Plotly figures get the same marks from
`layout.separators = PLOTLY_SEPARATORS`.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

import polars as pl

NOT_REPORTED = "Chưa báo cáo"
# an indicator that does not concern the unit (the catalogue's applies_to): not a missing value
NOT_APPLICABLE = "Không áp dụng"
NOTHING_TO_RESOLVE = "0 đơn, không có gì cần giải quyết"
MINUS = "\u2212"
PLOTLY_SEPARATORS = ",."  # Plotly's order: decimal mark, then thousands separator

Number = Real | Decimal
_SWAP_MARKS = str.maketrans({",": ".", ".": ","})


def _decimal(x: Number | None) -> Decimal | None:
    """The number as a Decimal of its shortest repr, None for a blank (None or NaN)."""
    if x is None:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    # str() gives the shortest repr of a float, so 92.45 rounds as the 92,45 a person typed;
    # int() first because str(True) is "True"
    value = Decimal(str(int(x) if isinstance(x, bool) else x))
    return None if value.is_nan() else value


def _rounded(x: Number | None, decimals: int) -> Decimal | None:
    value = _decimal(x)
    if value is None or value.is_infinite():
        return value
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def rounded(x: Number | None, decimals: int) -> float | None:
    """`x` rounded the way it is shown (half away from zero on the number as written), as a float.

    For downloads that must hold the figures as displayed: 92.45 -> 92.5, where float
    rounding would give 92.4. None for a blank.

    >>> rounded(92.45, 1), rounded(0.125, 2), rounded(None, 1)
    (92.5, 0.13, None)
    """
    value = _rounded(x, decimals)
    return None if value is None else float(value)


def rounds_to_zero(x: Number | None, decimals: int) -> bool:
    """Whether `x` is shown as 0 at `decimals` places (a change of 0,04 is "0,0": no change).

    >>> rounds_to_zero(-0.04, 1), rounds_to_zero(0.05, 1), rounds_to_zero(None, 1)
    (True, False, False)
    """
    rounded = _rounded(x, decimals)
    return rounded is not None and rounded == 0


def fmt_num(x: Number | None, decimals: int = 0) -> str:
    """A number the Vietnamese way, rounded to `decimals`: "1.234.567", "1.234,5", "−12,0".

    >>> fmt_num(1234567), fmt_num(1234.5, 1), fmt_num(-0.04, 1), fmt_num(None)
    ('1.234.567', '1.234,5', '0,0', 'Chưa báo cáo')
    """
    rounded = _rounded(x, decimals)
    if rounded is None:
        return NOT_REPORTED
    if rounded.is_infinite():
        return f"{MINUS}∞" if rounded < 0 else "∞"
    # a value that rounds to zero is shown as 0, not as a "−0" loss
    text = f"{abs(rounded):,.{decimals}f}".translate(_SWAP_MARKS)
    return f"{MINUS}{text}" if rounded < 0 else text


def fmt_int(x: Number | None) -> str:
    """A count: "1.234"; None -> "Chưa báo cáo"."""
    return fmt_num(x, 0)


def fmt_pct(x: Number | None, decimals: int = 1) -> str:
    """A percentage given as 0-100: "92,5%"; None -> "Chưa báo cáo".

    >>> fmt_pct(92.5), fmt_pct(100, 0)
    ('92,5%', '100%')
    """
    text = fmt_num(x, decimals)
    return text if text == NOT_REPORTED else f"{text}%"


def fmt_rank(rank: Number | None, n: Number | None = None) -> str:
    """A rank out of the pool size: "3/19" ("3" when n is unknown); None -> "Chưa báo cáo"."""
    if _decimal(rank) is None:
        return NOT_REPORTED
    return fmt_int(rank) if _decimal(n) is None else f"{fmt_int(rank)}/{fmt_int(n)}"


def fmt_delta(x: Number | None, decimals: int = 1, suffix: str = "") -> str:
    """A change with its sign: "+1,5", "−1,5", "0,0" (no sign when it rounds to 0).

    `suffix` is appended to a number ("+1,5 điểm"), never to "Chưa báo cáo".

    >>> fmt_delta(1.5), fmt_delta(-1.5), fmt_delta(0.04), fmt_delta(2, 0, " đơn vị")
    ('+1,5', '−1,5', '0,0', '+2 đơn vị')
    """
    rounded = _rounded(x, decimals)
    if rounded is None:
        return NOT_REPORTED
    return f"{'+' if rounded > 0 else ''}{fmt_num(x, decimals)}{suffix}"


def fmt_column(
    expr: pl.Expr, decimals: int = 0, *, percent: bool = False, signed: bool = False, suffix: str = ""
) -> pl.Expr:
    """A Polars expression formatting a numeric column as Vietnamese text for tables.

    Blank cells become "Chưa báo cáo". Text no longer sorts as a number, so keep the numeric
    column beside it when a table must sort.

    >>> pl.DataFrame({"x": [1234.56, None]}).select(fmt_column(pl.col("x"), 1))["x"].to_list()
    ['1.234,6', 'Chưa báo cáo']
    """

    def one(x: Number | None) -> str:
        text = fmt_delta(x, decimals) if signed else fmt_num(x, decimals)
        if text == NOT_REPORTED:
            return text
        return f"{text}{'%' if percent else ''}{suffix}"

    return expr.map_elements(one, return_dtype=pl.String, skip_nulls=False)


def polars_number_format(decimals: int = 0, suffix: str = "") -> str:
    """A printf format for `st.column_config.NumberColumn(format=...)` that groups with dots.

    Streamlit formats numbers with sprintf-js, whose `'.` pad flag sets the thousands separator:
    `"%'.,d"` shows 1234567 as "1.234.567" in every browser. It truncates, so round the column
    first (`pl.col(c).round(0)`). Decimals cannot be done this way: sprintf-js always writes
    "." as the decimal mark ("1.234.5"), and format="localized" follows the viewer's browser
    language, not Vietnamese. For decimals use `fmt_column` (text) instead.

    >>> polars_number_format(), polars_number_format(suffix=" người")
    ("%'.,d", "%'.,d người")
    """
    if decimals != 0:
        raise ValueError("NumberColumn cannot show a decimal comma; format the column with fmt_column")
    return "%'.,d" + suffix.replace("%", "%%")
