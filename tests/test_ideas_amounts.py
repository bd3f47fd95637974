"""The amount-cell parser: numbers and Danish text in 1.000 kr., unknown-markers, and errors (never a guess)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raaderum.ideas.amounts import UNKNOWN_MARKERS, flip_sign, format_amount, parse_amount


@pytest.mark.parametrize(("cell", "expected"), [
    (1250, Decimal(1250)),
    (-3.5, Decimal("-3.5")),
    (0, Decimal(0)),
    ("0", Decimal(0)),
    ("-1.250", Decimal(-1250)),
    ("1.250,5", Decimal("1250.5")),
    ("1,5", Decimal("1.5")),
    ("1.5", Decimal("1.5")),
    ("1.234.567", Decimal(1234567)),
    ("1,5 mio.", Decimal(1500)),
    ("1,5mio", Decimal(1500)),
    ("2 mio. kr.", Decimal(2000)),
    ("0,5 mia.", Decimal(500000)),
    ("250 t.kr.", Decimal(250)),
    ("250 tkr", Decimal(250)),
    ("(500)", Decimal(-500)),
    ("500-", Decimal(-500)),
    ("\u2212300", Decimal(-300)),
    ("\u2013 300", Decimal(-300)),
    ("+200", Decimal(200)),
    ("1 250", Decimal(1250)),
    ("1\u00a0250", Decimal(1250)),
    ("\u00a0-1.250\u00a0", Decimal(-1250)),
    ("ca. 500", Decimal(500)),
])
def test_amounts_are_read(cell: object, expected: Decimal) -> None:
    parsed = parse_amount(cell)
    assert parsed.ok, parsed.error
    assert parsed.value == expected


@pytest.mark.parametrize("cell", [None, "", "   ", "\u00a0"])
def test_empty_cells_are_unknown_not_zero(cell: object) -> None:
    parsed = parse_amount(cell)
    assert parsed.ok and parsed.value is None and not parsed.is_unknown


@pytest.mark.parametrize("cell", ["ej opgjort", "Ej opgjort.", "EJ OPGJORT", "ikke opgjort", "-", "?", "uoplyst",
                                  "n/a", "afventer"])
def test_unknown_markers_give_none(cell: str) -> None:
    parsed = parse_amount(cell)
    assert parsed.ok and parsed.value is None and parsed.is_unknown


@pytest.mark.parametrize(("cell", "fragment"), [
    ("halvdelen", "hverken et beløb"),
    ("besparelse 500", "hverken et beløb"),
    ("500 - 1000", "hverken et beløb"),
    ("1.2.3", "hverken et beløb"),
    ("12.34.567", "hverken et beløb"),
    ("250 kr.", "tvetydig"),
    ("(-500)", "både parentes og fortegn"),
    ("--500", "mere end ét fortegn"),
    ("#VALUE!", "Excel-fejlværdi"),
    (True, "sandhedsværdi"),
    (date(2020, 1, 1), "dato"),
    (float("nan"), "ikke et beløb"),
    (float("inf"), "ikke et beløb"),
    ("1.000.000.000.000", "urealistisk"),
])
def test_text_that_is_no_amount_is_an_error(cell: object, fragment: str) -> None:
    parsed = parse_amount(cell)
    assert not parsed.ok and parsed.value is None
    assert fragment in (parsed.error or "")


def test_sign_convention_helpers() -> None:
    assert flip_sign(Decimal(500)) == Decimal(-500)
    assert flip_sign(None) is None
    assert flip_sign(0.0) == 0.0
    assert format_amount(-1250) == "-1.250"
    assert format_amount(1500.5) == "1.500,5"
    assert format_amount(None) == "ukendt"


def _danish(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=-10**8, max_value=10**8))
def test_danish_thousands_round_trip(n: int) -> None:
    assert parse_amount(_danish(n)).value == Decimal(n)
    assert parse_amount(n).value == Decimal(n)
    if n > 0:
        assert parse_amount(f"({_danish(n)})").value == Decimal(-n)
        assert parse_amount(f"{_danish(n)}\u00a0t.kr.").value == Decimal(n)


@given(st.integers(min_value=0, max_value=10**5), st.integers(min_value=1, max_value=9))
def test_decimal_comma_and_millions(whole: int, tenth: int) -> None:
    text = f"{_danish(whole)},{tenth}"
    assert parse_amount(text).value == Decimal(f"{whole}.{tenth}")
    assert parse_amount(text + " mio.").value == Decimal(f"{whole}.{tenth}") * 1000


cells = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(),
    st.text(alphabet="0123456789.,-+() \u00a0\u2212mioktrs", max_size=20),
    st.sampled_from(sorted(UNKNOWN_MARKERS)), st.dates(),
    st.decimals(allow_nan=True, allow_infinity=True),
)


@given(cells)
def test_any_cell_gives_exactly_one_outcome(cell: object) -> None:
    parsed = parse_amount(cell)  # never raises
    if parsed.error is not None:
        assert parsed.value is None and parsed.error.strip()
    elif parsed.value is not None:
        assert not parsed.is_unknown
        assert math.isfinite(float(parsed.value)) and abs(parsed.value) <= Decimal(10) ** 9
    else:
        assert parsed.is_unknown or cell is None or str(cell).strip() == ""
