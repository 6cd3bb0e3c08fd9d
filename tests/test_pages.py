"""AppTest smoke tests: every registered page renders on the demo province, and filters change the view."""

from __future__ import annotations

import gc
import json
from contextlib import closing
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts.passwords import DEMO_PASSWORD
from accounts.sessions import authenticate
from accounts.store import connect, store_path
from app.auth import TOKEN_KEY
from app.filters import KEY_AREAS, KEY_MODE, KEY_TYPES, KEY_YEAR, KEY_YEAR_FROM, KEY_YEAR_TO, MODE_RESTATED
from app.navigation import PAGES, WITHOUT_CHARTS, WITHOUT_FILTERS
from tests.test_queries import demo_database

# the pages with charts (tests/test_account_pages.py and tests/test_report_page.py cover the others)
ALL_PAGES = [
    (path, title)
    for entries in PAGES.values()
    for path, title, _icon, url in entries
    if url not in WITHOUT_FILTERS | WITHOUT_CHARTS
]
TIMEOUT = 60


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory.getbasetemp())


def logged_in(at: AppTest, db: Path, username: str = "lanh_dao") -> AppTest:
    """`at` with a live session of a demo account, opened through the real login check."""
    with closing(connect(store_path(db))) as con:
        result = authenticate(con, username, DEMO_PASSWORD, client="apptest")
    assert result.token, result.message
    at.session_state[TOKEN_KEY] = result.token
    return at


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    return logged_in(AppTest.from_file("../dashboard.py", default_timeout=TIMEOUT), demo_db)


def open_page(at: AppTest, path: str) -> AppTest:
    at.run()
    if path != "pages/overview.py":
        at.switch_page(path).run()
    return at


