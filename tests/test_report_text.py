"""The words of the documents: changes, names, Vietnamese order, the units' own points, the issuer."""

from __future__ import annotations

import pytest

from report.frame import issuer_from_meta
from report.texts import grouped, points
from report.wording import change, delta, names, rank_change, vietnamese_key, whole_pct


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((92.5, 89.3, 2024), {"decimals": 1, "points": True}, "tăng 3,2 điểm phần trăm so với năm 2024"),
        ((30, 42, 2024), {"unit": "đơn"}, "giảm 12 đơn so với năm 2024"),
        ((1234.0, 1.0, 2024), {"unit": "lượt"}, "tăng 1.233 lượt so với năm 2024"),
        ((90.04, 90.0, 2024), {"decimals": 1, "points": True}, "tương đương năm 2024"),
        ((5, None, 2024), {}, ""),
    ],
)
def test_changes_read_like_a_report(args, kwargs, expected) -> None:
    assert change(*args, **kwargs) == expected


def test_moves_ranks_lists_and_shares() -> None:
    assert delta(135, 146) == "giảm 11" and delta(3, 3) == "không đổi"
    assert rank_change(5, 19, (6, 21), 2024, pool=" trong các sở") == (
        "xếp hạng 5/19 trong các sở, tăng 1 bậc so với năm 2024 (6/21)"
    )
    assert rank_change(7, 19, (6, 21), 2024).endswith("giảm 1 bậc so với năm 2024 (6/21)")
    assert names(["A", "B", "C"]) == "A, B và C"
    assert (whole_pct(100.0), whole_pct(94.736)) == ("100%", "94,7%")


def test_vietnamese_alphabetical_order() -> None:
    words = [
        "Trung tâm Y tế",
        "Bệnh viện Đa khoa",
        "Bệnh viện Da liễu",
        "Bệnh viện Ưng",
        "Bệnh viện Uông",
        "Ân",
    ]
    assert sorted(words, key=vietnamese_key) == [
        "Ân", "Bệnh viện Da liễu", "Bệnh viện Đa khoa", "Bệnh viện Uông", "Bệnh viện Ưng", "Trung tâm Y tế",
    ]  # fmt: skip


def test_the_units_points_are_grouped_most_shared_first() -> None:
    assert points("- Thiếu bác sĩ. Kinh phí ít\n+ TP. Hồ Chí Minh xa") == [
        "Thiếu bác sĩ.", "Kinh phí ít", "TP. Hồ Chí Minh xa",
    ]  # fmt: skip
    texts = [("BV A", "Kinh phí ít."), ("BV B", "Thiếu bác sĩ. Kinh phí  ít"), ("BV C", "thiếu bác sĩ;")]
    assert grouped(texts) == [("Kinh phí ít", ["BV A", "BV B"]), ("Thiếu bác sĩ", ["BV B", "BV C"])]
    assert grouped([("BV A", None), ("BV B", "   ")]) == []


@pytest.mark.parametrize(
    ("meta", "parent", "place", "province"),
    [
        ({"province_name": "Tỉnh An Lạc (giả định)"}, "UBND TỈNH AN LẠC", "An Lạc", "tỉnh An Lạc"),
        ({"province_name": "Thành phố Hải Phòng"}, "UBND THÀNH PHỐ HẢI PHÒNG", "Hải Phòng", "thành phố Hải Phòng"),
        ({"province_name": "Tỉnh Lâm Đồng", "parent_body": "UBND TỈNH LÂM ĐỒNG", "place_name": "Đà Lạt"},
         "UBND TỈNH LÂM ĐỒNG", "Đà Lạt", "tỉnh Lâm Đồng"),
        ({}, "UBND TỈNH …", "…", "tỉnh …"),
    ],
)  # fmt: skip
def test_the_issuer_comes_from_the_database(meta, parent, place, province) -> None:
    issuer = issuer_from_meta(meta)
    assert (issuer.parent, issuer.place, issuer.province, issuer.name) == (parent, place, province, "SỞ Y TẾ")
