"""The direct entry form's save path: the typed report becomes one submission like an uploaded file.

The form's values are written into the very workbook the unit would have uploaded (etl.template
`write_template`, its «Giá trị» column filled), which goes through the upload path
(app/upload.py `ingest_uploads`: the CLI's ingest in a subprocess). So it is versioned,
supersedes the unit-year's previous submission, is audited as an ingest "via trang Nhập trực
tiếp", and its raw file is kept by hash and downloadable from «Nộp báo cáo».

Who may submit is decided here, on the server, not by which widgets the page draws: a unit's
account its own unit only, the Sở's administrator any unit (app.entry_form.may_enter); a
refused attempt is audited. The typed values are checked again here with the ETL's validation,
and a report with errors is refused before anything is written.
"""

from __future__ import annotations

import re
import tempfile
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

from accounts.audit import record_event
from accounts.store import connect, store_path
from accounts.users import User
from app.drafts import delete_draft
from app.entry_form import FormCheck, check_entry, may_enter, workbook_values
from app.upload import VIA_ENTRY, FileVerdict, Upload, ingest_uploads
from etl.registry import Registry, Unit
from etl.template import write_template
from etl.validate import History

DRAFT_SUBMITTED = "đã nộp báo cáo"


class EntryRefused(PermissionError):
    """The account may not submit this unit's report (another unit's account, a read-only role)."""


class EntryInvalid(ValueError):
    """The typed report still has errors; nothing was submitted."""

    def __init__(self, check: FormCheck):
        super().__init__(f"{check.n_errors} lỗi")
        self.check = check


def entry_file_name(unit: Unit, year: int, at: datetime) -> str:
    """The submitted workbook's name as the history lists it: which form, whose, when.

    >>> from etl.registry import Unit
    >>> u = Unit("BVM", "Bệnh viện Mắt", "BV Mắt", "bv_chuyen_khoa", "", None, None, None, "so")
    >>> entry_file_name(u, 2026, datetime(2026, 11, 25, 9, 30))
    'Nhập trực tiếp - BV Mắt - năm 2026 - 25-11-2026 09h30.xlsx'
    """
    name = re.sub(r'[<>:"/\\|?*]', "-", unit.short_name)
    return f"Nhập trực tiếp - {name} - năm {year} - {at:%d-%m-%Y %Hh%M}.xlsx"


def entry_workbook(units: list[Unit], unit: Unit, year: int, values: dict[str, object]) -> bytes:
    """The unit's template for `year` with its «Giá trị» cells filled: the file it would have uploaded."""
    with tempfile.TemporaryDirectory(prefix="nhap_truc_tiep_") as tmp:
        out = Path(tmp) / "bao_cao.xlsx"
        write_template(out, units, unit=unit, year=year, values=values)
        return out.read_bytes()


def _refuse(
    db: Path, user: User, unit: Unit, year: int, client: str | None, reason: str, outcome: str
) -> None:
    with closing(connect(store_path(db))) as con:
        record_event(
            con, "ingest", actor=user.username, target=f"{unit.unit_code} năm {year}", outcome=outcome,
            client=client, detail={"via": VIA_ENTRY, "unit_code": unit.unit_code, "year": year, "reason": reason},
        )  # fmt: skip


def submit_entry(
    db: Path,
    user: User,
    unit: Unit,
    year: int,
    typed: dict[str, str | None],
    *,
    units: list[Unit],
    history: History,
    client: str | None = None,
    today: date | None = None,
) -> FileVerdict:
    """Submit the typed report of `unit` for `year` as one workbook through the upload path.

    Raises EntryRefused (audited) when `user` may not enter `unit`'s report, EntryInvalid
    (audited, nothing written) while the form has errors. Returns the ingest's verdict; the
    user's draft of this unit-year is deleted once the report is in (accepted or unchanged).
    """
    if not may_enter(user, unit.unit_code):
        _refuse(db, user, unit, year, client, "tài khoản không được nhập báo cáo của đơn vị này", "denied")
        raise EntryRefused(unit.unit_code)
    check = check_entry(unit, year, typed, Registry(units), history, today or date.today())
    if not check.ok:
        _refuse(db, user, unit, year, client, f"biểu mẫu còn {check.n_errors} lỗi", "failed")
        raise EntryInvalid(check)
    data = entry_workbook(units, unit, year, workbook_values(check.values))
    [verdict] = ingest_uploads(
        db, [Upload(entry_file_name(unit, year, datetime.now()), data)], user, client=client, via=VIA_ENTRY
    )
    if verdict.status != "rejected":
        delete_draft(db, user, unit.unit_code, year, DRAFT_SUBMITTED, client)
    return verdict
