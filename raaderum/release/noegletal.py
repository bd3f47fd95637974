"""``raaderum data import-noegletal FILE.csv``: a noegletal.dk export into a new data release.

noegletal.dk (Indenrigs- og Sundhedsministeriet, De Kommunale Nøgletal) exports a report ("nwRap") as CSV:
ISO-8859-1 (Latin-1), ``;`` between fields, a few title lines, a header row ``;Kom.nr;1993;…;2024``, then for each
key figure a heading row (its name, e.g. ``Socioøkonomisk indeks``) followed by one row per municipality
(``Københavns Kommune;101;1,34;…``) and an average or total row (``Gennemsnit`` / ``I alt``), and a legend and notes
at the end. Numbers are Danish (``1.251,60``: ``.`` groups thousands, ``,`` is the decimal mark); ``M`` marks a
missing figure, ``U`` an undefined one, ``-`` a true zero (the report's legend).

:func:`parse_export` reads such a file into the ``noegletal`` input table, naming the line and the cell of anything
it cannot read. :func:`import_noegletal` puts those figures into a copy of the inputs of the release in use (every
year and key figure in the file replaces the same cells), builds a new release beside it with the same checks as
``data update`` (98 municipalities, the socio-economic index averaging 1.00, …) and switches to it atomically; on
any failure the release in use is untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from raaderum.errors import InputError
from raaderum.release.carry import inputs_from_release
from raaderum.release.inputs import SourceRecord, noegletal_table
from raaderum.release.reader import Release, open_release
from raaderum.release.registry import NOEGLETAL_INDICATORS
from raaderum.release.update import UpdateResult, build_and_switch

Progress = Callable[[str], None]
_FOOTNOTE = re.compile(r"\s*\(\d+\)\s*$")
_STAMP = re.compile(r"^(Indenrigs-|Social- og Indenrigs|Økonomi- og Indenrigs).*?d\.\s*(.+?)\s*$")


def _key(label: str) -> str:
    return " ".join(_FOOTNOTE.sub("", label).replace("\xa0", " ").split()).casefold()


#: A report heading → indicator id (headings as noegletal.dk writes them, footnote markers dropped).
HEADINGS: dict[str, str] = {_key(v[0]): k for k, v in NOEGLETAL_INDICATORS.items()}
HEADINGS.update({_key("Areal (km2)"): "areal_km2", _key("Serviceudgifter pr. indbygger"): "serviceudgifter_pr_indb"})


@dataclass
class NoegletalExport:
    table: pa.Table  # the noegletal input table (municipality_code 0 = the report's average/total row)
    indicators: list[str]
    years: list[int]
    exported: str  # the report's own stamp, e.g. "30. marts 2024"
    sha256: str
    name: str


def parse_number_da(text: str, where: str) -> tuple[float | None, str | None]:
    """A noegletal.dk cell → (value, marker): ``"1.251,60"`` → 1251.6; ``"M"``/``"U"`` → (None, marker);
    ``"-"`` (a true zero) → 0.0."""
    t = text.strip().replace("\xa0", "")
    if t in ("M", "U"):
        return None, t
    if t == "-":
        return 0.0, None
    if not re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+(,\d+)?", t):
        raise InputError(f"{where}: kan ikke læse {text!r} som et tal (forventede fx 1.251,60, M eller U).")
    return float(t.replace(".", "").replace(",", ".")), None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_export(data: bytes, *, name: str = "eksporten", codes: set[int] | None = None) -> NoegletalExport:
    """Read a noegletal.dk CSV export (see the module docstring); ``codes`` are the 98 municipality codes."""
    text = _decode(data)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header_at = next((i for i, r in enumerate(rows) if len(r) > 2 and r[1].strip() == "Kom.nr"), None)
    if header_at is None:
        raise InputError(f"{name}: ingen overskriftslinje med 'Kom.nr' og årstal; er det en eksport fra "
                         "noegletal.dk (CSV, semikolon)?")
    years: list[int] = []
    for c, cell in enumerate(rows[header_at][2:], start=3):
        if cell.strip():
            if not re.fullmatch(r"\d{4}", cell.strip()):
                raise InputError(f"{name}, linje {header_at + 1}, kolonne {c}: forventede et årstal, fandt {cell!r}.")
            years.append(int(cell))
    if not years:
        raise InputError(f"{name}, linje {header_at + 1}: ingen årstal i overskriften.")
    out: dict[str, list[object]] = {"municipality_code": [], "year": [], "indicator": [], "value": [], "marker": []}
    indicator: str | None = None
    seen: dict[str, set[int]] = {}
    exported = ""
    for lineno, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        first = cells[0]
        if (m := _STAMP.match(first)) is not None:
            exported = m.group(2)
            continue
        if first.startswith(("Tegnforklaring", "Noter", "Valgte kommuner", "I rapporten")) or re.match(
                r"^(\(\d+\)|-\s|M\s|U\s)", first):
            indicator = None if first.startswith("Tegnforklaring") else indicator
            continue
        code_cell = cells[1] if len(cells) > 1 else ""
        values = cells[2:2 + len(years)]
        if not code_cell and not any(values):  # a key figure's heading row
            ind = HEADINGS.get(_key(first))
            if ind is None:
                raise InputError(f"{name}, linje {lineno}: ukendt nøgletal {first!r}. Kendte nøgletal: "
                                 + ", ".join(v[0] for v in NOEGLETAL_INDICATORS.values()) + ".")
            indicator = ind
            seen.setdefault(ind, set())
            continue
        if indicator is None:
            continue
        if code_cell:
            if not code_cell.isdigit():
                raise InputError(f"{name}, linje {lineno}: ugyldigt kommunenummer {code_cell!r}.")
            code = int(code_cell)
            if codes is not None and code not in codes:
                raise InputError(f"{name}, linje {lineno}: kommunenummer {code} er ikke en af de 98 kommuner.")
            if code in seen[indicator]:
                raise InputError(f"{name}, linje {lineno}: kommune {code} står to gange under {indicator}.")
            seen[indicator].add(code)
        elif _key(first).startswith(("i alt", "gennemsnit", "landsgennemsnit", "hele landet")):
            code = 0
        else:
            raise InputError(f"{name}, linje {lineno}: rækken {first!r} har intet kommunenummer.")
        if len(values) < len(years):
            raise InputError(f"{name}, linje {lineno}: {len(values)} tal, men overskriften har {len(years)} år; "
                             "filen er måske afkortet.")
        for y, cell in zip(years, values, strict=True):
            value, marker = parse_number_da(cell, f"{name}, linje {lineno}, år {y}")
            out["municipality_code"].append(code)
            out["year"].append(y)
            out["indicator"].append(indicator)
            out["value"].append(value)
            out["marker"].append(marker)
    if not seen:
        raise InputError(f"{name}: ingen nøgletal fundet (forventede en overskrift som 'Socioøkonomisk indeks').")
    if codes is not None:
        for ind, got in seen.items():
            if got != codes:
                miss = sorted(codes - got)
                raise InputError(f"{name}: {ind} har {len(got)} kommuner, der skal være 98 (mangler fx "
                                 f"{', '.join(map(str, miss[:5]))}).")
    return NoegletalExport(table=noegletal_table(out), indicators=sorted(seen), years=years, exported=exported,
                           sha256=hashlib.sha256(data).hexdigest(), name=name)


def merge_noegletal(old: pa.Table | None, new: pa.Table) -> pa.Table:
    """``old`` with every (indicator, year) that ``new`` has replaced by ``new``'s cells."""
    if old is None or old.num_rows == 0:
        return new
    pairs = {(i, y) for i, y in zip(new.column("indicator").to_pylist(), new.column("year").to_pylist(),
                                    strict=True)}
    keep = pc.invert(pa.array([(i, y) in pairs for i, y in zip(old.column("indicator").to_pylist(),
                                                               old.column("year").to_pylist(), strict=True)]))
    merged = pa.concat_tables([old.filter(keep), new.cast(old.schema)])
    return merged.sort_by([("municipality_code", "ascending"), ("year", "ascending"), ("indicator", "ascending")])


