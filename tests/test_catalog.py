from __future__ import annotations

import pytest

from raaderum.catalog import load_catalog, parse_catalog
from raaderum.errors import UnknownArea
from raaderum.release.reader import Release


def test_every_catalogue_entry_has_an_explanation() -> None:
    cat = load_catalog()
    items = [*cat.areas, *cat.themes, *cat.target_groups.values()]
    assert len(cat.areas) >= 12
    missing = [i.id for i in items if len(i.explanation.strip()) < 10]
    assert missing == []


def test_every_area_function_is_known_to_the_release(release: Release) -> None:
    known = set(release.function_labels)
    unknown = [(a.id, f) for a in load_catalog().areas for f in a.functions if f not in known]
    assert unknown == []


def test_every_area_has_a_target_group_and_committee() -> None:
    cat = load_catalog()
    for a in cat.areas:
        assert a.target_group in cat.target_groups, a.id
        assert a.committee, a.id
    ids = [a.id for a in cat.areas]
    assert len(ids) == len(set(ids))


def test_a_function_belongs_to_at_most_one_area() -> None:
    fns = [f for a in load_catalog().areas for f in a.functions]
    assert len(fns) == len(set(fns))


def test_the_check_catches_an_entry_without_explanation() -> None:
    cat = parse_catalog('[[areas]]\nid = "x"\nname = "X"\nfunctions = ["9.99.99"]\ntarget_group = "alle"\n')
    assert cat.areas[0].explanation == ""


def test_unknown_area_is_a_clear_error() -> None:
    with pytest.raises(UnknownArea, match="Kendte områder"):
        load_catalog().area("ikke_et_omraade")


def test_target_group_age_bands() -> None:
    tg = load_catalog().target_group("6-16")
    assert tg.contains(6) and tg.contains(16) and not tg.contains(17) and not tg.contains(5)
    assert load_catalog().target_group("67+").contains(110)
