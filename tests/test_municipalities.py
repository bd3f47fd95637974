from __future__ import annotations

import pytest

from raaderum.errors import UnknownMunicipality
from raaderum.release.municipalities import MunicipalityRegister, normalise
from raaderum.release.reader import Release


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("101", 101), ("0101", 101), (" 751 ", 751),
        ("København", 101), ("Københavns Kommune", 101), ("KØBENHAVN", 101), ("Koebenhavn", 101),
        ("Århus", 751), ("Aarhus", 751), ("aarhus kommune", 751), ("AARHUS\xa0KOMMUNE", 751),
        ("Høje Taastrup", 169), ("Høje-Taastrup", 169), ("høje-taastrup kommune", 169), ("Hoeje Taastrup", 169),
        ("Aabenraa Kommune", 580), ("Åbenrå", 580), ("Lyngby-Taarbæk", 173), ("Lyngby Taarbæk Kommune", 173),
        ("Bornholms Regionskommune", 400), ("Bornholm", 400), ("Nordfyns Kommune", 480), ("Nordfyn", 480),
        ("Vesthimmerlands Kommune", 820), ("Faaborg-Midtfyn", 430), ("Ærø", 492), ("Læsø", 825),
        ("  fanø  ", 563), ("Ringkøbing-Skjern", 760), ("Ikast Brande", 756), ("Frederiksberg", 147),
    ],
)
def test_every_common_spelling_resolves(release: Release, query: str, code: int) -> None:
    assert release.register.resolve(query).code == code


def test_register_has_the_98_with_region_and_group(release: Release) -> None:
    reg = release.register
    assert len(reg) == 98
    by_region: dict[str, int] = {}
    for m in reg:
        by_region[m.region] = by_region.get(m.region, 0) + 1
    assert by_region == {"Region Hovedstaden": 29, "Region Sjælland": 17, "Region Syddanmark": 22,
                         "Region Midtjylland": 19, "Region Nordjylland": 11}
    assert reg.by_code(217).region == "Region Hovedstaden"  # Helsingør: missing from the raw region file
    assert reg.by_code(751).group == "Storbykommuner"
    assert {m.group_code for m in reg} == {1, 2, 3, 4, 5}


def test_unknown_name_gives_closest_matches(release: Release) -> None:
    with pytest.raises(UnknownMunicipality) as exc:
        release.register.resolve("Århuus")
    assert exc.value.suggestions[0] == "Aarhus"
    assert "Aarhus" in str(exc.value)
    with pytest.raises(UnknownMunicipality) as exc:
        release.register.resolve("Frederiksbjerg")
    assert "Frederiksberg" in exc.value.suggestions


def test_unknown_code_is_an_error(release: Release) -> None:
    with pytest.raises(UnknownMunicipality):
        release.register.resolve("999")
    with pytest.raises(UnknownMunicipality):
        release.register.resolve("Christiansø")  # administered by the state, not a municipality


def test_normalise_is_spelling_insensitive() -> None:
    assert normalise("Høje-Taastrup Kommune") == normalise("høje taastrup") == normalise("HØJE\xa0TAASTRUP")
    assert normalise("Århus") == normalise("Aarhus")


def test_register_does_not_depend_on_input_order(release: Release) -> None:
    munis = list(release.register)
    reg = MunicipalityRegister(reversed(munis))
    assert [m.code for m in reg] == [m.code for m in release.register]