def import_noegletal(path: Path | str, *, current: Release | None = None,
                     progress: Progress | None = None) -> UpdateResult:
    """Import a noegletal.dk export into a new release beside the one in use, check it and switch to it."""
    path = Path(path)
    say = progress or (lambda _msg: None)
    current = current or open_release()
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"Kan ikke læse {path}: {e.strerror or e}.") from None
    say(f"Læser {path.name} …")
    export = parse_export(data, name=path.name, codes=set(current.register.codes()))
    say(f"Fundet {', '.join(export.indicators)} for {export.years[0]}-{export.years[-1]}.")
    inputs = inputs_from_release(current)
    inputs.noegletal = merge_noegletal(inputs.noegletal, export.table)
    inputs.kind = "noegletal"
    inputs.description = f"{current.manifest.get('description', '')}; nøgletal importeret fra {path.name}".strip("; ")
    inputs.sources.append(SourceRecord(
        id=f"noegletal_import_{export.sha256[:8]}", table="noegletal.dk",
        title=f"De Kommunale Nøgletal: {', '.join(NOEGLETAL_INDICATORS[i][0] for i in export.indicators)}",
        years=f"{export.years[0]}-{export.years[-1]}",
        files=[{"path": path.name, "sha256": export.sha256, "bytes": len(data)}],
        attribution="Kilde: Indenrigs- og Sundhedsministeriet, De Kommunale Nøgletal (noegletal.dk)",
        licence="Offentlige nøgletal",
        provenance=f"Eksport fra noegletal.dk{f' ({export.exported})' if export.exported else ''}, importeret "
                   f"med raaderum data import-noegletal; erstatter de samme nøgletal og år i {current.id}",
        retrieved=datetime.now(UTC).isoformat(timespec="seconds")))
    return build_and_switch(inputs, current, "noegletal", say)


__all__ = ["HEADINGS", "NoegletalExport", "import_noegletal", "merge_noegletal", "parse_export",
           "parse_number_da"]
