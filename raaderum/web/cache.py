"""Small in-process caches of rendered pages, served by ASGI middleware: public pages for everyone
(:class:`PageCacheMiddleware`), and the pages of one logged-in session for that session
(:class:`SessionPageCacheMiddleware`, below).

The data release never changes while a process runs, so a page computed from it (overview, cockpit) can be served
again as it was. The key holds the id of the release in use and the idea store's revision, both re-read at most
once a second (:data:`REVISION_TTL`), so a new or edited proposal, or a switched release, shows within a second.
Requests that carry a session cookie (logged-in users see their own header and workspace links) are never cached,
nor answered from the cache. A route opts in with :func:`cacheable`; the middleware answers hits without entering
the app (no thread hop, no routing). The ``page_cache`` setting (``RAADERUM_PAGE_CACHE=0``) turns it off (the load
benchmark reports both).

The middleware costs next to nothing for what it never caches: a request that is not a GET, carries a session
cookie, or asks for a path under :data:`NEVER_CACHED` (health check, static files, the API and its schema, the
personal pages) passes straight through, before any key is computed; :func:`cacheable` has no effect there.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from raaderum.release.reader import open_release
from raaderum.store.audit import RevisionMemo
from raaderum.store.ideas import default_store
from raaderum.store.levers import edits_revision

MAX_ENTRIES = 2000
MAX_BODY = 2_000_000
SESSION_COOKIE = "raaderum_session"
MARK = "x-raaderum-cacheable"
REVISION_TTL = 1.0
#: Paths (prefixes) that are never cached: passed through without computing a key.
NEVER_CACHED = ("/healthz", "/static/", "/api/", "/arbejdsrum", "/admin", "/login", "/logout", "/favicon.ico")

_SESSION = SESSION_COOKIE.encode()
_MARK = MARK.encode()

#: The public pages: one answer per (path, query, htmx), valid for one revision of the release and the store.
PUBLIC_PAGES = RevisionMemo(size=MAX_ENTRIES, max_age=None, max_bytes=256 * 1024 * 1024)
stats = PUBLIC_PAGES.stats
_lock = threading.Lock()
_revision: tuple[float, Any] = (0.0, None)


def cacheable(response: Any) -> Any:
    """Mark a response as safe to cache for anonymous visitors (it depends only on the URL, release and store)."""
    response.headers[MARK] = "1"
    return response


def _revisions() -> Any:
    """The release in use and the store's revision (proposals, operator-edited levers), re-read at most once a
    second: finding the release in use reads the settings and a pointer file, and the revision is a query."""
    global _revision
    now = time.monotonic()
    at, rev = _revision
    if rev is None or now - at > REVISION_TTL:
        store = default_store()
        rev = (open_release().id, store.revision(), edits_revision(store.engine))
        _revision = (now, rev)
    return rev


def _index_revision() -> Any:
    """The store revision the worker's in-memory search index was built from, read on every request: a page that
    lists proposals is built from that index, so a page rendered while the index was catching up (after a change
    in another worker or node) must not be kept once the index has caught up."""
    store = default_store()
    reader = getattr(store, "index_revision", None)
    return reader() if callable(reader) else getattr(store, "_index_key", None)


def clear() -> None:
    """Empty both caches (public pages and session pages)."""
    global _revision
    with _lock:
        _revision = (0.0, None)
    PUBLIC_PAGES.clear()
    SESSION_PAGES.clear()


async def _replay(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _capturing(send: Send, mark: bytes, keep: Any) -> Send:
    """A ``send`` that passes the answer on (without the ``mark`` header) and, when ``keep`` is given, the route
    marked the answer and it is a 200 without Set-Cookie of at most :data:`MAX_BODY` bytes, hands (status,
    headers, body) to ``keep``."""
    captured: dict[str, Any] = {"store": False, "chunks": []}

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw = list(message.get("headers", []))
            headers = [(k, v) for k, v in raw if k.lower() != mark]
            captured["store"] = (keep is not None and message["status"] == 200 and len(headers) != len(raw)
                                 and not any(k.lower() == b"set-cookie" for k, _ in headers))
            captured["status"], captured["headers"] = message["status"], headers
            message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and captured["store"]:
            captured["chunks"].append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(captured["chunks"])
                if len(body) <= MAX_BODY:
                    keep(captured["status"], captured["headers"], body)
        await send(message)

    return capture


def _entry_size(key: tuple[Any, ...], headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """What an entry holds: the body, the headers and the key's request parts (query and Cookie can be long)."""
    return (len(body) + sum(len(k) + len(v) for k, v in headers)
            + sum(len(part) for part in key if isinstance(part, bytes | str)) + 256)


