"""The demo database: a fictional province (or 34 of them) pushed through the real pipeline.

Nothing here writes to the database directly. The demo simulates what units would
report, writes the files they would send (filled template workbooks, a few CSV
exports and the real-life mess of DOMAIN.md) and ingests them with `etl.ingest`,
so every build of the demo exercises the readers, validation and versioning.

Values come from `simulate`, a seeded model with believable sizes and trends:
staff grow slowly, merged units inherit their predecessors' size, satisfaction
drifts up, complaints carry over from year to year, the Sở scores and ranks its
units (competition ranking, ties allowed) and the province ranks the Sở itself.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from accounts.demo import write_demo_accounts
from accounts.store import store_path
from etl.catalogue import BOOL_NO, BOOL_YES, load_catalogue
from etl.db import connect, published_facts, set_meta
from etl.ingest import FileResult, ingest_paths, replace_units
from etl.registry import DEMO_REGISTRY_CSV, Unit, read_registry
from etl.swap import DatabaseInfo, beside, inspect_database, remove_database, swap_in
from etl.template import write_template

YEARS = range(2015, 2026)
PROVINCE_NAME = "Tỉnh An Lạc (giả định)"
NATIONAL_NAME = "Toàn quốc (giả định, 34 tỉnh)"
RATINGS = ("Yếu", "Trung bình", "Khá", "Tốt", "Xuất sắc")  # worst to best
CLINICAL_TYPES = ("bv_tinh", "bv_chuyen_khoa", "ttyt")
TTHC_TYPES = (*CLINICAL_TYPES, "co_quan_so", "chi_cuc")

# the Sở's PAR rank among provincial departments (rank, out of, points); seed 004
# reports 18/20 in 2017 and 9/19 in 2020 for a real Sở
PROVINCE_PAR: dict[int, tuple[int, int, float]] = {
    2015: (16, 20, 78.4),
    2016: (19, 20, 76.9),
    2017: (18, 20, 77.6),
    2018: (15, 20, 80.2),
    2019: (12, 19, 82.5),
    2020: (9, 19, 84.7),
    2021: (8, 19, 85.9),
    2022: (10, 21, 85.3),
    2023: (7, 21, 87.4),
    2024: (6, 21, 88.9),
    2025: (5, 19, 90.1),
}
# province units that sent no file for a year (the reporting-rate pages need gaps)
PROVINCE_MISSING = (("TTPY", 2016), ("TTYT_NUIHONG", 2019), ("BVTT", 2021), ("TTGDYK", 2023))
# the unit-year whose reported CCHC rank does not match its score (a data-quality case)
PROVINCE_RANK_MISMATCH = ("BVM", 2022)
# units whose clerk types numbers as text: "92,5", "1.234" (and one who adds "%")
TEXT_TYPISTS = ("BVDKKV_NAM", "TTYT_SONGCAU", "TTKN")
PERCENT_TYPIST = "TTYT_LONGPHU"


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build did."""

    files_written: int
    accepted: int
    rejected: int
    unchanged: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.files_written} tệp, {self.accepted} được nhận, {self.rejected} bị từ chối, "
            f"{self.unchanged} không đổi, {self.seconds:.1f} giây".replace(".", ",")
        )


# ----------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Profile:
    """How a unit type looks: staff range and rates per staff member."""

    staff: tuple[float, float]
    beds_per_staff: tuple[float, float] = (0, 0)
    visits_per_staff: tuple[float, float] = (0, 0)
    survey_per_staff: tuple[float, float] = (0, 0)
    complaints: tuple[float, float] = (0, 4)
    outreach: tuple[float, float] = (2, 20)


_PROFILES: dict[str, _Profile] = {
    "bv_tinh": _Profile((800, 1150), (0.85, 1.1), (280, 420), (1.0, 2.2), (18, 55), (6, 30)),
    "bv_chuyen_khoa": _Profile((100, 300), (0.8, 1.4), (520, 950), (0.9, 2.0), (3, 20), (4, 24)),
    "ttyt": _Profile((80, 250), (0.9, 1.3), (550, 850), (0.5, 1.6), (3, 22), (60, 260)),
    "tt_tinh": _Profile((30, 150), complaints=(0, 4), outreach=(3, 30)),
    "chi_cuc": _Profile((15, 30), complaints=(0, 6), outreach=(10, 50)),
    "co_quan_so": _Profile((38, 45), complaints=(12, 35), outreach=(4, 12)),
}
# visits fell in the COVID-19 years
_VISIT_FACTOR = {2020: 0.86, 2021: 0.76, 2022: 0.94}
# indicators a unit sometimes leaves blank (not reported)
_OPTIONAL = (
    "channel_online", "channel_direct", "citizen_visits", "outreach_sessions", "sat_inpatient_score",
    "sat_outpatient_score", "tthc_online", "dvk_models_recognized", "dv_awards", "social_support_value",
    "difficulties", "proposals", "sat_staff_n",
)  # fmt: skip


@dataclass
class _Traits:
    """A unit's fixed character: its size at birth and how good it is at each thing."""

    staff0: float
    beds_rate: float
    visits_rate: float
    survey_rate: float
    sat_q: float  # patient satisfaction, in standard deviations
    staff_q: float  # staff satisfaction
    cchc_q: float  # administrative reform
    dv_q: float  # dân vận rating
    complaint_rate: float
    outreach: float
    tthc_rate: float
    reports_online_early: bool
    # habits that stay put from year to year, so a unit's history is smooth
    reception_days: int  # citizen-reception sessions a year (monthly, fortnightly, weekly)
    citizen_rate: float  # citizens received per session
    dialogues: int
    staff_survey_rate: float
    turnover: float  # inpatient stays per bed per year
    training_rate: float  # participants per staff member
    social_rate: float  # people supported per staff member
    social_value: float  # million đồng per person supported


