from __future__ import annotations

import re

import pytest

from raaderum.catalog import load_catalog
from raaderum.errors import InputError, RaaderumError, UnknownArea
from raaderum.ideas.levers import (
    IDEA_TYPES,
    Lever,
    UnknownLever,
    lever,
    levers_for_area,
    levers_for_type,
    load_levers,
    parse_levers,
)

SLUG = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")
ALLOWED_TYPES = {
    "effektivisering",
    "investering",
    "digitalisering",
    "indkoeb",
    "organisering",
    "omlaegning",
    "indtaegt",
    "servicetilpasning",
}


def test_there_are_at_least_14_levers() -> None:
    levers = load_levers()
    assert len(levers) >= 14
    assert all(isinstance(lv, Lever) for lv in levers)


def test_ids_are_unique_and_slug_like() -> None:
    ids = [lv.id for lv in load_levers()]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not SLUG.match(i)] == []


@pytest.mark.parametrize("lv", load_levers(), ids=lambda lv: lv.id)
def test_every_lever_has_its_texts(lv: Lever) -> None:
    assert lv.title.strip()
    assert len(lv.summary.strip()) >= 20
    assert "\n" not in lv.summary.strip()
    assert len(lv.body) >= 400
    assert 3 <= len(lv.paragraphs()) <= 6
    assert 3 <= len(lv.questions) <= 5
    assert all(q.strip().endswith("?") for q in lv.questions)
    assert lv.key_figures and all(k.strip() for k in lv.key_figures)
    assert re.search(r"\d", lv.time_to_effect) and "år" in lv.time_to_effect
    assert isinstance(lv.requires_investment, bool)


def test_every_area_and_theme_id_exists_in_the_catalogue() -> None:
    cat = load_catalog()
    known = {a.id for a in cat.areas} | {t.id for t in cat.themes}
    unknown = [(lv.id, a) for lv in load_levers() for a in lv.areas if a not in known]
    assert unknown == []
    assert all(lv.areas for lv in load_levers())


def test_every_idea_type_is_allowed() -> None:
    assert set(IDEA_TYPES) == ALLOWED_TYPES
    bad = [(lv.id, t) for lv in load_levers() for t in lv.idea_types if t not in ALLOWED_TYPES]
    assert bad == []
    assert all(lv.idea_types for lv in load_levers())


def test_every_service_area_is_covered_by_a_lever() -> None:
    covered = {a for lv in load_levers() for a in lv.areas}
    missing = [a.id for a in load_catalog().areas if a.id not in covered]
    assert missing == []


def test_lookup_by_id() -> None:
    first = load_levers()[0]
    assert lever(first.id) is first
    assert lever("hverdagsrehabilitering").requires_investment is True


def test_unknown_lever_raises() -> None:
    with pytest.raises(UnknownLever, match="Ukendt greb"):
        lever("findes_ikke")
    assert issubclass(UnknownLever, RaaderumError)
    assert issubclass(UnknownLever, LookupError)


def test_levers_for_area_and_theme() -> None:
    aeldre = levers_for_area("aeldre")
    assert "hverdagsrehabilitering" in [lv.id for lv in aeldre]
    assert all("aeldre" in lv.areas for lv in aeldre)
    assert levers_for_area("indkoeb")
    with pytest.raises(UnknownArea):
        levers_for_area("findes_ikke")


def test_levers_for_type() -> None:
    digital = levers_for_type("digitalisering")
    assert digital and all("digitalisering" in lv.idea_types for lv in digital)
    every_type_is_used = {t for t in IDEA_TYPES if levers_for_type(t)}
    assert every_type_is_used == ALLOWED_TYPES
    with pytest.raises(InputError):
        levers_for_type("nedskaering")


def test_parse_levers_reports_a_missing_field() -> None:
    with pytest.raises(InputError, match="title"):
        parse_levers('[[levers]]\nid = "x"\n')
    (lv,) = parse_levers('[[levers]]\nid = "x"\ntitle = "X"\nbody = """\nEt.\n\nTo.\n"""\n')
    assert lv.paragraphs() == ["Et.", "To."]
    assert lv.areas == () and lv.requires_investment is False
