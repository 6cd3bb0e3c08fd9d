"""Tests for app.charts: Vietnamese titles with years, separators, hovers with sample sizes, blanks."""

from __future__ import annotations

import io
import itertools
import json

import plotly.graph_objects as go
import polars as pl
import pytest
from openpyxl import load_workbook

from app import charts, tables
from app.charts.common import NEUTRAL_TEXT, figure, x_axis
from app.charts.margins import fit_margins
from app.downloads import neutralise, to_csv_bytes, to_xlsx_bytes, vietnamese_headers
from app.fmt import NOT_REPORTED


def _panel() -> pl.DataFrame:
    """Three units over three years, one blank survey year, survey sizes from 12 to 1.200."""
    rows = [
        ("A", "BV A", "bv_tinh", 2022, 92.5, 1200.0, 80.0, 1.0, 10.0, 300.0),
        ("A", "BV A", "bv_tinh", 2023, 93.0, 1100.0, 85.0, 1.0, 12.0, 320.0),
        ("A", "BV A", "bv_tinh", 2024, 94.0, 1000.0, 90.0, 1.0, 0.0, 310.0),
        ("B", "TTYT B", "ttyt", 2022, 88.0, 12.0, 75.0, 2.0, 4.0, 90.0),
        ("B", "TTYT B", "ttyt", 2023, None, None, 70.0, 3.0, 5.0, 95.0),
        ("B", "TTYT B", "ttyt", 2024, 89.0, 40.0, 72.5, 3.0, 6.0, 96.0),
        ("C", "TT C", "tt_tinh", 2024, 97.0, 200.0, 72.5, 2.0, 2.0, 40.0),
    ]
    cols = [
        "unit_code",
        "short_name",
        "unit_type",
        "year",
        "sat_inpatient_pct",
        "sat_inpatient_n",
        "cchc_score",
        "cchc_rank",
        "training_sessions",
        "staff_total",
    ]
    df = pl.DataFrame(rows, schema=cols, orient="row").with_columns(
        pl.col("year").cast(pl.Int32),
        area=pl.lit(""),
        rank_pool=pl.lit("so"),
        rank_group=pl.lit(""),
        current_code=pl.col("unit_code"),
        cchc_rank_of=pl.lit(None, pl.Float64),
        sat_outpatient_pct=pl.lit(None, pl.Float64),
        sat_outpatient_n=pl.lit(None, pl.Float64),
        sat_staff_pct=pl.lit(None, pl.Float64),
        sat_staff_n=pl.lit(None, pl.Float64),
        training_participants=pl.col("training_sessions") * 30,
    )
    return df


def _json(fig: go.Figure) -> str:
    return json.dumps(fig.to_plotly_json(), ensure_ascii=False)


def _hovers(fig: go.Figure) -> list[str]:
    return [t.hovertemplate for t in fig.data if getattr(t, "hovertemplate", None)]


def _assert_common(fig: go.Figure, years: str) -> None:
    assert fig.layout.separators == ",."
    assert years in fig.layout.title.text
    # some axis says what it measures (in a grid on one year axis, the bottom panel's)
    axes = [fig.layout[name] for name in fig.layout if name.startswith(("xaxis", "yaxis"))]
    assert any(axis.title.text for axis in axes)


def test_satisfaction_trend_shows_years_forms_and_interval() -> None:
    trend = tables.satisfaction_trend(_panel(), ("sat_inpatient_pct",))
    fig = charts.satisfaction_trend_chart(trend, target=90)
    _assert_common(fig, "2022–2024")
    assert fig.layout.title.text.startswith("Tỷ lệ hài lòng")
    line = next(t for t in fig.data if t.mode == "lines+markers")
    assert "Số phiếu khảo sát" in line.hovertemplate
    # 2022 pools 1.200 + 12 forms, written the Vietnamese way in the hover data
    assert line.customdata[0][4] == "1.212"
    assert line.customdata[0][1].endswith("%") and "," in line.customdata[0][1]
    band = next(t for t in fig.data if t.fill == "toself")
    assert band.mode == "lines"


