"""The direct entry form's model (app/entry_form.py): catalogue to fields, typed texts to values,
the ETL's validation messages beside their fields, and the workbook it submits."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from app.entry import entry_workbook
from app.entry_form import (
    check_entry,
    form_sections,
    history_of,
    not_asked_values,
    summary_lines,
    typed_from_values,
    typed_text,
    workbook_values,
)
from etl.catalogue import load_catalogue
from etl.readers import read_file
from etl.registry import DEMO_REGISTRY_CSV, Registry, read_registry
from etl.validate import validate

TODAY = date(2026, 11, 23)
CODE = re.compile(r"\b(" + "|".join(load_catalogue()) + r")\b")


@pytest.fixture(scope="module")
def units():
    return read_registry(DEMO_REGISTRY_CSV)


@pytest.fixture(scope="module")
def registry(units):
    return Registry(units)


def _unit(units, code):
    return next(u for u in units if u.unit_code == code)


def _fields(unit_type):
    return {f.code: f for s in form_sections(unit_type) for f in s.fields}


def test_one_section_per_domain_in_catalogue_order_with_labels_units_and_bounds():
    sections = form_sections("bv_tinh")
    assert [s.title for s in sections] == [
        "Quy mô hoạt động", "Cải cách hành chính", "Sự hài lòng", "Tập huấn, bồi dưỡng",
        "Khiếu nại, phản ánh", "Đánh giá công tác dân vận",
    ]  # fmt: skip
    assert [f.code for f in sections[0].fields] == [
        "staff_total",
        "beds_planned",
        "patient_visits",
        "inpatients",
    ]
    fields = _fields("bv_tinh")
    assert fields["staff_total"].label == "Tổng số viên chức, người lao động (người)"
    assert fields["staff_total"].hint == "Số nguyên từ 1 đến 20.000"
    assert fields["sat_staff_pct"].hint.startswith("Tỷ lệ %, từ 0 đến 100")
    assert fields["dv_self_rating"].options == ("Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu")
    assert fields["qcdc_conference"].options == ("Có", "Không")
    assert fields["highlights"].kind == "text" and fields["highlights"].options == ()
    assert sum(len(s.fields) for s in sections) == len(load_catalogue())


def test_indicators_that_do_not_concern_the_unit_type_are_not_asked():
    cdc = _fields("tt_tinh")
    assert not cdc["sat_inpatient_pct"].applies and not cdc["beds_planned"].applies
    assert cdc["sat_inpatient_pct"].not_applicable == "Không áp dụng cho trung tâm tuyến tỉnh"
    assert cdc["sat_staff_pct"].applies and cdc["staff_total"].applies
    assert all(f.applies for f in _fields("bv_tinh").values() if f.code != "sat_admin_pct")


@pytest.mark.parametrize(
    ("code", "value_num", "value_text", "typed"),
    [
        ("patient_visits", 1234567.0, None, "1.234.567"),
        ("staff_total", 79.0, None, "79"),
        ("sat_staff_pct", 92.5, None, "92,5"),
        ("sat_staff_pct", 0.5, None, "0,5%"),  # "0,5" alone would be read as 50%
        ("sat_inpatient_score", 4.25, None, "4,25"),
        ("social_support_value", 1250.0, None, "1250"),  # "1.250" in a decimal field warns about the dot
        ("social_support_value", 1250.75, None, "1.250,75"),
        ("complaints_received", 0.0, None, "0"),
        ("dv_self_rating", None, "Khá", "Khá"),
        ("qcdc_conference", None, "Không", "Không"),
        ("highlights", None, "- Một\n- Hai", "- Một\n- Hai"),
    ],
)
def test_a_value_in_force_is_typed_back_so_the_etl_reads_the_same_value_without_a_warning(
    units, registry, code, value_num, value_text, typed
):
    ind = load_catalogue()[code]
    assert typed_text(ind, value_num, value_text) == typed
    check = check_entry(
        _unit(units, "BVDKT"),
        2025,
        {"staff_total": "79", "sat_staff_n": "300", code: typed},
        registry,
        {},
        TODAY,
    )
    assert check.ok, check
    assert not check.field_warnings.get(code)
    assert check.values[code] == (value_num if value_num is not None else value_text)


def test_the_form_is_pre_filled_only_with_the_fields_the_unit_is_asked():
    rows = [("staff_total", 120.0, None), ("sat_inpatient_pct", 88.0, None), ("dv_self_rating", None, "Tốt")]
    assert typed_from_values(rows, "tt_tinh") == {"staff_total": "120", "dv_self_rating": "Tốt"}
    assert not_asked_values(rows, "tt_tinh") == ["Tỷ lệ hài lòng của người bệnh nội trú (%)"]
    assert not_asked_values(rows, "bv_tinh") == []


def test_errors_sit_by_their_field_without_file_cell_or_code(units, registry):
    typed = {
        "staff_total": "1.2a",  # not a number
        "beds_planned": "6.000",  # above the bound
        "complaints_received": "12",
        "complaints_resolved": "40",  # more resolved than received: a cross-field rule
        "dv_self_rating": "Tốt",
    }
    check = check_entry(_unit(units, "BVDKT"), 2025, typed, registry, {}, TODAY)
    assert not check.ok and check.n_errors == 3
    assert check.field_errors["staff_total"] == [
        "«1.2a» không phải là số. Cách sửa: nhập một số nguyên, ví dụ 1.234 (không ghi chữ, không ghi khoảng)."
    ]
    assert check.field_errors["beds_planned"][0].startswith(
        "giá trị 6.000 nằm ngoài giới hạn cho phép từ 0 đến 5.000 giường"
    )
    assert check.field_errors["complaints_resolved"][0].startswith(
        "Đơn thư đã giải quyết (40) lớn hơn Đơn thư tiếp nhận (12) + Đơn thư tồn năm trước (trống, tính là 0)"
    )
    every = [m for ms in (*check.field_errors.values(), *check.field_warnings.values()) for m in ms]
    assert not [m for m in every if CODE.search(m) or "Tệp «" in m or "ô F" in m]
    assert check.values == {}  # nothing is understood while there are errors


def test_warnings_do_not_block_and_name_other_fields_by_their_names(units, registry):
    typed = {"staff_total": "100", "sat_staff_pct": "0,93", "training_participants": "5.000"}
    check = check_entry(_unit(units, "CDC"), 2025, typed, registry, {}, TODAY)
    assert check.ok
    assert check.values["sat_staff_pct"] == 93.0
    fraction, no_forms = check.field_warnings["sat_staff_pct"]
    assert "«0,93» giống một phân số; đã hiểu là 93%" in fraction
    assert "ghi số phiếu khảo sát vào dòng «Phiếu khảo sát nhân viên»" in no_forms
    assert (
        "Lượt người dự tập huấn (5.000) lớn hơn 10 × Số viên chức, NLĐ (100)"
        in (check.field_warnings["training_participants"][0])
    )


def test_outliers_against_the_units_own_history_are_warnings(units, registry):
    history = history_of("TTKN", [(y, "staff_total", 120.0 + y % 3, None) for y in range(2015, 2026)])
    check = check_entry(_unit(units, "TTKN"), 2026, {"staff_total": "1.200"}, registry, history, TODAY)
    assert check.ok
    [warning] = check.field_warnings["staff_total"]
    assert warning.startswith("giá trị 1.200 khác xa số liệu các năm khác của đơn vị (trung vị 121)")


def test_a_value_typed_in_a_field_that_does_not_apply_is_ignored(units, registry):
    check = check_entry(
        _unit(units, "CDC"), 2025, {"staff_total": "90", "sat_inpatient_pct": "abc"}, registry, {}, TODAY
    )
    assert check.ok and "sat_inpatient_pct" not in check.values


def test_problems_of_the_whole_report_go_to_the_summary(units, registry):
    nothing = check_entry(_unit(units, "BVDKT"), 2025, {}, registry, {}, TODAY)
    assert nothing.errors == [
        "không có số liệu nào được báo cáo. Cách sửa: điền số liệu vào các ô của biểu mẫu."
    ]
    assert nothing.is_blank and not nothing.ok
    closed = check_entry(_unit(units, "TTYT_HOATHUAN"), 2026, {"staff_total": "90"}, registry, {}, TODAY)
    assert not closed.ok and "chỉ hoạt động đến năm 2024" in closed.errors[0]


def test_the_summary_names_each_field_in_form_order(units, registry):
    typed = {"complaints_received": "1", "complaints_resolved": "3", "staff_total": "x"}
    check = check_entry(_unit(units, "BVDKT"), 2025, typed, registry, {}, TODAY)
    errors, _ = summary_lines(check, form_sections("bv_tinh"))
    assert [e.split(":")[0] for e in errors] == [
        "Tổng số viên chức, người lao động (người)",
        "Số đơn thư đã giải quyết xong (đơn)",
    ]


def test_the_submitted_workbook_reads_back_to_the_values_typed(units, registry, tmp_path: Path):
    unit = _unit(units, "BVM")
    typed = {
        "staff_total": "1.234", "sat_staff_pct": "0,5%", "sat_staff_n": "300", "sat_inpatient_score": "4,25",
        "social_support_value": "1.250,75", "dv_self_rating": "Khá", "qcdc_conference": "Có",
        "highlights": "- Một\n- Hai", "complaints_received": "0",
    }  # fmt: skip
    check = check_entry(unit, 2025, typed, registry, {}, TODAY)
    assert check.ok
    path = tmp_path / "bvm.xlsx"
    path.write_bytes(entry_workbook(units, unit, 2025, workbook_values(check.values)))

    result = validate(read_file(path), registry, TODAY)

    assert not result.errors and not result.warnings
    assert (result.unit_code, result.year) == ("BVM", 2025)
    read = {
        v.indicator_code: v.value_num if v.value_num is not None else v.value_text
        for v in result.records[0].values
    }
    assert read == check.values
    assert read["sat_staff_pct"] == 0.5 and read["staff_total"] == 1234


def test_the_ingests_verdict_on_the_workbook_reads_without_file_cell_or_code():
    from app.entry_form import verdict_message

    text = (
        "Tệp «Nhập trực tiếp - TT Kiểm nghiệm - năm 2026 - 02-12-2026 01h55.xlsx», trang «Báo cáo», ô F34, "
        "chỉ tiêu «Số lượt người tham dự tập huấn» (training_participants): giá trị 96 khác xa số liệu các năm "
        "khác của đơn vị (trung vị 221). Cách sửa: ghi số phiếu vào dòng sat_staff_n."
    )
    assert verdict_message(text) == (
        "Số lượt người tham dự tập huấn: giá trị 96 khác xa số liệu các năm khác của đơn vị (trung vị 221). "
        "Cách sửa: ghi số phiếu vào dòng «Phiếu khảo sát nhân viên»."
    )
    assert verdict_message("Tệp «a.xlsx»: tệp không có dòng số liệu nào.") == "tệp không có dòng số liệu nào."
