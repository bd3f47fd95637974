"""The råderumskatalog in the web app (/katalog): a page per catalogue, per scenario and per proposal, with the same
actions as the CLI, the committee material as PDF, Word and Excel, the discussion guide and the one-page summary
for politicians as PDF. Thin: permissions, validation and audit live in :mod:`raaderum.server.catalogue`; what a
page shows is :func:`raaderum.reports.catalogue_report.build_report`.

Who sees what: a logged-in user the catalogues of their own municipality (the operator any); a read-only link
(/katalog/del/<token>) one catalogue; on the embedded default without user accounts, the local user
(:func:`raaderum.server.catalogue.local_actor`, only from 127.0.0.1) the municipality chosen once. Every POST has
passed the CSRF check of the middleware (the local user's token is the pre-login cookie's).
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from raaderum.analysis.benchmark import REFERENCES, resolve_reference
from raaderum.catalog import load_catalog
from raaderum.errors import CatalogueProposalNotFound, InputError, PermissionDenied, ScenarioNotFound
from raaderum.ideas import SearchFilters
from raaderum.release.reader import open_release
from raaderum.reports.catalogue_docx import committee_docx
from raaderum.reports.catalogue_guide import build_guide
from raaderum.reports.catalogue_pdf import ONE_PAGE_CSS, committee_pdf, guide_pdf, html_to_pdf, render_guide
from raaderum.reports.catalogue_report import CatalogueReport, build_report, fmt_signed, fmt_staff, fmt_when
from raaderum.reports.catalogue_xlsx import committee_xlsx
from raaderum.server import catalogue as cs
from raaderum.server.permissions import OPERATOR, can
from raaderum.store import catalogue as cstore
from raaderum.store.ideas import default_store
from raaderum.store.links import proposals_for_gap
from raaderum.store.models import CATALOGUE_STATUSES, User
from raaderum.web import views
from raaderum.web.deps import (
    LOGIN_CSRF_COOKIE,
    FormRowId,
    LoginRequired,
    RowId,
    current_user,
    get_engine,
    secure_cookies,
)
from raaderum.web.routes import pages
from raaderum.web.tables import Column, DataTable
from raaderum.web.templating import env, render, templates

router = APIRouter(include_in_schema=False)

env.filters.update(signed=fmt_signed, staff=fmt_staff, catalogue_status=cstore.status_label, when=fmt_when)

NOTICES = {
    "oprettet": "Kataloget er oprettet.", "gemt": "Ændringen er gemt.", "forslag": "Forslaget er oprettet.",
    "hentet": "Forslaget er hentet fra idébanken og kan nu rettes til.", "status": "Status er ændret.",
    "maal": "Målet er gemt.", "scenarie": "Scenariet er gemt.", "slettet": "Scenariet er slettet.",
    "delt": "Læselinket er oprettet.", "tilbagekaldt": "Læselinket er tilbagekaldt.",
    "kommune": "Kommunen er valgt; den bruges, hver gang du åbner råderumskataloget på denne maskine.",
}
#: ``?maalforslag=demografi``: the target form pre-filled with −demographic pressure (nothing is saved).
PREFILL_NOTICE = ("Målfelterne er udfyldt med forslaget mål = −demografisk pres (afrundet til hele 1.000 kr.). Intet "
                  "er gemt endnu: tjek tallene, og tryk Gem for hvert udvalg, du vil bruge dem for.")
FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ------------------------------------------------------------------------------------------------ helpers


def _viewer(request: Request) -> User | None:
    """The logged-in user, else the embedded default's local user (only from 127.0.0.1 without accounts)."""
    user = current_user(request)
    if user is not None:
        return user
    return cs.local_actor(get_engine(), request.client.host if request.client else None,
                          request.headers.get("host"))


def _actor(request: Request) -> User:
    """The acting user of a POST; none (not logged in, not the local user) is refused with 403, as every service
    would refuse it."""
    actor = _viewer(request)
    if actor is None:
        raise PermissionDenied("Du skal være logget ind for at ændre noget i råderumskataloget.")
    return actor


def _reader(request: Request, code: int) -> User:
    viewer = _viewer(request)
    if viewer is None:
        raise LoginRequired()
    return cs.require_read(viewer, code)


def _is_local(user: User | None) -> bool:
    return user is not None and user.id is None and user.name == cs.LOCAL_ACTOR_NAME


