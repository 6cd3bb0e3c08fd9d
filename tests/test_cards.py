"""KPI cards: values and changes formatted the Vietnamese way, coloured by the indicator's direction."""

from __future__ import annotations

from app.cards import Card, card_html, cards_html
from app.fmt import NOT_REPORTED
from app.tables.kpi_card import Kpi, kpi_card

HELP = "Tỷ lệ người bệnh nội trú hài lòng."


def _kpi(value, previous, kind="pct", direction="up", **extra) -> Kpi:
    return Kpi("k", "Hài lòng nội trú", value, previous, kind, direction, HELP, **extra)


def test_a_rise_in_a_higher_is_better_rate_is_green_points_up_and_says_the_year() -> None:
    card = kpi_card(_kpi(96.4, 95.7), 2025)
    assert (card.value, card.delta, card.color, card.arrow) == ("96,4%", "+0,7 điểm %", "green", "up")
    assert card.basis == "so với 2024"


def test_a_rise_in_a_lower_is_better_count_is_red() -> None:
    card = kpi_card(_kpi(449, 431, kind="int", direction="down"), 2025)
    assert (card.value, card.delta, card.color, card.arrow) == ("449", "+18 (+4,2%)", "red", "up")


def test_reporting_ratio_compares_shares_not_counts_after_a_merger() -> None:
    # 19 of 19 expected this year, 20 of 20 the year before: the same 100%, no change
    card = kpi_card(_kpi(19, 20, kind="ratio", total=19, previous_total=20), 2025)
    assert (card.value, card.delta, card.color, card.arrow) == ("19/19", "0,0 điểm %", "gray", "off")


def test_a_change_that_rounds_to_zero_has_no_arrow_and_no_colour() -> None:
    card = kpi_card(_kpi(94.33, 94.36), 2021)  # −0,03 points is shown as 0,0
    assert (card.delta, card.color, card.arrow) == ("0,0 điểm %", "gray", "off")
    card = kpi_card(_kpi(94.3, 94.36), 2021)  # −0,06 is shown as −0,1: a fall
    assert (card.color, card.arrow) == ("red", "down")


def test_not_reported_is_said_and_has_no_change() -> None:
    card = kpi_card(_kpi(None, 95.0), 2025)
    assert card.value == NOT_REPORTED and card.delta is None
    first_year = kpi_card(_kpi(95.0, None), 2015)
    assert first_year.value == "95,0%" and first_year.delta is None


def test_card_html_escapes_text_and_writes_the_change_out() -> None:
    html = card_html(Card("Đơn <thư>", "449", "+18", "red", "up", help='nói "rõ"', basis="so với 2024"))
    assert "Đơn &lt;thư&gt;" in html and 'title="nói &quot;rõ&quot;"' in html
    assert "↑ +18" in html and "so với 2024" in html
    grid = cards_html([Card("A", "1"), Card("B", "2")])
    assert grid.count('class="kpi-card"') == 2 and grid.startswith("<style>")


def test_a_sum_compares_the_same_units_and_every_card_says_what_it_rests_on() -> None:
    kpi = _kpi(135, 300, kind="int", rests_on="19/19 đơn vị báo cáo", same_units=(100.0, 96.0, 14))
    card = kpi_card(kpi, 2025)
    # 300 over 28 units before the mergers is not the base: +4 over the 14 that reported both years
    assert card.delta == "+4 (+4,2%)" and card.basis == "so với 2024, cùng 14 đơn vị báo cáo cả hai năm"
    assert card.color == "green"
    assert 'class="kpi-basis">19/19 đơn vị báo cáo<' in card_html(card)
    alone = kpi_card(_kpi(135, 300, kind="int", rests_on="19/19 đơn vị báo cáo"), 2025)
    assert alone.delta is None and alone.basis.startswith("không so được với 2024")