@dataclass
class _State:
    """What carries from one year to the next."""

    staff: dict[str, int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    par: dict[str, tuple[int, int, float]] = field(default_factory=dict)


def _traits(u: Unit, rng: random.Random) -> _Traits:
    p = _PROFILES[u.unit_type]
    return _Traits(
        staff0=rng.uniform(*p.staff),
        beds_rate=rng.uniform(*p.beds_per_staff),
        visits_rate=rng.uniform(*p.visits_per_staff),
        survey_rate=rng.uniform(*p.survey_per_staff),
        sat_q=rng.gauss(0, 1),
        staff_q=rng.gauss(0, 1),
        cchc_q=rng.gauss(0, 1),
        dv_q=rng.gauss(0, 1),
        complaint_rate=rng.uniform(*p.complaints),
        outreach=rng.uniform(*p.outreach),
        tthc_rate=rng.uniform(0.002, 0.006),
        reports_online_early=rng.random() < 0.5,
        reception_days=rng.choice((12, 12, 24, 48, 52) if u.unit_type in CLINICAL_TYPES else (12, 12, 24)),
        citizen_rate=rng.uniform(0.4, 3.5),
        dialogues=rng.randint(3, 11) if u.unit_type in CLINICAL_TYPES else rng.randint(2, 4),
        staff_survey_rate=rng.uniform(0.6, 0.95),
        turnover=rng.uniform(40, 60),
        training_rate=rng.uniform(0.4, 1.8),
        social_rate=rng.uniform(1.5, 6.0),
        social_value=rng.uniform(0.12, 0.45),
    )


def competition_ranks(scores: Mapping[str, float]) -> dict[str, int]:
    """Rank by score, best first, ties sharing a rank and the next rank skipped (1, 2, 2, 4).

    >>> competition_ranks({"a": 90, "b": 85, "c": 85, "d": 80})
    {'a': 1, 'b': 2, 'c': 2, 'd': 4}
    """
    ordered = sorted(scores.values(), reverse=True)
    first = {}
    for i, s in enumerate(ordered, start=1):
        first.setdefault(s, i)
    return {code: first[s] for code, s in scores.items()}


def _clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _merging_index(units: list[Unit]) -> dict[tuple[str, int], list[str]]:
    """(successor, year) -> the units that closed the year before and passed their history on."""
    index: dict[tuple[str, int], list[str]] = {}
    for u in units:
        if u.successor_code and u.valid_to is not None:
            index.setdefault((u.successor_code, u.valid_to + 1), []).append(u.unit_code)
    return index


def _staff(u: Unit, year: int, merged_from: list[str], t: _Traits, state: _State, rng) -> int:
    prev = state.staff.get(u.unit_code) if u.active_in(year - 1) else None
    inherited = sum(state.staff.get(m, 0) for m in merged_from)
    if prev is not None:
        size = prev * (1 + rng.uniform(-0.01, 0.03)) + inherited * rng.uniform(0.92, 0.99)
    elif inherited:
        size = inherited * rng.uniform(0.94, 0.99)
    else:
        size = t.staff0
    return max(5, round(size))


def _survey_n(staff: int, rate: float, year: int, rng) -> int:
    # surveys grew steadily under QĐ 3869 (2019) and QĐ 56 (2024)
    growth = 1 + 0.04 * (year - 2015)
    return max(12, round(staff * rate * growth * rng.uniform(0.92, 1.08)))


def _score5(pct: float, rng) -> float:
    # mean 5-point score, correlated with the share satisfied
    return round(_clip(3.8 + (pct - 85) / 13 * 0.8 + rng.gauss(0, 0.05), 3.8, 4.6), 2)


def _rating(q: float, year: int, rng) -> str:
    s = q + 0.08 * (year - 2015) + rng.gauss(0, 0.7)
    if s > 0.9:
        return "Xuất sắc"
    if s > -1.0:
        return "Tốt"
    if s > -2.3:
        return "Khá"
    return "Trung bình"


def _official(self_rating: str, rng) -> str:
    # the Sở mostly agrees, sometimes marks one step down, rarely one step up
    i = RATINGS.index(self_rating)
    roll = rng.random()
    if roll < 0.15 and self_rating != "Trung bình":
        return RATINGS[i - 1]
    if roll > 0.93:
        return RATINGS[min(len(RATINGS) - 1, i + 1)]
    return self_rating


def _split(total: int, weights: list[float], rng) -> list[int]:
    """Split a count over channels, roughly in proportion to weights."""
    counts = [0] * len(weights)
    for _ in range(total):
        counts[rng.choices(range(len(weights)), weights)[0]] += 1
    return counts


def _complaints(
    u: Unit, year: int, t: _Traits, staff: int, merged_from: list[str], state: _State, rng
) -> dict:
    # volume follows size, so an area centre that absorbed three district centres gets
    # about their complaints together, not one centre's
    scale = staff / t.staff0
    received = round(_clip(t.complaint_rate * scale * rng.uniform(0.6, 1.4), 0, 60 * scale))
    carried = state.pending.get(u.unit_code, 0) if u.active_in(year - 1) else rng.randint(0, 2)
    carried += sum(state.pending.get(m, 0) for m in merged_from)
    carried = min(carried, round(5 * scale))
    open_cases = received + carried
    pending = min(open_cases, rng.choice((0, 0, 0, 1, 1, 2, 3)))
    state.pending[u.unit_code] = pending
    protracted = min(open_cases, rng.choices((0, 1, 2), (0.86, 0.11, 0.03))[0])
    online_share = 0.04 + 0.025 * (year - 2015)
    hotline, mailbox, direct, online = _split(received, [0.3, 0.25, 0.41 - online_share, online_share], rng)
    days = t.reception_days
    if rng.random() < 0.1:  # an extra or a skipped session now and then
        days = round(_clip(days + rng.choice((-2, 2, 4)), 12, 52))
    return {
        "complaints_received": received,
        "complaints_carried_in": carried,
        "complaints_resolved": open_cases - pending,
        "complaints_protracted": protracted,
        "channel_hotline": hotline,
        "channel_mailbox": mailbox + rng.randint(0, 2),
        "channel_direct": direct,
        "channel_online": online,
        "citizen_reception_days": days,
        "citizen_visits": round(days * t.citizen_rate * rng.uniform(0.8, 1.25)),
        "leader_dialogues": round(_clip(t.dialogues + rng.choice((-1, 0, 0, 0, 1)), 2, 12)),
    }


def _satisfaction(u: Unit, year: int, t: _Traits, staff: int, rng) -> dict:
    trend = 0.42 * (year - 2015)
    values: dict[str, object] = {}
    if u.unit_type in CLINICAL_TYPES:
        inpatient = round(_clip(92.0 + 1.0 * t.sat_q + trend + rng.gauss(0, 0.8), 82.0, 99.2), 1)
        outpatient = round(_clip(inpatient - rng.uniform(0.4, 2.4), 80.0, 99.0), 1)
        values |= {
            "sat_inpatient_pct": inpatient,
            "sat_inpatient_n": _survey_n(staff, t.survey_rate, year, rng),
            "sat_outpatient_pct": outpatient,
            "sat_outpatient_n": _survey_n(staff, t.survey_rate * 1.2, year, rng),
        }
        if year >= 2017:
            values["sat_inpatient_score"] = _score5(inpatient, rng)
            values["sat_outpatient_score"] = _score5(outpatient, rng)
    staff_pct = round(_clip(84.5 + 1.6 * t.staff_q + 0.35 * (year - 2015) + rng.gauss(0, 1.0), 78.0, 96.0), 1)
    values["sat_staff_pct"] = staff_pct
    values["sat_staff_n"] = max(5, round(staff * t.staff_survey_rate * rng.uniform(0.93, 1.07)))
    if u.unit_type in ("co_quan_so", "chi_cuc") and year >= 2017:
        values["sat_admin_pct"] = round(_clip(88.5 + trend * 0.8 + rng.gauss(0, 1.2), 84.0, 99.0), 1)
    return values


def _size(u: Unit, year: int, t: _Traits, staff: int, rng) -> dict:
    values: dict[str, object] = {"staff_total": staff}
    if u.unit_type not in CLINICAL_TYPES:
        return values
    visits = staff * t.visits_rate * _VISIT_FACTOR.get(year, 1.0) * rng.uniform(0.95, 1.05)
    beds = max(10, round(staff * t.beds_rate / 10) * 10)
    values |= {
        "beds_planned": beds,
        "patient_visits": round(visits),
        "inpatients": round(beds * t.turnover * rng.uniform(0.93, 1.07) * _VISIT_FACTOR.get(year, 1.0)),
    }
    return values


def _tthc(u: Unit, year: int, t: _Traits, values: Mapping[str, object], rng) -> dict:
    if u.unit_type not in TTHC_TYPES:
        return {}
    if u.unit_type == "co_quan_so":
        received = round(2200 * rng.uniform(0.93, 1.07) * (1 + 0.05 * (year - 2015)))
    elif u.unit_type == "chi_cuc":
        received = round(t.tthc_rate * 100_000 * rng.uniform(0.9, 1.1))  # licences and certificates
    else:
        received = round(float(values["patient_visits"]) * t.tthc_rate)
    ontime_share = _clip(0.94 + 0.005 * (year - 2015) + rng.gauss(0, 0.012), 0.85, 1.0)
    online_share = _clip(0.05 + 0.075 * (year - 2015) + rng.gauss(0, 0.04), 0.0, 0.95)
    return {
        "tthc_received": received,
        "tthc_ontime": round(received * ontime_share),
        "tthc_online": round(received * online_share),
    }


def _dan_van(u: Unit, year: int, t: _Traits, staff: int, rng) -> dict:
    self_rating = _rating(t.dv_q, year, rng)
    big = u.unit_type in ("bv_tinh", "co_quan_so") or staff > 200
    models = rng.randint(1, 5) if big else rng.randint(0, 3)
    values: dict[str, object] = {
        "dv_self_rating": self_rating,
        "dv_official_rating": _official(self_rating, rng),
        "dvk_models": models,
        "dvk_models_recognized": min(models, rng.choice((0, 0, 1, 1, 2))),
        "dv_awards": rng.choice((0, 0, 1, 1, 2, 3, 5)) + (2 if big else 0),
        "qcdc_conference": BOOL_YES if rng.random() < 0.96 else BOOL_NO,
        "xsd_achieved": BOOL_YES if rng.random() < 0.72 + 0.02 * (year - 2015) else BOOL_NO,
    }
    if u.unit_type in CLINICAL_TYPES:
        people = round(staff * t.social_rate * rng.uniform(0.85, 1.15))
        values["social_support_people"] = people
        values["social_support_value"] = round(people * t.social_value * rng.uniform(0.9, 1.1), 1)
    return values


def _training(u: Unit, year: int, t: _Traits, staff: int, rng) -> dict:
    sessions = round(_clip(2 + staff / 80 + rng.gauss(0, 1.5), 2, 20))
    outreach = t.outreach * rng.uniform(0.9, 1.1) * (0.8 if year in (2020, 2021) else 1.0)
    return {
        "training_sessions": sessions,
        "training_participants": max(3, round(staff * t.training_rate * rng.uniform(0.8, 1.2))),
        "outreach_sessions": max(1, round(outreach)),
    }


# free text in the words units use (seeds 000-003)
_HIGHLIGHTS = {
    "common": (
        "Thực hiện tốt Quy tắc ứng xử của cán bộ y tế, đổi mới phong cách, thái độ phục vụ hướng tới sự hài lòng của người bệnh.",
        "Duy trì đường dây nóng và hòm thư góp ý; các phản ánh được tiếp nhận, xử lý kịp thời, công khai.",
        "Tổ chức Hội nghị viên chức, người lao động đúng Quy chế dân chủ ở cơ sở; công khai tài chính, tuyển dụng, thi đua.",
        "Đăng ký và thực hiện mô hình “Dân vận khéo” gắn với nhiệm vụ chuyên môn của từng khoa, phòng.",
        "Lồng ghép nội dung dân vận trong sinh hoạt chi bộ và giao ban định kỳ.",
    ),
    "clinical": (
        "Cải tiến quy trình khám bệnh, đặt lịch khám qua điện thoại và Zalo, giảm thời gian chờ của người bệnh.",
        "Duy trì mô hình “Tủ quần áo từ thiện” và “Bữa cơm 0 đồng” hỗ trợ người bệnh có hoàn cảnh khó khăn.",
        "Tổ chức khám bệnh, cấp thuốc miễn phí cho người dân vùng sâu, vùng xa và gia đình chính sách.",
        "Xây dựng cơ sở y tế “Xanh - Sạch - Đẹp”, trồng thêm cây xanh, cải tạo khu vệ sinh cho người bệnh.",
        "Thanh toán viện phí không dùng tiền mặt, niêm yết công khai giá dịch vụ tại khu tiếp đón.",
    ),
    "ttyt": (
        "Phối hợp Ủy ban nhân dân các xã tuyên truyền, vận động người dân tham gia bảo hiểm y tế toàn dân.",
        "Lồng ghép công tác dân vận trong tiêm chủng mở rộng và truyền thông giáo dục sức khỏe tại cộng đồng.",
        "Khám sàng lọc miễn phí cho người cao tuổi và đồng bào dân tộc thiểu số tại các xã khó khăn.",
    ),
    "office": (
        "Công khai quy trình, thời gian trả kết quả và phí, lệ phí tại bộ phận một cửa và trên trang thông tin điện tử.",
        "Đẩy mạnh truyền thông trên trang thông tin điện tử, Facebook và Zalo của đơn vị.",
        "Rút ngắn thời gian giải quyết thủ tục hành chính, tiếp nhận hồ sơ trực tuyến qua Cổng dịch vụ công.",
    ),
    "covid": (
        "Vận động Nhân dân chấp hành các biện pháp phòng, chống dịch COVID-19 và tham gia tiêm vắc xin đầy đủ.",
        "Cán bộ, viên chức tình nguyện tham gia các đội phản ứng nhanh, hỗ trợ khu cách ly tập trung.",
    ),
    "merged": (
        "Hoàn thành sắp xếp tổ chức bộ máy sau sáp nhập, ổn định hoạt động chuyên môn và đời sống viên chức.",
        "Hoàn thành sắp xếp tổ chức bộ máy sau sáp nhập, không để gián đoạn khám bệnh, chữa bệnh cho Nhân dân.",
    ),
}
_DIFFICULTIES = {
    "clinical": (
        "Tình trạng quá tải người bệnh vào các tháng cao điểm làm kéo dài thời gian chờ khám.",
        "Thiếu nhân lực, nhất là bác sĩ, nên thời gian dành cho hoạt động dân vận còn hạn chế.",
        "Cơ sở vật chất một số khoa xuống cấp, chưa đáp ứng đầy đủ tiêu chí “Xanh - Sạch - Đẹp”.",
        "Một số viên chức, người lao động chưa chủ động trong giao tiếp, ứng xử với người bệnh và người nhà người bệnh.",
    ),
    "ttyt": (
        "Địa bàn rộng, giao thông khó khăn, dân cư phân tán nên việc tuyên truyền tại cộng đồng còn hạn chế.",
        "Kinh phí cho hoạt động truyền thông giáo dục sức khỏe tại cộng đồng còn ít.",
    ),
    "office": (
        "Cán bộ làm công tác dân vận chủ yếu kiêm nhiệm, chưa được bồi dưỡng chuyên sâu.",
        "Việc ứng dụng công nghệ thông tin trong tiếp nhận, xử lý phản ánh còn hạn chế.",
    ),
    "merged": (
        "Sau sáp nhập, việc kiện toàn bộ máy, bố trí nhân sự và thống nhất quy chế nội bộ còn nhiều việc phải làm.",
        "Sau sáp nhập, địa bàn quản lý rộng; Trạm Y tế xã chuyển về Ủy ban nhân dân cấp xã quản lý nên phương thức phối hợp cần điều chỉnh.",
    ),
}
_PROPOSALS = (
    "Đề nghị Sở Y tế tổ chức tập huấn nâng cao kỹ năng giao tiếp, ứng xử và công tác dân vận cho cán bộ phụ trách.",
    "Đề nghị hỗ trợ kinh phí để duy trì và nhân rộng các mô hình “Dân vận khéo”.",
    "Đề nghị bổ sung biên chế, nhất là bác sĩ, để giảm quá tải và nâng cao chất lượng phục vụ.",
    "Đề nghị Sở Y tế ban hành hướng dẫn chấm điểm công tác dân vận thống nhất trong toàn ngành.",
    "Đề nghị nâng cấp phần mềm tiếp nhận phản ánh, kết nối với đường dây nóng của Sở Y tế.",
)


def _texts(u: Unit, year: int, merged: bool, rng) -> dict:
    clinical = u.unit_type in CLINICAL_TYPES
    pool = list(_HIGHLIGHTS["common"])
    pool += _HIGHLIGHTS["clinical"] if clinical else _HIGHLIGHTS["office"]
    if u.unit_type == "ttyt":
        pool += _HIGHLIGHTS["ttyt"]
    highlights = rng.sample(pool, 2)
    if year in (2020, 2021) and rng.random() < 0.7:
        highlights[1] = rng.choice(_HIGHLIGHTS["covid"])
    if merged:
        highlights.insert(0, _HIGHLIGHTS["merged"][int(clinical)])
    difficulties = list(_DIFFICULTIES["clinical"] if clinical else _DIFFICULTIES["office"])
    if u.unit_type == "ttyt":
        difficulties += _DIFFICULTIES["ttyt"]
    picked = rng.sample(difficulties, rng.choice((1, 1, 2)))
    if merged:
        picked.insert(0, _DIFFICULTIES["merged"][int(u.unit_type == "ttyt")])
    return {
        "highlights": " ".join(highlights),
        "difficulties": " ".join(picked),
        "proposals": rng.choice(_PROPOSALS),
    }


def _par(code: str, year: int, state: _State, fixed: Mapping[int, tuple[int, int, float]] | None, rng):
    """The Sở's rank among provincial departments: fixed for the demo province, a random walk otherwise."""
    if fixed and year in fixed:
        return fixed[year]
    n = rng.choice((19, 20, 21))
    last = state.par.get(code)
    rank = (
        rng.randint(8, n)
        if last is None
        else round(_clip(last[0] + rng.choice((-3, -2, -1, -1, 0, 1, 2)), 1, n))
    )
    points = round(_clip(95 - 0.9 * rank + rng.gauss(0, 1.2), 60, 99), 2)
    state.par[code] = (rank, n, points)
    return state.par[code]


def _province_of(u: Unit) -> str:
    """Ranking group: national-scale codes start with their province (P07_...)."""
    m = re.match(r"^(P\d\d)_", u.unit_code)
    return m.group(1) if m else ""


def simulate(
    units: list[Unit],
    rng: random.Random,
    years: Iterable[int] = YEARS,
    par: Mapping[int, tuple[int, int, float]] | None = None,
    rank_mismatch: tuple[str, int] | None = None,
) -> dict[tuple[str, int], dict[str, object]]:
    """What every active unit would report each year: {(unit_code, year): {indicator: value}}.

    Values are Python numbers, "Có"/"Không", rating names and text; a blank (not
    reported) is a missing key. Deterministic for a given `rng` state.
    """
    traits = {u.unit_code: _traits(u, rng) for u in units}
    merging = _merging_index(units)
    starts = {u.unit_code: u.valid_from for u in units}
    for (code, year), codes in merging.items():
        if starts[code] == year:  # a unit born of a merger carries on its predecessors' character
            preds, t = [traits[p] for p in codes], traits[code]
            t.sat_q = sum(p.sat_q for p in preds) / len(preds)
            t.cchc_q = sum(p.cchc_q for p in preds) / len(preds)
            t.complaint_rate = sum(p.complaint_rate for p in preds)
            t.staff0 = sum(p.staff0 for p in preds)
    # two clinical units lag behind on satisfaction, so the "below 90%" views are not empty
    clinical = [u.unit_code for u in units if u.unit_type in CLINICAL_TYPES and u.active_in(2015)]
    for code in rng.sample(clinical, min(2, len(clinical))):
        traits[code].sat_q = -2.4
    state = _State()
    out: dict[tuple[str, int], dict[str, object]] = {}
    for year in years:
        active = [u for u in units if u.active_in(year)]
        staff = {
            u.unit_code: _staff(
                u, year, merging.get((u.unit_code, year), []), traits[u.unit_code], state, rng
            )
            for u in active
        }
        state.staff.update(staff)
        scores: dict[str, dict[str, float]] = {}
        for u in active:
            if u.rank_pool == "so":
                t = traits[u.unit_code]
                raw = 77 + 4.5 * t.cchc_q + 1.3 * (year - 2015) + rng.gauss(0, 2.2)
                scores.setdefault(_province_of(u), {})[u.unit_code] = round(_clip(raw, 60, 98) * 2) / 2
        ranks = {code: r for group in scores.values() for code, r in competition_ranks(group).items()}
        for u in active:
            code, t, n_staff = u.unit_code, traits[u.unit_code], staff[u.unit_code]
            values: dict[str, object] = {}
            values |= _size(u, year, t, n_staff, rng)
            if u.rank_pool == "so":
                group = scores[_province_of(u)]
                rank = ranks[code]
                if rank_mismatch == (code, year):  # the unit copied its rank wrong
                    rank = rank + 4 if rank + 4 <= len(group) else rank - 4
                values |= {"cchc_score": group[code], "cchc_rank": rank, "cchc_rank_of": len(group)}
            else:
                rank, n, points = _par(code, year, state, par, rng)
                values |= {"cchc_score": points, "cchc_rank": rank, "cchc_rank_of": n}
            values |= _tthc(u, year, t, values, rng)
            values |= _satisfaction(u, year, t, n_staff, rng)
            values |= _training(u, year, t, n_staff, rng)
            merged_from = merging.get((code, year), [])
            values |= _complaints(u, year, t, n_staff, merged_from, state, rng)
            values |= _dan_van(u, year, t, n_staff, rng)
            values |= _texts(u, year, bool(merged_from), rng)
            if year < 2017 and not t.reports_online_early:
                values.pop("channel_online", None)
            roll = rng.random()
            if roll < 0.16:
                for dropped in rng.sample(_OPTIONAL, 1 if roll > 0.04 else 3):
                    values.pop(dropped, None)
            out[(code, year)] = values
    return out


# ----------------------------------------------------------------------------- files as units send them


@dataclass(frozen=True)
class _File:
    """One file dropped in the inbox and when the Sở received it."""

    path: Path
    received_at: datetime


def _vn_text(value: object, kind: str, percent_sign: bool = False) -> object:
    """A number as a clerk types it into a text cell: 1234 -> '1.234', 92.5 -> '92,5'."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    if kind == "int":
        return f"{int(value):,}".replace(",", ".")
    whole, _, frac = f"{float(value):,.2f}".rstrip("0").partition(".")
    text = whole.replace(",", ".") + "," + (frac or "0")
    return text + "%" if percent_sign and kind == "pct" else text


def _as_typed(values: Mapping[str, object], percent_sign: bool = False) -> dict[str, object]:
    """Every number of a file typed as text, the Vietnamese way (some clerks do this)."""
    catalogue = load_catalogue()
    return {code: _vn_text(v, catalogue[code].kind, percent_sign) for code, v in values.items()}


def _cp1258(text: str) -> bytes:
    """Encode Vietnamese in Windows-1258, which composes tone marks from combining characters.

    Windows-1258 has the base letters (ê, ơ, ư, ă, â, đ) but not most toned letters, so
    'ệ' is written as 'ê' followed by a combining dot below, as legacy software did.
    """
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base, marks = composed, marks[:i] + marks[i + 1 :]
                break
        out.append((base + "".join(marks)).encode("cp1258"))
    return b"".join(out)


def _template_csv(unit: Unit, year: int, values: Mapping[str, object], department: str) -> str:
    """The template as a two-column CSV (`Mã chỉ tiêu;Giá trị`) with the label lines above it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([department.upper(), ""])
    writer.writerow([f"BÁO CÁO KẾT QUẢ CÔNG TÁC DÂN VẬN NĂM {year}", ""])
    writer.writerow(["Mã đơn vị", unit.unit_code])
    writer.writerow(["Tên đơn vị", unit.name])
    writer.writerow(["Năm báo cáo", str(year)])
    writer.writerow(["", ""])
    writer.writerow(["Mã chỉ tiêu", "Giá trị"])
    for code in load_catalogue():
        value = values.get(code)
        writer.writerow([code, "" if value is None else str(value)])
    return buffer.getvalue()


def _received(year: int, late: bool, rng: random.Random) -> datetime:
    """When a unit's file arrived: before the 20/11 deadline, or in December / the next January."""
    if not late:
        day = datetime(year, 11, 1) + timedelta(days=rng.randint(0, 19))
    elif rng.random() < 0.6:
        day = datetime(year, 12, rng.randint(1, 28))
    else:
        day = datetime(year + 1, 1, rng.randint(3, 15))
    return day.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59))


