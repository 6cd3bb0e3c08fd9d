"""etl.unit_changes on a real DuckDB file: rename, merge, split and close a unit with an effective year.

The database is a Sở's (the demo province's unit list loaded as a real one, tests/conftest.py
`db`), reports are real workbooks through the real ingest, and what the pages read is checked
through the pages' own queries on the published snapshot.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import polars as pl
import pytest

from accounts.scope import Scope
from app import intake, queries
from etl.db import connect, get_meta, latest_snapshot, publish_snapshot
from etl.ingest import registry_from_db
from etl.unit_changes import (
    NewUnit,
    UnitChangeError,
    close_unit,
    merge_units,
    rename_unit,
    split_unit,
)
from tests.conftest import ingest_json, write_submission

NEW_NAME = "Bệnh viện Phổi và Tâm thần tỉnh An Lạc"


def _report(tmp_path: Path, db: Path, unit: str, year: int, values: dict) -> None:
    code, doc = ingest_json(write_submission(tmp_path / f"{unit}_{year}.xlsx", unit, year, values), db=db)
    assert code == 0, doc


def _units(db: Path) -> dict:
    with closing(connect(db)) as con:
        return registry_from_db(con).units


def _changes(db: Path) -> list[tuple]:
    with closing(connect(db)) as con:
        return con.execute(
            "select change_kind, effective_year, from_codes, to_codes, old_name, new_name, changed_by "
            "from unit_changes order by change_id"
        ).fetchall()


def _snapshot(db: Path) -> str:
    with closing(connect(db)) as con:
        publish_snapshot(con, db)
    return str(latest_snapshot(db))


def test_merge_into_a_new_unit_restates_both_histories_under_it(tmp_path: Path, db: Path) -> None:
    _report(tmp_path, db, "BVTT", 2024, {"staff_total": 120, "training_sessions": 3})
    _report(tmp_path, db, "BVPH", 2024, {"staff_total": 200, "training_sessions": 5})
    with closing(connect(db)) as con:
        version = int(get_meta(con, "data_version"))
        change = merge_units(
            con, ["BVTT", "BVPH"], "BVPTT", 2025,
            new=NewUnit("BVPTT", NEW_NAME, "BV Phổi - Tâm thần", area="Thành phố An Lạc"), by="quan_tri",
        )  # fmt: skip
        assert int(get_meta(con, "data_version")) == version + 1
    assert "từ năm 2025" in change.summary and NEW_NAME in change.summary
    units = _units(db)
    for code in ("BVTT", "BVPH"):
        assert (units[code].valid_to, units[code].successor_code) == (2024, "BVPTT")
    new = units["BVPTT"]
    assert (new.valid_from, new.valid_to, new.unit_type, new.rank_pool) == (
        2025,
        None,
        "bv_chuyen_khoa",
        "so",
    )
    assert _changes(db) == [("merge", 2025, ["BVTT", "BVPH"], ["BVPTT"], None, NEW_NAME, "quan_tri")]

    snap = _snapshot(db)
    restated = queries.panel(snap, ("staff_total", "training_sessions"), restated=True)
    row = restated.filter((pl.col("unit_code") == "BVPTT") & (pl.col("year") == 2024)).row(0, named=True)
    assert (row["staff_total"], row["training_sessions"]) == (320, 8)
    assert row["source_units"] == "BVPH, BVTT"
    reported = queries.panel(snap, ("staff_total",))
    assert "BVPTT" not in reported["unit_code"].to_list()  # as reported, the history stays the old units'
    # completeness: the merged units are not expected from 2025, the new one is
    expected = queries.expected_units(queries.units(snap), [2024, 2025])
    by_year = {y: set(expected.filter(pl.col("year") == y)["unit_code"]) for y in (2024, 2025)}
    assert {"BVTT", "BVPH"} <= by_year[2024] and not {"BVTT", "BVPH"} & by_year[2025]
    assert "BVPTT" in by_year[2025] and "BVPTT" not in by_year[2024]


def test_merge_into_an_existing_unit(tmp_path: Path, db: Path) -> None:
    _report(tmp_path, db, "BVTT", 2024, {"staff_total": 120})
    _report(tmp_path, db, "BVPH", 2024, {"staff_total": 200})
    with closing(connect(db)) as con:
        merge_units(con, ["BVTT"], "BVPH", 2025)
    units = _units(db)
    assert units["BVTT"].successor_code == "BVPH" and units["BVPH"].valid_to is None
    restated = queries.panel(_snapshot(db), ("staff_total",), restated=True)
    row = restated.filter((pl.col("unit_code") == "BVPH") & (pl.col("year") == 2024)).row(0, named=True)
    assert row["staff_total"] == 320


def test_a_unit_with_a_report_for_the_effective_year_is_not_ended(tmp_path: Path, db: Path) -> None:
    _report(tmp_path, db, "BVTT", 2025, {"staff_total": 120})
    with closing(connect(db)) as con, pytest.raises(UnitChangeError) as refused:
        merge_units(con, ["BVTT"], "BVPH", 2025)
    message = str(refused.value)
    assert "đã có báo cáo được tiếp nhận cho năm 2025" in message
    assert "chọn năm hiệu lực từ 2026" in message
    with closing(connect(db)) as con, pytest.raises(UnitChangeError):
        close_unit(con, "BVTT", 2024)
    assert _units(db)["BVTT"].valid_to is None and _changes(db) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda con: close_unit(con, "BVXX", 2026), "Không có đơn vị mã «BVXX»"),
        (lambda con: close_unit(con, "CDC", 2018), "bắt đầu hoạt động năm 2018"),  # CDC opened in 2018
        (lambda con: close_unit(con, "TTYTDP", 2026), "đã sáp nhập vào «Trung tâm Kiểm soát bệnh tật"),
        (lambda con: rename_unit(con, "TTYTDP", "Tên mới", 2026), "đã sáp nhập vào"),
        (lambda con: rename_unit(con, "CDC", "Tên mới", 2016), "không hoạt động năm 2016"),
        (lambda con: rename_unit(con, "BVM", "Bệnh viện Phổi tỉnh An Lạc", 2026), "đã là tên"),
        (lambda con: merge_units(con, ["BVM"], "BVNEW", 2026), "ghi tên của đơn vị mới (--name)"),
        (lambda con: merge_units(con, ["BVM", "BVTT"], "BVM", 2026), "cũng nằm trong danh sách"),
        (lambda con: merge_units(con, ["BVM"], "TTYT_PHULAM", 2026), "không còn hoạt động"),
        (lambda con: split_unit(con, "BVM", [NewUnit("BVM_A", "Bệnh viện Mắt A")], 2026), "ít nhất hai"),
        (
            lambda con: split_unit(con, "BVM", [NewUnit("bvm a", "A"), NewUnit("BVM_B", "B")], 2026),
            "Mã đơn vị mới «bvm a» không hợp lệ",
        ),
        (lambda con: close_unit(con, "BVM", 1800), "Năm hiệu lực 1800 không hợp lệ"),
    ],
    ids=[
        "unknown", "before-opening", "already-merged", "rename-merged", "rename-before-opening",
        "name-taken", "new-without-name", "into-itself", "into-an-ended-unit", "split-into-one",
        "bad-code", "bad-year",
    ],
)  # fmt: skip
def test_refusals_say_why_and_write_nothing(db: Path, change, expected: str) -> None:
    before = _units(db)
    with closing(connect(db)) as con:
        version = get_meta(con, "data_version")
        with pytest.raises(UnitChangeError) as refused:
            change(con)
        assert get_meta(con, "data_version") == version
    assert expected in str(refused.value)
    assert _units(db) == before and _changes(db) == []


def test_rename_keeps_the_code_and_the_old_name_still_matches_old_files(tmp_path: Path, db: Path) -> None:
    _report(tmp_path, db, "BVSN", 2024, {"staff_total": 300})
    with closing(connect(db)) as con:
        change = rename_unit(
            con, "BVSN", "Bệnh viện Phụ Sản - Nhi tỉnh An Lạc", 2026, short_name="BV Phụ Sản - Nhi"
        )
    assert "«Bệnh viện Sản - Nhi tỉnh An Lạc» thành «Bệnh viện Phụ Sản - Nhi tỉnh An Lạc»" in change.summary
    unit = _units(db)["BVSN"]
    assert (unit.name, unit.short_name) == ("Bệnh viện Phụ Sản - Nhi tỉnh An Lạc", "BV Phụ Sản - Nhi")
    assert {"Bệnh viện Sản - Nhi tỉnh An Lạc", "BV Sản - Nhi"} <= set(unit.aliases)
    assert _changes(db)[0][:6] == (
        "rename",
        2026,
        ["BVSN"],
        ["BVSN"],
        "Bệnh viện Sản - Nhi tỉnh An Lạc",
        "Bệnh viện Phụ Sản - Nhi tỉnh An Lạc",
    )
    # a workbook that names the unit by its old name, without the code, still finds it
    old = write_submission(tmp_path / "cu.xlsx", None, 2025, {"staff_total": 310}, unit_name="BV Sản - Nhi")
    code, doc = ingest_json(old, db=db)
    assert code == 0 and doc["files"][0]["unit_code"] == "BVSN", doc
    panel = queries.panel(_snapshot(db), ("staff_total",))
    assert panel.filter(pl.col("unit_code") == "BVSN")["staff_total"].to_list() == [300, 310]


def test_split_ends_the_unit_without_restating_its_history(tmp_path: Path, db: Path) -> None:
    _report(tmp_path, db, "BVDKKV_BAC", 2024, {"staff_total": 500})
    with closing(connect(db)) as con:
        change = split_unit(
            con, "BVDKKV_BAC",
            [NewUnit("BVDK_BAC1", "Bệnh viện Đa khoa khu vực Bắc 1"),
             NewUnit("BVDK_BAC2", "Bệnh viện Đa khoa khu vực Bắc 2", area="Phía Tây")],
            2025,
        )  # fmt: skip
    assert "không quy đổi sang đơn vị mới nào" in change.summary
    units = _units(db)
    assert (units["BVDKKV_BAC"].valid_to, units["BVDKKV_BAC"].successor_code) == (2024, None)
    assert (units["BVDK_BAC1"].area, units["BVDK_BAC2"].area) == ("Phía Bắc", "Phía Tây")
    assert units["BVDK_BAC1"].valid_from == 2025 and units["BVDK_BAC1"].unit_type == "bv_tinh"
    restated = queries.panel(_snapshot(db), ("staff_total",), restated=True)
    owners = restated.filter(pl.col("year") == 2024).filter(pl.col("staff_total") == 500)["unit_code"]
    assert owners.to_list() == ["BVDKKV_BAC"]
    with closing(connect(db)) as con, pytest.raises(UnitChangeError, match="đã được chia tách"):
        close_unit(con, "BVDKKV_BAC", 2025)


def test_closed_unit_is_not_expected_after_its_last_year(tmp_path: Path, db: Path) -> None:
    _report(tmp_path, db, "TTPY", 2024, {"staff_total": 40})
    with closing(connect(db)) as con:
        close_unit(con, "TTPY", 2025)
    assert (_units(db)["TTPY"].valid_to, _units(db)["TTPY"].successor_code) == (2024, None)
    snap = _snapshot(db)
    all_units = queries.units(snap).filter(pl.col("unit_code") == "TTPY")
    years = [2024, 2025, 2026]
    log = queries.intake_log(snap, Scope.province())
    long = intake.completeness(
        all_units, intake.year_statuses(queries.expected_units(all_units, years), log, years), years
    )
    statuses = long["status"].to_list()
    assert statuses[0] == intake.LATE  # its 2024 report came after that year's deadline
    assert statuses[1:] == [intake.NOT_EXPECTED, intake.NOT_EXPECTED]
