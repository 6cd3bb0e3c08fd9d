"""The command line: `python -m etl ingest|template|demo|backup|restore|units|check|snapshot`.

`units` lives in etl/units_cli.py, `users` in accounts/cli.py, `report|reminder|export` in report/cli.py.

Exit codes: 0 success, 1 when a file was rejected (or a check failed), 2 for a
usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import closing
from pathlib import Path

from accounts.audit import caller_audits, record
from accounts.cli import cli_actor
from accounts.store import store_path
from etl.cli_text import terminal_safe, use_vietnamese
from etl.db import DatabaseBusy, connect, db_path, get_meta, publish_snapshot
from etl.ingest import FileResult, UsageError, ingest_paths, summary

_STATUS_VI = {"accepted": "ĐÃ NHẬN", "rejected": "TỪ CHỐI", "unchanged": "KHÔNG ĐỔI"}


def _print_human(results: list[FileResult], dry_run: bool) -> None:
    for r in results:
        who = f" {r.unit_code or '?'} năm {r.year or '?'}" if r.status != "rejected" or r.unit_code else ""
        print(terminal_safe(f"[{_STATUS_VI[r.status]}] {r.path}{who}"))
        for m in r.errors:
            print(terminal_safe(f"    Lỗi: {m.message}"))
        for m in r.warnings:
            print(terminal_safe(f"    Cảnh báo: {m.message}"))
    s = summary(results)
    prefix = "Kiểm tra thử (không ghi gì vào cơ sở dữ liệu): " if dry_run else ""
    print(
        f"{prefix}{s['accepted']} tệp được nhận, {s['rejected']} tệp bị từ chối, {s['unchanged']} tệp không đổi."
    )


def _no_units_message(db: Path) -> str:
    return (
        f"Cơ sở dữ liệu «{db}» chưa có danh sách đơn vị của Sở, nên chưa kiểm tra hay nạp được báo cáo nào. "
        f"Hãy nạp danh sách đơn vị trước: python -m etl units load danh_sach_don_vi.csv --db {db} "
        "(xem mẫu ở data/units_demo.csv), rồi chạy lại lệnh này."
    )


def _demo_notice(db: Path, dry_run: bool) -> str:
    done = "được kiểm tra thử với" if dry_run else "đã được nạp vào"
    return (
        f"Chú ý: các tệp trên {done} cơ sở dữ liệu MINH HỌA «{db}» (tỉnh giả định), "
        "không phải cơ sở dữ liệu của Sở. Số liệu thật phải nạp vào tệp cơ sở dữ liệu của Sở "
        "(tuỳ chọn --db hoặc biến DASHBOARD_DB)."
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    db = db_path(args.db)
    if not db.exists():
        # never create a database here: without the Sở's unit list nothing can be matched
        raise UsageError(_no_units_message(db))
    with closing(connect(db)) as con:
        if not con.execute("select count(*) from units").fetchone()[0]:
            raise UsageError(_no_units_message(db))
        is_demo = get_meta(con, "is_demo") == "1"
        only_unit = _only_unit(con, args.only_unit)
        results = ingest_paths(
            con, db, args.paths, dry_run=args.dry_run, submitted_by=args.by,
            progress=args.progress or (sys.stdout.isatty() and not args.json), only_unit=only_unit,
        )  # fmt: skip
    if args.json:
        doc = {"files": [r.as_dict() for r in results], "summary": summary(results)}
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_human(results, args.dry_run)
    if is_demo:
        # stdout holds exactly one JSON document in --json mode
        print(_demo_notice(db, args.dry_run), file=sys.stderr if args.json else sys.stdout)
    _audit(db, "ingest", {**summary(results), "files": len(results), "dry_run": args.dry_run})
    return 1 if any(r.status == "rejected" for r in results) else 0


def _only_unit(con, code: str | None) -> str | None:
    """The unit code of --only-unit as registered (upper case), or a usage error naming it."""
    if code is None:
        return None
    wanted = code.strip().upper()
    if not con.execute("select count(*) from units where unit_code = ?", [wanted]).fetchone()[0]:
        raise UsageError(f"Không có đơn vị mã «{code}» trong danh sách đơn vị (tuỳ chọn --only-unit).")
    return wanted


def _audit(
    db: Path, action: str, detail: dict | None = None, outcome: str = "ok", create: bool = True
) -> None:
    """Record a command in the audit log of `db`'s accounts store (once accounts exist).

    `create=False` records only into a store that already exists (a refusal must not
    leave a new file beside whatever the operator pointed at).
    """
    if caller_audits() or (not create and not store_path(db).exists()):
        return
    try:
        record(db, action, actor=cli_actor(), detail=detail, outcome=outcome)
    except Exception as exc:  # the command itself is done; a log it cannot write must not undo it
        print(f"Cảnh báo: không ghi được nhật ký hoạt động ({exc}).", file=sys.stderr)


def cmd_template(args: argparse.Namespace) -> int:
    from etl.template import write_template

    db = db_path(args.db)
    units, notice = _template_units(db)
    unit = None
    if args.unit:
        by_code = {u.unit_code: u for u in units}
        unit = by_code.get(args.unit.strip().upper())
        if unit is None:
            print(f"Không có đơn vị mã «{args.unit}» trong danh sách đơn vị.", file=sys.stderr)
            return 2
    write_template(Path(args.out), units, unit=unit, year=args.year)
    print(f"Đã tạo mẫu báo cáo: {args.out}")
    if notice:
        print(notice)
    return 0


def _template_units(db: Path) -> tuple[list, str | None]:
    """The unit list a template offers, and a notice when it is the demo province's.

    Read from the latest snapshot (never blocks an ingest), else from the main file.
    Only with no database at all does the template fall back to the demo list.
    """
    import duckdb

    from etl.db import latest_snapshot
    from etl.ingest import registry_from_db
    from etl.registry import DEMO_REGISTRY_CSV, read_registry

    source = latest_snapshot(db) or (db if db.exists() else None)
    if source is None:
        notice = (
            f"Chú ý: chưa có cơ sở dữ liệu «{db}», nên danh sách đơn vị trong mẫu là của tỉnh MINH HỌA "
            "(tỉnh giả định), không phải của Sở. Hãy nạp danh sách đơn vị của Sở "
            f"(python -m etl units load danh_sach_don_vi.csv --db {db}) rồi tạo lại mẫu."
        )
        return read_registry(DEMO_REGISTRY_CSV), notice
    try:
        with closing(duckdb.connect(str(source), read_only=True)) as con:
            units = list(registry_from_db(con).units.values())
            is_demo = get_meta(con, "is_demo") == "1"
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusy(
                f"Cơ sở dữ liệu {db} đang được một tiến trình khác ghi; hãy chờ rồi chạy lại."
            ) from exc
        raise UsageError(f"Không đọc được cơ sở dữ liệu «{db}» ({exc}).") from exc
    if not units:
        raise UsageError(
            f"Cơ sở dữ liệu «{db}» chưa có danh sách đơn vị, nên không tạo được mẫu báo cáo. "
            f"Hãy nạp danh sách đơn vị của Sở: python -m etl units load danh_sach_don_vi.csv --db {db}, "
            "rồi chạy lại lệnh này."
        )
    notice = (
        f"Chú ý: danh sách đơn vị trong mẫu là của tỉnh MINH HỌA (cơ sở dữ liệu minh họa «{db}»)."
        if is_demo
        else None
    )
    return units, notice


def cmd_demo(args: argparse.Namespace) -> int:
    from etl.demo import NotADemoDatabase, build_demo

    db = db_path(args.db)
    try:
        result = build_demo(db, scale=args.scale)
    except (NotADemoDatabase, DatabaseBusy) as exc:
        # a locked file may be anyone's: refused like a real database, never waited into
        print(str(exc), file=sys.stderr)
        _audit(db, "demo", {"scale": args.scale, "reason": str(exc)}, outcome="denied", create=False)
        return 2
    print(f"Đã tạo dữ liệu minh họa ({args.scale}) tại «{db}»: {result}")
    _audit(db, "demo", {"scale": args.scale, "files": result.files_written})
    return 0


def _size_vi(n_bytes: int) -> str:
    """A file size the Vietnamese way: 12,3 MB."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}".replace(".", ",")
    return f"{n_bytes} byte"


