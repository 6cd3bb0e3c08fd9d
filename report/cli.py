"""The document commands of `python -m etl`: `report`, `reminder` and `export`.

Command functions only (etl/cli.py declares their arguments). Each reads the newest
snapshot, publishing a first one when the database has none yet, like the dashboard;
heavy imports wait until a command runs, so `python -m etl --help` stays quick.
Exit codes as for every command: 0 done, 1 a document could not be (fully) made,
2 a usage error (a year without data, a wrong file name).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

EXPORT_SUFFIXES = (".xlsx", ".csv", ".parquet")


def _snapshot(db_arg: str | None) -> str | None:
    """The newest snapshot of the database (published first if there is none); None, said, when
    there is no database at all."""
    from etl.db import db_path, latest_snapshot, publish_first_snapshot

    db = db_path(db_arg)
    snap = latest_snapshot(db)
    if snap is not None:
        return str(snap)
    if not db.exists():
        print(
            f"Không có cơ sở dữ liệu «{db}». Nạp báo cáo bằng python -m etl ingest, hoặc tạo dữ liệu minh họa "
            "bằng python -m etl demo.",
            file=sys.stderr,
        )
        return None
    return str(publish_first_snapshot(db))


def _quiet() -> None:
    """The queries' caches warn once each, at import, that no Streamlit server runs: not for a CLI user.

    Called before app.queries is first imported.
    """
    import logging

    import streamlit.logger

    streamlit.logger.set_log_level(logging.ERROR)


def _check_out(out: Path, suffixes: tuple[str, ...], *also: Path) -> bool:
    """True when `out` has one of `suffixes` and neither it nor `also` exists yet, else says why.

    A document already there may be a draft a person has since edited: never written over.
    """
    if out.suffix.lower() not in suffixes:
        print(f"Tệp ra «{out}» phải có đuôi {' hoặc '.join(suffixes)}.", file=sys.stderr)
        return False
    for path in (out, *also):
        if path.exists():
            print(
                f"Tệp «{path}» đã có; lệnh không ghi đè lên tệp đã có (có thể là bản đã sửa). "
                "Hãy chọn tên khác cho --out.",
                file=sys.stderr,
            )
            return False
    return True


def _date(text: str | None) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _due(db_arg: str | None, year: int) -> date:
    """The reporting deadline of `year` as the Sở set it on "Tiếp nhận báo cáo" (default 20/11)."""
    from app.deadlines import deadline_of, read_deadlines
    from etl.db import db_path

    return deadline_of(year, read_deadlines(db_path(db_arg)))


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not _check_out(out, (".docx",), *([out.with_suffix(".pdf")] if args.pdf else [])):
        return 2
    snapshot = _snapshot(args.db)
    if snapshot is None:
        return 2
    _quiet()
    from report.pdf import PdfUnavailable, convert
    from report.source import NoData
    from report.summary import build_summary

    try:
        built = build_summary(snapshot, args.year, year_from=args.year_from, due=_due(args.db, args.year))
    except NoData as exc:
        print(str(exc), file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(built.docx)
    print(f"Đã ghi báo cáo năm {args.year}: {out}")
    if built.charts_missing:
        print(f"Chú ý: {built.charts_missing}", file=sys.stderr)
    if not args.pdf:
        return 0
    try:
        pdf = convert(out)
    except PdfUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Đã ghi bản PDF: {pdf}")
    return 0


def cmd_reminder(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not _check_out(out, (".docx",)):
        return 2
    try:
        deadline = _date(args.deadline)
    except ValueError:
        print(
            f"Hạn gửi «{args.deadline}» không đúng dạng ngày/tháng/năm (ví dụ 05/12/2025).", file=sys.stderr
        )
        return 2
    snapshot = _snapshot(args.db)
    if snapshot is None:
        return 2
    _quiet()
    from report.reminder import NothingToChase, build_reminder

    try:
        built = build_reminder(snapshot, args.year, deadline=deadline, due=_due(args.db, args.year))
    except NothingToChase as exc:
        print(str(exc))
        return 1
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(built.docx)
    print(f"Đã ghi công văn đôn đốc năm {args.year}: {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not _check_out(out, EXPORT_SUFFIXES):
        return 2
    snapshot = _snapshot(args.db)
    if snapshot is None:
        return 2
    _quiet()
    from app.exports import EXPORT_FORMATS, ExportScope

    scope = ExportScope(year_from=args.year_from, year_to=args.year_to)
    data = EXPORT_FORMATS[out.suffix.lower().lstrip(".")](snapshot, scope)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Đã xuất toàn bộ số liệu ra {out}")
    return 0
