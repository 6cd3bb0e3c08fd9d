"""The shared sidebar (year, period, unit type, area, how history is counted) and what every
page does with it.

Every widget is bound to a URL query parameter (`bind="query-params"`), so a copied
link reproduces the view, and the values survive page switches. dashboard.py draws
the sidebar once per run and stores the resulting `Filters` in st.session_state;
pages read them with `current_filters()` and never draw filters of their own. The
page preamble (header, the panel in the reader's scope, "no data" and stop) lives
here too, so pages only say what they need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import streamlit as st

from app import queries, tables
from app.page_style import page_style
from etl.registry import UNIT_TYPES

FILTERS_KEY = "filters"
MODE_REPORTED = "Theo báo cáo gốc"
MODE_RESTATED = "Quy đổi theo cơ cấu hiện tại"

# query parameter names (also the widget keys)
KEY_YEAR = "nam"
KEY_YEAR_FROM = "tu_nam"
KEY_YEAR_TO = "den_nam"
KEY_TYPES = "loai"
KEY_AREAS = "dia_ban"
KEY_MODE = "cach_tinh"


@dataclass(frozen=True)
class Filters:
    """What the reader chose in the sidebar; empty tuples mean "all"."""

    snapshot: str
    year: int
    year_from: int
    year_to: int
    unit_types: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    restated: bool = False

    @property
    def period_label(self) -> str:
        """'2015–2025' (or '2024' for a single year), for chart titles."""
        return str(self.year_from) if self.year_from == self.year_to else f"{self.year_from}–{self.year_to}"

    @property
    def scope_label(self) -> str:
        """A short Vietnamese description of the unit filters, for captions."""
        return scope_label(self.unit_types, self.areas)


def scope_label(unit_types: tuple[str, ...], areas: tuple[str, ...]) -> str:
    """'tất cả đơn vị', or the chosen unit types and areas in words."""
    parts = []
    if unit_types:
        parts.append(", ".join(UNIT_TYPES.get(t, t) for t in unit_types))
    if areas:
        parts.append("địa bàn " + ", ".join(areas))
    return "; ".join(parts) if parts else "tất cả đơn vị"


def scope_caption(unit_types: tuple[str, ...], areas: tuple[str, ...], restated: bool) -> str:
    """The sidebar's reminder of the filters kept behind the popover."""
    mode = MODE_RESTATED if restated else MODE_REPORTED
    return f"Đang xem: {scope_label(unit_types, areas)}; {mode[:1].lower() + mode[1:]}."


def _period_boxes(years: list[int]) -> tuple[int, int]:
    """The period of the trend charts as two year boxes side by side (latest year first).

    Two selectboxes rather than a range slider: as quick to use, exact with the keyboard,
    and the browser draws them in a fraction of a slider's time on every page. The pair is
    returned as chosen; draw_sidebar reads a reversed one in order.
    """
    newest_first = list(reversed(years))
    start, end = st.columns(2)
    year_from = start.selectbox(
        "Từ năm",
        options=newest_first,
        index=len(years) - 1,
        key=KEY_YEAR_FROM,
        bind="query-params",
        help="Giai đoạn theo dõi: các năm hiển thị trên biểu đồ xu hướng.",
    )
    year_to = end.selectbox("Đến năm", options=newest_first, key=KEY_YEAR_TO, bind="query-params")
    return year_from, year_to


def draw_sidebar(snapshot: str, years: list[int], areas: list[str]) -> Filters:
    """Draw the filter widgets in the sidebar and return the chosen Filters."""
    latest = years[-1]
    with st.sidebar:
        st.markdown("**Bộ lọc**")
        year = st.selectbox(
            "Năm xem chi tiết",
            options=list(reversed(years)),
            key=KEY_YEAR,
            bind="query-params",
            help="Năm dùng cho thẻ số liệu, bảng xếp hạng và so sánh đơn vị.",
        )
        period = _period_boxes(years) if len(years) > 1 else (latest, latest)
        # the less used filters open on demand: the browser loads their widgets only then,
        # which keeps the first view of every page quick; the caption says what is in force
        with st.popover("Phạm vi đơn vị, cách tính", icon=":material/filter_list:", width="stretch"):
            unit_types = st.multiselect(
                "Loại đơn vị",
                options=list(UNIT_TYPES),
                format_func=lambda code: UNIT_TYPES[code],
                key=KEY_TYPES,
                bind="query-params",
                placeholder="Tất cả loại đơn vị",
                select_all=False,
            )
            chosen_areas = st.multiselect(
                "Địa bàn",
                options=areas,
                key=KEY_AREAS,
                bind="query-params",
                placeholder="Tất cả địa bàn",
                select_all=False,
            )
            mode = st.radio(
                "Cách tính số liệu lịch sử",
                options=[MODE_REPORTED, MODE_RESTATED],
                key=KEY_MODE,
                bind="query-params",
                help=(
                    "Theo báo cáo gốc: mỗi đơn vị với số liệu chính nó đã báo cáo. "
                    "Quy đổi theo cơ cấu hiện tại: số liệu của các đơn vị đã sáp nhập, đổi tên "
                    "được cộng (hoặc bình quân) vào đơn vị hiện nay kế thừa chúng."
                ),
            )
        st.caption(scope_caption(tuple(unit_types), tuple(chosen_areas), mode == MODE_RESTATED))
    year_from, year_to = sorted(period)
    return Filters(
        snapshot=snapshot,
        year=int(year if year is not None else latest),
        year_from=int(year_from),
        year_to=int(year_to),
        unit_types=tuple(unit_types),
        areas=tuple(chosen_areas),
        restated=mode == MODE_RESTATED,
    )


