"""Tests for app.fmt: Vietnamese number marks, rounding, signs and "Chưa báo cáo"."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from app.fmt import (
    MINUS,
    NOT_REPORTED,
    fmt_column,
    fmt_delta,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_rank,
    polars_number_format,
)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567, 0, "1.234.567"),
        (1234.5, 1, "1.234,5"),
        (1234567.891, 2, "1.234.567,89"),
        (999.95, 1, "1.000,0"),  # rounding carries into a new thousands group
        (12_345_678_901, 0, "12.345.678.901"),
        (0, 0, "0"),
        (0.5, 2, "0,50"),  # trailing zeros kept: columns line up
        (-1234.5, 1, "−1.234,5"),
        (-0.04, 1, "0,0"),  # rounds to zero: no "−0,0"
        (Decimal("3.14159"), 3, "3,142"),
    ],
)
def test_fmt_num(value, decimals, expected):
    assert fmt_num(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (92.45, "92,5"),  # half up on the number as typed, like Excel (half-even gives 92,4)
        (92.449, "92,4"),
        (0.125 * 10, "1,3"),
        (-92.45, "−92,5"),  # away from zero on both sides
        (92.35, "92,4"),
    ],
)
def test_rounding_is_half_away_from_zero(value, expected):
    assert fmt_num(value, 1) == expected


def test_fmt_int_rounds_half_up_too():
    assert [fmt_int(v) for v in (0.5, 1.5, 2.5, -2.5)] == ["1", "2", "3", "−3"]


def test_negative_numbers_use_the_true_minus_sign():
    assert MINUS == "\u2212"
    assert fmt_num(-5) == "\u22125"
    assert "-" not in fmt_num(-5)


@pytest.mark.parametrize("blank", [None, float("nan")])
def test_blank_reads_not_reported_never_zero(blank):
    assert NOT_REPORTED == "Chưa báo cáo"
    assert fmt_num(blank) == NOT_REPORTED
    assert fmt_int(blank) == NOT_REPORTED
    assert fmt_pct(blank) == NOT_REPORTED  # no "%" glued to the text
    assert fmt_delta(blank, suffix=" điểm") == NOT_REPORTED
    assert fmt_rank(blank, 19) == NOT_REPORTED
    assert fmt_num(0) == "0"


def test_fmt_pct():
    assert fmt_pct(92.5) == "92,5%"
    assert fmt_pct(92.45) == "92,5%"
    assert fmt_pct(100, 0) == "100%"
    assert fmt_pct(0.0) == "0,0%"


def test_fmt_rank():
    assert fmt_rank(3, 19) == "3/19"
    assert fmt_rank(18.0, 20.0) == "18/20"
    assert fmt_rank(2, None) == "2"
    assert fmt_rank(1, 1234) == "1/1.234"


@pytest.mark.parametrize(
    ("value", "decimals", "suffix", "expected"),
    [
        (1.5, 1, "", "+1,5"),
        (-1.5, 1, "", "−1,5"),
        (0, 1, "", "0,0"),
        (-0.04, 1, "", "0,0"),  # rounds to zero: no sign at all
        (0.05, 1, "", "+0,1"),
        (1234, 0, " lượt", "+1.234 lượt"),
        (-2.25, 1, " điểm %", "−2,3 điểm %"),
    ],
)
def test_fmt_delta(value, decimals, suffix, expected):
    assert fmt_delta(value, decimals, suffix) == expected


def test_fmt_column_formats_a_table_column():
    df = pl.DataFrame({"v": [1234.56, None, -2.0, float("nan")]})
    out = df.select(
        num=fmt_column(pl.col("v"), 1),
        pct=fmt_column(pl.col("v"), 1, percent=True),
        delta=fmt_column(pl.col("v"), 0, signed=True, suffix=" đơn"),
    )
    assert out["num"].to_list() == ["1.234,6", NOT_REPORTED, "−2,0", NOT_REPORTED]
    assert out["pct"].to_list() == ["1.234,6%", NOT_REPORTED, "−2,0%", NOT_REPORTED]
    assert out["delta"].to_list() == ["+1.235 đơn", NOT_REPORTED, "−2 đơn", NOT_REPORTED]


def test_polars_number_format_for_number_columns():
    assert polars_number_format() == "%'.,d"
    assert polars_number_format(suffix=" %") == "%'.,d %%"
    with pytest.raises(ValueError):
        polars_number_format(1)  # sprintf-js has no decimal comma
