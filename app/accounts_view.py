"""Accounts and the audit log as frames for the admin pages: Vietnamese words, local times.

Pure functions over what accounts.users and accounts.audit return; the pages only lay
them out. Times are stored in UTC and shown in Vietnam's time (UTC+7, no daylight saving).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

import polars as pl

from accounts.audit import ACTION_NAMES, OUTCOME_NAMES
from accounts.scope import ROLE_NAMES
from accounts.users import User

VIETNAM_TIME = timezone(timedelta(hours=7))
# the audit detail's keys in words (anything else is shown as it is)
_DETAIL_NAMES = {
    "role": "vai trò",
    "unit_code": "đơn vị",
    "n_accounts": "số tài khoản",
    "reason": "lý do",
    "files": "số tệp",
    "accepted": "được nhận",
    "rejected": "bị từ chối",
    "unchanged": "không đổi",
    "dry_run": "kiểm tra thử",
    "database": "cơ sở dữ liệu",
    "archive": "tệp sao lưu",
    "n_submissions": "số lần nộp",
    "n_raw_files": "số tệp gốc",
    "scale": "quy mô",
    "out": "tệp sao lưu",
    "submissions": "số bản nộp",
    "raw_files": "số tệp gốc",
    "before_restore": "bản lưu trước khi khôi phục",
    "file": "tệp",
    "units": "số đơn vị",
    "via": "qua",
    "verdict": "kết quả",
    "year": "năm",
    "sha256": "mã băm",
    "on_behalf_of_unit": "nộp thay đơn vị",
    "due_on": "hạn nộp",
    "before": "trước đó",
    "check": "loại kiểm tra",
    "finding": "điều cần xác minh",
    "note": "ghi chú",
}
_REASONS = {
    "account disabled": "tài khoản đã bị khoá",
    "wrong current password": "mật khẩu hiện tại không đúng",
}


def local_time(iso: str | None) -> str:
    """'2026-12-01T03:04:05+00:00' -> '01/12/2026 10:04:05' (Vietnam time)."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M:%S")


def users_table(users: list[User], unit_names: Mapping[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "username": [u.username for u in users],
            "full_name": [u.full_name or "" for u in users],
            "role": [ROLE_NAMES[u.role] for u in users],
            "unit": [unit_names.get(u.unit_code, u.unit_code or "") if u.unit_code else "" for u in users],
            "state": ["Đã khoá" if u.is_disabled else "Đang dùng" for u in users],
            "created": [local_time(u.created_at) for u in users],
            "password_changed": [local_time(u.password_changed_at) for u in users],
        },
        schema={c: pl.String for c in ("username", "full_name", "role", "unit", "state", "created",
                                         "password_changed")},
    )  # fmt: skip


USERS_HEADERS = {
    "username": "Tên đăng nhập",
    "full_name": "Họ tên",
    "role": "Vai trò",
    "unit": "Đơn vị",
    "state": "Trạng thái",
    "created": "Ngày tạo",
    "password_changed": "Đổi mật khẩu lần cuối",
}


def _value_words(key: str, value: object, unit_names: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if key == "role" and isinstance(value, str):
        return ROLE_NAMES.get(value, value)
    if key == "unit_code" and isinstance(value, str):
        return unit_names.get(value, value)
    if key == "reason" and isinstance(value, str):
        return _REASONS.get(value, value)
    return str(value)


def detail_words(detail: str | None, unit_names: Mapping[str, str]) -> str:
    """An event's JSON detail as 'vai trò: Quản trị; đơn vị: BV Mắt'."""
    if not detail:
        return ""
    try:
        parsed = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(parsed, dict):
        return str(parsed)
    return "; ".join(
        f"{_DETAIL_NAMES.get(k, k)}: {_value_words(k, v, unit_names)}"
        for k, v in parsed.items()
        if v is not None
    )


def audit_table(events: list[dict], unit_names: Mapping[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "at": [local_time(e["at"]) for e in events],
            "actor": [e["actor"] or "" for e in events],
            "action": [ACTION_NAMES.get(e["action"], e["action"]) for e in events],
            "target": [e["target"] or "" for e in events],
            "outcome": [OUTCOME_NAMES.get(e["outcome"], e["outcome"]) for e in events],
            "client": [e["client"] or "" for e in events],
            "detail": [detail_words(e["detail"], unit_names) for e in events],
        },
        schema={c: pl.String for c in ("at", "actor", "action", "target", "outcome", "client", "detail")},
    )


AUDIT_HEADERS = {
    "at": "Thời điểm",
    "actor": "Người thực hiện",
    "action": "Việc",
    "target": "Đối tượng",
    "outcome": "Kết quả",
    "client": "Địa chỉ máy",
    "detail": "Chi tiết",
}


def day_bounds_utc(day_from, day_to) -> tuple[str, str]:
    """ISO UTC bounds of whole Vietnam-time days [day_from 00:00, day_to 23:59:59]."""
    start = datetime(day_from.year, day_from.month, day_from.day, tzinfo=VIETNAM_TIME)
    end = datetime(day_to.year, day_to.month, day_to.day, 23, 59, 59, tzinfo=VIETNAM_TIME)
    utc = UTC
    return start.astimezone(utc).isoformat(timespec="seconds"), end.astimezone(utc).isoformat(
        timespec="seconds"
    )