def cmd_backup(args: argparse.Namespace) -> int:
    from etl.backup import BackupError, default_name, write_backup

    db = db_path(args.db)
    out = Path(args.out) if args.out else _unused(Path(default_name()))
    try:
        done = write_backup(db, out)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    accounts = "kèm tệp tài khoản" if done.has_accounts else "không có tệp tài khoản"
    demo = " Đây là dữ liệu MINH HỌA." if done.is_demo else ""
    print(
        f"Đã sao lưu cơ sở dữ liệu «{db}» vào «{out}» ({_size_vi(done.size_bytes)}): "
        f"{done.n_submissions} bản nộp, {done.n_raw_files} tệp gốc, {accounts}.{demo}"
    )
    if done.missing_raw:
        print(
            f"Cảnh báo: không tìm thấy (hoặc đã hỏng) {len(done.missing_raw)} tệp gốc trong {db.parent / 'raw'}; "
            "bản sao lưu không có các tệp này: " + ", ".join(done.missing_raw),
            file=sys.stderr,
        )
    print("Hãy chép tệp sao lưu ra ngoài máy này (ổ đĩa ngoài, máy chủ lưu trữ của Sở).")
    _audit(db, "backup", {"out": str(out), "submissions": done.n_submissions, "raw_files": done.n_raw_files})
    return 0