def _page(request: Request, template: str, ctx: dict[str, Any], viewer: User | None, *,
          status_code: int = 200) -> Response:
    """Render a page of the catalogue (never cached; the local user gets a CSRF token cookie)."""
    fresh = _is_local(viewer) and current_user(request) is None and request.cookies.get(LOGIN_CSRF_COOKIE) is None
    if fresh:
        request.state.raaderum_login_csrf = secrets.token_urlsafe(32)
    # Rendered to a string here rather than through a TemplateResponse: the response holds no reference to the
    # context (the report with its 300 ORM objects), so the page's objects are freed by reference counting when the
    # request ends, under any server. (A test client's http.response.debug extension keeps a TemplateResponse's
    # context in a reference cycle: ~3.700 objects a request for the garbage collector, which the bench measured.)
    page = templates.get_template(template).render({"request": request, "nav": "katalog", "viewer": viewer,
                                                    "local": _is_local(viewer), **ctx})
    response: Response = HTMLResponse(page, status_code=status_code)
    if fresh:
        response.set_cookie(LOGIN_CSRF_COOKIE, request.state.raaderum_login_csrf, httponly=True, samesite="lax",
                            secure=secure_cookies(request), path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(path: str, notice: str, anchor: str = "") -> Response:
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}ok={notice}" + (f"#{anchor}" if anchor else ""), status_code=303)


def _names() -> dict[int, str]:
    return {m.code: m.name for m in sorted(open_release().register, key=lambda m: m.name)}


def _slug(*parts: str) -> str:
    text = " ".join(p for p in parts if p).lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:120] or "raaderumskatalog"


def _csv_safe(table: DataTable) -> DataTable:
    """The table with text cells that a spreadsheet would read as a formula prefixed by an apostrophe (CSV only:
    the Excel download writes every text as text)."""
    text_keys = {c.key for c in table.columns if not c.numeric}
    rows = [{k: ("'" + v if k in text_keys and isinstance(v, str) and v.startswith(_FORMULA_START) else v)
             for k, v in r.items()} for r in table.rows]
    return DataTable(table.id, table.title, table.columns, rows, table.source, table.note)


def _export(request: Request, tables: list[DataTable]) -> Response | None:
    """``?format=csv|xlsx&table=ID``: that table as a file (every table on the catalogue's pages is downloadable)."""
    fmt = request.query_params.get("format")
    if not fmt:
        return None
    wanted = request.query_params.get("table")
    table = next((t for t in tables if t.id == wanted), None)
    if table is None:
        raise InputError(f"Ukendt tabel {wanted!r}; tabellerne på siden er: {', '.join(t.id for t in tables)}.")
    if fmt == "csv":
        return Response(_csv_safe(table).to_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="raaderum-{table.id}.csv"',
                                 "Cache-Control": "no-store"})
    if fmt == "xlsx":
        return Response(table.to_xlsx(), media_type=FORMATS["xlsx"],
                        headers={"Content-Disposition": f'attachment; filename="raaderum-{table.id}.xlsx"',
                                 "Cache-Control": "no-store"})
    raise InputError(f"Ukendt format {fmt!r}; brug csv eller xlsx.")


def scenario_table(r: CatalogueReport) -> DataTable:
    """The catalogue's scenarios with their sums for the whole catalogue (a table on the catalogue page)."""
    cols = [Column("name", "Scenarie"), Column("n", "Forslag", "int"),
            *(Column(p, f"{label}, 1.000 kr.", "num1") for p, label in r.periods)]
    rows = [{"name": sd.scenario.name, "n": len(sd.members), **t.amounts} for sd, t in r.data.scenario_totals]
    return DataTable("scenarier", "Scenarier, sum for hele kataloget", cols, rows,
                     note="Negativ = besparelse, positiv = merudgift.")


