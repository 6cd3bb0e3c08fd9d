"""The style every data page adds for a phone and for paper.

A leader reads a page on a phone (390 px) or prints it for a meeting (the browser's print,
A4). On a phone a wide table scrolls inside itself, never the whole page, and so does a chart
that needs its width (downloads.show_chart(wide=True): a rank chart with its units' names at
the line ends, which 390 px would squeeze to a sliver). On paper the
sidebar, the toolbar, download buttons and pop-over buttons go (they do nothing on paper);
the filters in force are already written under each page's title (filters.page_header).
Streamlit puts a style-only st.html block out of the flow, so it takes no room.
"""

from __future__ import annotations

import streamlit as st

PAGE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto; max-width: 100%;}
  [data-testid="stMainBlockContainer"] {padding-left: 0.75rem; padding-right: 0.75rem;}
  [class*="st-key-rong_"] {overflow-x: auto; max-width: 100%;}
  [class*="st-key-rong_"] > [data-testid="stElementContainer"] {min-width: 640px;}
}
@media print {
  @page {size: A4 portrait; margin: 12mm;}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stDownloadButton"],
  [data-testid="stPopover"], [data-testid="stExpandSidebarButton"], [data-testid="stPagination"] {
    display: none !important;
  }
  [data-testid="stMain"], [data-testid="stAppViewContainer"] {margin-left: 0 !important; overflow: visible !important;}
  [data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 0 !important;}
  [data-testid="stPlotlyChart"], .kpi-card, table {break-inside: avoid;}
}
</style>"""


def page_style() -> None:
    """Add the phone and print style to the page being drawn."""
    st.html(PAGE_CSS)