def test_heatmap_draws_blank_apart_from_zero() -> None:
    panel = _panel()
    expected = panel.select(
        "unit_code", "short_name", "year", "unit_type", "area", "rank_pool", "rank_group", "current_code"
    ).with_columns(has_report=pl.lit(True))
    grid = tables.unit_year_grid(panel, expected, "sat_inpatient_pct", (2022, 2024))
    fig = charts.heatmap_chart(grid, "Hài lòng nội trú", "pct", "%")
    _assert_common(fig, "2022–2024")
    missing_trace, value_trace = fig.data
    # TTYT B 2023 is blank: a grey cell of its own trace, never a value of 0
    row = list(value_trace.y).index("TTYT B")
    col = list(value_trace.x).index(2023)
    assert value_trace.z[row][col] is None
    assert missing_trace.z[row][col] == 1
    assert value_trace.customdata[row][col][2] == NOT_REPORTED
    # TT C did not exist before 2024: neither grey nor a value
    row_c = list(value_trace.y).index("TT C")
    assert missing_trace.z[row_c][0] is None and value_trace.z[row_c][0] is None
    assert "Số phiếu khảo sát" in value_trace.hovertemplate


def test_unit_dots_hover_gives_sample_size_and_interval() -> None:
    rows = tables.unit_satisfaction(tables.in_year(_panel(), 2024), "sat_inpatient_pct")
    fig = charts.unit_dots_chart(rows, "Hài lòng nội trú", 2024, 90.0)
    _assert_common(fig, "2024")
    trace = fig.data[0]
    assert "Số phiếu khảo sát" in trace.hovertemplate
    sizes = {c[0]: c[4] for c in trace.customdata}
    assert sizes == {"TTYT B": "40", "BV A": "1.000", "TT C": "200"}
    # a small survey has a wider interval than a large one
    widths = dict(zip([c[0] for c in trace.customdata], trace.error_x.array, strict=True))
    assert widths["TTYT B"] > widths["BV A"]


def test_bump_chart_puts_rank_one_on_top_and_labels_x_of_n() -> None:
    ranked = tables.cchc_ranked(_panel())
    fig = charts.bump_chart(ranked, ["A", "B"])
    _assert_common(fig, "2022–2024")
    low, high = fig.layout.yaxis.range
    assert low > high  # reversed: rank 1 at the top
    labels = {tr.name: list(tr.text) for tr in fig.data if tr.mode == "lines+markers+text"}
    assert labels == {"BV A": ["1/2", "1/2", "1/3"], "TTYT B": ["2/2", "2/2", "2/3"]}
    # every other unit is one grey trace; its hover still names the unit
    (background,) = [tr for tr in fig.data if tr.mode == "lines"]
    assert {row[0] for row in background.customdata if row} == {"TT C"}
    # the rank axis labels rank 1 and stops at the largest pool (3 units in 2024)
    assert fig.layout.yaxis.tickvals[0] == 1
    assert low < 4 and high > 0


def _four_units_tied_at_the_top() -> pl.DataFrame:
    """Four units ranked 2023-2024; in 2024 "BV A" and "BV B" tie for first place."""
    rows = [
        ("A", "BV A", 2023, 90.0),
        ("B", "BV B", 2023, 85.0),
        ("C", "BV C", 2023, 80.0),
        ("D", "BV D", 2023, 70.0),
        ("A", "BV A", 2024, 95.0),
        ("B", "BV B", 2024, 95.0),
        ("C", "BV C", 2024, 80.0),
        ("D", "BV D", 2024, 60.0),
    ]
    return _scored(rows)


def _scored(rows: list[tuple[str, str, int, float]]) -> pl.DataFrame:
    """Units' CCHC scores (code, name, year, score) as the panel cchc_ranked ranks: the Sở's pool."""
    return pl.DataFrame(
        rows, schema=["unit_code", "short_name", "year", "cchc_score"], orient="row"
    ).with_columns(
        pl.col("year").cast(pl.Int32),
        rank_pool=pl.lit("so"),
        rank_group=pl.lit(""),
        cchc_rank=pl.lit(None, pl.Float64),
        cchc_rank_of=pl.lit(None, pl.Float64),
    )