def dashboard_on(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard in AppTest, reading `db` (nobody logged in yet)."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    return AppTest.from_file("../dashboard.py", default_timeout=TIMEOUT)


def opened(at: AppTest, path: str) -> AppTest:
    """`at` run, switched to the page at `path`, with no exception on it."""
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_titles(at: AppTest) -> list[str]:
    """The charts' titles as a reader reads them (Plotly's <br> line breaks as spaces)."""
    return [
        " ".join(spec["layout"]["title"]["text"].replace("<br>", " ").split()) for spec in chart_specs(at)
    ]


def kpi_cards(at: AppTest) -> str:
    """The text of the overview's KPI card block (HTML)."""
    return " ".join(e.proto.body for e in at.get("html") if "kpi-card" in e.proto.body)


@pytest.mark.parametrize(("path", "title"), ALL_PAGES, ids=[p for p, _ in ALL_PAGES])
def test_page_renders_with_demo_notice_and_charts(app: AppTest, path: str, title: str) -> None:
    at = open_page(app, path)
    assert not at.exception, [e.message for e in at.exception]
    assert any("Dữ liệu minh họa" in info.value for info in at.info)
    specs = chart_specs(at)
    assert specs, f"{title}: no chart"
    for spec in specs:
        layout = spec["layout"]
        assert layout["separators"] == ",."
        assert any(str(y) in layout["title"]["text"] for y in range(2015, 2026)), layout["title"]["text"]


def test_charts_speak_vietnamese_in_their_toolbar(app: AppTest) -> None:
    at = open_page(app, "pages/training.py")
    configs = [json.loads(chart.proto.config) for chart in at.get("plotly_chart")]
    assert configs
    for config in configs:
        words = config["locales"][config["locale"]]["dictionary"]
        assert words["Download plot as a PNG"] == "Tải biểu đồ (ảnh PNG)"
        assert words["Double-click on legend to isolate one trace"].startswith("Bấm đúp")
        assert not config["displaylogo"]


def test_every_chart_has_a_stable_key_and_downloads(app: AppTest) -> None:
    at = open_page(app, "pages/satisfaction.py")
    keys = [chart.proto.id for chart in at.get("plotly_chart")]
    assert len(keys) == len(set(keys))
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Tải CSV") >= len(keys) and labels.count("Tải XLSX") >= len(keys)


def test_year_filter_changes_the_overview(app: AppTest) -> None:
    at = open_page(app, "pages/overview.py")
    before = kpi_cards(at)
    assert any(h.value == "Chỉ số chính năm 2025" for h in at.subheader)
    assert "so với 2024" in before
    at.selectbox(key=KEY_YEAR).set_value(2019).run()
    assert not at.exception
    assert any(h.value == "Chỉ số chính năm 2019" for h in at.subheader)
    assert "so với 2018" in kpi_cards(at) and kpi_cards(at) != before


def test_query_params_reproduce_a_view(app: AppTest) -> None:
    app.query_params[KEY_YEAR] = "2018"
    at = open_page(app, "pages/overview.py")
    assert not at.exception
    assert at.selectbox(key=KEY_YEAR).value == 2018
    assert any(h.value == "Chỉ số chính năm 2018" for h in at.subheader)


def test_period_boxes_set_the_trend_years_even_when_given_in_reverse(app: AppTest) -> None:
    at = open_page(app, "pages/training.py")
    assert any("2015–2025" in t for t in chart_titles(at))
    at.selectbox(key=KEY_YEAR_FROM).set_value(2022).run()
    at.selectbox(key=KEY_YEAR_TO).set_value(2017).run()
    assert not at.exception
    titles = chart_titles(at)
    assert any("2017–2022" in t for t in titles), titles
    assert any("giai đoạn **2017–2022**" in c.value for c in at.caption)


def test_restated_mode_says_so_on_the_profile(app: AppTest) -> None:
    app.query_params["hs_linh_vuc"] = "Sự hài lòng"  # rates restate; CCHC ranks stay as reported
    at = open_page(app, "pages/unit_profile.py")
    at.selectbox(key="don_vi").set_value("TTYTKV_HOATHUAN").run()
    assert "Số liệu quy đổi theo cơ cấu hiện tại" not in json.dumps(chart_specs(at), ensure_ascii=False)
    at.radio(key=KEY_MODE).set_value(MODE_RESTATED).run()
    assert not at.exception
    text = json.dumps(chart_specs(at), ensure_ascii=False)
    assert "Số liệu quy đổi theo cơ cấu hiện tại" in text
    assert "TTYT Phú Lâm" in text


def test_profile_marks_lineage_events(app: AppTest) -> None:
    at = open_page(app, "pages/unit_profile.py")
    at.selectbox(key="don_vi").set_value("CDC").run()
    assert not at.exception
    notes = [a["text"] for spec in chart_specs(at) for a in spec["layout"].get("annotations", [])]
    assert any(n.startswith("Hợp nhất từ") for n in notes)
    assert any("Tiền thân" in info.value for info in at.info)


def test_cchc_page_lists_rank_mismatch_and_keeps_pools_apart(app: AppTest) -> None:
    at = open_page(app, "pages/cchc.py")
    # the data checks are the operators' page's: the leader gets one line pointing there
    assert not any("Kiểm tra dữ liệu" in w.value for w in at.warning)
    assert any(
        c.value.startswith("Các trường hợp cần kiểm tra số liệu: xem trang «Kiểm tra số liệu»")
        for c in at.caption
    )
    # the Sở's own PAR rank is summed up above the pools' tabs
    assert any(m.value.startswith("**Sở Y tế** năm 2025 xếp hạng **5/19**") for m in at.markdown)
    titles = chart_titles(at)
    assert any(t.startswith("Thứ hạng CCHC của các đơn vị do Sở Y tế xếp hạng") for t in titles)
    assert not any("PAR Index" in t for t in titles)
    app.query_params["cchc_nhom_xep_hang"] = "Sở Y tế trong các sở, ban, ngành tỉnh (PAR Index)"
    titles = chart_titles(open_page(app, "pages/cchc.py"))
    assert titles and all("PAR Index" in t for t in titles)


def test_cchc_league_of_the_year_is_one_tab_away_with_ties_and_pool_sizes(app: AppTest) -> None:
    def league(at: AppTest) -> list[str]:
        return [m.value for m in at.markdown if m.value.startswith("| Hạng \\(X/N\\)")]

    assert not league(open_page(app, "pages/cchc.py"))  # the bump chart's tab is open on arrival
    app.query_params["cchc_goc_nhin"] = "Bảng xếp hạng theo năm"
    at = open_page(app, "pages/cchc.py")
    assert not at.exception, [e.message for e in at.exception]
    assert any(m.value == "**Bảng xếp hạng CCHC năm 2025**" for m in at.markdown)
    (table,) = league(at)
    table = table.replace(":blue-background[", "").replace("] |", " |")  # the highlighted units' names
    # two units tie for first of the 18 the Sở ranked
    assert (
        "| 1/18 | BVĐK\xa0tỉnh |" in table
        and "| 1/18 | TT\xa0Kiểm\xa0nghiệm |" in table
        and "Đồng\xa0hạng" in table
    )
    assert "Mã đơn vị" not in table and "BVDKT" not in table


def test_complaints_per_unit_table_first_and_the_per_10k_chart_one_tab_away(app: AppTest) -> None:
    at = open_page(app, "pages/complaints.py")
    assert "kn_10k" not in [c.key for c in at.get("plotly_chart")]
    assert any(m.value.startswith("| Đơn vị | Tiếp nhận |") for m in at.markdown)
    app.query_params["kn_don_vi_xem"] = "Đơn thư trên 10.000 lượt khám"
    at = open_page(app, "pages/complaints.py")
    assert not at.exception, [e.message for e in at.exception]
    assert "kn_10k" in [c.key for c in at.get("plotly_chart")]
    assert any(t.startswith("Đơn thư trên 10.000 lượt khám bệnh, năm 2025") for t in chart_titles(at))


@pytest.mark.parametrize(("path", "title"), ALL_PAGES, ids=[p for p, _ in ALL_PAGES])
def test_filters_with_no_data_explain_instead_of_failing(app: AppTest, path: str, title: str) -> None:
    # chi cục are province-wide offices: none sits in "Phía Bắc"
    app.query_params[KEY_TYPES] = "Chi cục"
    app.query_params[KEY_AREAS] = "Phía Bắc"
    at = open_page(app, path)
    assert not at.exception, [e.message for e in at.exception]
    assert at.multiselect(key=KEY_TYPES).value == ["chi_cuc"]
    # the Sở's own PAR rank is province context, shown whatever units are filtered
    drawn = [c.key for c in at.get("plotly_chart") if c.key != "cchc_par"]
    assert not drawn, f"{title}: drew {drawn} for an empty selection"
    assert len(at.info) >= 2  # the demo notice and the explanation


def test_satisfaction_with_no_unit_below_target_says_so_without_a_table(app: AppTest) -> None:
    at = open_page(app, "pages/satisfaction.py")
    at.selectbox(key="hl_muc_tieu").set_value(70.0).run()
    assert not at.exception
    assert any("Không có đơn vị nào dưới mục tiêu 70,0%" in s.value for s in at.success)
    assert not any("Cột cuối" in m.value for m in at.markdown)


def test_profile_titles_use_the_years_the_unit_existed(app: AppTest) -> None:
    at = open_page(app, "pages/unit_profile.py")
    at.selectbox(key="don_vi").set_value("CDC").run()
    assert not at.exception
    titles = chart_titles(at)
    assert titles and all("2018–2025" in t for t in titles), titles  # CDC was formed in 2018
    assert not any("2015" in t for t in titles)


def test_scorecard_compares_rates_and_names_indicators_in_full(app: AppTest) -> None:
    at = open_page(app, "pages/compare.py")
    assert not at.exception
    card = next(m.value for m in at.markdown if m.value.startswith("| Chỉ tiêu"))
    assert "Mô hình Dân vận khéo được công nhận" in card
    assert "Đơn thư / 10\\.000 lượt khám" in card and "Lượt tập huấn / viên chức" in card
    assert "Lượt người dự tập huấn" not in card  # a raw count would penalise large units
    assert any("không theo số đếm" in c.value for c in at.caption)


def test_overview_cards_cover_every_domain_and_trends_are_rates(app: AppTest) -> None:
    at = open_page(app, "pages/overview.py")
    assert not at.exception
    cards = kpi_cards(at)
    for label in ("Đơn vị đã báo cáo", "Hài lòng nội trú", "Lớp tập huấn", "Tỷ lệ giải quyết đơn thư"):
        assert label in cards, label
    # the trends as three charts of stacked panels, side by side (a phone stacks them: one column)
    trends = [c for c in at.get("plotly_chart") if c.key.startswith("tq_xu_huong_")]
    assert [c.key for c in trends] == ["tq_xu_huong_1", "tq_xu_huong_2", "tq_xu_huong_3"]
    specs = [json.loads(c.proto.spec)["layout"] for c in trends]
    titles = [a["text"] for layout in specs for a in layout["annotations"]]
    assert (
        len(titles) == 9
        and "Tỷ lệ đơn vị đã báo cáo (%)" in titles
        and "Tỷ lệ đơn vị Xuất sắc/Tốt (%)" in titles
    )
    assert specs[1]["title"]["text"].startswith("Sự hài lòng")  # each chart names its domains


# (page, tab group key, tab, the chart it draws, a chart of the default tab it does not draw)
TABS = [
    ("pages/overview.py", "tq_chi_tiet", "Tình hình nộp báo cáo", "tq_bao_cao", "tq_xu_huong_1"),
    ("pages/overview.py", "tq_chi_tiet", "Đơn vị thay đổi nhiều nhất", "tq_bien_dong", "tq_xu_huong_1"),
    ("pages/cchc.py", "cchc_goc_nhin", "Vị thế qua các năm (0–100)", "cchc_percentile", "cchc_bump"),
    ("pages/cchc.py", "cchc_goc_nhin", "Phân bố điểm CCHC", "cchc_phan_bo", "cchc_bump"),
    (
        "pages/satisfaction.py",
        "hl_xu_huong_tab",
        "Điểm hài lòng trung bình (thang 5)",
        "hl_diem",
        "hl_xu_huong",
    ),
    ("pages/satisfaction.py", "hl_theo_don_vi", "Bản đồ nhiệt theo năm", "hl_heatmap", "hl_muc_tieu_chart"),
    (
        "pages/cchc.py",
        "cchc_nhom_xep_hang",
        "Sở Y tế trong các sở, ban, ngành tỉnh (PAR Index)",
        "cchc_par",
        "cchc_bump",
    ),
    ("pages/complaints.py", "kn_theo_nam", "Kênh tiếp nhận", "kn_kenh", "kn_luong"),
    ("pages/complaints.py", "kn_theo_nam", "Tiếp công dân và đối thoại", "kn_tiep_dan", "kn_luong"),
    ("pages/unit_profile.py", "hs_linh_vuc", "Sự hài lòng", "hs_hai_long", "hs_cchc"),
    ("pages/unit_profile.py", "hs_linh_vuc", "Tập huấn", "hs_tap_huan", "hs_cchc"),
    ("pages/unit_profile.py", "hs_linh_vuc", "Khiếu nại, phản ánh", "hs_khieu_nai", "hs_cchc"),
    ("pages/unit_profile.py", "hs_linh_vuc", "Công tác dân vận", "hs_dan_van", "hs_cchc"),
]


@pytest.mark.parametrize(("path", "group", "tab", "drawn", "not_drawn"), TABS, ids=[t[3] for t in TABS])
def test_each_tab_draws_its_chart_only_when_open(
    app: AppTest, path: str, group: str, tab: str, drawn: str, not_drawn: str
) -> None:
    assert not_drawn in [c.key for c in open_page(app, path).get("plotly_chart")]
    app.query_params[group] = tab  # the open tab is in the link
    at = open_page(app, path)
    assert not at.exception, [e.message for e in at.exception]
    keys = [c.key for c in at.get("plotly_chart")]
    assert drawn in keys and not_drawn not in keys, keys


# pages that keep one namespace by design: the form of Nhập trực tiếp is a fragment, which
# reruns in its page's namespace (one unit's form, kilobytes); the yearly report's cached draft
# builder is held by Streamlit's cache, once per server, not per reader
KEEP_THEIR_NAMESPACE = ("pages/data_entry.py", "pages/yearly_report.py")
EVERY_PAGE = [path for entries in PAGES.values() for path, *_ in entries if path not in KEEP_THEIR_NAMESPACE]


def _page_namespaces(path: str) -> list[dict]:
    """The live global namespaces of runs of the page script at `path` (after a collection)."""
    gc.collect()
    script = str((Path(__file__).parent.parent / path).resolve())
    return [o for o in gc.get_objects() if isinstance(o, dict) and o.get("__file__") == script]


@pytest.mark.parametrize("path", EVERY_PAGE)
def test_a_finished_page_run_leaves_nothing_of_the_page_behind(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """A session keeps its widgets between runs. A label function (format_func) or a download's
    deferred data defined in the page script holds the whole page namespace, with every frame and
    figure the run made, for as long as the reader stays: about 6 MB a reader at national scale.
    Pages pass a dict's `.get` or a function of app/ (bound with functools.partial) instead."""
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    at = open_page(
        logged_in(AppTest.from_file("../dashboard.py", default_timeout=TIMEOUT), demo_db, "quan_tri"), path
    )
    assert not at.exception
    assert _page_namespaces(path) == []
