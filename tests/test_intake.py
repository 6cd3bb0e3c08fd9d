"""Report intake status: on time, late, rejected, missing."""

from datetime import date, datetime

import polars as pl

from app.intake import (
    LATE,
    MISSING,
    NOT_EXPECTED,
    ON_TIME,
    REJECTED,
    completeness,
    completeness_matrix,
    intake_status,
    matrix_display,
    rates_by_year,
    rejected_files,
    status_counts,
    status_display,
    timeliness_by_year,
    to_chase,
    year_statuses,
)

EXPECTED = pl.DataFrame(
    {"year": [2024] * 4, "unit_code": ["A", "B", "C", "D"], "short_name": ["A", "B", "C", "D"]},
    schema={"year": pl.Int32, "unit_code": pl.String, "short_name": pl.String},
)


def _log(rows):
    return pl.DataFrame(
        rows,
        schema={
            "unit_code": pl.String, "year": pl.Int32, "status": pl.String, "source_name": pl.String,
            "received_at": pl.Datetime, "n_warnings": pl.Int64, "n_errors": pl.Int64, "first_error": pl.String,
        },
        orient="row",
    )  # fmt: skip


LOG = _log(
    [
        ("A", 2024, "superseded", "a1.xlsx", datetime(2024, 11, 10), 0, 0, None),
        ("A", 2024, "accepted", "a2.xlsx", datetime(2024, 12, 2), 1, 0, None),  # a late correction
        ("B", 2024, "accepted", "b.xlsx", datetime(2024, 11, 25), 0, 0, None),
        ("C", 2024, "rejected", "c.xlsx", datetime(2024, 11, 19), 0, 2, "Tệp «c.xlsx»: ..."),
        (None, None, "rejected", "la.xlsx", datetime(2024, 11, 18), 0, 1, "Tệp «la.xlsx»: không có đơn vị"),
        ("D", 2023, "accepted", "d.xlsx", datetime(2023, 11, 1), 0, 0, None),
    ]
)


def test_status_of_each_unit():
    status = intake_status(EXPECTED, LOG, 2024)
    by_unit = dict(zip(status["unit_code"], status["status"], strict=True))
    assert by_unit == {"A": ON_TIME, "B": LATE, "C": REJECTED, "D": MISSING}
    # missing first: what an operator chases
    assert status["status"].to_list() == [MISSING, REJECTED, LATE, ON_TIME]
    a = status.filter(pl.col("unit_code") == "A").row(0, named=True)
    assert a["source_name"] == "a2.xlsx" and a["n_versions"] == 2 and a["n_warnings"] == 1
    assert a["first_received_at"] == datetime(2024, 11, 10)


def test_a_unit_without_a_report_shows_a_dash_not_a_missing_figure():
    shown = status_display(intake_status(EXPECTED, LOG, 2024)).select(
        "unit_code", "first_received_at", "source_name", "n_versions", "n_rejected", "n_warnings"
    )
    rows = {r[0]: r[1:] for r in shown.iter_rows()}
    assert rows["A"] == ("10/11/2024", "a2.xlsx", "2", "0", "1")
    assert rows["B"] == ("25/11/2024", "b.xlsx", "1", "0", "0")  # no warnings: zero, not a dash
    # rejected: no report in force, so no warnings to count; the rejected file is named
    assert rows["C"] == ("—", "c.xlsx", "1", "1", "—")
    assert rows["D"] == ("—", "—", "0", "0", "—")
    assert "Chưa báo cáo" not in str(shown.rows())


def test_counts_cover_every_status():
    assert status_counts(intake_status(EXPECTED, LOG, 2024)) == {MISSING: 1, REJECTED: 1, LATE: 1, ON_TIME: 1}
    assert status_counts(intake_status(EXPECTED.head(0), LOG, 2024)) == {
        MISSING: 0,
        REJECTED: 0,
        LATE: 0,
        ON_TIME: 0,
    }


def test_rejected_files_include_unattributable_ones():
    files = rejected_files(LOG, 2024)
    assert files["source_name"].to_list() == ["c.xlsx", "la.xlsx"]


def test_rejected_files_name_their_unit_not_its_code():
    """An operator reads the unit's name; a code the registry does not know is shown as the file
    wrote it, and a file whose unit could not be read says so."""
    log = _log(
        [
            ("A", 2024, "rejected", "a.xlsx", datetime(2025, 1, 3), 0, 2, "Ô C5: thiếu số"),
            ("ZZ", 2024, "rejected", "zz.xlsx", datetime(2025, 1, 2), 0, 1, "Mã đơn vị không có"),
            (None, None, "rejected", "x.csv", datetime(2025, 1, 1), 0, 1, "Không đọc được"),
        ]
    )
    units = pl.DataFrame({"unit_code": ["A"], "short_name": ["BV Mắt"]})
    files = rejected_files(log, 2024, units)
    assert files["unit"].to_list() == ["BV Mắt", "«ZZ»", "(không đọc được)"]
    assert "unit_code" not in files.columns