def test_bump_chart_merges_the_labels_of_tied_units() -> None:
    ranked = tables.cchc_ranked(_four_units_tied_at_the_top())
    fig = charts.bump_chart(ranked, ["A", "B", "C", "D"])
    texts = [t for tr in fig.data if tr.text is not None for t in tr.text if t]
    # one label for the tie at the right end, naming both units, never "1/4" twice
    assert "1/4 (đồng hạng: BV A, BV B)" in texts
    assert texts.count("1/4") == 1  # BV A's own first-year label (2023)
    # four units: the first- and last-year labels are one trace, the tie's in grey at its place
    (labels,) = [tr for tr in fig.data if tr.name == "Nhãn thứ hạng"]
    tie = list(labels.text).index("1/4 (đồng hạng: BV A, BV B)")
    assert labels.x[tie] == 2024 and labels.y[tie] == 1
    assert labels.textfont.color[tie] == NEUTRAL_TEXT
    # room on the right for the longer label
    assert fig.layout.margin.r > 100


def test_bump_chart_spreads_the_labels_of_units_ranked_close_together() -> None:
    """Thirty-one units; the four highlighted ones ranked 1, 3, 4 and 5 the first year: their
    "X/N" labels left of the first points stood on top of each other."""
    rows = [(f"U{i:02d}", f"Đơn vị {i}", year, 100.0 - i) for i in range(31) for year in (2023, 2024)]
    ranked = tables.cchc_ranked(_scored(rows))
    fig = charts.bump_chart(ranked, ["U00", "U02", "U03", "U04"])
    (labels,) = [tr for tr in fig.data if tr.name == "Nhãn thứ hạng"]
    first = sorted(y for x, y in zip(labels.x, labels.y, strict=True) if x == 2023)
    plot_px = 300  # the rank chart's plot at 1.440 px
    px_per_rank = plot_px / (31 + 0.2)
    assert all((b - a) * px_per_rank >= 13.9 for a, b in itertools.pairwise(first)), first
    # each label stays by its own line: in rank order, centred on the ranks it labels
    assert abs(sum(first) / 4 - (1 + 3 + 4 + 5) / 4) < 0.5


@pytest.mark.parametrize(
    ("n", "ticks"),
    [
        (1, [1]),
        (6, [1, 2, 3, 4, 5, 6]),
        (18, [1, 5, 10, 15, 18]),
        (20, [1, 5, 10, 15, 20]),
        (31, [1, 5, 10, 15, 20, 25, 30]),
    ],
)
def test_rank_ticks_always_show_rank_one_and_stop_at_the_pool(n: int, ticks: list[int]) -> None:
    assert charts.rank_ticks(n) == ticks


def test_tied_scores_share_a_rank() -> None:
    ranked = tables.cchc_ranked(_panel())
    y2024 = ranked.filter(pl.col("year") == 2024).sort("unit_code")
    assert y2024["rank"].to_list() == [1, 2, 2]
    assert y2024["is_tie"].to_list() == [False, True, True]
    league = tables.league_year(ranked, 2024)
    assert league.filter(pl.col("note") == "Đồng hạng").height == 2


def test_par_chart_has_its_own_title_and_reversed_axis() -> None:
    par = pl.DataFrame(
        {
            "year": [2017, 2020],
            "unit_code": ["SYT"] * 2,
            "short_name": ["Sở Y tế"] * 2,
            "name": ["Sở"] * 2,
            "cchc_score": [77.6, 84.7],
            "rank": [18, 9],
            "rank_of": [20, 19],
        }
    ).with_columns(rank_label=pl.format("{}/{}", "rank", "rank_of"), percentile=pl.lit(50.0))
    fig = charts.par_chart(par, "Sở Y tế")
    _assert_common(fig, "2017–2020")
    assert "PAR Index" in fig.layout.title.text
    assert list(fig.data[0].text) == ["18/20", "9/19"]
    bottom, top = fig.layout.yaxis.range
    assert 20 < bottom < 21 and 0 < top < 1  # rank 1 on top, nothing below the pool of 20
    assert list(fig.layout.yaxis.tickvals) == [1, 5, 10, 15, 20]


