"""Reports uploaded in the browser: each file through exactly the ingest the CLI runs.

The ETL parses many files in spawned worker processes, which must not re-import a
Streamlit script, and it is the only writer of the DuckDB file. So the server runs the
command line itself, `python -m etl ingest --json --by USER [--only-unit CODE] FILES`, in a
subprocess, as an operator at a terminal would: same verdicts, same Vietnamese messages,
same raw files kept by hash, same new snapshot for the pages.

Who may upload is decided here, where the upload is processed, not by hiding the widget:
a unit's account (`don_vi`) only for its own unit (the ingest refuses another unit's file,
`--only-unit`), the Sở's administrator (`quan_tri`) for any unit, nobody else. Every file
uploaded, refused or not, leaves one row in the audit log.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from accounts.audit import command_env, record_event
from accounts.scope import ROLE_NAMES
from accounts.store import connect, store_path
from accounts.users import User

STATUS_VI = {"accepted": "ĐÃ NHẬN", "rejected": "TỪ CHỐI", "unchanged": "KHÔNG ĐỔI"}  # as the CLI prints
VIA = "trang Nộp báo cáo"  # how the audit log tells an upload from a command-line ingest
VIA_ENTRY = "trang Nhập trực tiếp"  # a report typed into the form (app/entry.py)
MAX_NAME = 120  # characters of a stored file name, extension included
_ROOT = Path(__file__).resolve().parent.parent
_PROGRESS = re.compile(rb"(\d+)/(\d+) t")  # the CLI's progress line: "[####....] 3/5 tệp"
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_TIMEOUT_S = 1800  # a folder of hundreds of workbooks still ends well before this


class UploadRefused(PermissionError):
    """The account's role may not upload reports (Lãnh đạo Sở, Ban Dân vận)."""


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it."""

    name: str
    data: bytes


@dataclass
class FileVerdict:
    """What the ingest said about one uploaded file, as the page shows it."""

    name: str
    status: str  # accepted, rejected or unchanged
    unit_code: str | None = None
    year: int | None = None
    sha256: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """ĐÃ NHẬN, TỪ CHỐI or KHÔNG ĐỔI: the CLI's words."""
        return STATUS_VI[self.status]


def safe_name(name: str) -> str:
    """An uploaded file's name, safe to store under: no folders, no control or reserved characters.

    Keeps the Vietnamese letters (NFC) and the extension, which says how to read the file.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\Báo cáo\\\\bvm 2025.xlsx")
    'bvm 2025.xlsx'
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = " ".join(base.split())  # a line separator or a wide space is a plain space
    base = _UNSAFE.sub("_", base).strip()
    suffix = Path(f"x{base}").suffix  # of ".xlsx" alone too: an extension without a name
    base = base.lstrip(".").strip()
    if not base or base == suffix.lstrip("."):
        return f"tep_tai_len{suffix}"
    if len(base) > MAX_NAME:
        suffix = Path(base).suffix[:10]
        base = base[: MAX_NAME - len(suffix)] + suffix
    return base


def may_upload(user: User) -> bool:
    """True for the roles that may send reports: a unit's account and the Sở's administrator."""
    return user.scope.may_change


def ingest_command(db: Path, paths: list[Path], user: User) -> list[str]:
    """The command line the server runs for `user`'s files (a unit's account: its unit only)."""
    cmd = [sys.executable, "-m", "etl", "ingest", "--json", "--progress"]
    cmd += ["--db", str(db), "--by", user.username]
    if user.role == "don_vi":
        cmd += ["--only-unit", str(user.unit_code)]
    return [*cmd, *map(str, paths)]


def verdicts_from_json(doc: dict, names: list[str]) -> list[FileVerdict]:
    """The CLI's JSON document as one verdict per uploaded file, in upload order."""
    out = []
    for name, entry in zip(names, doc["files"], strict=True):
        out.append(
            FileVerdict(
                name=name,
                status=entry["status"],
                unit_code=entry.get("unit_code"),
                year=entry.get("year"),
                sha256=entry.get("sha256") or "",
                errors=[m["message"] for m in entry.get("errors", [])],
                warnings=[m["message"] for m in entry.get("warnings", [])],
            )
        )
    return out


