"""`python -m etl users add|list|disable|enable|reset-password`: accounts from the command line.

Passwords are read from standard input (asked twice, hidden, on a terminal), never from
the command line, where they would stay in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from contextlib import closing

from accounts.scope import ROLE_NAMES, ROLES
from accounts.store import connect, store_path
from accounts.users import (
    AccountError,
    add_user,
    list_users,
    reset_password,
    set_disabled,
)
from etl.db import db_path, published_facts


def cli_actor() -> str:
    """Who runs a command, as the audit log names them."""
    return f"cli:{getpass.getuser()}"


def read_password(prompt: str = "Mật khẩu mới: ") -> str:
    """One password from standard input: hidden and confirmed on a terminal, else the first line."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise AccountError("Hai lần nhập mật khẩu không khớp nhau.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _cmd_add(args: argparse.Namespace) -> int:
    db = db_path(args.db)
    meta, unit_codes = published_facts(db)
    unit = args.unit.strip().upper() if args.unit else None
    if unit and unit not in unit_codes:
        hint = (
            ""
            if unit_codes
            else " Cơ sở dữ liệu chưa có danh sách đơn vị: nạp bằng `python -m etl units load`."
        )
        raise AccountError(f"Không có đơn vị mã «{args.unit}» trong danh sách đơn vị của {db}.{hint}")
    password = read_password()
    with closing(connect(store_path(db))) as con:
        user = add_user(
            con, args.username, password, args.role, unit_code=unit, full_name=args.name,
            is_demo=meta.get("is_demo") == "1", actor=cli_actor(),
        )  # fmt: skip
    print(
        f"Đã thêm tài khoản «{user.username}» ({ROLE_NAMES[user.role]}{f', đơn vị {unit}' if unit else ''})."
    )
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    with closing(connect(store_path(db_path(args.db)))) as con:
        users = list_users(con)
    if not users:
        print("Chưa có tài khoản nào. Thêm bằng: python -m etl users add TÊN --role quan_tri")
        return 0
    for u in users:
        state = "đã khoá" if u.is_disabled else "đang dùng"
        unit = f"  đơn vị {u.unit_code}" if u.unit_code else ""
        print(f"{u.username:<24} {ROLE_NAMES[u.role]:<14} {state:<9}{unit}")
    return 0


def _cmd_disable(args: argparse.Namespace, disabled: bool) -> int:
    with closing(connect(store_path(db_path(args.db)))) as con:
        user = set_disabled(con, args.username, disabled, actor=cli_actor())
    print(f"Đã {'khoá' if disabled else 'mở khoá'} tài khoản «{user.username}».")
    return 0


def _cmd_reset(args: argparse.Namespace) -> int:
    db = db_path(args.db)
    meta, _ = published_facts(db)
    password = read_password()
    with closing(connect(store_path(db))) as con:
        user = reset_password(
            con, args.username, password, is_demo=meta.get("is_demo") == "1", actor=cli_actor()
        )
    print(f"Đã đặt lại mật khẩu của «{user.username}»; các phiên đăng nhập cũ đã kết thúc.")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    try:
        if args.action == "add":
            return _cmd_add(args)
        if args.action == "list":
            return _cmd_list(args)
        if args.action in ("disable", "enable"):
            return _cmd_disable(args, args.action == "disable")
        return _cmd_reset(args)
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def add_users_parser(sub: argparse._SubParsersAction, db_help: str) -> None:
    """The `users` command and its actions, under the `python -m etl` parser."""
    users = sub.add_parser("users", help="quản lý tài khoản đăng nhập trang theo dõi")
    actions = users.add_subparsers(dest="action", required=True, help="việc cần làm với tài khoản")
    p = actions.add_parser("add", help="thêm tài khoản (mật khẩu đọc từ đầu vào chuẩn)")
    p.add_argument("username", help="tên đăng nhập (chữ thường không dấu)")
    p.add_argument("--role", required=True, choices=ROLES, help="vai trò: " + ", ".join(
        f"{r} ({n})" for r, n in ROLE_NAMES.items()))  # fmt: skip
    p.add_argument("--unit", help="mã đơn vị (bắt buộc với vai trò don_vi)")
    p.add_argument("--name", help="họ tên người dùng")
    p.add_argument("--db", help=db_help)
    p = actions.add_parser("list", help="liệt kê các tài khoản")
    p.add_argument("--db", help=db_help)
    for action, text in (("disable", "khoá tài khoản"), ("enable", "mở khoá tài khoản"),
                         ("reset-password", "đặt mật khẩu mới (đọc từ đầu vào chuẩn)")):  # fmt: skip
        p = actions.add_parser(action, help=text)
        p.add_argument("username", help="tên đăng nhập")
        p.add_argument("--db", help=db_help)
    users.set_defaults(func=cmd_users)
