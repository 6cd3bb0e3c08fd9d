"""The reminder letter (report.reminder, `python -m etl reminder`): who is chased, why, by when."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import docx
import polars as pl
import pytest

from app import intake
from etl.db import latest_snapshot
from report.reminder import NothingToChase, build_reminder, reply_by, units_to_chase
from tests.conftest import run_etl
from tests.report_demo import REJECTED_UNIT, REJECTED_YEAR, altered_demo


@pytest.fixture(scope="module")
def altered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return altered_demo(tmp_path_factory.getbasetemp())


def text_of(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    lines += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(lines)


def test_units_to_chase_names_the_missing_and_the_rejected_with_the_error() -> None:
    status = pl.DataFrame(
        {"unit_code": ["A", "B", "C"], "status": [intake.MISSING, intake.REJECTED, intake.ON_TIME]}
    )
    log = pl.DataFrame(
        {
            "unit_code": ["B", "B"],
            "year": [2025, 2025],
            "status": ["rejected", "rejected"],
            "source_name": ["b_cu.xlsx", "b_moi.xlsx"],
            "received_at": [datetime(2025, 11, 10, 8), datetime(2025, 11, 18, 9)],
            "n_errors": [1, 2],
            "first_error": ["lỗi cũ", "Ô F12 trống"],
        },
        schema_overrides={"year": pl.Int32},
    )
    chase = units_to_chase(status, log, {"A": "Bệnh viện A", "B": "Trung tâm B"}, 2025)
    assert [(c.name, c.status) for c in chase] == [
        ("Bệnh viện A", intake.MISSING),
        ("Trung tâm B", intake.REJECTED),
    ]
    assert chase[0].detail == ""
    assert chase[1].detail == "Tệp «b_moi.xlsx» nhận ngày 18/11/2025: Ô F12 trống"


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2025, 11, 3), date(2025, 11, 20)), (date(2025, 11, 20), date(2025, 11, 20)),
     (date(2025, 11, 28), date(2025, 12, 5))],
)  # fmt: skip
def test_the_reply_date_is_the_deadline_or_a_week_on(today: date, expected: date) -> None:
    assert reply_by(date(2025, 11, 20), today) == expected


def test_the_letter_chases_a_rejected_unit_in_the_administrative_frame(altered: Path) -> None:
    snapshot = str(latest_snapshot(altered))
    built = build_reminder(snapshot, REJECTED_YEAR, today=date(2023, 11, 28))
    text = text_of(built.docx)
    for piece in (
        "UBND TỈNH AN LẠC",
        "SỞ Y TẾ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/SYT-TCCB",
        f"V/v đôn đốc gửi báo cáo kết quả công tác dân vận năm {REJECTED_YEAR}",
        "Kính gửi: Trung tâm Giám định y khoa tỉnh An Lạc.",
        "Tệp bị từ chối, chưa gửi lại",
        "Tệp «ttgdyk_2023.xlsx» nhận ngày",
        "Đơn thư đã giải quyết (9) lớn hơn Đơn thư tiếp nhận (2)",
        "trước ngày 20/11/2023",  # the yearly deadline
        "trước ngày 05/12/2023",  # a week from the letter
        "Nơi nhận:",
        "GIÁM ĐỐC",
    ):
        assert piece in text, piece
    assert REJECTED_UNIT not in text


def test_the_cli_writes_the_letter_or_says_nobody_is_missing(altered: Path, tmp_path: Path) -> None:
    out = tmp_path / "cong_van.docx"
    proc = run_etl("reminder", "--year", "2021", "--out", str(out), "--deadline", "15/12/2021", db=altered)
    assert proc.returncode == 0, proc.stderr
    text = text_of(out.read_bytes())
    assert "Bệnh viện Tâm thần tỉnh An Lạc" in text and "Chưa gửi báo cáo" in text  # PROVINCE_MISSING
    assert "trước ngày 15/12/2021" in text
    proc = run_etl("reminder", "--year", "2025", "--out", str(tmp_path / "khong.docx"), db=altered)
    assert proc.returncode == 1
    assert "không cần gửi công văn đôn đốc" in proc.stdout
    assert not (tmp_path / "khong.docx").exists()


def test_nothing_to_chase_is_an_error_with_a_message(altered: Path) -> None:
    with pytest.raises(NothingToChase, match="đều đã có báo cáo được tiếp nhận"):
        build_reminder(str(latest_snapshot(altered)), 2025)


def test_the_letter_and_the_report_keep_the_deadline_the_so_set(altered: Path, tmp_path: Path) -> None:
    """A deadline set on "Tiếp nhận báo cáo" (app/deadlines.py) is the one the CLI's documents cite."""
    import shutil

    from accounts.users import User
    from app.deadlines import set_deadline

    db = tmp_path / "so" / altered.name
    shutil.copytree(
        altered.parent, db.parent
    )  # the database, its snapshots and stores; the shared one untouched
    admin = User("quan_tri", "quan_tri", None, None, False, "", "")
    set_deadline(db, 2021, date(2021, 12, 20), admin)
    out = tmp_path / "cong_van.docx"
    proc = run_etl("reminder", "--year", "2021", "--out", str(out), db=db)
    assert proc.returncode == 0, proc.stderr
    text = text_of(out.read_bytes())
    assert "về Sở Y tế trước ngày 20/12/2021" in text and "20/11/2021" not in text
    report = tmp_path / "bao_cao.docx"
    proc = run_etl("report", "--year", "2021", "--out", str(report), db=db)
    assert proc.returncode == 0, proc.stderr
    assert "gửi đúng hạn (đến ngày 20/12/2021)" in text_of(report.read_bytes())