@dataclass(frozen=True)
class _Mess:
    """The province demo's real-life cases, each a unit-year."""

    csv_utf8: tuple[tuple[str, int], ...] = (("TTKN", 2018), ("CCDS", 2020))
    csv_cp1258: tuple[str, int] = ("TTYT_TAYSON", 2016)
    name_only: tuple[str, int] = ("TTYT_HOATHUAN", 2017)  # code blank, name typed in NFD as "Hoà"
    corrected: tuple[str, int] = ("BVSN", 2023)  # accepted, then a corrected file supersedes it
    duplicate: tuple[str, int] = ("BVPH", 2022)  # the same bytes sent twice
    rejected: tuple[str, int] = ("TTYT_PHULAM", 2021)  # resolved > received + carried in, then fixed


def _province_files(
    units: list[Unit], data: dict[tuple[str, int], dict[str, object]], inbox: Path, rng: random.Random
) -> list[_File]:
    """Write every unit-year as the file its unit would send, plus the mess; in receipt order."""
    mess = _Mess()
    by_code = {u.unit_code: u for u in units}
    special = {*mess.csv_utf8, mess.csv_cp1258, mess.name_only, mess.corrected, mess.duplicate, mess.rejected}
    ordinary = [k for k in data if k not in special and k not in PROVINCE_MISSING]
    late = set(rng.sample(ordinary, 8))
    department = next(u.name for u in units if u.unit_type == "co_quan_so")
    files: list[_File] = []

    def workbook(key: tuple[str, int], values: Mapping[str, object], name: str, when: datetime, unit=None):
        code, year = key
        path = inbox / str(year) / name
        # stamped with the receipt time, so a rebuild writes the same bytes (and the same hashes)
        write_template(path, units, unit or by_code[code], year, values, created=when)
        files.append(_File(path, when))
        return path

    for key, values in data.items():
        code, year = key
        if key in PROVINCE_MISSING:
            continue
        when = _received(year, key in late, rng)
        typed: Mapping[str, object] = values
        if code in TEXT_TYPISTS:
            typed = _as_typed(values)
        elif code == PERCENT_TYPIST:
            typed = {**values, **{c: v for c, v in _as_typed(values, True).items() if c.endswith("_pct")}}
        if key in mess.csv_utf8:
            path = inbox / str(year) / f"{code}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            text = _template_csv(by_code[code], year, _as_typed(values), department)
            path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
            files.append(_File(path, when))
        elif key == mess.csv_cp1258:
            path = inbox / str(year) / f"{code}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_cp1258(_template_csv(by_code[code], year, _as_typed(values), department)))
            files.append(_File(path, when))
        elif key == mess.name_only:
            typed_name = unicodedata.normalize("NFD", by_code[code].name.replace("Hòa", "Hoà"))
            anonymous = replace(by_code[code], unit_code="", name=typed_name)
            workbook(key, typed, f"BaoCao_DanVan_HoaThuan_{year}.xlsx", when, anonymous)
        elif key == mess.corrected:
            first = {k: v for k, v in values.items() if k != "sat_inpatient_n"}
            first["training_participants"] = int(values["training_participants"]) // 10
            workbook(key, first, f"{code}.xlsx", when)
            workbook(key, typed, f"{code}_bo_sung.xlsx", when + timedelta(days=12))
        elif key == mess.duplicate:
            path = workbook(key, typed, f"{code}.xlsx", when)
            again = path.with_name(f"{code} (gửi lại).xlsx")
            shutil.copyfile(path, again)
            files.append(_File(again, when + timedelta(days=3)))
        elif key == mess.rejected:
            wrong = dict(typed)
            wrong["complaints_resolved"] = int(values["complaints_received"]) + int(
                values["complaints_carried_in"]
            ) + 4  # fmt: skip
            workbook(key, wrong, f"{code}.xlsx", when)
            workbook(key, typed, f"{code}_sua_lai.xlsx", when + timedelta(days=6))
        else:
            workbook(key, typed, f"{code}.xlsx", when)
    return sorted(files, key=lambda f: f.received_at)


