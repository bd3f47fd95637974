"""Templates and rendering: the Jinja2 environment (Danish number filters, chart helpers) and :func:`render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2_fragments.fastapi import Jinja2Blocks

from raaderum import __version__
from raaderum.formatting import fmt_date, fmt_kr, fmt_mio, fmt_number, fmt_pct, per_unit, status_label
from raaderum.web.charts import chart_context

HERE = Path(__file__).resolve().parent
templates = Jinja2Blocks(directory=str(HERE / "templates"))
env = templates.env
env.filters.update(num=fmt_number, kr=fmt_kr, mio=fmt_mio, pct=fmt_pct, status=status_label, date=fmt_date,
                   per_unit=per_unit)
env.globals.update(chart_context())
env.globals["version"] = __version__


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200,
           block: str | None = None) -> Response:
    """Render a page, or only ``block`` of it (for htmx requests that swap part of a page)."""
    ctx = {"request": request, **context}
    if block is None and request.headers.get("HX-Request") and context.get("hx_block"):
        block = context["hx_block"]
    if block:
        return templates.TemplateResponse(request, name, ctx, status_code=status_code, block_name=block)
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def render_error(request: Request, status: int, title: str, message: str, *,
                 suggestions: list[str] | None = None, headers: dict[str, str] | None = None) -> Response:
    """The Danish error page (HTML), or ``{"error": message}`` for the JSON API under ``/api/``."""
    from fastapi.responses import JSONResponse  # lazy: only on errors

    if request.url.path.startswith("/api/"):
        body: dict[str, Any] = {"error": message}
        if suggestions is not None:
            body["suggestions"] = suggestions
        response: Response = JSONResponse(body, status_code=status)
    else:
        response = render(request, "error.html", {"title": title, "message": message,
                                                  "suggestions": suggestions or []}, status_code=status)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


__all__ = ["env", "render", "render_error", "templates"]
