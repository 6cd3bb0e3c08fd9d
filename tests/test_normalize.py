"""Reading typed values the Vietnamese way, one case per real-life habit."""

import pytest

from etl.catalogue import load_catalogue
from etl.normalize import fmt_vn, parse_value, parse_year

CAT = load_catalogue()


@pytest.mark.parametrize(
    ("raw", "code", "expected"),
    [
        ("92,5%", "sat_inpatient_pct", 92.5),
        ("92,5", "sat_inpatient_pct", 92.5),
        ("92.5", "sat_inpatient_pct", 92.5),
        (92.5, "sat_inpatient_pct", 92.5),
        ("1.234", "staff_total", 1234),
        ("1.234.567", "patient_visits", 1234567),
        ("1 234", "staff_total", 1234),
        ("1.234,5", "social_support_value", 1234.5),
        (85.125, "cchc_score", 85.125),
        ("85,125", "cchc_score", 85.125),
        ("4,04", "sat_inpatient_score", 4.04),
        ("0", "complaints_received", 0),
        (0.0, "complaints_received", 0),
    ],
)
def test_numbers_are_read_the_vietnamese_way(raw, code, expected):
    parsed = parse_value(raw, CAT[code])
    assert parsed.ok
    assert parsed.value_num == pytest.approx(expected)
    assert parsed.note is None


@pytest.mark.parametrize("raw", ["0,925", 0.925, "0.925"])
def test_a_fraction_for_a_percentage_is_scaled_with_a_warning(raw):
    parsed = parse_value(raw, CAT["sat_inpatient_pct"])
    assert parsed.value_num == pytest.approx(92.5)
    assert "phân số" in parsed.note


def test_an_explicit_small_percentage_is_kept():
    assert parse_value("0,5%", CAT["sat_inpatient_pct"]).value_num == pytest.approx(0.5)


def test_english_thousands_in_a_count_are_read_with_a_warning():
    parsed = parse_value("1,234", CAT["staff_total"])
    assert parsed.value_num == 1234
    assert "hàng nghìn" in parsed.note


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("trên 90%", "sat_inpatient_pct", "không phải là số"),
        ("105", "sat_inpatient_pct", "ngoài giới hạn"),
        ("12,5", "staff_total", "không phải là số nguyên"),
        ("-3", "complaints_received", "ngoài giới hạn"),
        ("85.125", "cchc_score", "hàng nghìn"),
        ("Rất tốt", "dv_self_rating", "không có trong danh sách"),
        ("chưa rõ", "qcdc_conference", "không phải Có/Không"),
    ],
)
def test_bad_values_say_what_is_wrong_and_how_to_fix(raw, code, fragment):
    parsed = parse_value(raw, CAT[code])
    assert not parsed.ok
    assert fragment in parsed.problem
    assert parsed.fix


@pytest.mark.parametrize("raw", [None, "", "   ", "-", float("nan")])
def test_blank_is_not_reported_not_zero(raw):
    assert parse_value(raw, CAT["complaints_received"]) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Có", "Có"), ("x", "Có"), ("co", "Có"), ("Không", "Không"), ("0", "Không"), (1.0, "Có")],
)
def test_booleans(raw, expected):
    assert parse_value(raw, CAT["qcdc_conference"]).value_text == expected


@pytest.mark.parametrize("raw", ["Xuất sắc", "xuat sac", "XUẤT SẮC", "Xuất  sắc"])
def test_ratings_forgive_case_and_accents(raw):
    assert parse_value(raw, CAT["dv_official_rating"]).value_text == "Xuất sắc"


def test_text_is_stored_nfc():
    decomposed = "Tăng cường đối thoại".encode().decode()
    import unicodedata

    parsed = parse_value(unicodedata.normalize("NFD", decomposed), CAT["highlights"])
    assert parsed.value_text == unicodedata.normalize("NFC", decomposed)


@pytest.mark.parametrize(
    ("raw", "expected"), [(2024.0, 2024), ("2024", 2024), ("Năm 2024", 2024), ("24", None)]
)
def test_years(raw, expected):
    assert parse_year(raw) == expected


def test_messages_show_numbers_vietnamese_style():
    assert fmt_vn(1234567.5) == "1.234.567,5"
    assert fmt_vn(92.0) == "92"


def test_free_text_keeps_the_units_line_breaks() -> None:
    from etl.catalogue import load_catalogue
    from etl.normalize import parse_value

    parsed = parse_value("- Thiếu bác sĩ.\r\n- Kinh phí  còn ít.\n\n", load_catalogue()["difficulties"])
    assert parsed is not None and parsed.value_text == "- Thiếu bác sĩ.\n- Kinh phí còn ít."


@pytest.mark.parametrize("code", ["staff_total", "sat_inpatient_pct", "cchc_score"])
def test_digits_beyond_a_numbers_range_are_refused_not_a_crash(code):
    # found by the fuzz tests: "9" typed 400 times read as float infinity, and the bounds
    # message (fmt_vn) or the integer check (round) raised OverflowError
    parsed = parse_value("9" * 400, CAT[code])
    assert parsed is not None and not parsed.ok
    assert "không phải là số" in parsed.problem
    assert not parse_value(float("inf"), CAT[code]).ok


@pytest.mark.parametrize("raw", [float("inf"), float("nan")])
def test_a_year_that_is_no_finite_number_is_unreadable(raw):
    assert parse_year(raw) is None
