"""Low-level python-docx helpers: the page, fonts, paragraphs, rules, tables, pictures, page numbers.

What a document of this package needs from Word's XML that python-docx has no API for (the
font of every script slot, paragraph borders drawn as short rules, fixed table widths,
header rows repeated on each page, a PAGE field), so that `frame` and the content modules
say only what the text is. Sizes follow Nghị định 30/2020/NĐ-CP: A4, margins 20/20/30/15 mm,
Times New Roman 13-14 pt, paragraphs at least 6 pt apart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 11
FIRST_LINE = Cm(1.27)
TEXT_WIDTH_CM = 16.5  # A4 less the 30 mm and 15 mm side margins
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
Container = DocxDocument | _Cell
# what may follow w:pBdr inside w:pPr (the schema's order, which Word enforces)
_AFTER_BORDERS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _font_slots(rpr, name: str) -> None:
    """Every script slot of a run or style set to `name` (Word picks the slot per character)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), name)


def new_document(title: str) -> DocxDocument:
    """An empty A4 document with NĐ 30 margins, Times New Roman 14 pt, Vietnamese as its language,
    and page numbers centred at the top from the second page on."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    _font_slots(rpr, FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = 1.1
    fmt.widow_control = True
    _page_numbers(section)
    doc.core_properties.title = title
    doc.core_properties.language = "vi-VN"
    return doc


def _page_numbers(section) -> None:
    """A PAGE field centred in the header, not shown on the first page (NĐ 30)."""
    section.different_first_page_header_footer = True
    par = section.header.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = par.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def add_par(
    where: Container,
    text: str = "",
    *,
    align: str = "justify",
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    indent: bool = True,
    before: float = 0,
    after: float = 6,
    keep_next: bool = False,
    first: bool = False,
) -> Paragraph:
    """A paragraph in the document or a table cell; `first` fills a new cell's empty paragraph.

    Body text is justified with a 1,27 cm first-line indent (NĐ 30); headings and centred
    lines pass `indent=False`.
    """
    par = where.paragraphs[0] if first and where.paragraphs else where.add_paragraph()
    fmt = par.paragraph_format
    par.alignment = ALIGN[align]
    fmt.first_line_indent = FIRST_LINE if indent else Cm(0)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = keep_next
    if text:
        add_text(par, text, bold=bold, italic=italic, size=size)
    return par


def add_text(
    par: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    note: bool = False,
) -> None:
    """A run of text; `note` marks it for the writer (yellow highlight, to delete before signing)."""
    run = par.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size is not None:
        run.font.size = Pt(size)
    if note:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def add_note(where: Container, text: str) -> Paragraph:
    """A line for the writer, highlighted in yellow and in brackets: seen at once, deleted before signing."""
    par = add_par(where, indent=False, align="left", after=6)
    add_text(par, f"[{text}]", italic=True, size=12, note=True)
    return par


def add_rule(where: Container, width_cm: float, column_cm: float) -> Paragraph:
    """A short solid line, `width_cm` long, centred in a column `column_cm` wide, right under the
    paragraph before it (NĐ 30 draws one under the issuer's name, the motto and the title).

    Drawn as the top border of an empty paragraph one point high whose sides are indented,
    which Word and LibreOffice both render at the same place.
    """
    par = add_par(where, align="center", indent=False, before=1, after=0)
    side = max(0.0, (column_cm - width_cm) / 2)
    fmt = par.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.line_spacing = Pt(1)
    ppr = par._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.insert_element_before(borders, *_AFTER_BORDERS)
    return par


def page_break(doc: DocxDocument) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# ----------------------------------------------------------------------------- tables


def _set_borders(table: Table, value: str) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), value)
        if value != "nil":
            el.set(qn("w:sz"), "4")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    existing = tbl_pr.find(qn("w:tblBorders"))
    if existing is not None:
        tbl_pr.remove(existing)
    tbl_pr.append(borders)


def layout_table(where: Container, rows: int, widths_cm: Sequence[float], *, borders: bool) -> Table:
    """A table of fixed column widths (cm), with or without grid lines, centred on the page."""
    table = where.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _set_borders(table, "single" if borders else "nil")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for i, width in enumerate(widths_cm):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
    return table


def _row_flag(row, tag: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def data_table(
    where: Container,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_cm: Sequence[float],
    *,
    right: Sequence[int] = (),
    size: float = TABLE_PT,
) -> Table:
    """A grid table of text cells: bold shaded header row repeated on every page, rows kept whole,
    the columns in `right` aligned right (numbers), the others left (names)."""
    table = layout_table(where, 1 + len(rows), widths_cm, borders=True)
    _row_flag(table.rows[0], "w:tblHeader")
    for i, header in enumerate(headers):
        cell = table.rows[0].cells[i]
        shade(cell, "F2F2F2")
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        add_par(cell, header, align="center", bold=True, size=size, indent=False, after=0, first=True)
    for r, values in enumerate(rows, start=1):
        row = table.rows[r]
        _row_flag(row, "w:cantSplit")
        for i, value in enumerate(values):
            align = "right" if i in right else "left"
            cell = row.cells[i]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            add_par(cell, value, align=align, size=size, indent=False, after=0, first=True)
    return table


def add_caption(doc: DocxDocument, text: str, *, keep_next: bool = True) -> Paragraph:
    """A centred bold italic caption ("Bảng 1. ...") kept with the table or picture it names."""
    return add_par(
        doc,
        text,
        align="center",
        bold=True,
        italic=True,
        size=12,
        indent=False,
        before=6,
        keep_next=keep_next,
    )


def add_picture(doc: DocxDocument, png: bytes, width_cm: float = TEXT_WIDTH_CM) -> Paragraph:
    """A centred picture, `width_cm` wide, kept with the caption that follows it."""
    par = add_par(doc, align="center", indent=False, before=6, after=0, keep_next=True)
    par.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
    return par
