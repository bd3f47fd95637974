"""JSON API under /api/v1. Thin: the same core functions as the pages and the CLI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from raaderum.figures import key_figures
from raaderum.release import open_release

router = APIRouter(prefix="/api/v1", tags=["Råderum"])


@router.get("/municipalities", summary="De 98 kommuner")
def municipalities(
    q: str | None = Query(None, max_length=100, description="Filtrér på navn eller kode"),
) -> dict[str, Any]:
    rel = open_release()
    items = [m.to_dict() for m in rel.register]
    if q:
        found = rel.register.find(q)
        items = [found.to_dict()] if found else [m.to_dict() for m in rel.register
                                                 if q.casefold() in m.name.casefold()]
    return {"release_id": rel.id, "municipalities": items}


@router.get("/key-figures/{kommune}", summary="Nøgletal for en kommune")
def key_figures_api(kommune: str, year: int | None = Query(None, ge=2000, le=2100)) -> dict[str, Any]:
    return key_figures(open_release(), kommune, year).to_dict()
