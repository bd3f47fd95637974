"""The register of Denmark's 98 municipalities, and resolving what a user types into one of them.

Codes are Statistics Denmark's official 3-digit municipality codes (101 København … 860 Hjørring).
``resolve`` accepts a code or any common spelling of a name:

    >>> reg = open_release().municipalities()  # doctest: +SKIP
    >>> reg.resolve("Århus").code, reg.resolve("høje taastrup kommune").code, reg.resolve("0101").name
    (751, 169, 'København')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from raaderum.errors import UnknownMunicipality

#: Region codes (Statistics Denmark) and names.
REGIONS: dict[int, str] = {
    1081: "Region Nordjylland",
    1082: "Region Midtjylland",
    1083: "Region Syddanmark",
    1084: "Region Hovedstaden",
    1085: "Region Sjælland",
}

#: Statistics Denmark's municipality groups (kommunegrupper); REGK tables code their aggregates 910-960.
GROUPS: dict[int, str] = {
    1: "Hovedstadskommuner",
    2: "Storbykommuner",
    3: "Provinsbykommuner",
    4: "Oplandskommuner",
    5: "Landkommuner",
}

#: Extra spellings that normalisation alone does not reach (English names, common abbreviations).
ALIASES: dict[str, int] = {
    "copenhagen": 101,
    "kbh": 101,
    "kobenhavn": 101,
    "elsinore": 217,
    "lyngby": 173,
    "taastrup": 169,
    "bornholms regionskommune": 400,
    "regionskommune bornholm": 400,
    "aeroe": 492,
    "aero": 492,
}


@dataclass(frozen=True)
class Municipality:
    code: int
    name: str
    region_code: int
    region: str
    group_code: int
    group: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


_SUFFIXES = ("regionskommune", "kommune")


def normalise(text: str) -> str:
    """A spelling-insensitive key: case, spaces (also non-breaking), hyphens, dots, æøå vs ae/oe/aa, the suffix.

    >>> normalise("Høje-Taastrup Kommune"), normalise("Århus"), normalise("AABENRAA\xa0kommune")
    ('hoejetaastrup', 'aarhus', 'aabenraa')
    """
    s = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)].strip()
            break
    s = s.replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace("ä", "ae").replace("ö", "oe")
    return re.sub(r"[\s\-\u2010-\u2015_.,'’]+", "", s)


class MunicipalityRegister:
    """The 98 municipalities, looked up by code or by any common spelling of the name."""

    def __init__(self, municipalities: Iterable[Municipality]) -> None:
        self._by_code: dict[int, Municipality] = {}
        for m in sorted(municipalities, key=lambda m: m.code):
            self._by_code[m.code] = m
        self._by_key: dict[str, int] = {}
        for m in self._by_code.values():
            key = normalise(m.name)
            self._by_key[key] = m.code
            self._by_key[key + "s"] = m.code  # "Københavns Kommune", "Bornholms Regionskommune"
        for m in self._by_code.values():
            key = normalise(m.name)
            if key.endswith("s"):  # "Nordfyn" for Nordfyns, "Vesthimmerland" for Vesthimmerlands
                self._by_key.setdefault(key[:-1], m.code)
        for alias, code in ALIASES.items():
            if code in self._by_code:
                self._by_key.setdefault(normalise(alias), code)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Municipality]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def codes(self) -> list[int]:
        return list(self._by_code)

    def by_code(self, code: int) -> Municipality:
        try:
            return self._by_code[int(code)]
        except (KeyError, ValueError):
            raise UnknownMunicipality(str(code), self.suggest(str(code))) from None

    def find(self, query: str | int) -> Municipality | None:
        """The municipality ``query`` names, or None."""
        if isinstance(query, int):
            return self._by_code.get(query)
        text = unicodedata.normalize("NFKC", str(query)).strip()
        if re.fullmatch(r"\d{1,4}", text):
            return self._by_code.get(int(text))
        key = normalise(text)
        code = self._by_key.get(key)
        return self._by_code[code] if code is not None else None

    def resolve(self, query: str | int) -> Municipality:
        """The municipality ``query`` names; :class:`UnknownMunicipality` with the closest matches otherwise."""
        m = self.find(query)
        if m is None:
            raise UnknownMunicipality(str(query), self.suggest(str(query)))
        return m

    def suggest(self, query: str, n: int = 3) -> list[str]:
        """Up to ``n`` municipality names closest to ``query``."""
        key = normalise(query)
        if not key:
            return []
        names: list[str] = []
        for k in difflib.get_close_matches(key, list(self._by_key), n=n * 2, cutoff=0.6):
            name = self._by_code[self._by_key[k]].name
            if name not in names:
                names.append(name)
        if len(names) < n:
            for m in self._by_code.values():
                if key in normalise(m.name) and m.name not in names:
                    names.append(m.name)
        return names[:n]
