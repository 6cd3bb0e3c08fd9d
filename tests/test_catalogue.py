"""The catalogue parses and its rules refer to real indicators."""

import pytest

from etl.catalogue import KINDS, load_catalogue, load_domains, parse_rule


def test_every_indicator_is_complete():
    catalogue = load_catalogue()
    domains = load_domains()
    assert len(catalogue) >= 45
    for ind in catalogue.values():
        assert ind.kind in KINDS
        assert ind.domain in domains
        assert ind.name_vi and ind.short_vi
        if ind.kind == "category":
            assert ind.choices
        if ind.n_code:
            assert ind.n_code in catalogue


def test_rules_parse():
    (rule,), _ = parse_rule("warn if training_participants > 10 * staff_total")
    assert rule.severity == "warn"
    assert rule.right[0].factor == 10
    (rule,), _ = parse_rule("error if a > b + c (blank counts as 0)")
    assert rule.blank_as_zero
    assert [t.code for t in rule.right] == ["b", "c"]


def test_a_bad_rule_is_refused():
    with pytest.raises(ValueError):
        parse_rule("error when a bigger than b")