def test_unit_trend_marks_blank_years_and_lineage_events() -> None:
    history = _panel().filter(pl.col("unit_code") == "B")
    fig = charts.unit_trend_chart(
        history,
        ["sat_inpatient_pct"],
        "Tỷ lệ hài lòng tại TTYT B, 2022–2024",
        "Tỷ lệ hài lòng (%)",
        active_years=[2022, 2023, 2024],
        events=[(2023, "Hợp nhất từ TTYT X, TTYT Y")],
        wilson=True,
    )
    _assert_common(fig, "2022–2024")
    line = next(t for t in fig.data if t.name == "Hài lòng nội trú")
    assert list(line.y) == [88.0, None, 89.0]
    assert line.connectgaps is False
    gap = next(t for t in fig.data if t.name == NOT_REPORTED)
    assert list(gap.x) == [2023]
    assert any("Hợp nhất từ" in a.text for a in fig.layout.annotations)
    assert any(shape.x0 == 2023 for shape in fig.layout.shapes)


def test_training_and_complaint_charts_name_their_years() -> None:
    panel = _panel()
    by_year = tables.training_by_year(panel)
    fig = charts.training_by_year_chart(by_year)
    _assert_common(fig, "2022–2024")
    assert fig.layout.yaxis.tickformat == ",~f" and fig.layout.yaxis2.tickformat == ",~f"  # 4.000, not 4000
    # sessions above, participants below (a phone keeps each panel the screen's width), on one
    # year axis labelled under the bottom panel; one legend entry per unit type
    assert {tr.xaxis for tr in fig.data} == {"x", "x2"}
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis2.domain[1]
    assert fig.layout.xaxis.domain == fig.layout.xaxis2.domain
    assert fig.layout.xaxis.showticklabels is False and fig.layout.xaxis2.title.text == "Năm"
    assert len([tr for tr in fig.data if tr.showlegend is not False]) == by_year["unit_type"].n_unique()
    cov = tables.training_coverage(tables.in_year(panel, 2024))
    fig = charts.coverage_chart(cov, 2024)
    _assert_common(fig, "2024")
    # a unit that reported 0 sessions is drawn at 0, not left out; one legend entry per unit type
    assert 0.0 in [x for trace in fig.data for x in trace.x]
    assert {trace.name for trace in fig.data} == {
        "Bệnh viện tuyến tỉnh",
        "Trung tâm y tế khu vực/huyện",
        "Trung tâm tuyến tỉnh",
    }


def test_wrap_and_unique_labels() -> None:
    assert charts.wrap_text("một hai ba bốn năm", 7) == "một hai<br>ba bốn<br>năm"
    labels = charts.unique_labels(["P01_SYT", "P02_SYT", "A", "A"], ["Sở Y tế", "Sở Y tế", "BV A", "BV A"])
    assert labels == {"P01_SYT": "Sở Y tế (P01_SYT)", "P02_SYT": "Sở Y tế (P02_SYT)", "A": "BV A"}


@pytest.mark.parametrize("text", ["=1+1", "+33", "-2", "@SUM(A1)", "\t=x"])
def test_downloads_neutralise_formulas(text: str) -> None:
    assert neutralise(text) == "'" + text
    df = pl.DataFrame({"unit_code": ["A"], "note": [text], "value": [-2.5]})
    csv = to_csv_bytes(df).decode("utf-8")
    assert csv.startswith("\ufeff")
    assert f"'{text}" in csv and "-2.5" in csv  # numbers stay numbers
    ws = load_workbook(io.BytesIO(to_xlsx_bytes(df))).active
    # in XLSX the text stays as it was, marked as text (Excel's quote prefix): never run
    assert ws["B2"].value == text and ws["B2"].data_type == "s" and ws["B2"].quotePrefix
    assert ws["C2"].value == -2.5


def test_download_headers_are_vietnamese() -> None:
    df = pl.DataFrame(
        {"year": [2024], "unit_code": ["A"], "sat_inpatient_pct": [92.5], "status": ["missing"]}
    )
    out = vietnamese_headers(df)
    assert out.columns == ["Năm", "Mã đơn vị", "Hài lòng nội trú (%)", "Tình trạng"]
    assert out["Tình trạng"].to_list() == [NOT_REPORTED]


