"""Charts as inline SVG, drawn on the server.

Why SVG from the server rather than a browser chart library: the pages stay light and work without JavaScript,
the charts print exactly as they look (the one-page summary for politicians), and each chart is a plain image
with a Danish title and description (``role="img"``, ``<title>``, ``<desc>``) next to an accessible data table.
Colours are neutral (a low cost may be thrift or under-service): greys and one blue for the municipality itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import count
from typing import Any

from markupsafe import Markup, escape

from raaderum.formatting import fmt_number

_ids = count(1)
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#d9dee3"
BAR = "#8a99a8"
HIGHLIGHT = "#1d4e89"
BAND = "#1f2933"


def _id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * exp:
            return step * exp
    return 10 * exp


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    tid, did = _id("t"), _id("d")
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{tid} {did}" xmlns="http://www.w3.org/2000/svg" font-family="inherit" font-size="12">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


@dataclass
class BandRow:
    label: str
    value: float | None  # the bar (potential for the chosen reference)
    low: float | None = None  # bootstrap P10
    high: float | None = None  # bootstrap P90
    range_low: float | None = None  # smallest potential across references
    range_high: float | None = None  # largest potential across references
    highlight: bool = False


def _ticks(vmax: float) -> int:
    """How many grid steps make round tick values up to ``vmax`` (e.g. 250 → 5 steps of 50)."""
    scale = 10 if vmax < 10 else 1  # labels show one decimal below 10, none above
    for n in (4, 5, 2, 3):
        step = vmax / n * scale
        if abs(step - round(step)) < 1e-9:
            return n
    return 4


def band_bars(rows: Sequence[BandRow], *, title: str, desc: str, unit: str = "mio. kr.", scale: float = 1e6,
              label_width: int | None = None) -> Markup:
    """Horizontal bars (one per area) with the bootstrap band as a whisker and the range across references as a
    light box behind the bar."""
    width, row_h, top = 720, 28, 24
    height = top + row_h * max(len(rows), 1) + 30
    if label_width is None:  # room for the longest label at about 6.6 px per character of a 12 px font
        label_width = int(min(320, max(120, 6.6 * max((len(r.label) for r in rows), default=10) + 12)))
    vals = [v for r in rows for v in (r.value, r.high, r.range_high) if v is not None]
    vmax = _nice_max(max(vals, default=0) / scale)
    plot_w = width - label_width - 90
    x = lambda v: label_width + (v / scale) / vmax * plot_w  # noqa: E731
    body: list[str] = []
    steps = _ticks(vmax)
    for i in range(steps + 1):
        gv = vmax * i / steps
        gx = label_width + plot_w * i / steps
        body.append(f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" y2="{height - 26}" stroke="{GRID}"/>'
                    f'<text x="{gx:.1f}" y="{height - 10}" text-anchor="middle" fill="{MUTED}">'
                    f'{escape(fmt_number(gv, 1 if vmax < 10 else 0))}</text>')
    body.append(f'<text x="{width - 4}" y="{height - 10}" text-anchor="end" fill="{MUTED}">{escape(unit)}</text>')
    for i, r in enumerate(rows):
        y = top + i * row_h
        body.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{INK}">'
                    f'{escape(r.label)}</text>')
        if r.range_low is not None and r.range_high is not None and r.range_high > 0:
            rw = max(x(r.range_high) - x(r.range_low), 1)
            body.append(f'<rect x="{x(r.range_low):.1f}" y="{y + 4}" width="{rw:.1f}" '
                        f'height="{row_h - 8}" fill="{GRID}" opacity="0.7"/>')
        if r.value is None:
            body.append(f'<text x="{label_width + 4}" y="{y + 17}" fill="{MUTED}">ikke beregnet</text>')
            continue
        color = HIGHLIGHT if r.highlight else BAR
        body.append(f'<rect x="{label_width}" y="{y + 8}" width="{max(x(r.value) - label_width, 0):.1f}" '
                    f'height="{row_h - 16}" fill="{color}"/>')
        if r.low is not None and r.high is not None:
            cy = y + row_h / 2
            body.append(f'<line x1="{x(r.low):.1f}" y1="{cy}" x2="{x(r.high):.1f}" y2="{cy}" stroke="{BAND}" '
                        f'stroke-width="1.5"/><line x1="{x(r.low):.1f}" y1="{cy - 5}" x2="{x(r.low):.1f}" '
                        f'y2="{cy + 5}" stroke="{BAND}"/><line x1="{x(r.high):.1f}" y1="{cy - 5}" '
                        f'x2="{x(r.high):.1f}" y2="{cy + 5}" stroke="{BAND}"/>')
        body.append(f'<text x="{max(x(r.value), x(r.high or 0), x(r.range_high or 0)) + 6:.1f}" y="{y + 17}" '
                    f'fill="{INK}">{escape(fmt_number(r.value / scale, 1))}</text>')
    return _svg(width, height, title, desc, body)


def distribution(values: Sequence[tuple[str, float | None]], highlight: str, *, title: str, desc: str,
                 unit: str = "kr.") -> Markup:
    """All municipalities as sorted thin bars (highest left), the chosen one highlighted and labelled."""
    items, bars, geometry = _distribution_base(tuple(values), unit)
    left, bw, y, width, height = geometry
    body = list(bars)
    for i, (name, v) in enumerate(items):
        if name != highlight:
            continue
        hx = left + i * bw
        y0, y1 = sorted((y(0), y(v)))
        anchor = "start" if i < len(items) / 2 else "end"
        body.append(f'<rect x="{hx:.1f}" y="{y0:.1f}" width="{max(bw - 1, 1):.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                    f'fill="{HIGHLIGHT}"/>'
                    f'<text x="{hx + bw / 2:.1f}" y="{max(y(v) - 6, 12):.1f}" text-anchor="{anchor}" '
                    f'fill="{HIGHLIGHT}" font-weight="bold">{escape(name)}: {escape(fmt_number(v))} '
                    f'{escape(unit)} (nr. {i + 1} af {len(items)})</text>')
    return _svg(width, height, title, desc, body)


@lru_cache(maxsize=256)
def _distribution_base(values: tuple[tuple[str, float | None], ...], unit: str) -> tuple[Any, ...]:
    """The bars of every municipality (shared by all pages showing the same area and year)."""
    items = sorted(((n, v) for n, v in values if v is not None), key=lambda t: -t[1])
    width, height, left, top, bottom = 720, 220, 60, 16, 30
    vmax = _nice_max(max((v for _, v in items), default=0))
    vmin = min(0.0, min((v for _, v in items), default=0))
    plot_w, plot_h = width - left - 10, height - top - bottom

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - vmin) / (vmax - vmin or 1))

    bw = plot_w / max(len(items), 1)
    body: list[str] = []
    for i in range(5):
        gv = vmin + (vmax - vmin) * i / 4
        body.append(f'<line x1="{left}" y1="{y(gv):.1f}" x2="{width - 10}" y2="{y(gv):.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y(gv) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                    f'{escape(fmt_number(gv))}</text>')
    for i, (name, v) in enumerate(items):
        hx = left + i * bw
        y0, y1 = sorted((y(0), y(v)))
        body.append(f'<rect x="{hx:.1f}" y="{y0:.1f}" width="{max(bw - 1, 1):.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                    f'fill="{BAR}"><title>{escape(name)}: {escape(fmt_number(v))} {escape(unit)}</title></rect>')
    body.append(f'<text x="{left}" y="{height - 8}" fill="{MUTED}">Højeste</text>'
                f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" fill="{MUTED}">Laveste</text>')
    return items, tuple(body), (left, bw, y, width, height)


def lines(series: dict[str, Sequence[tuple[int, float | None]]], *, title: str, desc: str, highlight: str = "",
          unit: str = "kr.") -> Markup:
    """One line per series over the years; gaps (missing values) break the line rather than drawing 0."""
    width, height, left, top, bottom, right = 760, 260, 70, 16, 30, 230
    years = sorted({yr for s in series.values() for yr, _ in s})
    vals = [v for s in series.values() for _, v in s if v is not None]
    if not years or not vals:
        return _svg(width, 60, title, desc, [f'<text x="10" y="30" fill="{MUTED}">Ingen tal</text>'])
    vmax = _nice_max(max(vals))
    vmin = 0.0 if min(vals) >= 0 else -_nice_max(-min(vals))
    plot_w, plot_h = width - left - right, height - top - bottom
    x = lambda yr: left + (plot_w * (years.index(yr) / max(len(years) - 1, 1)))  # noqa: E731
    y = lambda v: top + plot_h * (1 - (v - vmin) / (vmax - vmin or 1))  # noqa: E731
    body: list[str] = []
    for i in range(5):
        gv = vmin + (vmax - vmin) * i / 4
        body.append(f'<line x1="{left}" y1="{y(gv):.1f}" x2="{left + plot_w}" y2="{y(gv):.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y(gv) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                    f'{escape(fmt_number(gv))}</text>')
    for yr in years:
        body.append(f'<text x="{x(yr):.1f}" y="{height - 10}" text-anchor="middle" fill="{MUTED}">{yr}</text>')
    dashes = ["", "4 3", "1 3", "6 2 1 2", "2 2"]
    for k, (name, s) in enumerate(series.items()):
        is_h = name == highlight
        color = HIGHLIGHT if is_h else (INK if k == 1 else BAR)
        dash = "" if is_h else dashes[k % len(dashes)]
        segs: list[list[tuple[float, float]]] = [[]]
        for yr, v in sorted(s):
            if v is None:
                segs.append([])
            else:
                segs[-1].append((x(yr), y(v)))
        for seg in segs:
            if len(seg) > 1:
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in seg)
                sw = 2.5 if is_h else 1.5
                body.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{sw}"'
                            + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
            for a, b in seg:
                body.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="{3 if is_h else 2}" fill="{color}"/>')
        ly = top + 14 + k * 18
        body.append(f'<line x1="{left + plot_w + 12}" y1="{ly - 4}" x2="{left + plot_w + 32}" y2="{ly - 4}" '
                    f'stroke="{color}" stroke-width="2"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
                    f'<text x="{left + plot_w + 36}" y="{ly}" fill="{INK}">{escape(name[:32])}</text>')
    body.append(f'<text x="{left}" y="{top - 4}" fill="{MUTED}">{escape(unit)}</text>')
    return _svg(width, height, title, desc, body)


def chart_context() -> dict[str, Any]:
    return {"band_bars": band_bars, "distribution": distribution, "lines": lines, "BandRow": BandRow}
