"""Secrets the app makes itself (table ``app_secrets``), and the signed links of the digest "Råderum".

A secret is made once, at random, and kept in the app store, so every worker and every node signs with the same
key (:func:`get_or_create_secret`; two processes that make it at the same moment agree on the one that was stored
first, on SQLite and PostgreSQL alike). When the ``secret_key`` setting (``RAADERUM_SECRET_KEY``) is set, it is
used instead and nothing is stored (:func:`signing_key`).

The links are signed with HMAC-SHA256 and checked in constant time:

* a user's private feed: ``/feed/{user_id}/{token}.atom``, ``token = HMAC(key, "feed:{user_id}:{link_key}")``;
* the one-click unsubscribe link: ``/nyhedsbrev/afmeld/{user_id}/{token}``, the same with ``"afmeld:"``.

``link_key`` is the user's random key in ``digest_subscriptions`` ("" until the first rotation): rotating it
(:func:`raaderum.server.digest.rotate_links`) revokes both links at once.

    >>> key = b"k" * 32
    >>> t = feed_token(key, 7, "abc")
    >>> check_token(t, feed_token(key, 7, "abc")), check_token(t, feed_token(key, 7, "abd"))
    (True, False)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _random
import threading
import weakref

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from raaderum.config import Settings
from raaderum.store.models import AppSecret

#: The name of the key that signs feed and unsubscribe links.
LINK_SECRET = "link_signing"
#: How long (characters) a stored secret is: 43 characters of URL-safe base64, 256 bits.
_BYTES = 32

_cache: weakref.WeakKeyDictionary[Engine, dict[str, str]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _read(engine: Engine, name: str) -> str | None:
    with Session(engine) as s:
        return s.scalar(select(AppSecret.value).where(AppSecret.name == name))


def get_or_create_secret(engine: Engine, name: str) -> str:
    """The secret ``name`` of the app store: read, or made at random and stored when it does not exist yet.

    Race-safe: the row's primary key is the name, so when two processes insert at once one insert fails
    (IntegrityError) and that process reads the row the other stored. Cached per engine (a secret never changes).
    """
    with _lock:
        hit = _cache.get(engine, {}).get(name)
    if hit is not None:
        return hit
    value = _read(engine, name)
    if value is None:
        fresh = _random.token_urlsafe(_BYTES)
        try:
            with Session(engine) as s, s.begin():
                s.add(AppSecret(name=name, value=fresh))
            value = fresh
        except IntegrityError:  # another process stored it first: use that one
            value = _read(engine, name)
        if value is None:  # pragma: no cover - the row was there a moment ago
            raise RuntimeError(f"the app secret {name!r} could not be stored or read")
    with _lock:
        _cache.setdefault(engine, {})[name] = value
    return value


def signing_key(engine: Engine, settings: Settings) -> bytes:
    """The key that signs feed and unsubscribe links: the ``secret_key`` setting, or the app store's own."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    return get_or_create_secret(engine, LINK_SECRET).encode("ascii")


def _sign(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def feed_token(key: bytes, user_id: int, link_key: str) -> str:
    """The token of a user's private feed URL."""
    return _sign(key, f"feed:{int(user_id)}:{link_key}")


def unsubscribe_token(key: bytes, user_id: int, link_key: str) -> str:
    """The token of a user's one-click unsubscribe link."""
    return _sign(key, f"afmeld:{int(user_id)}:{link_key}")


def check_token(given: str | None, expected: str) -> bool:
    """Does ``given`` equal ``expected``? Compared in constant time; anything that is not short ASCII is False."""
    if not given or len(given) > 200 or not given.isascii():
        return False
    return hmac.compare_digest(given.encode("ascii"), expected.encode("ascii"))


__all__ = ["LINK_SECRET", "check_token", "feed_token", "get_or_create_secret", "signing_key", "unsubscribe_token"]