def test_unit_trend_split_gives_each_indicator_its_own_axis() -> None:
    history = _panel().filter(pl.col("unit_code") == "A")
    fig = charts.unit_trend_chart(
        history,
        ["training_participants", "training_sessions"],
        "Tập huấn tại BV A, 2022–2024",
        None,
        active_years=[2022, 2023, 2024],
        events=[(2023, "Đổi tên từ BV X")],
        split=True,
    )
    _assert_common(fig, "2022–2024")
    # participants (hundreds) and classes (tens) never share an axis
    axes = {tr.name: tr.yaxis for tr in fig.data}
    assert axes["Lượt người dự tập huấn"] != axes["Lớp tập huấn"]
    assert fig.layout.yaxis.title.text.startswith("Lượt người dự tập huấn")
    assert fig.layout.yaxis2.title.text.startswith("Lớp tập huấn")
    # the lineage event crosses both panels
    assert len([s for s in fig.layout.shapes if s.x0 == 2023]) == 2
    # counts start at zero (13 and 20 classes must not look like a tripling)
    assert fig.layout.yaxis.rangemode == "tozero" and fig.layout.yaxis2.rangemode == "tozero"


def test_position_chart_gives_tied_units_their_own_lane() -> None:
    league = pl.DataFrame(
        {
            "unit_code": ["A", "B", "C"],
            "short_name": ["BV A", "BV B", "BV C"],
            "pct_cchc_score": [50.0, 50.0, 100.0],
            "pct_training_per_staff": [0.0, None, 100.0],
        }
    )
    measures = {"cchc_score": "Điểm CCHC", "training_per_staff": "Lượt tập huấn / viên chức"}
    fig = charts.percentile_profile_chart(league, ["A", "B", "C"], measures, 2024)
    _assert_common(fig, "2024")
    points = {tr.name: list(zip(tr.x, tr.y, strict=True)) for tr in fig.data}
    # A and B share the 50th percentile on the first row, yet are drawn apart
    (xa, ya), (xb, yb) = points["BV A"][0], points["BV B"][0]
    assert xa == xb == 50.0 and ya != yb
    assert list(fig.layout.yaxis.ticktext) == list(measures.values())
    assert charts.dodge_offsets(2) == [-0.35, 0.35]


def _two_units_of_different_size() -> pl.DataFrame:
    """A large hospital and a small centre with the same complaints per visit and per staff."""
    return pl.DataFrame(
        {
            "unit_code": ["BIG", "SMALL", "MID"],
            "short_name": ["BV Lớn", "TT Nhỏ", "TT Vừa"],
            "year": [2024, 2024, 2024],
            "rank_group": ["", "", ""],
            "unit_type": ["bv_tinh", "tt_tinh", "tt_tinh"],
            "area": ["", "", ""],
            "complaints_received": [100.0, 2.0, 20.0],
            "complaints_carried_in": [0.0, 0.0, 0.0],
            "complaints_resolved": [90.0, 2.0, 10.0],
            "patient_visits": [500_000.0, 10_000.0, 50_000.0],
            "training_participants": [2_000.0, 40.0, 400.0],
            "staff_total": [1_000.0, 20.0, 200.0],
            "dvk_models_recognized": [1.0, 0.0, 1.0],
        }
    )


def test_scorecard_compares_rates_not_counts() -> None:
    codes = ("complaints_per_10k", "training_per_staff", "resolution_rate_pct", "dvk_models_recognized")
    card = tables.scorecard(_two_units_of_different_size(), ["BIG", "SMALL"], codes)
    standing = {(r["indicator_code"], r["unit_code"]): r["standing"] for r in card.iter_rows(named=True)}
    # 100 complaints in 500.000 visits is the same rate as 2 in 10.000: neither is worse for its size
    assert standing[("complaints_per_10k", "BIG")] == standing[("complaints_per_10k", "SMALL")] == "same"
    assert standing[("training_per_staff", "BIG")] == "same"
    assert standing[("resolution_rate_pct", "SMALL")] == "better"  # 100% against a median of 90%
    text = tables.scorecard_markdown(card)
    # short catalogue names, nothing cut; cells coloured with Streamlit's Markdown backgrounds
    assert "Mô hình Dân vận khéo được công nhận" in text
    assert ":blue-background[100,0%]" in text
    assert ":gray-background[2,00]" in text


