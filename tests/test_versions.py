"""Versions of a unit-year side by side and what changed between two (app/versions.py)."""

from __future__ import annotations

import polars as pl

from app.versions import BLANK, Change, changes_frame, diff_versions, side_by_side, value_text, version_map

VALUES = pl.DataFrame(
    [
        (1, "staff_total", 450.0, None),
        (1, "complaints_received", 12.0, None),
        (1, "sat_inpatient_pct", 92.5, None),
        (1, "dv_self_rating", None, "Tốt"),
        (2, "staff_total", 450.0, None),
        (2, "complaints_received", 0.0, None),  # 12 -> 0: a change, and 0 is not blank
        (2, "dv_self_rating", None, "Xuất sắc"),
        (2, "training_sessions", 1234.0, None),  # added
    ],
    schema={
        "submission_id": pl.Int64,
        "indicator_code": pl.String,
        "value_num": pl.Float64,
        "value_text": pl.String,
    },
    orient="row",
)
LABELS = {
    "staff_total": "Số viên chức",
    "complaints_received": "Đơn thư tiếp nhận",
    "sat_inpatient_pct": "Hài lòng nội trú",
    "training_sessions": "Lớp tập huấn",
    "dv_self_rating": "Tự đánh giá",
}


def test_values_read_the_vietnamese_way():
    assert value_text(1234.0, None) == "1.234"
    assert value_text(92.5, None) == "92,5"
    assert value_text(0.0, None) == "0"
    assert value_text(None, "Tốt") == "Tốt"
    assert value_text(None, None) is None and value_text(None, "  ") is None


def test_diff_names_each_changed_value_from_what_to_what():
    changes = diff_versions(version_map(VALUES, 1), version_map(VALUES, 2))

    assert changes == [
        Change("complaints_received", "12", "0"),
        Change("dv_self_rating", "Tốt", "Xuất sắc"),
        Change("training_sessions", None, "1.234"),
        Change("sat_inpatient_pct", "92,5", None),
    ]
    assert [c.kind for c in changes] == ["Sửa", "Sửa", "Thêm", "Bỏ trống"]


def test_identical_versions_have_no_changes_and_blank_equals_absent():
    assert diff_versions(version_map(VALUES, 1), version_map(VALUES, 1)) == []
    assert diff_versions({"a": None}, {}) == []


def test_changes_frame_uses_the_vietnamese_names_and_says_blank():
    frame = changes_frame(diff_versions(version_map(VALUES, 1), version_map(VALUES, 2)), LABELS)

    row = frame.filter(pl.col("indicator_code") == "sat_inpatient_pct").row(0, named=True)
    assert row == {
        "indicator": "Hài lòng nội trú", "indicator_code": "sat_inpatient_pct",
        "before": "92,5", "after": BLANK, "kind": "Bỏ trống",
    }  # fmt: skip


def test_side_by_side_has_a_column_per_version_and_marks_the_changes():
    table = side_by_side(VALUES, [(1, "Lần 1"), (2, "Lần 2")], LABELS)

    assert table.columns == ["indicator", "Lần 1", "Lần 2", "changed"]
    rows = {r["indicator"]: r for r in table.iter_rows(named=True)}
    assert rows["Số viên chức"] == {
        "indicator": "Số viên chức",
        "Lần 1": "450",
        "Lần 2": "450",
        "changed": "",
    }
    assert rows["Đơn thư tiếp nhận"]["changed"] == "Có"
    assert rows["Lớp tập huấn"]["Lần 1"] == BLANK and rows["Lớp tập huấn"]["changed"] == "Có"
    # catalogue order, not the order the file listed them
    assert table["indicator"].to_list() == list(LABELS.values())