def report_tables(r: CatalogueReport) -> list[DataTable]:
    """The tables of a catalogue page as downloads: totals against targets, the proposals, the follow-up."""
    periods = r.periods
    tcols = [Column("committee", "Udvalg"), Column("line", "Linje"),
             *(Column(p, f"{label}, 1.000 kr.", "num1") for p, label in periods)]
    trows: list[dict[str, Any]] = []
    for t in r.totals:
        trows.append({"committee": t.label, "line": f"Forslag i alt ({t.count})", **t.amounts})
        if t.has_target:
            trows.append({"committee": t.label, "line": "Mål", **t.target})
            trows.append({"committee": t.label, "line": "Forskel (sum − mål; positiv = ikke nået)", **t.remaining})
    note = "Negativ = besparelse, positiv = merudgift. Fravalgte og udsatte forslag tæller ikke med."
    summer = DataTable("summer", f"Summer pr. år og udvalg mod målet ({r.scenario_label})", tcols, trows,
                       source=f"{r.title}, {r.municipality_name} Kommune, budget {r.budget_year}.", note=note)
    pcols = [Column("id", "Nr.", "int"), Column("title", "Titel"), Column("committee", "Udvalg"),
             Column("area", "Område"), Column("status", "Status"),
             *(Column(p, f"{label}, 1.000 kr.", "num1") for p, label in periods),
             Column("once", "Engangsinvestering, 1.000 kr.", "num1"), Column("staff", "Årsværk", "num1"),
             Column("gap", "Gab i området, kr. om året", "kr"), Column("share", "Andel af gabet", "pct"),
             Column("source", "Kilde")]
    prows = [{"id": v.id, "title": v.p.title, "committee": v.p.committee, "area": v.area_name,
              "status": cstore.status_label(v.p.status), **dict(zip([p for p, _ in periods], v.amounts(), strict=True)),
              "once": v.p.one_off_investment, "staff": v.p.staff_effect, "gap": v.gap.potential if v.gap else None,
              "share": v.share, "source": v.source_text} for v in r.proposals]
    forslag = DataTable("forslag", "Forslag", pcols, prows, source=" ".join(t for _, t in r.method_lines()[3:5]),
                        note=note)
    fcols = [Column("area", "Område"), Column("year", "År", "int"), Column("expected", "Forventet effekt, 1.000 kr.",
                                                                            "num1"),
             Column("observed", "Observeret udvikling i regnskabet, 1.000 kr.", "num1"),
             Column("unit", "Udgift pr. person, kr. (faste priser)", "kr"), Column("change", "Ændring", "pct"),
             Column("note", "Note")]
    frows = [{"area": g.area_name, "year": y.year, "expected": y.expected, "observed": y.observed if y.comparable
              else None, "unit": y.unit_cost_fixed, "change": y.change, "note": y.note}
             for g in r.followups if g.result is not None for y in g.result.years]
    method = next((g.result.method for g in r.followups if g.result), "")
    opf = DataTable("opfoelgning", "Opfølgning (sammenligning, ikke bevis for effekt)", fcols, frows, source=method)
    return [summer, forslag, opf]


def _choices(user: User) -> dict[int, str] | None:
    return _names() if user.role == OPERATOR else None


def _catalogue_ctx(r: CatalogueReport, viewer: User | None, base: str, *, readonly: bool = False) -> dict[str, Any]:
    code = r.data.municipality_code
    editable = not readonly and viewer is not None
    return {
        "r": r, "base": base, "readonly": readonly, "code_": code,
        "may": {a: editable and can(viewer, f"catalogue.{a}", code)
                for a in ("edit", "status", "target", "scenario", "share")},
        "committees": cs.municipality_committees(get_engine(), code), "references": list(REFERENCES.values()),
        "scenario_totals": r.data.scenario_totals,
        "statuses": CATALOGUE_STATUSES,
    }


# ------------------------------------------------------------------------------------------------ list, create


@router.get("/katalog")
def catalogue_list(request: Request, ok: str | None = None,
                   kommune: str | None = Query(None, max_length=100)) -> Response:
    viewer = _viewer(request)
    if viewer is None:
        raise LoginRequired()
    engine = get_engine()
    code: int | None = viewer.municipality_code
    if viewer.role == OPERATOR:
        code = int(open_release().register.resolve(kommune).code) if kommune else None
    rows = cstore.catalogues(engine, code) if (code is not None or viewer.role == OPERATOR) else []
    counts = cstore.proposal_counts(engine, [c.id for c in rows])
    names = _names()
    table = DataTable("kataloger", "Råderumskataloger", [
        Column("id", "Nr.", "int"), Column("name", "Katalog"), Column("municipality", "Kommune"),
        Column("year", "Budgetår", "int"), Column("n", "Forslag", "int"), Column("by", "Senest ændret af")],
        [{"id": c.id, "name": c.name, "municipality": names.get(c.municipality_code, ""), "year": c.budget_year,
          "n": counts.get(c.id, 0), "by": c.updated_by} for c in rows])
    exported = _export(request, [table])
    if exported is not None:
        return exported
    return _page(request, "katalog_liste.html", {
        "title": "Råderumskatalog", "notice": NOTICES.get(ok or ""), "code_": code, "names": names,
        "municipality_name": names.get(code) if code else None, "rows": rows, "counts": counts,
        "may_create": code is not None and can(viewer, "catalogue.create", code) or viewer.role == OPERATOR,
        "choices": _choices(viewer) if not _is_local(viewer) else None, "choose": _is_local(viewer),
        "next_year": open_release().years[-1] + 3, "references": list(REFERENCES.values()), "table": table,
        "page_url": "/katalog" + (f"?kommune={code}" if viewer.role == OPERATOR and code else "")}, viewer)


