"""The findings of "Kiểm tra số liệu" (app/tables/data_checks.py) and their list
(app/tables/check_list.py), on small frames built here."""

from __future__ import annotations

import polars as pl
import pytest

from app.tables import check_list
from app.tables import data_checks as dc
from app.tables.cchc import cchc_ranked
from app.tables.data_checks import finding_key
from etl.validate import ValidRecord, ValidValue, flag_outliers

UNITS = pl.DataFrame({"unit_code": ["A", "B"], "short_name": ["BV Mắt", "TTYT Hòa Thuận"]})


def _long(rows: list[tuple[str, int, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "unit_code": pl.String,
            "year": pl.Int32,
            "indicator_code": pl.String,
            "value_num": pl.Float64,
        },
        orient="row",
    )


def _history(values: pl.DataFrame) -> dict:
    out: dict = {}
    for unit, year, code, v in values.iter_rows():
        out.setdefault((unit, code), []).append((year, v))
    return out


def _ingest_flags(values: pl.DataFrame) -> set[tuple[str, int, str]]:
    """What the ingest's own outlier check (etl.validate.flag_outliers) flags on the same values."""
    history = _history(values)
    flagged = set()
    for unit, year, code, v in values.iter_rows():
        record = ValidRecord(unit, year, [ValidValue(code, v, None, "Báo cáo!F10")])
        if flag_outliers("x.xlsx", [record], history):
            flagged.add((unit, year, code))
    return flagged


def test_outliers_flag_what_the_ingest_flags_and_say_it_in_vietnamese() -> None:
    spike = [2, 3, 2, 4, 3, 40]  # 2020-2025, the last far above the unit's usual 2-4
    steady = [310_000, 320_500, 305_000, 315_000, 330_000, 312_000]
    rows = [("A", 2020 + i, "complaints_received", float(v)) for i, v in enumerate(spike)]
    rows += [("B", 2020 + i, "patient_visits", float(v)) for i, v in enumerate(steady)]
    rows += [("B", 2020 + i, "sat_staff_pct", v) for i, v in enumerate([91.0, 92.5, 90.5, 92.0, 40.5])]
    values = _long(rows)

    found = dc.outliers(values, UNITS)

    got = set(found.select("unit_code", "year", "indicator_code").iter_rows())
    assert got == _ingest_flags(values)
    assert got == {("A", 2025, "complaints_received"), ("B", 2024, "sat_staff_pct")}
    row = found.filter(pl.col("unit_code") == "A").row(0, named=True)
    assert (
        row["short_name"] == "BV Mắt"
        and row["indicator"] == "Tổng số đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh tiếp nhận"
    )
    assert row["detail"] == (
        "Giá trị 40 cao hơn nhiều so với các năm khác của đơn vị (trung vị 3 của 5 năm có số liệu)."
    )
    pct = found.filter(pl.col("unit_code") == "B").row(0, named=True)
    assert "Giá trị 40,5% thấp hơn nhiều" in pct["detail"] and "trung vị 91,5%" in pct["detail"]


def test_outliers_match_the_ingest_on_histories_with_gaps_and_spikes() -> None:
    """Many units, years missing here and there, a spike now and then: the same flags as the
    ingest's check, value by value."""
    import random

    rng = random.Random(12)
    rows = []
    for unit in ("A", "B"):
        for code in ("complaints_received", "patient_visits", "sat_staff_pct", "training_participants"):
            usual = {"patient_visits": 150_000, "sat_staff_pct": 90}.get(code, rng.choice([2, 30, 400]))
            for year in range(2013, 2026):
                if rng.random() < 0.2:
                    continue  # not reported that year
                value = usual * rng.uniform(0.8, 1.2)
                if rng.random() < 0.15:
                    value *= rng.choice([0.2, 3.0, 8.0])
                rows.append((unit, year, code, round(value, 1)))
    values = _long(rows)
    got = set(dc.outliers(values, UNITS).select("unit_code", "year", "indicator_code").iter_rows())
    assert got == _ingest_flags(values)
    assert len(got) >= 5  # the case has spikes to find


def test_outliers_need_four_other_years_and_leave_ranks_alone() -> None:
    rows = [("A", 2021 + i, "complaints_received", float(v)) for i, v in enumerate([2, 3, 2, 40])]
    rows += [("A", 2018 + i, "cchc_rank", float(v)) for i, v in enumerate([1, 2, 1, 2, 1, 30])]
    assert dc.outliers(_long(rows), UNITS).is_empty()


def _panel(**columns: list) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "unit_code": ["A", "B", "A", "B"][:n],
        "short_name": ["BV Mắt", "TTYT Hòa Thuận"] * 2,
        "year": [2024] * n,
    }
    base["short_name"] = base["short_name"][:n]
    codes = dc.rule_codes()
    frame = {**base, **{c: [None] * n for c in codes}, **columns}
    return pl.DataFrame(frame, schema={**{c: pl.Float64 for c in codes}, "unit_code": pl.String,
                                       "short_name": pl.String, "year": pl.Int32})  # fmt: skip