class _PageCacheMiddleware:
    """Pure ASGI: answers a GET from :attr:`pages` when :meth:`key` gives a key and a revision and the answer kept
    for them is there (without entering the app: no thread hop, no routing), else passes it on and keeps the
    answer when the route marked it with :attr:`mark`. The mark never reaches the client."""

    mark: bytes
    pages: RevisionMemo

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    def key(self, scope: Scope) -> tuple[tuple[Any, ...], Any] | None:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = None
        if self.enabled and scope["method"] == "GET" and not scope["path"].startswith(NEVER_CACHED):
            try:
                found = self.key(scope)
            except Exception:  # noqa: BLE001 - e.g. the database is down: serve without the cache, the app says why
                found = None
        if found is None:
            await self.app(scope, receive, _capturing(send, self.mark, None))
            return
        key, rev = found
        hit = self.pages.peek(key, rev)
        if hit is not None:
            await _replay(send, *hit)
            return

        def keep(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
            self.pages.put(key, rev, (status, headers, body), _entry_size(key, headers, body))

        await self.app(scope, receive, _capturing(send, self.mark, keep))


class PageCacheMiddleware(_PageCacheMiddleware):
    """Public pages, for requests without a session cookie."""

    mark, pages = _MARK, PUBLIC_PAGES

    def key(self, scope: Scope) -> tuple[tuple[Any, ...], Any] | None:
        htmx = False
        for name, value in scope["headers"]:  # raw, lower-case names: no Headers object per request
            if name == b"cookie" and _SESSION in value:
                return None
            if name == b"hx-request":
                htmx = value == b"true"
        return (scope["path"], scope.get("query_string", b""), htmx), (_revisions(), _index_revision())


# ------------------------------------------------------------------------------ pages of one logged-in session
#
# The network and proposal pages of a logged-in user are built from a dozen queries over the app store, and they
# are personal: the header names the user, the forms carry the session's CSRF token, the panels depend on the
# user's municipality and role. Such a page is kept for THE SESSION THAT ASKED FOR IT, and served again to it only
#   - after the session has been looked up again in this request (AuthMiddleware: a logged-out, expired or disabled
#     session gets no cached page, it is not even looked at), and
#   - while nothing in the app store has changed since. The key holds the audit log's revision, read with the
#     session on EVERY request (:func:`raaderum.server.sessions.lookup`). Every change writes its audit entry in
#     its own transaction, so a change the user just saved, in any worker or node, makes a new key, and so does a
#     change of the user's role or municipality. The key also holds the release in use, the idea bank's revision
#     and search index, the date, and the request's Cookie, Accept and HX-Request/HX-Target headers.
# A route opts in with :func:`cacheable_per_session`; only 200 answers without Set-Cookie are kept. Entries are
# dropped after :data:`SESSION_MAX_AGE` seconds whatever happens; a page kept for an older revision is replaced,
# and the least recently used go first when the worker holds more than :data:`SESSION_MAX_BYTES` (bodies, headers
# and the keys' query and Cookie) or :data:`SESSION_MAX_ENTRIES` pages. The ``page_cache`` setting turns this
# cache off too.

SESSION_MARK = "x-raaderum-session-cacheable"
SESSION_MAX_BYTES = 64 * 1024 * 1024
SESSION_MAX_ENTRIES = 10_000
SESSION_MAX_AGE = 300.0
_SESSION_MARK = SESSION_MARK.encode()

SESSION_PAGES = RevisionMemo(size=SESSION_MAX_ENTRIES, max_age=SESSION_MAX_AGE, max_bytes=SESSION_MAX_BYTES)
session_stats = SESSION_PAGES.stats
_session_entries = SESSION_PAGES._values


def cacheable_per_session(response: Any) -> Any:
    """Mark a logged-in page as safe to serve again to the same session while the app store is unchanged: it
    depends only on the URL, the release, the app store and the logged-in user (and the session's CSRF token)."""
    response.headers[SESSION_MARK] = "1"
    return response


class SessionPageCacheMiddleware(_PageCacheMiddleware):
    """Pages of one logged-in session; placed INSIDE the session lookup (it needs the live session it found)."""

    mark, pages = _SESSION_MARK, SESSION_PAGES

    def key(self, scope: Scope) -> tuple[tuple[Any, ...], Any] | None:
        """None when the request must not use the cache: no live session, the revision was not read with it, or
        a header is repeated (unusual, passed through)."""
        info = scope.get("state", {}).get("raaderum_session")
        if info is None or info.store_revision is None:
            return None
        picked: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in (b"cookie", b"accept", b"hx-request", b"hx-target"):
                if name in picked:
                    return None
                picked[name] = value
        key = (info.token, scope["path"], scope.get("query_string", b""), picked.get(b"cookie"),
               picked.get(b"accept"), picked.get(b"hx-request"), picked.get(b"hx-target"))
        return key, (time.strftime("%Y-%m-%d"), info.store_revision, _revisions(), _index_revision())
