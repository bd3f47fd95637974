"""The digest "Råderum" on the web: the page, the Atom feeds, the subscription and the one-click unsubscribe.

    GET  /nyhedsbrev[?maaned=ÅÅÅÅ-MM]            this month's (or that month's) digest: public items for visitors,
                                                 the personal digest (filtered by the subscription) when logged in
    GET  /feed.atom                              the public Atom feed (public items of the last months)
    GET  /feed/{user_id}/{token}.atom            a user's private feed, signed (bad signature → 404)
    GET  /nyhedsbrev/abonnement                  the logged-in user's own subscription (form)
    POST /nyhedsbrev/abonnement                  save it (CSRF; optimistic locking on ``version``)
    POST /nyhedsbrev/abonnement/nye-links        new private feed and unsubscribe links (the old stop working)
    GET  /nyhedsbrev/afmeld/{user_id}/{token}    the unsubscribe page of a signed link (no login)
    POST /nyhedsbrev/afmeld/{user_id}/{token}    unsubscribe: the page's button, and the RFC 8058 one-click POST
                                                 (``List-Unsubscribe=One-Click``) a mail program sends

Thin: what is in a digest, who may see what and every change are in :mod:`raaderum.server.digest`; rendering of
the feed in :mod:`raaderum.reports.digest`.

The unsubscribe POST comes from mail programs without a cookie or a CSRF token: its path is one of the
``SIGNED_POST_PATHS`` of :mod:`raaderum.web.middleware`, which skip the CSRF check (and nothing else), because the
signed token in the address is the protection against forgery (nobody without the e-mail knows it).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from raaderum.reports.digest import SIGN_NOTE, amounts_line, meta_line, month_label, render_atom
from raaderum.server import digest as dg
from raaderum.server.accounts import User
from raaderum.store.models import DigestSubscription
from raaderum.web.deps import (
    LOGIN_CSRF_COOKIE,
    current_user,
    get_engine,
    login_required,
    secure_cookies,
    settings_of,
)
from raaderum.web.templating import render

router = APIRouter(include_in_schema=False)

NOTICES = {
    "gemt": "Dit abonnement er gemt.",
    "nye-links": "Du har fået nye links: dit private feed har en ny adresse, og de gamle links virker ikke længere.",
}


def _month(maaned: str | None) -> str:
    return dg.check_month(maaned) if maaned else dg.current_month()


def _neighbours(month: str) -> tuple[str, str | None]:
    prev = dg.months_back(month, 2)[1]
    year, mm = int(month[:4]), int(month[5:7])
    nxt = f"{year + (mm == 12):04d}-{1 if mm == 12 else mm + 1:02d}"
    return prev, (nxt if nxt <= dg.current_month() else None)


def _ctx() -> dict[str, Any]:
    return {"nav": "nyhedsbrev", "meta_line": meta_line, "amounts_line": amounts_line, "sign_note": SIGN_NOTE,
            "month_label": month_label}


@router.get("/nyhedsbrev")
def digest_page(request: Request, maaned: str | None = Query(None, max_length=40)) -> Response:
    month = _month(maaned)
    user = current_user(request)
    digest = dg.build_digest(get_engine(), user, month)
    prev, nxt = _neighbours(month)
    return render(request, "nyhedsbrev.html", {**_ctx(), "title": digest.title, "digest": digest, "prev": prev,
                                               "next": nxt, "logged_in": user is not None})


def _atom(body: bytes, *, private: bool) -> Response:
    response = Response(content=body, media_type="application/atom+xml; charset=utf-8")
    if private:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _feed(request: Request, user: User | None, self_path: str, key: str, title: str, subtitle: str) -> bytes:
    settings = settings_of(request)
    start, _, _, _ = dg.month_bounds(dg.current_month())
    return render_atom(dg.feed_items(get_engine(), user), title=title, subtitle=subtitle, feed_key=key,
                       authority=dg.authority(settings), base_url=settings.public_url,
                       self_url=settings.public_url.rstrip("/") + self_path, fallback_updated=start)


@router.get("/feed.atom")
def public_feed(request: Request) -> Response:
    body = _feed(request, None, "/feed.atom", "feed/offentlig", "Råderum",
                 "Nyt i Råderum: forslag i idébanken, greb i vidensportalen og offentlige erfaringer.")
    return _atom(body, private=False)


@router.get("/feed/{user_id}/{token}.atom")
def private_feed(request: Request, user_id: str, token: str) -> Response:
    settings = settings_of(request)
    owner = dg.user_by_link(get_engine(), settings, "feed", user_id, token)
    body = _feed(request, owner, f"/feed/{user_id}/{token}.atom", f"feed/bruger/{owner.id}",
                 f"Råderum for {owner.name}", "Dit personlige nyhedsbrev Råderum, filtreret efter dit abonnement.")
    return _atom(body, private=True)


# ------------------------------------------------------------------------------------------------ subscription


def _subscription_page(request: Request, user: User, notice: str | None = None) -> Response:
    engine = get_engine()
    settings = settings_of(request)
    with Session(engine) as s:
        sub = s.get(DigestSubscription, int(user.id or 0)) if user.id is not None else None
        committees = dg.committee_choices(s, user.municipality_code)
        areas = dg.area_choices()
        version = sub.version if sub is not None else 0
        chosen = {"areas": list(sub.areas or []) if sub else [], "committees": list(sub.committees or []) if sub
                  else [], "email": sub.email if sub else "", "email_opt_in": bool(sub.email_opt_in) if sub
                  else False}
    feed = settings.public_url.rstrip("/") + dg.feed_path(engine, settings, int(user.id)) if user.id else ""
    return render(request, "nyhedsbrev_abonnement.html", {
        **_ctx(), "title": "Dit abonnement på Råderum", "areas": areas, "committees": committees, "chosen": chosen,
        "version": version, "feed_url": feed, "notice": notice})


@router.get("/nyhedsbrev/abonnement")
def subscription_form(request: Request, ok: str | None = Query(None, max_length=20)) -> Response:
    user = login_required(request)
    return _subscription_page(request, user, NOTICES.get(ok or ""))


@router.post("/nyhedsbrev/abonnement")
async def subscription_save(request: Request) -> Response:
    form = await request.form()
    fields = {"areas": [v for v in form.getlist("areas") if isinstance(v, str)],
              "committees": [v for v in form.getlist("committees") if isinstance(v, str)],
              "email": form.get("email") if isinstance(form.get("email"), str) else "",
              "email_opt_in": form.get("email_opt_in") if isinstance(form.get("email_opt_in"), str) else ""}
    version = form.get("version")
    await run_in_threadpool(dg.set_subscription, get_engine(), current_user(request), fields,
                            version if isinstance(version, str) else None)
    return RedirectResponse("/nyhedsbrev/abonnement?ok=gemt", status_code=303)


@router.post("/nyhedsbrev/abonnement/nye-links")
def subscription_rotate(request: Request) -> Response:
    dg.rotate_links(get_engine(), current_user(request))
    return RedirectResponse("/nyhedsbrev/abonnement?ok=nye-links", status_code=303)


# ------------------------------------------------------------------------------------------------ unsubscribe


@router.get("/nyhedsbrev/afmeld/{user_id}/{token}")
def unsubscribe_page(request: Request, user_id: str, token: str) -> Response:
    engine = get_engine()
    owner = dg.user_by_link(engine, settings_of(request), "afmeld", user_id, token)
    with Session(engine) as s:
        sub = s.get(DigestSubscription, int(owner.id or 0))
        active = bool(sub is not None and sub.email_opt_in)
    fresh = current_user(request) is None and request.cookies.get(LOGIN_CSRF_COOKIE) is None
    if fresh:
        request.state.raaderum_login_csrf = secrets.token_urlsafe(32)
    response = render(request, "nyhedsbrev_afmeld.html", {
        **_ctx(), "title": "Afmeld nyhedsbrevet Råderum", "active": active, "done": False,
        "action": f"/nyhedsbrev/afmeld/{user_id}/{token}"})
    if fresh:
        response.set_cookie(LOGIN_CSRF_COOKIE, request.state.raaderum_login_csrf, httponly=True, samesite="lax",
                            secure=secure_cookies(request), path="/")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@router.post("/nyhedsbrev/afmeld/{user_id}/{token}")
def unsubscribe(request: Request, user_id: str, token: str) -> Response:
    """The page's button and the RFC 8058 one-click POST (no login, no CSRF token: the signature in the path is the
    authorisation, see ``SIGNED_POST_PATHS`` in :mod:`raaderum.web.middleware`)."""
    changed = dg.unsubscribe_by_token(get_engine(), user_id, token, settings=settings_of(request))
    return _unsubscribed_page(request, changed)


def _unsubscribed_page(request: Request, changed: bool) -> Response:
    response = render(request, "nyhedsbrev_afmeld.html", {
        **_ctx(), "title": "Nyhedsbrevet Råderum er afmeldt", "active": False, "done": True, "changed": changed,
        "action": ""})
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["router"]