@router.post("/katalog/lokal")
def choose_local(request: Request, kommune: str = Form(..., max_length=100)) -> Response:
    cs.choose_local_municipality(get_engine(), request.client.host if request.client else None,
                                 request.headers.get("host"), kommune)
    return _back("/katalog", "kommune")


@router.post("/katalog")
def catalogue_create(request: Request, navn: str = Form(..., max_length=200), budgetaar: str = Form(..., max_length=10),
                     kommune: str | None = Form(None, max_length=100),
                     reference: str = Form("peer_mean", max_length=40)) -> Response:
    actor = _actor(request)
    if kommune not in (None, ""):
        code = int(open_release().register.resolve(str(kommune).strip()).code)
    elif actor.municipality_code is not None:
        code = int(actor.municipality_code)
    else:
        raise InputError("Vælg en kommune (feltet 'kommune').")
    c = cs.create_catalogue(get_engine(), actor, code, budgetaar, navn, reference=reference)
    return _back(f"/katalog/{c.id}", "oprettet")


# ------------------------------------------------------------------------------------------------ shared (read-only)


def _shared(token: str) -> int:
    return cstore.shared_catalogue_id(get_engine(), token)


@router.get("/katalog/del/{token}")
def shared_page(request: Request, token: str) -> Response:
    cid = _shared(token)
    r = build_report(get_engine(), cid, with_demography=True)
    tables = [*report_tables(r), scenario_table(r), pressure_table(r)]
    exported = _export(request, tables)
    if exported is not None:
        return exported
    base = f"/katalog/del/{token}"
    response = _page(request, "katalog.html", {**_catalogue_ctx(r, None, base, readonly=True),
                                               "title": f"{r.title} – {r.municipality_name} Kommune (læselink)",
                                               "tables": {t.id: t for t in tables}, "page_url": base}, None)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/katalog/del/{token}/dokument")
def shared_document(request: Request, token: str, format: str = Query("pdf", max_length=10),
                    udvalg: str | None = Query(None, max_length=200),
                    scenarie: str | None = Query(None, max_length=200)) -> Response:
    cid = _shared(token)
    response = _document(request, cid, format, udvalg, scenarie)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/katalog/del/{token}/tilbagekald")
def share_revoke(request: Request, token: str) -> Response:
    link = cs.revoke_share_link(get_engine(), _actor(request), token)
    return _back(f"/katalog/{link.catalogue_id}", "tilbagekaldt", "del")


# ------------------------------------------------------------------------------------------------ a catalogue


def pressure_table(r: CatalogueReport) -> DataTable:
    """The demographic pressure per year for the municipality and per committee (1.000 kr., + = merudgift)."""
    cols = [Column("committee", "Udvalg"), Column("areas", "Områder"),
            *(Column(p, f"{label}, 1.000 kr.", "num1") for p, label in r.periods)]
    lines = r.pressure.lines if r.pressure is not None else []
    rows = [{"committee": ln.label, "areas": ", ".join(ln.areas), **ln.pressure} for ln in lines]
    return DataTable("demografi", "Demografisk pres pr. år (fremskrivning)", cols, rows,
                     source=r.pressure.note if r.pressure is not None else r.pressure_note,
                     note=r.pressure.sign if r.pressure is not None else "")


@router.get("/katalog/{cid}")
def catalogue_page(request: Request, cid: RowId, ok: str | None = None,
                   maalforslag: str | None = Query(None, max_length=20)) -> Response:
    engine = get_engine()
    data = cstore.load_catalogue(engine, cid)
    viewer = _reader(request, data.municipality_code)
    r = build_report(engine, data, with_demography=True)
    tables = [*report_tables(r), scenario_table(r), pressure_table(r)]
    exported = _export(request, tables)
    if exported is not None:
        return exported
    base = f"/katalog/{cid}"
    prefill = maalforslag == "demografi" and r.pressure is not None
    return _page(request, "katalog.html", {**_catalogue_ctx(r, viewer, base), "title": f"{r.title} – "
                                           f"{r.municipality_name} Kommune",
                                           "notice": PREFILL_NOTICE if prefill else NOTICES.get(ok or ""),
                                           "prefill": prefill, "tables": {t.id: t for t in tables},
                                           "page_url": base}, viewer)


