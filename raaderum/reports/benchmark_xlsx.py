"""The benchmark as an Excel workbook: an overview, the peers, one sheet per area, and "Metode og kilder".

Numbers are written as numbers with formats (``#,##0`` for kroner), so Excel shows them in the reader's
locale (1.234.567 in a Danish Excel). Every table has a frozen header and an autofilter; estimated inputs are
labelled "skøn" in a status column. Potentials are derived from kr. per inhabitant published in whole kroner: they
are marked "afledt" with their precision (±). On each area sheet the reference levels, the flag explanations and
the need correction are separate tables side by side, so an explanation never reads like another level. Every
sheet states the price basis (løbende or faste priser with the index used).

    >>> from raaderum.analysis.benchmark import run_benchmark            # doctest: +SKIP
    >>> write_benchmark_xlsx(run_benchmark(rel, "Aarhus"), "aarhus.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import xlsxwriter

from raaderum.analysis.benchmark import FLAG_LABELS, FLAGS, REFERENCES, BenchmarkResult
from raaderum.formatting import status_label

KR = "#,##0"
DIST = "0.00"
PCT = "0.0%"
HEADER_ROW = 3  # title, summary and source above every table
#: Status words the workbook shows (the release's statuses in Danish).
STATUS_WORDS = {"observed": "observeret", "derived": "afledt", "estimated": "skøn", "missing": "mangler"}
#: First columns of the three tables beside an area sheet's peer table.
REF_COL, FLAG_COL, NEED_COL = 8, 12, 15


def _status(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", status_label(status))
NEED_LABELS = (("expected_unit_cost", "Forventet enhedsudgift, kr."), ("index", "Indeks (faktisk/forventet)"),
               ("reference_index", "Referenceindeks"), ("potential", "Behovskorrigeret potentiale, kr."),
               ("r2", "R²"), ("n", "Antal kommuner (n)"), ("p", "Antal variable (p)"), ("error", "Besked"))


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", name)[:31].strip() or "Område"
    out, i = base, 2
    while out.casefold() in used:
        suffix = f" ({i})"
        out = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(out.casefold())
    return out


def _flatten(prefix: str, value: Any, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, rows)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for n, v in enumerate(value, 1):
            _flatten(f"{prefix}[{n}]", v, rows)
    else:
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif value is None:
            text = "–"
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append((prefix, str(text)))


def write_benchmark_xlsx(result: BenchmarkResult, path: str | Path) -> Path:
    """Write ``result`` to ``path`` (overwritten) and return the path."""
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path))
    try:
        _write(wb, result)
    finally:
        wb.close()
    return path


def _write(wb: xlsxwriter.Workbook, r: BenchmarkResult) -> None:
    title = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDE3EA", "bottom": 1, "text_wrap": True, "valign": "top"})
    kr = wb.add_format({"num_format": KR})
    kr_bold = wb.add_format({"num_format": KR, "bold": True})
    dist = wb.add_format({"num_format": DIST})
    pct = wb.add_format({"num_format": PCT})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    m = r.municipality
    prov = r.provenance
    ref = REFERENCES[r.reference]
    source_line = (f"{prov['attribution']}, {prov['table']} {r.year}; {prov['price_basis']}; "
                   f"datarelease {prov['release_id']}.")
    used: set[str] = set()

    def header_block(ws: Any, heading: str, sub: str) -> None:
        ws.write(0, 0, heading, title)
        ws.write(1, 0, sub)
        ws.write(2, 0, source_line)

    def table(ws: Any, columns: list[tuple[str, int]], n_rows: int) -> None:
        for c, (name, width) in enumerate(columns):
            ws.write(HEADER_ROW, c, name, head)
            ws.set_column(c, c, width)
        ws.freeze_panes(HEADER_ROW + 1, 1)
        ws.autofilter(HEADER_ROW, 0, HEADER_ROW + max(n_rows, 1), len(columns) - 1)

    # Overblik
    ws = wb.add_worksheet(_sheet_name("Overblik", used))
    header_block(ws, f"Råderumsbenchmark: {m.name} Kommune ({m.code}), regnskab {r.year}", r.summary())
    refs = list(REFERENCES)
    cols = [("Område", 30), ("Målgruppe", 16), ("Målgruppe, antal", 14), ("Enhedsudgift, kr.", 14),
            (f"Reference: {ref.name}, kr.", 18), ("Potentiale, kr.", 16), ("Bånd P10, kr.", 14),
            ("Bånd P90, kr.", 14)]
    cols += [(f"Potentiale, {REFERENCES[x].name}, kr.", 18) for x in refs]
    cols += [("Status", 12), ("Flag", 50), ("Potentiale: status", 12), ("Potentiale: præcision ±, kr.", 14),
             ("Sammenligningsmodel", 24)]
    table(ws, cols, len(r.areas))
    for n, a in enumerate(r.areas, HEADER_ROW + 1):
        vals: list[tuple[Any, Any]] = [
            (a.name, None), (a.denominator_name, None), (a.target, kr), (a.unit_cost, kr),
            (a.references[r.reference]["value"], kr), (a.potential, kr),
            ((a.band or {}).get("p10"), kr), ((a.band or {}).get("p90"), kr)]
        vals += [(a.references[x]["potential"], kr) for x in refs]
        vals += [(_status(a.status), None), (", ".join(FLAG_LABELS[f] for f in a.flags), None),
                 (_status(a.expenditure_status) if a.potential is not None else None, None),
                 (a.expenditure_precision if a.potential is not None else None, kr),
                 (a.peer_model_name or a.peer_model, None)]
        for c, (v, fmt) in enumerate(vals):
            if v is None:
                ws.write_blank(n, c, None)
            elif fmt is None:
                ws.write(n, c, v)
            else:
                ws.write_number(n, c, float(v), fmt)
    row = HEADER_ROW + len(r.areas) + 2
    ws.write(row, 0, f"I alt (positive potentialer, {ref.name.lower()})", bold)
    ws.write_number(row, 5, float(r.total["potential"]), kr_bold)
    band = r.total.get("band") or {}
    if band:
        ws.write_number(row, 6, float(band["p10"]), kr)
        ws.write_number(row, 7, float(band["p90"]), kr)
    for c, x in enumerate(refs, 8):
        ws.write_number(row, c, float(r.total["by_reference"][x]), kr_bold)
    rng = r.total["range"]
    ws.write(row + 1, 0, f"Spænd over referenceniveauer: {REFERENCES[rng['min_reference']].name} til "
                         f"{REFERENCES[rng['max_reference']].name}.")
    if "need_corrected" in r.total:
        ws.write(row + 2, 0, "I alt, behovskorrigeret", bold)
        ws.write_number(row + 2, 5, float(r.total["need_corrected"]), kr_bold)
    ws.write(row + 4, 0, "Et potentiale er et spørgsmål, ikke en konklusion: lav udgift kan være sparsommelighed "
                         "eller lavere service.")
    ws.write(row + 5, 0, "Fortegn: potentialer er positive (mulig besparelse i kr. pr. år). Afledt af kr. pr. "
                         f"indbygger i hele kroner: i alt ±{r.total.get('precision', 0):,.0f} kr.".replace(",", "."))
    ws.write(row + 6, 0, f"Prisgrundlag: {prov['price_basis']}.")

    # Sammenligningskommuner
    ws = wb.add_worksheet(_sheet_name("Sammenligningskommuner", used))
    ps = r.peers
    header_block(ws, f"Sammenligningskommuner for {m.name} ({ps.model_name})", ps.description() + ".")
    var_ids = ps.variables_used
    cols = [("Kommune", 18), ("Kode", 8), ("Afstand", 10), ("Stabilitet", 11)]
    cols += [(f"Bidrag: {v}", 14) for v in var_ids]
    table(ws, cols, len(ps.peers))
    for n, p in enumerate(ps.peers, HEADER_ROW + 1):
        ws.write(n, 0, p.name)
        ws.write_number(n, 1, p.code)
        ws.write_number(n, 2, p.distance, dist)
        if p.stability is None:
            ws.write(n, 3, "fast gruppe")
        else:
            ws.write_number(n, 3, p.stability, pct)
        for c, v in enumerate(var_ids, 4):
            ws.write_number(n, c, p.contributions.get(v, 0.0), pct)

    # One sheet per area
    for a in r.areas:
        ws = wb.add_worksheet(_sheet_name(a.name, used))
        header_block(ws, f"{a.name}: {m.name} og sammenligningskommunerne, {r.year}",
                     f"Enhedsudgift = nettodriftsudgift pr. {a.denominator_name.lower()} "
                     f"(målgruppe '{a.denominator}'); sammenligningsmodel: {a.peer_model_name or a.peer_model}.")
        cols = [("Kommune", 18), ("Kode", 8), ("Afstand", 10), ("Enhedsudgift, kr.", 16), ("Indgår", 9),
                ("Status", 12)]
        table(ws, cols, len(a.peer_values) + 1)
        rowi = HEADER_ROW + 1
        ws.write(rowi, 0, f"{m.name} (kommunen selv)", bold)
        ws.write_number(rowi, 1, m.code)
        ws.write_number(rowi, 2, 0.0, dist)
        if a.unit_cost is not None:
            ws.write_number(rowi, 3, a.unit_cost, kr_bold)
        ws.write(rowi, 4, "–")
        ws.write(rowi, 5, _status(a.status))
        aps = r.peer_sets.get(a.peer_model, ps)
        dist_by_code = {p.code: p.distance for p in aps.peers}
        for n, pv in enumerate(a.peer_values, rowi + 1):
            ws.write(n, 0, pv["name"])
            ws.write_number(n, 1, pv["code"])
            if pv["code"] in dist_by_code:
                ws.write_number(n, 2, dist_by_code[pv["code"]], dist)
            else:
                ws.write(n, 2, "–")
            if pv["unit_cost"] is None:
                ws.write(n, 3, "mangler")
            else:
                ws.write_number(n, 3, pv["unit_cost"], kr)
            ws.write(n, 4, "ja" if pv["used"] else "nej")
            ws.write(n, 5, _status(pv["status"]))
        # Reference levels (only levels), flag explanations and the need correction: three separate tables.
        col = REF_COL
        for c, (name, width) in enumerate((("Referenceniveau", 44), ("Kr. pr. målgruppe", 16),
                                           ("Potentiale, kr.", 16))):
            ws.write(HEADER_ROW, col + c, name, head)
            ws.set_column(col + c, col + c, width)
        for n, x in enumerate(refs, HEADER_ROW + 1):
            ws.write(n, col, REFERENCES[x].name, bold if x == r.reference else None)
            for c, key in ((col + 1, "value"), (col + 2, "potential")):
                v = a.references[x][key]
                if v is None:
                    ws.write(n, c, "–")
                else:
                    ws.write_number(n, c, v, kr)
        ws.write(HEADER_ROW, FLAG_COL, "Bemærkning", head)
        ws.write(HEADER_ROW, FLAG_COL + 1, "Forklaring", head)
        ws.set_column(FLAG_COL, FLAG_COL, 24)
        ws.set_column(FLAG_COL + 1, FLAG_COL + 1, 70)
        n = HEADER_ROW + 1
        for f in a.flags:
            ws.write(n, FLAG_COL, FLAG_LABELS.get(f, f))
            ws.write(n, FLAG_COL + 1, FLAGS[f], wrap)
            n += 1
        for note in a.notes:
            ws.write(n, FLAG_COL, "note")
            ws.write(n, FLAG_COL + 1, note, wrap)
            n += 1
        for meth in a.methods:
            ws.write(n, FLAG_COL, f"skøn: {meth['id']}")
            ws.write(n, FLAG_COL + 1, meth["text"], wrap)
            n += 1
        if a.potential is not None and a.expenditure_precision is not None:
            ws.write(n, FLAG_COL, "afledt")
            ws.write(n, FLAG_COL + 1, f"Potentialet er afledt af kr. pr. indbygger i hele kroner × folketal: "
                                      f"±{a.expenditure_precision:,.0f} kr.".replace(",", "."), wrap)
            n += 1
        if n == HEADER_ROW + 1:
            ws.write(n, FLAG_COL, "–")
            ws.write(n, FLAG_COL + 1, "Ingen bemærkninger.")
        if a.need:
            ws.write(HEADER_ROW, NEED_COL, "Behovskorrektion", head)
            ws.write(HEADER_ROW, NEED_COL + 1, "Værdi", head)
            ws.set_column(NEED_COL, NEED_COL, 34)
            ws.set_column(NEED_COL + 1, NEED_COL + 1, 16)
            n = HEADER_ROW
            for k, label in NEED_LABELS:
                if k not in a.need:
                    continue
                n += 1
                ws.write(n, NEED_COL, label)
                v = a.need[k]
                if isinstance(v, int | float):
                    ws.write_number(n, NEED_COL + 1, float(v),
                                    kr if k in ("expected_unit_cost", "potential") else None)
                else:
                    ws.write(n, NEED_COL + 1, "–" if v is None else str(v))

    # Metode og kilder
    ws = wb.add_worksheet(_sheet_name("Metode og kilder", used))
    header_block(ws, "Metode og kilder", "Alle parametre, der er brugt til tallene i denne projektmappe.")
    rows: list[tuple[str, str]] = []
    _flatten("metode", r.method, rows)
    _flatten("stabilitet", r.peers.stability_dict(), rows)
    _flatten("kilder", prov, rows)
    for fid, text in FLAGS.items():
        rows.append((f"flag.{fid}", text))
    rows.append(("kildeangivelse", "Kilde: Danmarks Statistik"))
    table(ws, [("Parameter", 45), ("Værdi", 120)], len(rows))
    for n, (k, v) in enumerate(rows, HEADER_ROW + 1):
        ws.write_string(n, 0, k)
        ws.write_string(n, 1, v)


__all__ = ["write_benchmark_xlsx"]
