"""Saved layout profiles of the workbook import (table ``import_profiles``): a confirmed mapping of a sheet's
columns, with its unit and sign, keyed by the sheet's header signature.

Every function takes an engine, anything with an ``engine`` (an :class:`~raaderum.store.ideas.IdeaStore`), or an
open :class:`~sqlalchemy.orm.Session` (then it works inside the caller's transaction and does not commit: the
services save a profile and its audit row together). Profiles are part of backup and restore like every table.

    >>> save_profile(store, report.sheets[0].profile_for("Aarhus' katalog"))     # doctest: +SKIP
    >>> [p.name for p in list_profiles(store)]                                     # doctest: +SKIP
    ["Aarhus' katalog"]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from raaderum.errors import ImportProfileNotFound, InputError
from raaderum.ideas.layouts import LayoutProfile
from raaderum.store.models import ImportProfile, utcnow

EXPORT_FORMAT = "raaderum-import-profiles"
EXPORT_VERSION = 1
MAX_NAME = 200


@contextmanager
def _session(source: Any) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
        return
    engine = source if isinstance(source, Engine) else source.engine
    with Session(engine, expire_on_commit=False) as s, s.begin():
        yield s


def _aware(d: datetime | None) -> datetime | None:
    if d is None:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _record(row: ImportProfile) -> LayoutProfile:
    return LayoutProfile(name=row.name, signature=row.signature, header_height=row.header_height,
                         columns=dict(row.columns or {}), labels=dict(row.labels or {}), unit=row.unit,
                         savings_positive=row.savings_positive, municipality=row.municipality_code, id=row.id,
                         created_at=_aware(row.created_at), created_by=row.created_by or "",
                         updated_at=_aware(row.updated_at), version=row.version)


def _find(s: Session, name_or_id: str | int) -> ImportProfile:
    key = str(name_or_id).strip()
    row = None
    if isinstance(name_or_id, int) or key.isdigit():
        row = s.get(ImportProfile, int(key))
    if row is None:
        row = s.scalar(select(ImportProfile).where(ImportProfile.name == key))
    if row is None:
        raise ImportProfileNotFound(f"Importprofilen {key!r} findes ikke.")
    return row


def save_profile(source: Any, profile: LayoutProfile, *, user_name: str = "") -> LayoutProfile:
    """Store ``profile``. A profile with the same header signature is replaced (the layout is confirmed again,
    perhaps under a new name); a name used by another layout's profile is refused."""
    name = profile.name.strip()
    if not name:
        raise InputError("En importprofil skal have et navn.")
    if len(name) > MAX_NAME:
        raise InputError(f"Importprofilens navn må højst være {MAX_NAME} tegn.")
    checked = LayoutProfile.from_dict({**profile.to_dict(), "name": name})
    with _session(source) as s:
        row = s.scalar(select(ImportProfile).where(ImportProfile.signature == checked.signature))
        clash = s.scalar(select(ImportProfile).where(ImportProfile.name == name))
        if clash is not None and (row is None or clash.id != row.id):
            raise InputError(f"Navnet {name!r} bruges allerede af en importprofil for et andet layout; vælg et andet "
                             "navn eller slet den profil først.")
        now = utcnow()
        if row is None:
            row = ImportProfile(name=name, signature=checked.signature, created_at=now,
                                created_by=user_name or profile.created_by or "")
            s.add(row)
        row.name = name
        row.header_height = checked.header_height
        row.columns = dict(checked.columns)
        row.labels = dict(checked.labels)
        row.unit = checked.unit
        row.savings_positive = checked.savings_positive
        row.municipality_code = checked.municipality
        row.updated_at = now
        s.flush()
        return _record(row)


def list_profiles(source: Any) -> list[LayoutProfile]:
    """Every saved profile, by name."""
    with _session(source) as s:
        return [_record(r) for r in s.scalars(select(ImportProfile).order_by(ImportProfile.name))]


def get_profile(source: Any, name_or_id: str | int) -> LayoutProfile:
    """The profile with this name (or id); :class:`ImportProfileNotFound` otherwise."""
    with _session(source) as s:
        return _record(_find(s, name_or_id))


def profile_for_signature(source: Any, signature: str) -> LayoutProfile | None:
    """The profile saved for this header signature, if any."""
    with _session(source) as s:
        row = s.scalar(select(ImportProfile).where(ImportProfile.signature == signature))
        return _record(row) if row is not None else None


def delete_profile(source: Any, name_or_id: str | int) -> LayoutProfile:
    """Delete the profile (by name or id) and return what it was."""
    with _session(source) as s:
        row = _find(s, name_or_id)
        out = _record(row)
        s.delete(row)
        s.flush()
        return out


def export_profiles(source: Any, names: list[str] | None = None) -> dict[str, Any]:
    """The profiles (all, or those named) as a JSON-ready document that :func:`import_profiles` reads back."""
    profiles = list_profiles(source)
    if names is not None:
        wanted = {n.strip() for n in names}
        missing = wanted - {p.name for p in profiles}
        if missing:
            raise ImportProfileNotFound(f"Importprofilen {sorted(missing)[0]!r} findes ikke.")
        profiles = [p for p in profiles if p.name in wanted]
    return {"format": EXPORT_FORMAT, "format_version": EXPORT_VERSION,
            "exported_at": datetime.now(UTC).isoformat(), "profiles": [p.to_dict() for p in profiles]}


def import_profiles(source: Any, data: Mapping[str, Any], *, user_name: str = "") -> list[LayoutProfile]:
    """Save every profile of an export (:func:`export_profiles`); a profile for a known layout replaces it."""
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        raise InputError("Filen er ikke en eksport af Råderums importprofiler.")
    if int(data.get("format_version") or 0) > EXPORT_VERSION:
        raise InputError("Eksporten er fra en nyere version af Råderum; opdatér først.")
    items = data.get("profiles")
    if not isinstance(items, list):
        raise InputError("Eksporten har ingen liste af profiler.")
    profiles = [LayoutProfile.from_dict(p) for p in items]
    with _session(source) as s:
        return [save_profile(s, p, user_name=user_name) for p in profiles]


__all__ = ["EXPORT_FORMAT", "delete_profile", "export_profiles", "get_profile", "import_profiles", "list_profiles",
           "profile_for_signature", "save_profile"]