@router.post("/katalog/{cid}")
def catalogue_edit(request: Request, cid: RowId, version: str = Form(..., max_length=20),
                   navn: str | None = Form(None, max_length=200), budgetaar: str | None = Form(None, max_length=10),
                   reference: str | None = Form(None, max_length=40)) -> Response:
    cs.edit_catalogue(get_engine(), _actor(request), cid, version, name=navn, budget_year=budgetaar,
                      reference=reference)
    return _back(f"/katalog/{cid}", "gemt", "indstillinger")


@router.get("/katalog/{cid}/dokument")
def document(request: Request, cid: RowId, format: str = Query("pdf", max_length=10),
             udvalg: str | None = Query(None, max_length=200),
             scenarie: str | None = Query(None, max_length=200)) -> Response:
    data = cstore.load_catalogue(get_engine(), cid)
    _reader(request, data.municipality_code)
    return _document(request, cid, format, udvalg, scenarie)


def _document(request: Request, cid: int, fmt: str, udvalg: str | None, scenarie: str | None) -> Response:
    """The committee material (per committee and scenario) as pdf, docx, xlsx, or html (the same document)."""
    if fmt not in (*FORMATS, "html"):
        raise InputError(f"Ukendt format {fmt!r}; brug pdf, docx, xlsx eller html.")
    r = build_report(get_engine(), cid, scenario=scenarie or None, committee=udvalg or None, with_history=True)
    if fmt == "html":
        query = urlencode({k: v for k, v in (("format", "pdf"), ("udvalg", udvalg), ("scenarie", scenarie)) if v})
        response = render(request, "katalog_dokument.html", {"r": r, "pdf": False, "query_pdf": query})
        response.headers["Cache-Control"] = "no-store"
        return response
    data = {"pdf": committee_pdf, "docx": committee_docx, "xlsx": committee_xlsx}[fmt](r)
    name = _slug("udvalgsmateriale", r.municipality_name, r.title, r.committee or "",
                 r.scenario.scenario.name if r.scenario else "")
    return Response(data, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "no-store"})


@router.post("/katalog/{cid}/del")
def share_create(request: Request, cid: RowId) -> Response:
    cs.create_share_link(get_engine(), _actor(request), cid)
    return _back(f"/katalog/{cid}", "delt", "del")


@router.post("/katalog/{cid}/maal")
def target_save(request: Request, cid: RowId, version: str = Form("0", max_length=20),
                udvalg: str | None = Form(None, max_length=200), b: str | None = Form(None, max_length=40),
                bo1: str | None = Form(None, max_length=40), bo2: str | None = Form(None, max_length=40),
                bo3: str | None = Form(None, max_length=40)) -> Response:
    amounts = {p: v for p, v in (("b", b), ("bo1", bo1), ("bo2", bo2), ("bo3", bo3)) if v is not None}
    cs.set_target(get_engine(), _actor(request), cid, udvalg, amounts, version)
    return _back(f"/katalog/{cid}", "maal", "maal")


# ------------------------------------------------------------------------------------------------ proposals


def _proposal_fields(form: Any) -> dict[str, Any]:
    return {k: v for k, v in form.items() if k in cs.PROPOSAL_FIELDS and isinstance(v, str)}


def _form_ctx(r: CatalogueReport, viewer: User) -> dict[str, Any]:
    cat = load_catalog()
    areas = {**{a.id: a.name for a in cat.areas}, **{t.id: f"{t.name} (tema)" for t in cat.themes}}
    return {"areas": areas, "committees": cs.municipality_committees(get_engine(), r.data.municipality_code),
            "statuses": CATALOGUE_STATUSES, "r": r, "base": f"/katalog/{r.data.id}",
            "may_edit": can(viewer, "catalogue.edit", r.data.municipality_code),
            "may_status": can(viewer, "catalogue.status", r.data.municipality_code)}


@router.get("/katalog/{cid}/forslag/ny")
def proposal_new(request: Request, cid: RowId) -> Response:
    engine = get_engine()
    data = cstore.load_catalogue(engine, cid)
    viewer = _reader(request, data.municipality_code)
    r = build_report(engine, data, with_followup=False)
    return _page(request, "katalog_forslag.html", {**_form_ctx(r, viewer), "title": "Nyt forslag", "v": None,
                                                   "values": {}}, viewer)


