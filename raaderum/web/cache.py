"""A small in-process cache of rendered public pages, served by an ASGI middleware.

The data release never changes while a process runs, so a page computed from it (overview, cockpit) can be served
again as it was. The key also holds the idea store's revision (re-read at most once a second), so a new or edited
proposal shows within a second. Requests that carry a session cookie (logged-in users see their own header and
workspace links) are never cached, nor answered from the cache. A route opts in with :func:`cacheable`; the
middleware answers hits without entering the app (no thread hop, no routing). The ``page_cache`` setting
(``RAADERUM_PAGE_CACHE=0``) turns it off (the load benchmark reports both).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from raaderum.release.reader import open_release
from raaderum.store.ideas import default_store
from raaderum.store.levers import edits_revision

MAX_ENTRIES = 2000
MAX_BODY = 2_000_000
SESSION_COOKIE = "raaderum_session"
MARK = "x-raaderum-cacheable"
REVISION_TTL = 1.0

_lock = threading.Lock()
_entries: OrderedDict[tuple[Any, ...], tuple[int, list[tuple[bytes, bytes]], bytes]] = OrderedDict()
_revision: tuple[float, Any] = (0.0, None)
stats = {"hits": 0, "stored": 0}


def cacheable(response: Any) -> Any:
    """Mark a response as safe to cache for anonymous visitors (it depends only on the URL, release and store)."""
    response.headers[MARK] = "1"
    return response


def _store_revision() -> Any:
    global _revision
    now = time.monotonic()
    at, rev = _revision
    if rev is None or now - at > REVISION_TTL:
        store = default_store()
        rev = (store.revision(), edits_revision(store.engine))  # proposals and operator-edited levers
        _revision = (now, rev)
    return rev


def clear() -> None:
    global _revision
    with _lock:
        _entries.clear()
        _revision = (0.0, None)


class PageCacheMiddleware:
    """Pure ASGI: a hit is answered without entering the app."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self.enabled:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if SESSION_COOKIE in headers.get("cookie", ""):
            await self.app(scope, receive, send)
            return
        try:
            key = (scope["path"], scope.get("query_string", b""), headers.get("hx-request") == "true",
                   open_release().id, _store_revision())
        except Exception:  # noqa: BLE001 - e.g. the database is down: serve without the cache, the app says why
            await self.app(scope, receive, send)
            return
        with _lock:
            hit = _entries.get(key)
            if hit is not None:
                _entries.move_to_end(key)
                stats["hits"] += 1
        if hit is not None:
            status, raw_headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": raw_headers})
            await send({"type": "http.response.body", "body": body})
            return
        captured: dict[str, Any] = {"store": False, "chunks": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                keep = [(k, v) for k, v in raw if k.decode().lower() != MARK]
                captured["store"] = message["status"] == 200 and len(keep) != len(raw)
                captured["status"], captured["headers"] = message["status"], keep
                message = {**message, "headers": keep}
            elif message["type"] == "http.response.body" and captured["store"]:
                captured["chunks"].append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(captured["chunks"])
                    if len(body) <= MAX_BODY:
                        with _lock:
                            _entries[key] = (captured["status"], captured["headers"], body)
                            stats["stored"] += 1
                            while len(_entries) > MAX_ENTRIES:
                                _entries.popitem(last=False)
            await send(message)

        await self.app(scope, receive, capture)