def test_markdown_table_escapes_cells_and_keeps_years_plain() -> None:
    df = pl.DataFrame({"year": [2024], "name": ["A | *B*"], "n": [1234]})
    text = tables.markdown_table(df, {"year": "Năm", "name": "Tên", "n": "Số"}, right=["n"])
    header, rule, row = text.splitlines()
    assert header == "| Năm | Tên | Số |"
    assert rule == "| :-- | :-- | --: |"
    # a short cell never wraps: its spaces are non-breaking
    assert row == "| 2024 | A\u00a0\\|\u00a0\\*B\\* | 1.234 |"


def test_legend_clears_the_year_axis_title_of_the_bottom_panel() -> None:
    flow = pl.DataFrame(
        {
            "year": [2024, 2025],
            "n_units": [3, 3],
            "received": [10, 12],
            "carried_in": [1, 2],
            "resolved": [9, 13],
            "outstanding": [2, 1],
            "rate_pct": [81.8, 92.9],
            "protracted": [0, 1],
        }
    )
    fig = charts.complaint_flow_chart(flow)
    assert fig.layout.xaxis2.title.text == "Năm" and not fig.layout.xaxis.title.text
    # the legend stands at the figure's foot (Plotly then keeps the labels' room above it,
    # however tall they grow), and the bottom margin holds the year labels (26 px), the
    # axis title (30 px) and one legend row below them
    legend = fig.layout.legend
    assert (legend.yref, legend.yanchor, legend.y) == ("container", "bottom", 0)
    assert fig.layout.margin.b >= 26 + 30 + 36


def test_unit_type_colours_are_told_apart_at_a_glance() -> None:
    import colorsys

    from app.charts.common import UNIT_TYPE_COLORS

    def hls(hex_color: str) -> tuple[float, float, float]:
        r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return colorsys.rgb_to_hls(r, g, b)

    colours = list(UNIT_TYPE_COLORS.values())
    for i, a in enumerate(colours):
        for b in colours[i + 1 :]:
            (ha, la, sa), (hb, lb, sb) = hls(a), hls(b)
            hue = min(abs(ha - hb), 1 - abs(ha - hb)) * 360
            # two saturated colours need 20 degrees of hue between them, or a clear lightness step
            assert hue >= 20 or abs(la - lb) >= 0.25 or min(sa, sb) < 0.1, (a, b)


def test_a_year_axis_spans_the_years_charted_not_an_empty_year_before() -> None:
    from app.charts.common import base_layout, figure, x_axis

    fig = figure(
        [{"type": "scatter", "x": [2019, 2020, 2021], "y": [1, 2, 3]}], base_layout("t", x=x_axis("Năm"))
    )
    assert list(fig.layout.xaxis.range) == [2018.5, 2021.5]
    values = figure(
        [{"type": "bar", "x": [3.5, 1.0], "y": ["A", "B"], "orientation": "h"}],
        base_layout("t", x=x_axis(years=False)),
    )
    assert values.layout.xaxis.range is None  # not a year axis: Plotly's own range


@pytest.mark.parametrize(("per_year", "whole_ticks"), [(1, True), (40, False)])
def test_the_intake_chart_counts_whole_units(per_year: int, whole_ticks: bool) -> None:
    counts = pl.DataFrame(
        {"year": [2024, 2025], "status": ["Đúng hạn", "Chưa nộp"], "n_units": [per_year, per_year]}
    )
    layout = charts.timeliness_chart(counts).layout
    assert layout.yaxis.tickformat == ",d"  # never "0,5 đơn vị"
    assert (layout.yaxis.dtick == 1) is whole_ticks  # a tick per unit for one; Plotly's spacing for forty
    assert "hạn nộp" in layout.title.text and "20/11" not in layout.title.text  # each year has its own