def _unused(path: Path) -> Path:
    """`path`, or `name_2.zip`, `name_3.zip`... when a backup of the same day is already there."""
    n, candidate = 2, path
    while candidate.exists():
        candidate, n = path.with_name(f"{path.stem}_{n}{path.suffix}"), n + 1
    return candidate


def cmd_restore(args: argparse.Namespace) -> int:
    from etl.backup import BackupError, restore_backup

    db = db_path(args.db)
    try:
        done = restore_backup(Path(args.archive), db)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        _audit(db, "restore", {"archive": args.archive, "reason": str(exc)}, outcome="failed", create=False)
        return 1
    if done.before_restore is not None:
        print(f"Đã lưu dữ liệu hiện có (trước khi khôi phục) vào «{done.before_restore}».")
    accounts = (
        "kèm tệp tài khoản" if done.has_accounts else "không có tệp tài khoản (giữ nguyên tài khoản hiện có)"
    )
    demo = " Đây là dữ liệu MINH HỌA." if done.is_demo else ""
    print(
        f"Đã khôi phục «{args.archive}» ({_size_vi(done.size_bytes)}) vào cơ sở dữ liệu «{db}»: "
        f"{done.n_submissions} bản nộp, {done.n_raw_files} tệp gốc, {accounts}.{demo}"
    )
    print(f"Trang theo dõi đọc bản mới: {done.snapshot}")
    before = str(done.before_restore) if done.before_restore else None
    detail = {"archive": args.archive, "submissions": done.n_submissions, "before_restore": before}
    _audit(db, "restore", detail)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from etl.checks import run_checks

    with closing(connect(db_path(args.db))) as con:
        failures = run_checks(con)
    for f in failures:
        print(f"Không đạt: {f}")
    print("Tất cả kiểm tra đều đạt." if not failures else f"{len(failures)} kiểm tra không đạt.")
    return 1 if failures else 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    db = db_path(args.db)
    with closing(connect(db)) as con:
        print(f"Đã xuất bản bản đọc: {publish_snapshot(con, db)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    use_vietnamese()
    parser = argparse.ArgumentParser(
        prog="python -m etl", description="Nạp và quản lý số liệu báo cáo công tác dân vận ngành Y tế."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = "tệp cơ sở dữ liệu (mặc định: biến DASHBOARD_DB hoặc data/dashboard.duckdb)"

    p = sub.add_parser("ingest", help="nạp tệp báo cáo (.xlsx, .xls, .ods, .csv...) hoặc cả thư mục")
    p.add_argument("paths", nargs="+", metavar="PATH", help="tệp hoặc thư mục (tìm cả thư mục con)")
    p.add_argument("--db", help=db_help)
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    p.add_argument("--by", help="người nộp/nạp tệp (mặc định: tên người dùng máy)")
    p.add_argument(
        "--only-unit", metavar="CODE", help="chỉ nhận báo cáo của đơn vị này; tệp của đơn vị khác bị từ chối"
    )
    p.add_argument("--progress", action="store_true", help="luôn in tiến độ (số tệp đã xử lý) ra stderr")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("template", help="tạo mẫu báo cáo Excel cho một đơn vị và năm")
    p.add_argument("--out", required=True, help="tệp .xlsx sẽ tạo")
    p.add_argument("--unit", help="mã đơn vị điền sẵn")
    p.add_argument("--year", type=int, help="năm báo cáo điền sẵn")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("demo", help="tạo lại cơ sở dữ liệu minh họa")
    p.add_argument("--db", help=db_help)
    p.add_argument("--scale", choices=("province", "national"), default="province", help="quy mô dữ liệu")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu, tệp gốc đã nhận và tài khoản vào một tệp .zip")
    p.add_argument("--out", help="tệp sao lưu sẽ tạo (mặc định: sao_luu_YYYYMMDD.zip ở thư mục hiện tại)")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore", help="khôi phục cơ sở dữ liệu từ một tệp sao lưu (lưu lại dữ liệu hiện có trước)"
    )
    p.add_argument("archive", metavar="FILE", help="tệp sao lưu (.zip) do lệnh backup tạo ra")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_restore)

    from etl.units_cli import add_units_parser

    add_units_parser(sub, db_help)

    p = sub.add_parser("check", help="kiểm tra tính toàn vẹn của số liệu đã nạp")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("snapshot", help="xuất bản lại bản đọc cho trang theo dõi")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_snapshot)

    from report.cli import cmd_export, cmd_reminder, cmd_report  # light: heavy imports run with the command

    p = sub.add_parser("report", help="lập báo cáo tổng hợp công tác dân vận năm (.docx, kèm PDF nếu cần)")
    p.add_argument("--year", type=int, required=True, help="năm báo cáo")
    p.add_argument("--out", required=True, help="tệp .docx sẽ ghi")
    p.add_argument("--from", dest="year_from", type=int, help="năm đầu của biểu đồ (mặc định: năm - 4)")
    p.add_argument("--pdf", action="store_true", help="ghi thêm bản PDF cạnh tệp .docx (cần LibreOffice)")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("reminder", help="lập công văn đôn đốc các đơn vị chưa gửi báo cáo năm (.docx)")
    p.add_argument("--year", type=int, required=True, help="năm báo cáo cần đôn đốc")
    p.add_argument("--out", required=True, help="tệp .docx sẽ ghi")
    p.add_argument("--deadline", help="hạn gửi mới, dạng ngày/tháng/năm (mặc định: 20/11 hoặc 7 ngày tới)")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_reminder)

    p = sub.add_parser("export", help="xuất toàn bộ số liệu đang có hiệu lực ra .xlsx, .csv hoặc .parquet")
    p.add_argument("--out", required=True, help="tệp sẽ ghi; đuôi tệp chọn định dạng")
    p.add_argument("--from", dest="year_from", type=int, help="chỉ từ năm này")
    p.add_argument("--to", dest="year_to", type=int, help="chỉ đến năm này")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_export)

    from accounts.cli import add_users_parser

    add_users_parser(sub, db_help)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except DatabaseBusy as exc:
        print(str(exc), file=sys.stderr)
        return 1
