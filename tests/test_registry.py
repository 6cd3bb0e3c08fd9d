"""Unit registry: name matching and lineage."""

import unicodedata

import pytest

from etl.registry import DEMO_REGISTRY_CSV, Registry, nfc, read_registry


@pytest.fixture(scope="module")
def registry():
    return Registry(read_registry(DEMO_REGISTRY_CSV))


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("BVDKT", "BVDKT"),
        ("bvdkt", "BVDKT"),
        ("Bệnh viện Đa khoa tỉnh An Lạc", "BVDKT"),
        ("BVĐK tỉnh", "BVDKT"),
        ("  bệnh viện   đa khoa TỈNH an lạc ", "BVDKT"),
        (unicodedata.normalize("NFD", "Trung tâm Y tế huyện Hòa Thuận"), "TTYT_HOATHUAN"),
        ("Trung tâm Y tế huyện Hoà Thuận", "TTYT_HOATHUAN"),
        ("TTYT Hòa Thuận", "TTYT_HOATHUAN"),
        ("Trung tam Y te huyen Hoa Thuan", "TTYT_HOATHUAN"),
        ("Bệnh viện Đông y", "BVYHCT"),
    ],
)
def test_names_match_across_input_methods_and_aliases(registry, typed, code):
    assert registry.match(typed) == [code]


def test_unknown_unit_suggests_the_closest(registry):
    assert registry.match("Trung tâm Y tế huyện Hòa Thuân Nam") == []
    assert registry.closest("Trung tâm Y tế huyện Hòa Thuân Nam")[0].unit_code == "TTYT_HOATHUAN"


def test_lineage_follows_renames_and_mergers(registry):
    assert registry.current_successor("TTYT_PHULAM") == "TTYTKV_HOATHUAN"
    assert registry.current_successor("BVYHCT") == "BVYDCT"
    assert registry.current_successor("BVDKT") == "BVDKT"
    assert registry.predecessors("CDC") == ["TTHIV", "TTSKSS", "TTTTGDSK", "TTYTDP"]


def test_active_years(registry):
    cdc = registry.units["CDC"]
    assert not cdc.active_in(2017)
    assert cdc.active_in(2018)
    assert not registry.units["TTYT_PHULAM"].active_in(2025)


def test_registry_rejects_an_unknown_successor(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "unit_code;name;short_name;unit_type;area;valid_from;valid_to;successor_code;rank_pool;aliases\n"
        "A;Đơn vị A;A;ttyt;X;2015;2020;ZZZ;so;\n",
        encoding="utf-8-sig",
    )
    with pytest.raises(ValueError, match="ZZZ"):
        read_registry(path)


def test_registry_reads_semicolon_csv_with_bom(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "unit_code;name;short_name;unit_type;area;valid_from;valid_to;successor_code;rank_pool;aliases\n"
        "a1;Trung tâm Y tế Một;TTYT Một;ttyt;Bắc;2015;;;so;TT Một|Trung tâm 1\n",
        encoding="utf-8-sig",
    )
    [unit] = read_registry(path)
    assert unit.unit_code == "A1"
    assert unit.aliases == ("TT Một", "Trung tâm 1")
    assert unit.valid_to is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Tăng\x07 cường", "Tăng cường"),  # a bell pasted in
        ("\ufeffBVDKT", "BVDKT"),  # a byte-order mark at the start of a cell
        ("đối\u200bthoại", "đốithoại"),  # a zero-width space
        ("\x1b[31mđỏ\x1b[0m", "[31mđỏ[0m"),  # a terminal escape loses its ESC
        ("a\u202e b", "a b"),  # a right-to-left override
    ],
)
def test_text_from_a_file_is_stored_without_invisible_characters(typed, stored):
    # such characters reached the database, and the yearly report's
    # Word document refuses them (python-docx: "All strings must be XML compatible")
    assert nfc(typed) == stored
