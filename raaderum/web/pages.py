"""HTML pages. Thin: parse the query, call the core, hand a context to a template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from raaderum.catalog import load_catalog
from raaderum.release import open_release
from raaderum.web.app import render
from raaderum.web.tables import Column, DataTable

router = APIRouter()


def export_or_render(request: Request, template: str, context: dict[str, Any], tables: list[DataTable]) -> Response:
    """``?format=csv|xlsx&table=ID`` returns that table as a file; otherwise the page is rendered."""
    fmt = request.query_params.get("format")
    if fmt:
        from raaderum.errors import InputError

        wanted = request.query_params.get("table")
        table = next((t for t in tables if t.id == wanted), None)
        if table is None:
            raise InputError(f"Ukendt tabel {wanted!r}; tabellerne på siden er: {', '.join(t.id for t in tables)}.")
        name = f"raaderum-{table.id}"
        if fmt == "csv":
            return Response(table.to_csv(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
        if fmt == "xlsx":
            return Response(table.to_xlsx(),
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
        raise InputError(f"Ukendt format {fmt!r}; brug csv eller xlsx.")
    return render(request, template, {**context, "tables": {t.id: t for t in tables}})


@router.get("/", include_in_schema=False)
def forside(request: Request) -> Response:
    rel = open_release()
    return render(request, "index.html", {"title": "Forside", "nav": "forside",
                                          "municipalities": list(rel.register)})


@router.get("/kommune", include_in_schema=False)
def choose(q: str = Query(..., min_length=1, max_length=100, description="Kommunenavn eller -kode")) -> Response:
    m = open_release().register.resolve(q)
    return RedirectResponse(f"/kommune/{m.code}", status_code=303)


@router.get("/metode", include_in_schema=False)
def metode(request: Request) -> Response:
    rel = open_release()
    cat = load_catalog()
    areas = DataTable("omraader", "Serviceområder, funktioner og målgrupper", [
        Column("name", "Område"), Column("explanation", "Forklaring"), Column("functions", "Funktioner"),
        Column("target", "Målgruppe (nævner)"), Column("committee", "Standardudvalg")], [
        {"name": a.name, "explanation": a.explanation,
         "functions": ", ".join(f"{f} {rel.function_labels.get(f, '')}" for f in a.functions),
         "target": cat.target_group(a.target_group).name, "committee": a.committee} for a in cat.areas],
        source=f"Servicekatalog version {cat.version}.")
    sources = DataTable("kilder", "Kilder i datareleasen", [
        Column("title", "Kilde"), Column("table", "Tabel"), Column("years", "År"), Column("attribution", "Kreditering"),
        Column("licence", "Licens"), Column("provenance", "Oprindelse")],
        [{k: s.get(k, "") for k in ("title", "table", "years", "attribution", "licence", "provenance")}
         for s in rel.manifest.get("sources", [])], source=f"Datarelease {rel.id}, bygget {rel.manifest['built_at']}.")
    methods = DataTable("skoen", "Skøn og manglende værdier", [Column("id", "Id"), Column("text", "Metode")],
                        [{"id": k, "text": v} for k, v in {**rel.manifest.get("methods", {}),
                                                           **rel.manifest.get("missing_reasons", {})}.items()])
    files = DataTable("filer", "Inputfiler og kontrolsummer", [Column("path", "Fil"), Column("sha256", "sha256")],
                      [{"path": f["path"], "sha256": f["sha256"]} for s in rel.manifest.get("sources", [])
                       for f in s.get("files", [])])
    ctx = {"title": "Metode og data", "nav": "metode", "release": rel, "manifest": rel.manifest,
           "extra_sections": method_sections()}
    return export_or_render(request, "metode.html", ctx, [areas, sources, methods, files])


def method_sections() -> list[dict[str, Any]]:
    """Formulas and defaults of the benchmark, from the core's registries (filled in when available)."""
    try:
        from raaderum.benchmark import method_description  # type: ignore[attr-defined]
    except ImportError:
        return []
    return list(method_description())
