"""Tables shown on pages, and the same tables as CSV and Excel downloads.

A page builds :class:`DataTable` objects; the template renders them, and ``?format=csv|xlsx&table=ID`` on the
same URL returns that table as a file, with its source and method underneath.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

from raaderum.formatting import fmt_number, fmt_pct

#: kind → (HTML formatter, xlsx number format)
KINDS: dict[str, tuple[Any, str | None]] = {
    "text": (lambda v: "" if v is None else str(v), None),
    "int": (lambda v: fmt_number(v), "#,##0"),
    "kr": (lambda v: fmt_number(v), "#,##0"),
    "mio": (lambda v: fmt_number(None if v is None else v / 1e6, 1), "#,##0.0"),
    "num1": (lambda v: fmt_number(v, 1), "#,##0.0"),
    "num2": (lambda v: fmt_number(v, 2), "#,##0.00"),
    "pct": (lambda v: fmt_pct(v), "0.0%"),
}


def csv_text(value: str) -> str:
    """A text cell for CSV that a spreadsheet will not run as a formula: a leading = + - @ (or tab/CR) gets an
    apostrophe in front, as OWASP recommends for CSV injection."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class DataTable:
    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    source: str = ""
    note: str = ""
    highlight_key: str | None = None  # rows whose value under this key is truthy are highlighted
    links: dict[str, str] = field(default_factory=dict)  # column key → row key holding a URL

    def cell(self, row: dict[str, Any], col: Column) -> str:
        v = row.get(col.key)
        if isinstance(v, float) and math.isnan(v):
            v = None
        return KINDS[col.kind][0](v)

    def rendered(self) -> list[dict[str, Any]]:
        """Rows ready for the template: formatted cell texts, links, highlight and status (fast to render)."""
        out = []
        for r in self.rows:
            cells = []
            for c in self.columns:
                link = r.get(self.links[c.key]) if c.key in self.links else None
                cells.append((self.cell(r, c), c.numeric, link))
            out.append({"cells": cells, "hl": bool(self.highlight_key and r.get(self.highlight_key)),
                        "status": r.get("_status")})
        return out

    def to_csv(self) -> bytes:
        """CSV as Danish Excel reads it: UTF-8 with BOM, ';' between fields, decimal comma."""
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        w.writerow([c.label for c in self.columns])
        for r in self.rows:
            out = []
            for c in self.columns:
                v = r.get(c.key)
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    out.append("")
                elif c.numeric:
                    out.append(f"{v:.6g}".replace(".", ",") if isinstance(v, float) else str(v))
                else:
                    out.append(csv_text(str(v)))
            w.writerow(out)
        if self.source:
            w.writerow([])
            w.writerow([self.source])
        if self.note:
            w.writerow([self.note])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")

    def to_xlsx(self) -> bytes:
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet(self.title[:31].replace("/", "-") or "Tabel")
        head = wb.add_format({"bold": True, "bg_color": "#E4E8EC", "text_wrap": True, "valign": "top"})
        fmts = {k: wb.add_format({"num_format": f}) for k, (_, f) in KINDS.items() if f}
        for j, c in enumerate(self.columns):
            ws.write(0, j, c.label, head)
            ws.set_column(j, j, 14 if c.numeric else 28)
        for i, r in enumerate(self.rows, start=1):
            for j, c in enumerate(self.columns):
                v = r.get(c.key)
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    ws.write_blank(i, j, None)
                elif c.numeric:
                    ws.write_number(i, j, float(v), fmts.get(c.kind))
                else:
                    ws.write_string(i, j, str(v))
        ws.freeze_panes(1, 0)
        if self.rows:
            ws.autofilter(0, 0, len(self.rows), len(self.columns) - 1)
        extra = len(self.rows) + 2
        for text in (self.source, self.note):
            if text:
                ws.write_string(extra, 0, text)
                extra += 1
        wb.close()
        return buf.getvalue()