@router.post("/katalog/{cid}/forslag")
async def proposal_create(request: Request, cid: RowId) -> Response:
    form = await request.form()
    actor = _actor(request)
    p = await run_in_threadpool(cs.add_proposal, get_engine(), actor, cid, _proposal_fields(form))
    return _back(f"/katalog/{cid}/forslag/{p.id}", "forslag")


@router.get("/katalog/{cid}/idebank")
def adopt_search(request: Request, cid: RowId, q: str | None = Query(None, max_length=200),
                 omraade: str | None = Query(None, max_length=60)) -> Response:
    engine = get_engine()
    data = cstore.load_catalogue(engine, cid)
    viewer = _reader(request, data.municipality_code)
    store = default_store()
    r = build_report(engine, data, with_followup=False)
    hits: list[Any] = []
    suggestions: list[Any] = []
    if q or omraade:
        result = store.search(q or "", SearchFilters(area=omraade or None), limit=30)
        hits = [h.record for h in result.hits]
    else:
        top = [g for g in sorted(r.gaps.values(), key=lambda g: -(g.potential or 0)) if (g.potential or 0) > 0][:3]
        for g in top:
            for lp in proposals_for_gap(data.municipality_code, g.area_id, benchmark=r.benchmark,  # type: ignore[arg-type]
                                        store=store, limit=12):
                if lp.municipality_code != data.municipality_code:
                    suggestions.append((g, lp))
    cat = load_catalog()
    return _page(request, "katalog_idebank.html", {
        "title": f"Hent forslag fra idébanken til {data.catalogue.name}", "r": r, "base": f"/katalog/{cid}",
        "q": q or "", "omraade": omraade or "", "hits": hits, "suggestions": suggestions,
        "areas": {**{a.id: a.name for a in cat.areas}, **{t.id: t.name for t in cat.themes}},
        "may_edit": can(viewer, "catalogue.edit", data.municipality_code)}, viewer)


@router.post("/katalog/{cid}/fra-idebank")
def proposal_adopt(request: Request, cid: RowId, proposal_id: FormRowId) -> Response:
    p = cs.adopt_proposal(get_engine(), _actor(request), cid, proposal_id)
    return _back(f"/katalog/{cid}/forslag/{p.id}", "hentet")


def _proposal_of(engine: Any, cid: int, pid: int) -> cstore.CatalogueData:
    data = cstore.load_catalogue(engine, cid)
    data.proposal(pid)  # CatalogueProposalNotFound when it is not in this catalogue
    return data


@router.get("/katalog/{cid}/forslag/{pid}")
def proposal_page(request: Request, cid: RowId, pid: RowId, ok: str | None = None) -> Response:
    engine = get_engine()
    data = _proposal_of(engine, cid, pid)
    viewer = _reader(request, data.municipality_code)
    r = build_report(engine, data, with_history=True, with_followup=False)
    v = next(x for x in r.proposals if x.id == pid)
    values = {f: getattr(v.p, f) for f in cs.PROPOSAL_FIELDS}
    for f in (*cs.AMOUNT_FIELDS, "staff_effect"):
        values[f] = _form_number(values[f])
    return _page(request, "katalog_forslag.html", {**_form_ctx(r, viewer), "title": f"Forslag nr. {pid}: {v.p.title}",
                                                   "v": v, "values": values, "notice": NOTICES.get(ok or "")}, viewer)


def _form_number(v: float | None) -> str:
    if v is None:
        return ""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@router.post("/katalog/{cid}/forslag/{pid}")
async def proposal_edit(request: Request, cid: RowId, pid: RowId) -> Response:
    form = await request.form()
    actor = _actor(request)
    version = form.get("version")
    _proposal_in(cid, pid)
    await run_in_threadpool(cs.edit_proposal, get_engine(), actor, pid, version if isinstance(version, str) else None,
                            _proposal_fields(form))
    return _back(f"/katalog/{cid}/forslag/{pid}", "gemt")


def _proposal_in(cid: int, pid: int) -> None:
    p = cstore.get_proposal(get_engine(), pid)
    if p.catalogue_id != cid:
        raise CatalogueProposalNotFound(f"Forslag nr. {pid} er ikke i katalog nr. {cid}.")


