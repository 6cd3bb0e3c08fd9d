"""Report intake status: on time, late, rejected, missing."""

from datetime import datetime

import polars as pl

from app.intake import LATE, MISSING, ON_TIME, REJECTED, intake_status, rejected_files, status_counts

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
