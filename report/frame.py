"""The administrative frame of Nghị định 30/2020/NĐ-CP shared by the report and the reminder letter.

Who issues the document (the province's People's Committee over the Sở), its number and
symbol, the national title and motto with their rules, place and date in italics, the
document's title, and at the end the recipients and the signature block. Names come from
the database's meta table (`province_name`, optionally `parent_body`, `department_name`,
`place_name`, `signer_title`, `signer_name`), never from the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from docx.document import Document as DocxDocument

from report.docx_kit import TEXT_WIDTH_CM, add_par, add_rule, add_text, layout_table

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
LEFT_CM, RIGHT_CM = 6.0, 10.5  # the two columns of the heading block (the text width is 16,5 cm)
_CELL_PAD_CM = 0.38  # Word's default cell margins, both sides
_MOTTO_CM = 5.7  # the motto's length in 13 pt bold Times: its rule is as long (NĐ 30)
_BLANK = "…"
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")
_PREFIXES = ("tỉnh ", "thành phố ")


@dataclass(frozen=True)
class Issuer:
    """Who issues a document and signs it."""

    parent: str  # "UBND TỈNH AN LẠC"
    name: str  # "SỞ Y TẾ"
    place: str  # "An Lạc": the place before the date
    province: str  # "tỉnh An Lạc": for sentences
    symbol: str  # "SYT": the Sở's part of a document symbol
    signer_title: str  # "GIÁM ĐỐC", or "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    signer_name: str | None


def _province(meta: dict[str, str]) -> str:
    """'Tỉnh An Lạc (giả định)' -> 'Tỉnh An Lạc' (a note in brackets is not part of the name)."""
    return _PARENTHESIS.sub("", meta.get("province_name") or "").strip()


def _place(province: str) -> str:
    lower = province.lower()
    for prefix in _PREFIXES:
        if lower.startswith(prefix):
            return province[len(prefix) :].strip()
    return province


def issuer_from_meta(meta: dict[str, str]) -> Issuer:
    """The Sở as issuer, from the snapshot's meta table; blanks ("…") where a name is unknown.

    >>> issuer_from_meta({"province_name": "Tỉnh An Lạc (giả định)"}).parent
    'UBND TỈNH AN LẠC'
    """
    province = _province(meta)
    province_lower = province[:1].lower() + province[1:] if province else f"tỉnh {_BLANK}"
    return Issuer(
        parent=meta.get("parent_body") or f"UBND {(province or 'TỈNH ' + _BLANK).upper()}",
        name=meta.get("department_name") or "SỞ Y TẾ",
        place=meta.get("place_name") or _place(province) or _BLANK,
        province=province_lower,
        symbol=meta.get("department_symbol") or "SYT",
        signer_title=meta.get("signer_title") or "GIÁM ĐỐC",
        signer_name=meta.get("signer_name") or None,
    )


def date_line(place: str, today: date, *, blank: bool = True) -> str:
    """'An Lạc, ngày … tháng … năm 2026': the day and month left for the signer by default."""
    if blank:
        return f"{place}, ngày {_BLANK} tháng {_BLANK} năm {today.year}"
    return f"{place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"


def add_heading_block(
    doc: DocxDocument, issuer: Issuer, number: str, date_text: str, subject: str | None = None
) -> None:
    """The heading of NĐ 30: issuer and number on the left, national title, motto and date on the right.

    `number` is the symbol line ("Số: …/BC-SYT"); `subject` is a letter's "V/v ..." line
    under it (reports carry their subject in the title instead).
    """
    table = layout_table(doc, 2, (LEFT_CM, RIGHT_CM), borders=False)
    left, right = table.rows[0].cells
    add_par(left, issuer.parent.upper(), align="center", size=13, indent=False, after=0, first=True)
    add_par(left, issuer.name.upper(), align="center", bold=True, size=13, indent=False, after=0)
    add_rule(left, 1.8, LEFT_CM - _CELL_PAD_CM)
    add_par(right, NATIONAL_TITLE, align="center", bold=True, size=13, indent=False, after=0, first=True)
    add_par(right, MOTTO, align="center", bold=True, size=13, indent=False, after=0)
    add_rule(right, _MOTTO_CM, RIGHT_CM - _CELL_PAD_CM)
    below_left, below_right = table.rows[1].cells
    add_par(below_left, number, align="center", size=13, indent=False, before=6, after=0, first=True)
    if subject:
        add_par(below_left, subject, align="center", size=12, indent=False, before=2, after=0)
    add_par(below_right, date_text, align="center", italic=True, size=14, indent=False, before=6, first=True)


def add_title(doc: DocxDocument, kind: str, subject: str) -> None:
    """The document's kind ("BÁO CÁO") and its subject, bold and centred, a short rule beneath."""
    add_par(doc, kind.upper(), align="center", bold=True, size=14, indent=False, before=18, after=0)
    add_par(doc, subject, align="center", bold=True, size=14, indent=False, after=0)
    add_rule(doc, 3.5, TEXT_WIDTH_CM)
    add_par(doc, after=6)


def add_closing(doc: DocxDocument, issuer: Issuer, recipients: list[str]) -> None:
    """'Nơi nhận' on the left (12 and 11 pt) and the signature block on the right.

    The signer's name comes from meta `signer_name`; without it, a highlighted blank for
    the writer.
    """
    table = layout_table(doc, 1, (7.5, 9.0), borders=False)
    left, right = table.rows[0].cells
    head = add_par(left, align="left", indent=False, before=12, after=0, first=True)
    add_text(head, "Nơi nhận:", bold=True, italic=True, size=12)
    for i, line in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ";"
        add_par(left, f"- {line.rstrip(';.')}{end}", align="left", size=11, indent=False, after=0)
    first = True
    for line in issuer.signer_title.split("\n"):
        add_par(right, line.upper(), align="center", bold=True, size=14, indent=False, before=12 if first else 0,
                after=0, first=first)  # fmt: skip
        first = False
    for _ in range(4):
        add_par(right, "", indent=False, after=0)
    signer = add_par(right, align="center", indent=False, after=0)
    if issuer.signer_name:
        add_text(signer, issuer.signer_name, bold=True, size=14)
    else:
        add_text(signer, "[Họ và tên người ký]", bold=True, size=14, note=True)