@router.post("/katalog/{cid}/forslag/{pid}/status")
def proposal_status(request: Request, cid: RowId, pid: RowId, version: str = Form(..., max_length=20),
                    status: str = Form(..., max_length=40), note: str = Form("", max_length=20000)) -> Response:
    _proposal_in(cid, pid)
    cs.set_status(get_engine(), _actor(request), pid, version, status, note)
    return _back(f"/katalog/{cid}/forslag/{pid}", "status", "status")


# ------------------------------------------------------------------------------------------------ scenarios


@router.post("/katalog/{cid}/scenarie")
async def scenario_create(request: Request, cid: RowId) -> Response:
    form = await request.form()
    actor = _actor(request)
    name, text = form.get("name"), form.get("description")
    ids = [v for v in form.getlist("forslag") if isinstance(v, str)]
    sc = await run_in_threadpool(lambda: cs.create_scenario(get_engine(), actor, cid,
                                                            name if isinstance(name, str) else "",
                                                            description=text if isinstance(text, str) else "",
                                                            proposal_ids=ids))
    return _back(f"/katalog/{cid}/scenarie/{sc.id}", "scenarie")


def _scenario_of(data: cstore.CatalogueData, sid: int) -> cstore.ScenarioData:
    sd = next((s for s in data.scenarios if s.scenario.id == sid), None)
    if sd is None:
        raise ScenarioNotFound(f"Scenarie nr. {sid} findes ikke i katalog nr. {data.id}.")
    return sd


@router.get("/katalog/{cid}/scenarie/{sid}")
def scenario_page(request: Request, cid: RowId, sid: RowId, ok: str | None = None) -> Response:
    engine = get_engine()
    data = cstore.load_catalogue(engine, cid)
    sd = _scenario_of(data, sid)
    viewer = _reader(request, data.municipality_code)
    r = build_report(engine, data, scenario=sid, with_followup=False)
    everything = build_report(engine, data, with_followup=False)
    tables = report_tables(r)[:2]
    exported = _export(request, tables)
    if exported is not None:
        return exported
    base = f"/katalog/{cid}"
    return _page(request, "katalog_scenarie.html", {
        "title": f"{sd.scenario.name} – {data.catalogue.name}", "r": r, "all": everything, "sd": sd, "base": base,
        "notice": NOTICES.get(ok or ""), "tables": {t.id: t for t in tables}, "page_url": f"{base}/scenarie/{sid}",
        "may_scenario": can(viewer, "catalogue.scenario", data.municipality_code)}, viewer)


@router.post("/katalog/{cid}/scenarie/{sid}")
async def scenario_edit(request: Request, cid: RowId, sid: RowId) -> Response:
    form = await request.form()
    actor = _actor(request)
    version, name, text = form.get("version"), form.get("name"), form.get("description")
    members = form.get("medlemmer") == "1"
    ids = [v for v in form.getlist("forslag") if isinstance(v, str)]

    def save() -> None:
        engine = get_engine()
        sc_row = _scenario_row(engine, cid, sid)
        cs.edit_scenario(engine, actor, sc_row, version if isinstance(version, str) else None,
                         name=name if isinstance(name, str) else None,
                         description=text if isinstance(text, str) else None,
                         proposal_ids=ids if members else None)

    await run_in_threadpool(save)
    return _back(f"/katalog/{cid}/scenarie/{sid}", "scenarie")


def _scenario_row(engine: Any, cid: int, sid: int) -> int:
    """``sid`` when the scenario is in catalogue ``cid`` (the service checks the permission on its catalogue)."""
    data = cstore.load_catalogue(engine, cid)
    return _scenario_of(data, sid).scenario.id


@router.post("/katalog/{cid}/scenarie/{sid}/slet")
def scenario_delete(request: Request, cid: RowId, sid: RowId, version: str = Form(..., max_length=20)) -> Response:
    engine = get_engine()
    cs.delete_scenario(engine, _actor(request), _scenario_row(engine, cid, sid), version)
    return _back(f"/katalog/{cid}", "slettet", "scenarier")


