"""The audit log: who did what, when, from where. Written here, read by the admin page.

Append-only (the store's triggers refuse updates and deletes). Actions are short
English codes; `ACTION_NAMES` gives what a person reads.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from accounts.store import connect, store_path

ACTION_NAMES = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "login_locked": "Tài khoản bị tạm khoá",
    "login_throttled": "Đăng nhập quá nhanh, phải chờ",
    "logout": "Đăng xuất",
    "session_expired": "Phiên hết hạn",
    "page_view": "Xem trang",
    "access_denied": "Bị từ chối truy cập",
    "password_changed": "Đổi mật khẩu",
    "user_added": "Thêm tài khoản",
    "user_disabled": "Khoá tài khoản",
    "user_enabled": "Mở khoá tài khoản",
    "password_reset": "Đặt lại mật khẩu",
    "units_load": "Nạp danh sách đơn vị",
    "units_rename": "Đổi tên đơn vị",
    "units_merge": "Sáp nhập đơn vị",
    "units_split": "Chia tách đơn vị",
    "units_close": "Giải thể đơn vị",
    "ingest": "Nạp báo cáo",
    "demo": "Tạo dữ liệu minh họa",
    "backup": "Sao lưu",
    "restore": "Khôi phục",
    "deadline_set": "Đặt hạn nộp báo cáo",
    "finding_verified": "Xác minh số liệu với đơn vị",
    "entry_draft_saved": "Lưu bản nháp nhập trực tiếp",
    "entry_draft_deleted": "Xoá bản nháp nhập trực tiếp",
}
OUTCOME_NAMES = {"ok": "Thành công", "failed": "Không thành công", "denied": "Bị từ chối"}


def now_iso(now: datetime | None = None) -> str:
    """A UTC timestamp as stored in the log (ISO 8601, seconds)."""
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def record_event(
    con: sqlite3.Connection,
    action: str,
    *,
    actor: str | None,
    target: str | None = None,
    outcome: str = "ok",
    client: str | None = None,
    detail: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> None:
    """Append one event to the log of an open store."""
    if action not in ACTION_NAMES:
        raise ValueError(f"unknown audit action {action!r}")
    con.execute(
        "insert into audit (at, actor, action, target, outcome, client, detail) values (?, ?, ?, ?, ?, ?, ?)",
        [now_iso(now), actor, action, target, outcome, client,
         json.dumps(dict(detail), ensure_ascii=False, default=str) if detail else None],
    )  # fmt: skip


# set by the dashboard's server in the environment of the commands it runs for a page
# (uploads, unit changes): the page writes the audit row, with the user and their address,
# so the command writes none of its own (one action, one row)
CALLER_AUDITS = "DASHBOARD_CALLER_AUDITS"


def command_env() -> dict[str, str]:
    """The environment for a command the server runs on a user's behalf (see CALLER_AUDITS)."""
    return {**os.environ, CALLER_AUDITS: "1"}


def caller_audits() -> bool:
    """Does the process that started this command write its audit row itself?"""
    return os.environ.get(CALLER_AUDITS) == "1"


def record(
    db: Path,
    action: str,
    *,
    actor: str | None,
    target: str | None = None,
    outcome: str = "ok",
    client: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> None:
    """Append one event to the audit log of the database `db` (for commands that hold no store)."""
    con = connect(store_path(db))
    try:
        record_event(con, action, actor=actor, target=target, outcome=outcome, client=client, detail=detail)
    finally:
        con.close()


def events(
    con: sqlite3.Connection,
    *,
    since: str | None = None,
    until: str | None = None,
    actor: str | None = None,
    actions: tuple[str, ...] = (),
    limit: int = 5000,
) -> list[dict]:
    """Events newest first, filtered by time (ISO bounds, inclusive), actor and actions."""
    where, params = [], []
    if since:
        where.append("at >= ?")
        params.append(since)
    if until:
        where.append("at <= ?")
        params.append(until)
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if actions:
        where.append(f"action in ({', '.join('?' * len(actions))})")
        params.extend(actions)
    sql = "select audit_id, at, actor, action, target, outcome, client, detail from audit"
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by audit_id desc limit ?"
    return [dict(r) for r in con.execute(sql, [*params, limit]).fetchall()]


_EVENT_FIELDS = ("at", "actor", "action", "target", "outcome", "client", "detail")


def all_events(path: Path) -> list[tuple]:
    """Every event of the store at `path`, oldest first, as plain tuples (none when there is no store)."""
    if not Path(path).exists():
        return []
    con = connect(path)
    try:
        return [
            tuple(r) for r in con.execute(f"select {', '.join(_EVENT_FIELDS)} from audit order by audit_id")
        ]
    finally:
        con.close()


def carry_over(con: sqlite3.Connection, earlier: list[tuple]) -> int:
    """Append to `con`'s log the events of `earlier` it lacks, in their order; returns how many.

    A restore brings back an older accounts store; the log of what happened since (the
    backup itself, logins, the restore) must not go with it: the audit log only ever grows.
    """
    have = {tuple(r) for r in con.execute(f"select {', '.join(_EVENT_FIELDS)} from audit")}
    missing = [e for e in earlier if e not in have]
    if missing:
        con.executemany(
            f"insert into audit ({', '.join(_EVENT_FIELDS)}) values ({', '.join('?' * len(_EVENT_FIELDS))})",
            missing,
        )
    return len(missing)