def test_a_rate_without_its_survey_size_blank_or_zero() -> None:
    panel = _panel(sat_staff_pct=[85.8, 90.0], sat_staff_n=[None, 0.0])
    found = dc.rule_findings(panel)
    assert found["check"].to_list() == ["rate_no_size", "rate_no_size"]
    blank, zero = found["detail"].to_list()
    assert blank == (
        "Đã báo cáo tỷ lệ 85,8% nhưng «Số phiếu khảo sát nhân viên y tế» để trống: "
        "không rõ tỷ lệ tính trên bao nhiêu phiếu."
    )
    assert "«Số phiếu khảo sát nhân viên y tế» bằng 0" in zero
    assert found["indicator"].to_list() == ["Tỷ lệ hài lòng của nhân viên y tế"] * 2
    # a rate with its forms, and no rate at all, are fine
    assert dc.rule_findings(_panel(sat_staff_pct=[85.8, None], sat_staff_n=[120.0, None])).is_empty()


def test_sums_that_do_not_add_up_name_the_figures() -> None:
    panel = _panel(
        training_participants=[900.0, 300.0],
        staff_total=[80.0, 80.0],
        complaints_resolved=[14.0, 5.0],
        complaints_received=[12.0, 5.0],
    )
    found = dc.rule_findings(panel)
    by_code = {r["indicator_code"]: r for r in found.iter_rows(named=True)}
    assert set(by_code) == {"training_participants", "complaints_resolved"}
    assert by_code["training_participants"]["unit_code"] == "A"
    assert by_code["training_participants"]["detail"] == (
        "Lượt người dự tập huấn (900) lớn hơn 10 × Số viên chức, NLĐ (80): cần xác minh với đơn vị."
    )
    assert "Đơn thư tồn năm trước (trống, tính là 0)" in by_code["complaints_resolved"]["detail"]
    assert by_code["complaints_resolved"]["detail"].endswith("số liệu như vậy không thể đúng.")


def _cchc(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"year": pl.Int32, "unit_code": pl.String, "short_name": pl.String, "cchc_score": pl.Float64,
                "cchc_rank": pl.Float64, "cchc_rank_of": pl.Float64},
        orient="row",
    ).with_columns(rank_pool=pl.lit("so"), rank_group=pl.lit(""))  # fmt: skip


def _expected(units: list[tuple[str, str]], year: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": [year] * len(units),
            "unit_code": [u for u, _ in units],
            "short_name": [n for _, n in units],
        },
        schema_overrides={"year": pl.Int32},
    ).with_columns(rank_pool=pl.lit("so"), rank_group=pl.lit(""))


def test_ranks_the_scores_contradict_and_units_ranked_without_a_score() -> None:
    ranked = cchc_ranked(
        _cchc([
            (2023, "A", "BV Mắt", 90.0, 3.0, 3.0),  # the best score, reported last
            (2023, "B", "TTYT Hòa Thuận", 85.0, 1.0, 3.0),
            (2023, "C", "CDC", 80.0, 2.0, 3.0),
            (2024, "A", "BV Mắt", 90.0, 1.0, 4.0),  # 2024: the Sở ranked 4, two have a score
            (2024, "B", "TTYT Hòa Thuận", None, 2.0, 4.0),
            (2024, "C", "CDC", 80.0, 3.0, 4.0),
        ])
    )  # fmt: skip
    units = [("A", "BV Mắt"), ("B", "TTYT Hòa Thuận"), ("C", "CDC"), ("D", "BV Tâm thần")]
    expected = pl.concat([_expected(units, 2023), _expected(units, 2024)])

    found = dc.rank_findings(ranked, expected)

    mismatch = found.filter(pl.col("check") == "rank_mismatch")
    assert set(mismatch.select("year", "unit_code").iter_rows()) == {(2023, "A"), (2023, "B"), (2023, "C")}
    a = mismatch.filter(pl.col("unit_code") == "A").row(0, named=True)
    assert (
        a["detail"] == "Đơn vị báo cáo hạng 3/3 với điểm CCHC 90; theo điểm của các đơn vị, hạng phải là 1/3."
    )
    bare = {
        r["unit_code"]: r["detail"]
        for r in found.filter(pl.col("check") == "rank_no_score").iter_rows(named=True)
    }
    assert set(bare) == {"B", "D"}
    assert bare["B"].startswith("Đơn vị báo cáo hạng 2/4 nhưng không ghi điểm CCHC.")
    assert bare["D"].startswith("Chưa có điểm CCHC: đơn vị chưa có báo cáo năm này được tiếp nhận.")
    assert "Năm 2024 Sở xếp hạng 4 đơn vị nhưng chỉ 2 đơn vị có điểm" in bare["D"]