def current_filters() -> Filters:
    """The Filters dashboard.py stored for this run (pages call this)."""
    filters = st.session_state.get(FILTERS_KEY)
    if filters is None:
        st.error("Không đọc được bộ lọc. Hãy mở bảng điều khiển từ trang chính (dashboard.py).")
        st.stop()
    return filters


def page_header(
    title: str,
    f: Filters,
    description: str,
    *,
    uses_year: bool = True,
    uses_period: bool = True,
    own_unit: str | None = None,
) -> None:
    """The page title, what it shows, and a one-line reminder of the filters in force (which
    a printed page keeps: app/page_style.py leaves the sidebar off paper).

    `own_unit` names the one unit a unit's account sees on this page, which the reminder
    then gives as the scope instead of the sidebar's unit filters (they do not apply)."""
    page_style()
    st.header(title)
    parts = []
    if uses_year:
        parts.append(f"Năm chi tiết **{f.year}**")
    if uses_period:
        parts.append(f"giai đoạn **{f.period_label}**")
    parts.append(f"phạm vi: {own_unit or f.scope_label}")
    parts.append(MODE_RESTATED.lower() if f.restated else MODE_REPORTED.lower())
    line = "; ".join(parts)
    st.caption(description + "  \n" + line[:1].upper() + line[1:] + ".")


def no_data(message: str) -> None:
    """A short Vietnamese explanation in place of a chart that has nothing to show."""
    st.info(message, icon=":material/info:")


def scoped_panel(
    f: Filters, codes: tuple[str, ...], *, required: tuple[str, ...] = (), message: str = ""
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The page's panel in the reader's scope: (all years, the chosen period).

    Unit types and areas narrow both; the period narrows the second. With `required`, a
    period in which no unit reported any of those codes shows `message` and stops the page.
    """
    panel = tables.scoped(queries.panel(f.snapshot, codes, f.restated), f.unit_types, f.areas)
    period = tables.scoped(panel, year_from=f.year_from, year_to=f.year_to)
    if required and not tables.has_values(period, *required):
        no_data(message)
        st.stop()
    return panel, period


def expected_in_scope(f: Filters, panel: pl.DataFrame) -> pl.DataFrame:
    """Who was expected to report each year in the reader's scope, in the units `panel` shows
    (today's units when restated), with `has_report`."""
    expected_all = queries.expected_units(queries.units(f.snapshot), queries.years(f.snapshot))
    return tables.scoped(tables.expected_in_view(expected_all, panel, f.restated), f.unit_types, f.areas)


def tabbed(key: str, sections: dict[str, Callable[[], None]]) -> None:
    """Sections side by side as tabs; only the open tab's section runs and is drawn.

    Clicking another tab reruns the page (on_change="rerun") and draws that section, so
    every chart stays one click away while the browser draws only the open tab's charts
    on arrival. The open tab is a URL query parameter (`key`), so a link opens the same
    tab. When Streamlit does not track the open tab (`open` is None) every section is drawn.
    """
    tabs = st.tabs(list(sections), on_change="rerun", key=key, bind="query-params")
    for tab, draw in zip(tabs, sections.values(), strict=True):
        if tab.open is not False:
            with tab:
                draw()


def folded(label: str, key: str, draw: Callable[[], None]) -> None:
    """A closed expander whose content runs and is drawn only once the reader opens it.

    Opening reruns the page (on_change="rerun"), as a tab does, so a page arrives without
    the tables and download buttons kept behind it. Open or closed is a URL query parameter
    (`key`), so a link opens it the same way. When Streamlit does not track the expander
    (`open` is None) the content is drawn.
    """
    box = st.expander(label, key=key, on_change="rerun", bind="query-params")
    if box.open is not False:
        with box:
            draw()