# fit_margins: what Plotly measured in Chromium for the demo's charts at 1.440 px (its margins
# grew by these amounts before), so that it never has to widen a margin and draw a chart again
def _lines(names: list[str]) -> list[dict]:
    return [{"type": "scatter", "x": [2024, 2025], "y": [3, 5], "name": name} for name in names]


def test_a_legend_too_wide_for_one_row_gets_rows_of_its_widest_entry() -> None:
    """The CCHC rank chart: seven units beside a 295 px right margin need three legend rows,
    not the two their total width suggests (Plotly gives each entry the widest one's width)."""
    names = ["BVĐK tỉnh", "TT Kiểm nghiệm", "BVĐKKV phía Bắc", "BV Sản - Nhi", "BV Phổi", "TT Cấp cứu 115",
             "TT Giám định y khoa"]  # fmt: skip
    layout = charts.base_layout("Thứ hạng", x=x_axis("Năm"))
    layout["margin"]["r"] = 295
    margin = fit_margins(_lines(names), layout)["margin"]
    # year labels 26, axis title 30, legend 14 + 3 rows of 22, Plotly's own 10
    assert margin["b"] == 26 + 30 + 14 + 3 * 22 + 10


def test_margins_hold_plotlys_own_padding_and_a_colour_bar() -> None:
    """Plotly asks 35 px under a panel's year labels (26 + its 10 px pad); a heatmap's colour
    bar asks about 97 px on the right and 10 px more below."""
    panel = fit_margins(_lines(["a"]), charts.base_layout("Xu hướng", legend=False))["margin"]
    assert panel["b"] >= 35
    heat = [{"type": "heatmap", "x": [2024, 2025], "y": ["BV Mắt"], "z": [[90, 95]]}]
    layout = charts.base_layout("Bản đồ nhiệt", legend=False, x=x_axis("Năm"))
    margin = fit_margins(heat, layout)["margin"]
    assert margin["r"] >= 97 and margin["b"] >= 72


def test_a_chart_of_units_gives_every_unit_a_row_tall_enough_for_its_name() -> None:
    """A two-line title and a subtitle take room from the rows, not from a fixed total: at
    15 px a row Plotly left out every other unit's name (the overview's movers chart)."""
    from app.charts.common import units_layout

    names = [f"Đơn vị {i}" for i in range(10)]
    layout = units_layout(
        "Đơn vị thay đổi nhiều nhất về hài lòng người bệnh nội trú, 2024–2025",
        names,
        x_axis("Mức cải thiện (điểm %; dương = tốt lên)", years=False),
        subtitle="Xanh: cải thiện; cam: giảm. Chỉ gồm đơn vị có số liệu cả hai năm.",
        min_height=320,
    )
    fig = figure([{"type": "bar", "x": list(range(10)), "y": names, "orientation": "h"}], layout)
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert plot_px / len(names) >= 20


def test_bars_labelled_at_their_ends_leave_room_for_the_labels() -> None:
    from app.charts.common import bar_label_range

    assert bar_label_range([3.11, 0.42]) == [0.0, pytest.approx(3.11 * 1.25)]
    low, high = bar_label_range([6.5, -3.0])  # gains and losses: room on both sides
    assert low < -3.0 - 2 and high > 6.5 + 2


def test_a_two_line_axis_title_of_any_panel_gets_room_on_the_left() -> None:
    """A unit's training over the years: the lower panel's title wraps over two lines, and
    Plotly widened the left margin of BV Mắt's chart by 1 px for it (a second draw)."""
    layout = charts.base_layout("Tập huấn", legend=False)
    one = fit_margins(_lines(["a"]), {**layout, "yaxis": {"title": {"text": "Lớp tập huấn"}}})["margin"]
    two = fit_margins(
        _lines(["a"]),
        {
            **layout,
            "yaxis": {"title": {"text": "Lớp"}},
            "yaxis2": {"title": {"text": "Lượt người dự<br>(lượt)"}},
        },
    )["margin"]
    assert two["l"] >= one["l"] + 16