def _one_finding(fp: str = "sat_staff_pct=85.8;sat_staff_n=") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "check": ["rate_no_size", "outlier"], "unit_code": ["A", "B"], "short_name": ["BV Mắt", "TTYT Hòa Thuận"],
            "year": [2024, 2023], "indicator_code": ["sat_staff_pct", "dv_awards"],
            "indicator": ["Tỷ lệ hài lòng của nhân viên y tế", "Số tập thể, cá nhân được khen thưởng"],
            "detail": ["Đã báo cáo tỷ lệ 85,8% nhưng ...", "Giá trị 5 cao hơn nhiều ..."], "value": [85.8, 5.0],
            "finding_key": [finding_key("rate_no_size", "A", 2024, "sat_staff_pct"),
                            finding_key("outlier", "B", 2023, "dv_awards")],
            "fingerprint": [fp, "dv_awards=5.0"],
        },
        schema=dc.FINDING_SCHEMA,
    )  # fmt: skip


@pytest.fixture
def marks_schema():
    from app.check_marks import MARKS_SCHEMA

    return MARKS_SCHEMA


def _mark(fp: str, schema: dict) -> pl.DataFrame:
    key = finding_key("rate_no_size", "A", 2024, "sat_staff_pct")
    return pl.DataFrame(
        [(key, fp, "Đã gọi điện", "quan_tri", "2026-12-01T03:04:05+00:00")], schema=schema, orient="row"
    )


def test_a_mark_holds_while_the_figures_are_the_ones_checked(marks_schema) -> None:
    listed = check_list.with_marks(_one_finding(), _mark("sat_staff_pct=85.8;sat_staff_n=", marks_schema))
    assert listed["is_verified"].to_list() == [True, False]
    assert check_list.in_state(listed, check_list.VERIFIED)["unit_code"].to_list() == ["A"]
    assert check_list.in_state(listed, check_list.UNVERIFIED)["unit_code"].to_list() == ["B"]
    assert check_list.in_state(listed, check_list.EVERY, ("outlier",))["unit_code"].to_list() == ["B"]
    shown = check_list.display(listed, {("A", 2024)})
    assert shown["state"][0] == "Đã xác minh với đơn vị (quan_tri, 01/12/2026 10:04): Đã gọi điện"
    assert shown["state"][1] == "Chưa xác minh"
    assert shown["link"][0] == "[Chi\u00a0tiết\u00a0báo\u00a0cáo](chi-tiet-bao-cao?don_vi=A&ct_nam=2024)"
    assert shown["link"][1] == "Chưa có báo cáo"
    counts = {name: (n_open, n_all) for name, n_open, n_all in check_list.summary(listed).iter_rows()}
    assert counts == {
        "Khác xa các năm khác": (1, 1), "Hạng lệch với điểm CCHC": (0, 0), "Xếp hạng thiếu điểm CCHC": (0, 0),
        "Tỷ lệ thiếu số phiếu khảo sát": (0, 1), "Số liệu không khớp nhau": (0, 0),
    }  # fmt: skip


def test_a_mark_made_on_other_figures_no_longer_counts(marks_schema) -> None:
    # the unit sent a version with another rate: the mark was made on 85.8
    listed = check_list.with_marks(
        _one_finding("sat_staff_pct=80.0;sat_staff_n="),
        _mark("sat_staff_pct=85.8;sat_staff_n=", marks_schema),
    )
    assert listed["is_verified"].to_list() == [False, False]
    assert listed["mark_outdated"].to_list() == [True, False]
    shown = check_list.display(listed, set())
    assert shown["state"][0] == "Chưa xác minh: số liệu đã đổi sau lần xác minh ngày 01/12/2026"


def test_the_download_has_vietnamese_columns_and_no_codes(marks_schema) -> None:
    from app.downloads import prepare_download

    listed = check_list.with_marks(_one_finding(), _mark("sat_staff_pct=85.8;sat_staff_n=", marks_schema))
    frame, _ = prepare_download(check_list.download(listed))
    assert frame.columns == [
        "Năm", "Tên đơn vị", "Loại kiểm tra", "Chỉ tiêu", "Điều cần xác minh", "Giá trị", "Tình trạng",
        "Người xác minh", "Thời điểm xác minh", "Ghi chú xác minh",
    ]  # fmt: skip
    text = " ".join(str(v) for row in frame.iter_rows() for v in row)
    for code in ("rate_no_size", "sat_staff_pct", "dv_awards", "outlier", "|"):
        assert code not in text
    assert frame.row(0) == (
        2024, "BV Mắt", "Tỷ lệ thiếu số phiếu khảo sát", "Tỷ lệ hài lòng của nhân viên y tế",
        "Đã báo cáo tỷ lệ 85,8% nhưng ...", 85.8, "Đã xác minh với đơn vị", "quan_tri", "01/12/2026 10:04",
        "Đã gọi điện",
    )  # fmt: skip
    assert frame.row(1)[6:] == ("Chưa xác minh", None, None, None)