def _failed_run(names: list[str], stderr: str) -> list[FileVerdict]:
    """Every file rejected, with why the ingest did not run (a busy database, a usage error)."""
    reason = stderr.strip().splitlines()[-1] if stderr.strip() else "lệnh nạp dừng giữa chừng"
    message = (
        f"Hệ thống chưa nạp được tệp này: {reason} Không có gì thay đổi. "
        "Cách sửa: chờ ít phút rồi nộp lại; nếu vẫn không được, báo cán bộ quản trị của Sở."
    )
    return [FileVerdict(name, "rejected", errors=[message]) for name in names]


def _run(cmd: list[str], on_progress: Callable[[int, int], None] | None) -> tuple[int, str, str]:
    """Run the ingest, passing its progress on as it comes; returns (exit code, stdout, stderr)."""
    proc = subprocess.Popen(cmd, cwd=_ROOT, env=command_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: list[bytes] = []
    # stdout is drained beside us, so a long JSON document never blocks the child
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    err = b""
    while chunk := proc.stderr.read1(4096):
        err += chunk
        found = _PROGRESS.findall(chunk)
        if found and on_progress is not None:
            done, total = found[-1]
            on_progress(int(done), int(total))
    try:
        code = proc.wait(timeout=_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    reader.join()
    return code, b"".join(out).decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _outcome(v: FileVerdict, user: User) -> str:
    if v.status != "rejected":
        return "ok"
    # the ingest names the unit of a file it refused to a unit's account
    refused = user.role == "don_vi" and v.unit_code not in (None, user.unit_code)
    return "denied" if refused else "failed"


def audit_upload(
    db: Path, user: User, verdicts: list[FileVerdict], client: str | None, via: str = VIA
) -> None:
    """One audit row per uploaded file: who, which file, the verdict, for which unit and year;
    `via` says which page sent it."""
    with closing(connect(store_path(db))) as con:
        for v in verdicts:
            detail = {
                "via": via, "verdict": v.verdict, "unit_code": v.unit_code, "year": v.year,
                "sha256": v.sha256, "on_behalf_of_unit": user.role == "quan_tri",
            }  # fmt: skip
            record_event(
                con, "ingest", actor=user.username, target=v.name, outcome=_outcome(v, user),
                client=client, detail=detail,
            )  # fmt: skip


def ingest_uploads(
    db: Path,
    uploads: list[Upload],
    user: User,
    *,
    client: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    via: str = VIA,
) -> list[FileVerdict]:
    """Ingest the uploaded files for `user`, one verdict per file, each audited.

    Raises UploadRefused (after auditing the attempt) for a role that may not upload.
    Files are written under their sanitised names in a private temporary folder, one
    subfolder each, so two uploads with the same name stay two files.
    """
    names = [safe_name(u.name) for u in uploads]
    if not may_upload(user):
        with closing(connect(store_path(db))) as con:
            for name in names:
                record_event(
                    con, "ingest", actor=user.username, target=name, outcome="denied", client=client,
                    detail={"via": via, "reason": f"vai trò «{ROLE_NAMES[user.role]}» không nộp báo cáo"},
                )  # fmt: skip
        raise UploadRefused(user.role)
    if not uploads:
        return []
    with tempfile.TemporaryDirectory(prefix="nop_bao_cao_") as tmp:
        paths = []
        for i, (upload, name) in enumerate(zip(uploads, names, strict=True)):
            folder = Path(tmp) / f"{i:04d}"
            folder.mkdir()
            (folder / name).write_bytes(upload.data)
            paths.append(folder / name)
        code, stdout, stderr = _run(ingest_command(db, paths, user), on_progress)
    try:
        verdicts = verdicts_from_json(json.loads(stdout), names) if code in (0, 1) else None
    except (ValueError, KeyError):
        verdicts = None
    if verdicts is None:
        verdicts = _failed_run(names, stderr)
    audit_upload(db, user, verdicts, client, via)
    return verdicts
