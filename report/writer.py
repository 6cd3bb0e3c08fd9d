"""The body of a document as a Sở writes it: numbered headings, paragraphs, dash lists, numbered
tables and charts, and the highlighted notes left for the person who edits the draft."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
from docx.document import Document as DocxDocument

from app.charts.common import TITLE_GAP_PX, TITLE_LINE_PX
from report.docx_kit import TEXT_WIDTH_CM, add_caption, add_note, add_par, add_picture, data_table
from report.images import WIDTH_PX, ChartImages

BLANK_LEGEND = "Ô trống: đơn vị chưa báo cáo chỉ tiêu này (khác với số 0)."
MAX_CHART_CM = 11.0  # a chart taller than this on the page is drawn narrower


def for_print(fig: go.Figure) -> go.Figure:
    """The dashboard's chart for a document: its title goes (the numbered caption says it), its
    subtitle (how to read the chart) stays on top in small grey type.

    The room the title took at the top goes too, from the top margin and the height alike, so
    the plot keeps its size and no blank band stands between the subtitle and the plot.
    """
    title = fig.layout.title
    text = title.text if title and title.text else ""
    subtitle = title.subtitle.text if title and title.subtitle and title.subtitle.text else ""
    freed = TITLE_LINE_PX * (text.count("<br>") + 1) if text else 0
    if text and not subtitle:  # nothing left on top: the pad and gap go too
        freed += TITLE_GAP_PX
    out = go.Figure(fig)
    out.update_layout(
        title={"text": subtitle, "subtitle": {"text": ""}, "font": {"size": 12, "color": "#555555"}}
    )
    top, height = out.layout.margin.t, out.layout.height
    if freed and top is not None and height is not None:
        freed = min(freed, max(0, int(top) - 10))
        out.update_layout(margin={"t": top - freed}, height=height - freed)
    return out


@dataclass(frozen=True)
class Built:
    """A document written: its bytes, its title, and why charts are missing (None: they are in)."""

    docx: bytes
    title: str
    charts_missing: str | None


@dataclass
class Writer:
    """Appends to `doc`, numbering tables ("Bảng 1.") and charts ("Biểu đồ 1.") as it goes."""

    doc: DocxDocument
    charts: ChartImages
    n_tables: int = 0
    n_charts: int = 0
    missing_charts: list[str] = field(default_factory=list)

    def part(self, text: str) -> None:
        """A part heading: "I. KẾT QUẢ ĐẠT ĐƯỢC" (bold, upper case)."""
        add_par(self.doc, text.upper(), bold=True, before=12, keep_next=True)

    def section(self, text: str) -> None:
        """A numbered subsection heading: "1. Công tác cải cách hành chính" (bold)."""
        add_par(self.doc, text, bold=True, before=6, keep_next=True)

    def subsection(self, text: str) -> None:
        """A lettered heading inside a subsection: "a) Kết quả nổi bật" (bold italic)."""
        add_par(self.doc, text, bold=True, italic=True, keep_next=True)

    def para(self, text: str) -> None:
        if text:
            add_par(self.doc, text)

    def dash(self, text: str) -> None:
        """One item of a dash list, as Vietnamese documents write lists ("- ...")."""
        if text:
            add_par(self.doc, f"- {text}")

    def note(self, text: str) -> None:
        add_note(self.doc, text)

    def table(
        self,
        caption: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths_cm: Sequence[float],
        *,
        right: Sequence[int] = (),
        legend: str | None = None,
    ) -> None:
        """A numbered table (none without rows); under it, what blank cells mean when there are
        some, and `legend` when a cell uses the sign it explains (its first character)."""
        if not rows:
            return
        self.n_tables += 1
        add_caption(self.doc, f"Bảng {self.n_tables}. {caption}")
        data_table(self.doc, headers, rows, widths_cm, right=right)
        cells = {cell for row in rows for cell in row}
        notes = [BLANK_LEGEND] if "" in cells else []
        if legend and legend[:1] in cells:
            notes.append(legend)
        if notes:
            add_par(self.doc, " ".join(notes), italic=True, size=11, indent=False, before=2, after=6)
        else:
            add_par(self.doc, after=0)

    def chart(self, caption: str, build: Callable[[], go.Figure]) -> None:
        """A numbered chart image; where charts cannot be drawn, a note in its place."""
        fig = for_print(build())
        png = self.charts.png(fig)
        if png is None:
            self.missing_charts.append(caption)
            self.note(f"Biểu đồ «{caption}» chưa chèn được: {self.charts.reason}")
            return
        self.n_charts += 1
        ratio = (fig.layout.height or 450) / WIDTH_PX
        add_picture(self.doc, png, min(TEXT_WIDTH_CM, MAX_CHART_CM / ratio))
        add_caption(self.doc, f"Biểu đồ {self.n_charts}. {caption}", keep_next=False)