# ----------------------------------------------------------------------------- national scale

_PROVINCES = (
    "An Lạc", "Bình Giang", "Cẩm Sơn", "Đông Hải", "Gia Phong", "Hà Lâm", "Hòa Bình Nam", "Hưng Yên Bắc",
    "Kim Thành", "Lâm Viên", "Long Điền", "Mỹ Lộc", "Nam Sơn", "Ninh Hòa", "Phú Xuân", "Phước Long",
    "Quảng Điền", "Sơn Trà", "Tân Phú", "Thạch Hà", "Thanh Sơn", "Thuận Phước", "Tiên Lãng", "Trà Giang",
    "Vĩnh Xuân", "Xuân Lộc", "Yên Phong", "Bắc Hà", "Cao Lâm", "Đức Phổ", "Hải Vân", "Kỳ Anh", "Lạc Dương",
    "Tây Nguyên Mới",
)  # fmt: skip
_SYLLABLES = (
    "An", "Bình", "Cẩm", "Diên", "Đông", "Gia", "Hòa", "Hưng", "Kim", "Lạc", "Long", "Mỹ", "Nam", "Ninh",
    "Phú", "Phước", "Quế", "Sơn", "Tân", "Thạch", "Thanh", "Thuận", "Tiên", "Trà", "Vĩnh", "Xuân", "Yên",
)  # fmt: skip
_SPECIALTIES = (
    "Sản - Nhi", "Y dược cổ truyền", "Phổi", "Tâm thần", "Mắt", "Phục hồi chức năng", "Da liễu", "Nội tiết",
    "Ung bướu", "Tim mạch", "Nhi", "Phụ sản", "Chấn thương chỉnh hình", "Răng Hàm Mặt", "Lão khoa",
    "Y học cổ truyền", "Tai Mũi Họng", "Truyền nhiễm", "Điều dưỡng - Phục hồi chức năng", "Huyết học",
)  # fmt: skip
_CENTRES = (
    "Kiểm soát bệnh tật", "Kiểm nghiệm", "Giám định y khoa", "Pháp y", "Pháp y tâm thần", "Cấp cứu 115",
    "Huyết học - Truyền máu", "Nội tiết", "Mắt", "Da liễu", "Phòng chống sốt rét", "Dinh dưỡng",
    "Sức khỏe lao động và môi trường", "Chăm sóc sức khỏe sinh sản", "Kiểm dịch y tế quốc tế",
)  # fmt: skip
NATIONAL_DISTRICTS, NATIONAL_AREAS = 70, 30


