"""What the server checks and prepares before it accepts a single visitor.

- No database yet at the demo's file name (data/dashboard.duckdb): the demo province is
  built first, with progress on the terminal, so the first visitor never waits on a blank
  page. Any other missing file: the server refuses and says to load the Sở's unit list.
- The demo database: its demo accounts exist (an older demo gets them now).
- Any other database: the server refuses to start while an account still has the demo
  password (CONTRACT.md), and says how to fix it; with no account at all it starts and
  says how to create the first administrator.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

from accounts.demo import write_demo_accounts
from accounts.store import connect, store_path
from accounts.users import accounts_with_demo_password, list_users
from etl.db import DEFAULT_DB, DatabaseBusy, latest_snapshot, publish_first_snapshot, published_facts

_ROOT = Path(__file__).resolve().parent.parent


class StartupRefused(SystemExit):
    """The server must not start; the message says why and what to do."""

    def __init__(self, message: str):
        print(message, file=sys.stderr)
        super().__init__(2)


def _build_demo(db: Path) -> None:
    print(f"Chưa có cơ sở dữ liệu {db}: đang tạo dữ liệu minh họa (khoảng nửa phút)...", flush=True)
    proc = subprocess.run([sys.executable, "-m", "etl", "demo", "--db", str(db)], cwd=_ROOT, check=False)
    if proc.returncode != 0:
        raise StartupRefused(f"Không tạo được dữ liệu minh họa tại {db} (mã lỗi {proc.returncode}).")


def _publish(db: Path) -> None:
    try:
        publish_first_snapshot(db)
    except DatabaseBusy as exc:
        raise StartupRefused(str(exc)) from exc


def demo_password_refusal(db: Path, names: list[str]) -> str:
    listed = ", ".join(names[:10]) + (f" và {len(names) - 10} tài khoản khác" if len(names) > 10 else "")
    return (
        f"Không khởi động: cơ sở dữ liệu {db} không phải dữ liệu minh họa, nhưng tài khoản {listed} vẫn dùng "
        "mật khẩu minh họa «demo». Đặt mật khẩu mới cho từng tài khoản bằng\n"
        "    python -m etl users reset-password TÊN_ĐĂNG_NHẬP\n"
        "(hoặc khoá tài khoản: python -m etl users disable TÊN_ĐĂNG_NHẬP), rồi khởi động lại."
    )


def may_build_demo(db: Path) -> bool:
    """A missing database is built as the demo only under the demo's own file name.

    `data/dashboard.duckdb` is the demo's file (README). A Sở that points DASHBOARD_DB at
    its own file before loading its unit list must not find the demo province in it.
    """
    return db.name == DEFAULT_DB.name


def missing_database(db: Path) -> str:
    return (
        f"Không khởi động: chưa có cơ sở dữ liệu {db}. Nạp danh sách đơn vị của Sở vào tệp đó trước:\n"
        f"    python -m etl units load danh_sach_don_vi.csv --db {db}\n"
        "rồi tạo tài khoản quản trị (python -m etl users add TÊN --role quan_tri) và khởi động lại. "
        f"Muốn xem thử với dữ liệu minh họa: bỏ biến DASHBOARD_DB (dữ liệu minh họa nằm ở {DEFAULT_DB.name})."
    )


def prepare_database(db: Path) -> None:
    """Get `db` ready to serve, or refuse to start (StartupRefused, exit code 2)."""
    if not db.exists():
        if not may_build_demo(db):
            raise StartupRefused(missing_database(db))
        _build_demo(db)
    if latest_snapshot(db) is None:
        _publish(db)
    meta, unit_codes = published_facts(db)
    store = store_path(db)
    if meta.get("is_demo") == "1":
        with closing(connect(store)) as con:
            has_users = bool(list_users(con))
        if not has_users:
            write_demo_accounts(store, unit_codes)
        print(
            f"Dữ liệu minh họa: {db}. Tài khoản dùng thử có mật khẩu «demo» (xem trang đăng nhập).",
            flush=True,
        )
        return
    with closing(connect(store)) as con:
        users = list_users(con)
        if users and (names := accounts_with_demo_password(con)):
            raise StartupRefused(demo_password_refusal(db, names))
    if not users:
        print(
            f"Cơ sở dữ liệu {db} chưa có tài khoản nào, nên chưa ai đăng nhập được. Tạo tài khoản quản trị đầu tiên:\n"
            "    python -m etl users add TÊN_ĐĂNG_NHẬP --role quan_tri",
            file=sys.stderr,
            flush=True,
        )