# a unit opened in 2023 (E) and one closed after 2023 (F) beside A-D, over 2022-2024
UNITS = pl.DataFrame(
    {
        "unit_code": ["A", "B", "C", "D", "E", "F"],
        "short_name": ["A", "B", "C", "D", "E", "F"],
        "valid_from": [None, None, None, None, 2023, None],
        "valid_to": [None, None, None, None, None, 2023],
    },
    schema={"unit_code": pl.String, "short_name": pl.String, "valid_from": pl.Int32, "valid_to": pl.Int32},
)
YEARS = [2022, 2023, 2024]
MID_LOG = _log(
    [
        *LOG.rows(),
        ("E", 2023, "accepted", "e.xlsx", datetime(2023, 11, 30), 0, 0, None),  # late by 20/11
        ("F", 2022, "accepted", "f.xlsx", datetime(2022, 11, 1), 0, 0, None),
        ("F", 2023, "rejected", "f.xlsx", datetime(2023, 11, 2), 0, 1, "Tệp «f.xlsx»: ..."),
        ("F", 2024, "accepted", "f24.xlsx", datetime(2024, 11, 2), 0, 0, None),  # closed: not expected
    ]
)


def _expected(units: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    grid = units.join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
    active = (pl.col("valid_from").is_null() | (pl.col("valid_from") <= pl.col("year"))) & (
        pl.col("valid_to").is_null() | (pl.col("year") <= pl.col("valid_to"))
    )
    return grid.filter(active).select("year", "unit_code", "short_name")


def _completeness(deadlines: dict[int, date] | None = None) -> pl.DataFrame:
    """completeness of UNITS over YEARS from MID_LOG."""
    return completeness(UNITS, year_statuses(_expected(UNITS, YEARS), MID_LOG, YEARS, deadlines), YEARS)


def _cells(long: pl.DataFrame) -> dict[tuple[str, int], str]:
    return {(u, y): s for u, y, s in long.select("unit_code", "year", "status").iter_rows()}


def test_completeness_with_units_opened_and_closed_mid_series():
    long = _completeness()

    cells = _cells(long)
    assert len(cells) == 6 * 3
    assert [cells[("E", y)] for y in YEARS] == [NOT_EXPECTED, LATE, MISSING]
    assert [cells[("F", y)] for y in YEARS] == [
        ON_TIME,
        REJECTED,
        NOT_EXPECTED,
    ]  # its 2024 file counts nowhere
    assert [cells[(u, 2024)] for u in "ABCD"] == [ON_TIME, LATE, REJECTED, MISSING]
    assert cells[("D", 2023)] == ON_TIME


def test_rates_count_only_units_expected_that_year():
    rates = rates_by_year(_completeness())

    rows = {r["year"]: r for r in rates.iter_rows(named=True)}
    # 2022: A-D and F expected (E not yet open), F on time
    assert (rows[2022]["n_expected"], rows[2022]["n_reported"], rows[2022]["n_on_time"]) == (5, 1, 1)
    # 2023: A-F expected; D on time, E late, F rejected
    assert (rows[2023]["n_expected"], rows[2023]["n_reported"], rows[2023]["n_on_time"]) == (6, 2, 1)
    # 2024: F closed; its file does not push the rate past the units expected
    assert (rows[2024]["n_expected"], rows[2024]["n_reported"], rows[2024]["n_on_time"]) == (5, 2, 1)
    assert rows[2024]["reporting_rate_pct"] == 40.0 and rows[2024]["on_time_rate_pct"] == 20.0
    assert rates["reporting_rate_pct"].max() <= 100


def test_a_deadline_set_for_a_year_moves_on_time_and_late():
    later = {2024: date(2024, 11, 30)}

    default = _cells(_completeness())
    moved = _cells(_completeness(later))

    assert default[("B", 2024)] == LATE and moved[("B", 2024)] == ON_TIME  # received 25/11/2024
    assert default[("E", 2023)] == moved[("E", 2023)] == LATE  # other years keep 20/11


def test_matrix_has_a_column_per_year_and_the_list_to_chase():
    long = _completeness()

    matrix = completeness_matrix(long)

    assert matrix.columns == ["unit_code", "short_name", "2022", "2023", "2024"]
    assert matrix.filter(pl.col("unit_code") == "E").row(0) == ("E", "E", NOT_EXPECTED, LATE, MISSING)
    chase = to_chase(intake_status(_expected(UNITS, YEARS), MID_LOG, 2024))
    assert sorted(chase["unit_code"]) == ["C", "D", "E"]


def test_the_matrix_on_screen_uses_short_words():
    shown = matrix_display(completeness_matrix(_completeness()))

    assert shown.filter(pl.col("unit_code") == "E").row(0) == ("E", "E", "–", "Muộn", "Chưa nộp")
    assert shown.filter(pl.col("unit_code") == "F").row(0) == ("F", "F", "Đúng hạn", "Từ chối", "–")


def test_all_years_at_once_give_each_years_status_and_counts():
    """year_statuses (every year in one pass) and the counts drawn from it agree with
    intake_status asked year by year, default deadlines or one moved."""
    expected = _expected(UNITS, YEARS)
    for deadlines in (None, {2024: date(2024, 11, 30), 2022: date(2022, 10, 1)}):
        due = deadlines or {}
        by_year = {
            y: intake_status(expected, MID_LOG, y, due.get(y)).select("unit_code", "year", "status")
            for y in YEARS
        }
        together = year_statuses(expected, MID_LOG, YEARS, deadlines)
        assert sorted(together.rows()) == sorted(r for y in YEARS for r in by_year[y].rows())
        counts = timeliness_by_year(together, YEARS)
        for y in YEARS:
            for status, n in status_counts(by_year[y]).items():
                assert counts.filter(year=y, status=status)["n_units"].to_list() == [n], (y, status)
    assert counts.height == 4 * len(YEARS)  # every status of every year, 0 when none