def _province_units(p: int, rng: random.Random) -> list[Unit]:
    """One generated province's registry (see `national_units`)."""
    pname = _PROVINCES[(p - 1) % len(_PROVINCES)]
    pre = f"P{p:02d}"
    districts = rng.sample([f"{a} {b}" for a in _SYLLABLES for b in _SYLLABLES if a != b], NATIONAL_DISTRICTS)
    # fmt: off
    # (code, name, short name, type, area, valid_from, valid_to, successor, pool)
    rows = [("SYT", f"Sở Y tế tỉnh {pname} (giả định)", "Sở Y tế", "co_quan_so", "Toàn tỉnh", 2015, None, None, "tinh")]
    for k in range(1, 11):
        name = f"Bệnh viện Đa khoa khu vực {districts[k]}" if k > 1 else "Bệnh viện Đa khoa"
        rows.append((f"BVDK_{k:02d}", f"{name} tỉnh {pname}", f"BVĐK {k}", "bv_tinh", districts[k], 2015, None, None, "so"))
    for k, spec in enumerate(_SPECIALTIES, start=1):
        rows.append((f"BVCK_{k:02d}", f"Bệnh viện {spec} tỉnh {pname}", f"BV {spec}", "bv_chuyen_khoa", "", 2015, None, None, "so"))
    for k, centre in enumerate(_CENTRES, start=1):
        rows.append((f"TTT_{k:02d}", f"Trung tâm {centre} tỉnh {pname}", f"TT {centre}", "tt_tinh", "", 2015, None, None, "so"))
    for k, office in enumerate(("Dân số - Kế hoạch hóa gia đình", "An toàn vệ sinh thực phẩm"), start=1):
        rows.append((f"CC_{k:02d}", f"Chi cục {office} tỉnh {pname}", f"Chi cục {k}", "chi_cuc", "Toàn tỉnh", 2015, 2024, "SYT", "so"))
    for k in range(1, NATIONAL_AREAS + 1):
        first = districts[(k - 1) * NATIONAL_DISTRICTS // NATIONAL_AREAS]
        rows.append((f"TTYTKV_{k:02d}", f"Trung tâm Y tế khu vực {first} tỉnh {pname}", f"TTYT KV {first}", "ttyt", first, 2025, None, None, "so"))
    for k, d in enumerate(districts, start=1):
        area = f"TTYTKV_{(k - 1) * NATIONAL_AREAS // NATIONAL_DISTRICTS + 1:02d}"
        rows.append((f"TTYT_{k:03d}", f"Trung tâm Y tế huyện {d} tỉnh {pname}", f"TTYT {d}", "ttyt", d, 2015, 2024, area, "so"))
    # fmt: on
    return [
        Unit(f"{pre}_{code}", name, short, kind, area, start, end, f"{pre}_{succ}" if succ else None, pool)
        for code, name, short, kind, area, start, end, succ, pool in rows
    ]


def national_units(rng: random.Random, provinces: int = 34) -> list[Unit]:
    """A registry of `provinces` fictional provinces, 148 units each, with the 2025 reorganisation.

    Per province: the Sở (ranked by the province), 10 provincial and 20 specialty hospitals,
    15 provincial centres, 2 chi cục merged into the Sở in 2025, and 70 district centres
    merged into 30 area centres in 2025. Codes look like `P07_TTYT_012`.
    """
    return [u for p in range(1, provinces + 1) for u in _province_units(p, rng)]


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_wide_history(
    units: list[Unit], data: dict[tuple[str, int], dict[str, object]], inbox: Path, rng: random.Random
) -> list[_File]:
    """One wide history CSV per province (unit_code, year, one column per indicator)."""
    codes = list(load_catalogue())
    rows: dict[str, list[list[str]]] = {}
    for (code, year), values in data.items():
        if rng.random() < 0.01:
            continue  # a unit-year the Sở never received
        rows.setdefault(code.split("_", 1)[0], []).append(
            [code, str(year), *(_csv_cell(values.get(c)) for c in codes)]
        )
    files = []
    for n, (province, body) in enumerate(rows.items()):
        path = inbox / "national" / f"{province}_lich_su_2015_2025.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["unit_code", "year", *codes])
            writer.writerows(body)
        files.append(_File(path, datetime(2026, 1, 5, 8) + timedelta(hours=n)))
    return files


# ----------------------------------------------------------------------------- the build


class NotADemoDatabase(Exception):
    """The target exists and is not a demo database: the demo never replaces it."""


def refuse_unless_demo(info: DatabaseInfo) -> None:
    """Raise NotADemoDatabase (Vietnamese, naming the file and what to do) unless `info` is a demo or absent."""
    if not info.exists or info.is_demo:
        return
    if info.is_duckdb:
        what = "là một cơ sở dữ liệu không phải dữ liệu minh họa (có thể là cơ sở dữ liệu thật của Sở)"
        own = f"hãy tự sao lưu nó (python -m etl backup --db {info.path} --out sao_luu.zip) và tự xoá nó"
    else:
        what = "không phải là một cơ sở dữ liệu DuckDB (hoặc đã hỏng)"
        own = "hãy tự chuyển tệp này sang chỗ khác"
    raise NotADemoDatabase(
        f"Không tạo dữ liệu minh họa: tệp «{info.path}» đã có và {what}. "
        "Lệnh demo chỉ tạo lại cơ sở dữ liệu minh họa, không bao giờ xoá hay ghi đè tệp này. "
        "Cách làm: chọn một tệp khác cho dữ liệu minh họa (tuỳ chọn --db hoặc biến DASHBOARD_DB); "
        f"nếu thật sự không cần tệp này nữa, {own}, rồi chạy lại."
    )


def _replace_folder(new: Path, final: Path) -> None:
    """Put the folder `new` in place of `final` (the demo inbox of the database just swapped in)."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(new, final)
    shutil.rmtree(old, ignore_errors=True)


def _write_inbox(scale: str, inbox: Path, rng: random.Random) -> tuple[list[Unit], list[_File]]:
    """The registry and the files its units send; the simulated values are dropped before ingest."""
    if scale == "province":
        units = read_registry(DEMO_REGISTRY_CSV)
        data = simulate(units, rng, par=PROVINCE_PAR, rank_mismatch=PROVINCE_RANK_MISMATCH)
        return units, _province_files(units, data, inbox, rng)
    units = national_units(rng)
    return units, write_wide_history(units, simulate(units, rng), inbox, rng)


def _build(db: Path, scale: str, seed: int, inbox: Path) -> tuple[int, list[FileResult]]:
    """Write the inbox and ingest it into the new database `db` (not published: see build_demo)."""
    units, files = _write_inbox(scale, inbox, random.Random(seed))
    name = PROVINCE_NAME if scale == "province" else NATIONAL_NAME
    received = {f.path: f.received_at for f in files}
    con = connect(db)
    try:
        replace_units(con, units)
        set_meta(con, "is_demo", "1")
        set_meta(con, "province_name", name)
        results = ingest_paths(
            con, db, [f.path for f in files], received_at=received.__getitem__, submitted_by="demo",
            publish=False,
        )  # fmt: skip
    finally:
        con.close()
    return len(files), results


def build_demo(db: Path, scale: str = "province", seed: int = 2025, inbox: Path | None = None) -> DemoSummary:
    """(Re)build the demo database at `db` by writing the units' files and ingesting them.

    `scale` is "province" (the 40 units of data/units_demo.csv, one workbook per unit-year
    in `inbox`, default `<db dir>/demo_inbox/<year>/`) or "national" (34 generated provinces,
    5.000+ units, one wide history CSV per province). Deterministic for a given `seed`.

    The new database is built beside `db` (with its own inbox) and swapped in whole
    (etl.swap): until then `db` keeps its old content, and a failed build leaves it as
    it was. Raises NotADemoDatabase for a `db` that exists and is not a demo database
    (whatever it holds), DatabaseBusy while another process holds it.

    Example:
        >>> build_demo(Path("/tmp/demo.duckdb"))  # doctest: +SKIP
        DemoSummary(files_written=314, accepted=312, rejected=1, unchanged=1, seconds=6.2)
    """
    if scale not in ("province", "national"):
        raise ValueError(f"unknown demo scale {scale!r}; use 'province' or 'national'")
    started = time.perf_counter()
    db = Path(db)
    refuse_unless_demo(inspect_database(db))
    db.parent.mkdir(parents=True, exist_ok=True)
    work = beside(db, "demo")
    work_inbox = Path(inbox) if inbox is not None else db.parent / f".demo_inbox-{os.getpid()}"
    try:
        remove_database(work)
        if inbox is None:
            shutil.rmtree(work_inbox, ignore_errors=True)
        n_files, results = _build(work, scale, seed, work_inbox)
        swap_in(work, db, allow=refuse_unless_demo)
    except BaseException:
        remove_database(work)
        if inbox is None:
            shutil.rmtree(work_inbox, ignore_errors=True)
        raise
    if inbox is None:
        _replace_folder(work_inbox, db.parent / "demo_inbox")
    # the demo's own accounts (CONTRACT.md), fresh with every build
    write_demo_accounts(store_path(db), published_facts(db)[1])
    counts = {
        status: sum(r.status == status for r in results) for status in ("accepted", "rejected", "unchanged")
    }
    return DemoSummary(n_files, counts["accepted"], counts["rejected"], counts["unchanged"],
                       round(time.perf_counter() - started, 2))  # fmt: skip