@router.get("/katalog/{cid}/sammenlign")
def compare(request: Request, cid: RowId, scenarie: list[int] = Query([], max_length=6)) -> Response:
    engine = get_engine()
    data = cstore.load_catalogue(engine, cid)
    viewer = _reader(request, data.municipality_code)
    chosen = [_scenario_of(data, s) for s in dict.fromkeys(scenarie) if 1 <= s <= 2**31 - 1]
    if not chosen:
        chosen = data.scenarios[:2]
    reports = [build_report(engine, data, scenario=sd.scenario.id, with_followup=False) for sd in chosen]
    everything = build_report(engine, data, with_followup=False)
    committees = [t.committee for t in everything.totals if t.committee]
    rows: list[dict[str, Any]] = []
    for c in [*committees, ""]:
        cells: list[dict[str, float | None]] = []
        for rep in reports:
            t = next((x for x in rep.totals if x.committee == c), None)
            cells.append({p: (t.amounts[p] if t else 0.0) for p, _ in everything.periods})
        diff = ({p: (cells[1][p] or 0.0) - (cells[0][p] or 0.0) for p, _ in everything.periods}
                if len(cells) >= 2 else None)
        target = data.targets.get(c)
        rows.append({"committee": c or "I alt", "cells": cells, "diff": diff,
                     "target": cstore.amounts_of(target) if target else None})
    tcols = [Column("committee", "Udvalg")]
    for i, rep in enumerate(reports):
        for p, label in everything.periods:
            tcols.append(Column(f"{i}_{p}", f"{rep.scenario_label}: {label}", "num1"))
    trows = [{"committee": row["committee"], **{f"{i}_{p}": row["cells"][i][p] for i, _ in enumerate(reports)
                                                for p, _ in everything.periods}} for row in rows]
    table = DataTable("sammenligning", "Scenarier side om side, 1.000 kr. (negativ = besparelse)", tcols, trows)
    members = [(v, [v.id in sd.members for sd in chosen]) for v in everything.proposals]
    member_table = DataTable(
        "medlemmer", "Forslag i hvert scenarie", [Column("id", "Nr.", "int"), Column("title", "Forslag"),
                                                  Column("committee", "Udvalg"),
                                                  Column("full", "Fuld årsvirkning, 1.000 kr.", "num1"),
                                                  *(Column(f"s{i}", sd.scenario.name) for i, sd in enumerate(chosen))],
        [{"id": v.id, "title": v.p.title, "committee": v.p.committee, "full": v.full_year,
          **{f"s{i}": "med" if f else "" for i, f in enumerate(flags)}} for v, flags in members])
    exported = _export(request, [table, member_table])
    if exported is not None:
        return exported
    return _page(request, "katalog_sammenlign.html", {
        "title": f"Sammenlign scenarier – {data.catalogue.name}", "r": everything, "reports": reports,
        "chosen": chosen, "rows": rows, "members": members, "base": f"/katalog/{cid}", "table": table,
        "member_table": member_table,
        "page_url": f"/katalog/{cid}/sammenlign?" + urlencode([("scenarie", sd.scenario.id) for sd in chosen])},
        viewer)


# ------------------------------------------------------------------------------------------------ municipality PDFs


@router.get("/kommune/{kode}/print.pdf")
def print_pdf(request: Request, kode: str, params: views.BenchmarkParams = Depends(pages.bench_params)) -> Response:
    """Today's one-page summary for politicians (/kommune/{kode}/print, same parameters) as a real PDF."""
    m = open_release().register.resolve(kode)
    page = pages.print_summary(request, str(m.code), params)
    data = html_to_pdf(bytes(page.body).decode("utf-8"), stylesheets=(ONE_PAGE_CSS,))
    return Response(data, media_type=FORMATS["pdf"], headers={
        "Content-Disposition": f'attachment; filename="{_slug("raaderum resume", m.name)}.pdf"'})


@router.get("/kommune/{kode}/droeftelsesguide")
def guide_page(request: Request, kode: str, reference: str = Query("peer_mean", max_length=40)) -> Response:
    m = open_release().register.resolve(kode)
    guide = build_guide(get_engine(), m.code, reference=_reference(reference), store=default_store())
    return HTMLResponse(render_guide(guide, pdf=False))


@router.get("/kommune/{kode}/droeftelsesguide.pdf")
def guide_download(kode: str, reference: str = Query("peer_mean", max_length=40)) -> Response:
    m = open_release().register.resolve(kode)
    guide = build_guide(get_engine(), m.code, reference=_reference(reference), store=default_store())
    return Response(guide_pdf(guide), media_type=FORMATS["pdf"], headers={
        "Content-Disposition": f'attachment; filename="{_slug("droeftelsesguide", m.name)}.pdf"'})


def _reference(value: str) -> str:
    return resolve_reference(value)


__all__ = ["report_tables", "router"]
