"""`python -m etl units load|export|rename|merge|split|close`: the Sở's unit list from the command line.

`load` replaces the list from a CSV and `export` writes it back, so the Sở's file and the
database stay in step. The four changes (etl/unit_changes.py) take an effective year
(`--from-year`: the first year of the new state, for `close` the first year the unit no
longer exists), publish a new snapshot and are audited. The «Danh sách đơn vị» page runs
these same commands in a subprocess (app/unit_admin.py), with `--by` naming its user.

Exit codes: 0 done, 1 refused (the message says why and what to do), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from accounts.audit import caller_audits, record
from accounts.cli import cli_actor
from accounts.store import store_path
from etl.db import connect, db_path, get_meta, publish_snapshot
from etl.ingest import UsageError, registry_from_db, replace_units, units_frame
from etl.registry import UNIT_TYPES, read_registry
from etl.unit_changes import (
    NewUnit,
    UnitChange,
    UnitChangeError,
    close_unit,
    merge_units,
    rename_unit,
    split_unit,
)

EXPORT_REMINDER = (
    "Nhớ xuất lại danh sách đơn vị (python -m etl units export danh_sach_don_vi.csv) để tệp danh sách "
    "của Sở khớp với cơ sở dữ liệu."
)


def _audit(db: Path, action: str, target: str | None, detail: dict, outcome: str = "ok") -> None:
    """One audit row for a unit-list command (only into a store that exists, for a refusal)."""
    if caller_audits() or (outcome != "ok" and not store_path(db).exists()):
        return
    try:
        record(db, action, actor=cli_actor(), target=target, detail=detail, outcome=outcome)
    except Exception as exc:  # the change is made; a log it cannot write must not undo it
        print(f"Cảnh báo: không ghi được nhật ký hoạt động ({exc}).", file=sys.stderr)


def _load(args: argparse.Namespace, db: Path) -> int:
    with closing(connect(db)) as con:
        if get_meta(con, "is_demo") == "1":
            print(
                "Cơ sở dữ liệu này là dữ liệu minh họa. Hãy dùng một tệp cơ sở dữ liệu mới "
                "(tuỳ chọn --db hoặc biến DASHBOARD_DB) cho danh sách đơn vị thật.",
                file=sys.stderr,
            )
            return 2
        try:
            units = read_registry(Path(args.file))
            replace_units(con, units)
        except (ValueError, OSError) as exc:
            print(str(exc), file=sys.stderr)
            return 1
        publish_snapshot(con, db)
    print(f"Đã nạp {len(units)} đơn vị từ {args.file}.")
    _audit(db, "units_load", args.file, {"file": args.file, "units": len(units)})
    return 0


def _export(args: argparse.Namespace, db: Path) -> int:
    with closing(connect(db)) as con:
        frame = units_frame(list(registry_from_db(con).units.values())).sort("unit_code")
    Path(args.file).write_bytes(b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"))
    print(f"Đã xuất {frame.height} đơn vị ra {args.file}.")
    return 0


def _new_units(args: argparse.Namespace) -> list[NewUnit]:
    """The new units of a split: one --name per code of --into; --short-name and --area once per
    unit (or --area once for all), --type once for all."""
    codes, names = args.into, args.name or []
    shorts, areas = args.short_name or [], args.area or []
    if len(names) != len(codes):
        raise UsageError(
            f"Ghi một --name cho mỗi đơn vị mới, theo thứ tự của --into ({len(codes)} đơn vị, {len(names)} tên)."
        )
    if shorts and len(shorts) != len(codes):
        raise UsageError("Ghi --short-name cho mọi đơn vị mới (theo thứ tự của --into) hoặc không ghi.")
    if areas and len(areas) not in (1, len(codes)):
        raise UsageError("Ghi --area một lần (chung cho mọi đơn vị mới) hoặc một lần cho mỗi đơn vị mới.")
    if len(areas) == 1:
        areas = areas * len(codes)
    return [
        NewUnit(code, names[i], shorts[i] if shorts else None, args.type, areas[i] if areas else None)
        for i, code in enumerate(codes)
    ]


def _change(args: argparse.Namespace, con) -> UnitChange:
    year, by = args.from_year, args.by
    if args.action == "rename":
        return rename_unit(con, args.code, args.name, year, short_name=args.short_name, by=by)
    if args.action == "merge":
        new = NewUnit(args.into, args.name or "", args.short_name, args.type, args.area)
        return merge_units(con, args.codes, args.into, year, new=new, by=by)
    if args.action == "split":
        return split_unit(con, args.code, _new_units(args), year, by=by)
    return close_unit(con, args.code, year, by=by)


def _target(args: argparse.Namespace) -> str:
    sources = args.codes if args.action == "merge" else [args.code]
    into = args.into if args.action in ("merge", "split") else None
    text = ", ".join(c.upper() for c in sources)
    if into:
        text += " → " + ", ".join(c.upper() for c in ([into] if isinstance(into, str) else into))
    return text


def _apply_change(args: argparse.Namespace, db: Path) -> int:
    if not db.exists():
        raise UsageError(
            f"Chưa có cơ sở dữ liệu «{db}». Hãy nạp danh sách đơn vị trước: "
            f"python -m etl units load danh_sach_don_vi.csv --db {db}."
        )
    action = f"units_{args.action}"
    detail = {"action": args.action, "from_year": args.from_year, "by": args.by}
    with closing(connect(db)) as con:
        try:
            change = _change(args, con)
        except UnitChangeError as exc:
            print(str(exc), file=sys.stderr)
            _audit(db, action, _target(args), {**detail, "reason": str(exc)}, outcome="failed")
            return 1
        publish_snapshot(con, db)
    print(change.summary)
    print(EXPORT_REMINDER)
    _audit(db, action, _target(args), {**detail, **change.as_dict()})
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    db = db_path(args.db)
    if args.action == "load":
        return _load(args, db)
    if args.action == "export":
        return _export(args, db)
    return _apply_change(args, db)


def add_units_parser(sub: argparse._SubParsersAction, db_help: str) -> None:
    """The `units` command and its actions, under the `python -m etl` parser."""
    units = sub.add_parser(
        "units",
        help="danh sách đơn vị: nạp, xuất (CSV sửa được bằng Excel), đổi tên, sáp nhập, chia tách, giải thể",
    )
    actions = units.add_subparsers(dest="action", required=True, help="việc cần làm với danh sách đơn vị")
    year_help = "năm hiệu lực: năm đầu tiên theo cơ cấu mới"
    by_help = "người thực hiện, ghi vào nhật ký (mặc định: tên người dùng máy)"
    types = ", ".join(UNIT_TYPES)

    p = actions.add_parser("load", help="nạp danh sách đơn vị từ tệp CSV (thay danh sách đang dùng)")
    p.add_argument("file", help="tệp CSV danh sách đơn vị")
    p.add_argument("--db", help=db_help)
    p = actions.add_parser("export", help="xuất danh sách đơn vị đang dùng ra tệp CSV")
    p.add_argument("file", help="tệp CSV sẽ ghi")
    p.add_argument("--db", help=db_help)

    p = actions.add_parser("rename", help="đổi tên một đơn vị từ một năm (tên cũ giữ làm tên gọi khác)")
    p.add_argument("code", metavar="CODE", help="mã đơn vị")
    p.add_argument("--name", required=True, help="tên đầy đủ mới")
    p.add_argument("--short-name", help="tên ngắn mới dùng trên biểu đồ (mặc định: tên đầy đủ mới)")
    p.add_argument("--from-year", type=int, required=True, help=year_help + " (năm đầu tiên mang tên mới)")

    p2 = actions.add_parser(
        "merge", help="sáp nhập một hay nhiều đơn vị vào một đơn vị (đã có hoặc mới) từ một năm"
    )
    p2.add_argument("codes", nargs="+", metavar="CODE", help="mã các đơn vị được sáp nhập")
    p2.add_argument("--into", required=True, metavar="CODE", help="mã đơn vị nhận sáp nhập (đã có, hoặc mới)")
    p2.add_argument("--name", help="tên đầy đủ của đơn vị mới (chỉ khi --into là mã mới)")
    p2.add_argument("--short-name", help="tên ngắn của đơn vị mới (mặc định: tên đầy đủ)")
    p2.add_argument("--type", help=f"loại đơn vị mới ({types}; mặc định: loại chung của các đơn vị sáp nhập)")
    p2.add_argument("--area", help="địa bàn của đơn vị mới (mặc định: địa bàn chung của các đơn vị sáp nhập)")
    p2.add_argument("--from-year", type=int, required=True, help=year_help + " (năm đầu tiên sau sáp nhập)")

    p3 = actions.add_parser("split", help="chia tách một đơn vị thành các đơn vị mới từ một năm")
    p3.add_argument("code", metavar="CODE", help="mã đơn vị được chia tách")
    p3.add_argument(
        "--into", required=True, nargs="+", metavar="CODE", help="mã các đơn vị mới (ít nhất hai)"
    )
    p3.add_argument("--name", action="append", help="tên đầy đủ của mỗi đơn vị mới, theo thứ tự của --into")
    p3.add_argument("--short-name", action="append", help="tên ngắn của mỗi đơn vị mới (theo thứ tự)")
    p3.add_argument("--type", help=f"loại của các đơn vị mới ({types}; mặc định: loại của đơn vị cũ)")
    p3.add_argument(
        "--area",
        action="append",
        help="địa bàn: một lần cho tất cả, hoặc một lần cho mỗi đơn vị mới (mặc định: của đơn vị cũ)",
    )
    p3.add_argument("--from-year", type=int, required=True, help=year_help + " (năm đầu tiên sau chia tách)")

    p4 = actions.add_parser("close", help="ghi một đơn vị giải thể (thôi hoạt động, không có đơn vị kế thừa)")
    p4.add_argument("code", metavar="CODE", help="mã đơn vị")
    p4.add_argument(
        "--from-year", type=int, required=True,
        help="năm đầu tiên đơn vị không còn hoạt động, không phải nộp báo cáo (năm cuối: năm này trừ 1)",
    )  # fmt: skip
    for parser in (p, p2, p3, p4):
        parser.add_argument("--by", help=by_help)
        parser.add_argument("--db", help=db_help)
    units.set_defaults(func=cmd_units)
