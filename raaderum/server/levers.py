"""The operator's edits of the knowledge portal (Vidensportalen): stored overrides of the shipped levers.

The levers shipped in ``raaderum/catalog/levers.toml`` stay the default. A row of ``lever_edits`` replaces all the
texts of one lever (same id), or adds a lever that is not shipped; deleting the row (:func:`reset_lever`) brings the
shipped text back (or removes an added lever). :func:`raaderum.ideas.levers.effective_levers` merges the two.

Every change is authorised (action ``lever.edit``, operator only), validated like the shipped file, made on the
version the form was opened on (optimistic locking: :class:`raaderum.errors.ConflictError` when someone saved in
between, and nothing is overwritten) and written to the audit log in the same transaction, with before and after.

    >>> edit = save_lever(engine, operator, "hverdagsrehabilitering", fields, version=0)   # doctest: +SKIP
    >>> effective_levers(engine)[0].title                                                  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from raaderum.catalog import load_catalog
from raaderum.errors import ConflictError, InputError, UnknownLever
from raaderum.ideas.levers import IDEA_TYPES, Lever, load_levers
from raaderum.server.permissions import require
from raaderum.server.workspace import _version, local_time
from raaderum.store.audit import last_change, record
from raaderum.store.levers import get_edit, stored_edits  # re-exported
from raaderum.store.models import LeverEdit, User, utcnow

ACTION = "lever.edit"
ENTITY = "lever"

#: The form fields of a lever, with their Danish labels (named in every validation message).
LABELS: dict[str, str] = {
    "lever_id": "Id",
    "title": "Titel",
    "summary": "Resumé",
    "body": "Brødtekst",
    "key_figures": "Nøgletal at følge",
    "questions": "Spørgsmål til udvalget",
    "time_to_effect": "Tid til effekt",
    "requires_investment": "Kræver investering",
    "areas": "Områder og temaer",
    "idea_types": "Forslagstyper",
}
LIST_FIELDS = ("key_figures", "questions", "areas", "idea_types")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")
MAX_ID, MAX_TITLE, MAX_SUMMARY, MAX_BODY, MAX_TIME = 64, 300, 1000, 20000, 60
MAX_ITEMS, MAX_ITEM = 30, 500


# ------------------------------------------------------------------------------------------------ validation


def _bad(field: str, what: str) -> InputError:
    return InputError(f"Feltet «{LABELS[field]}» ({field}): {what}")


def _text(fields: Mapping[str, Any], name: str, limit: int, *, one_line: bool = False, required: bool = True) -> str:
    value = fields.get(name)
    if isinstance(value, list | tuple):
        value = "\n".join(str(v) for v in value)
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if one_line:
        text = " ".join(text.split())
    if required and not text:
        raise _bad(name, "må ikke være tomt.")
    if len(text) > limit:
        raise _bad(name, f"er for langt ({len(text)} tegn; højst {limit}).")
    return text


def _lines(fields: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A list field: a list of values and/or text with one item per line; blank lines dropped, duplicates too."""
    value = fields.get(name)
    items = value if isinstance(value, list | tuple) else [value or ""]
    out: list[str] = []
    for item in items:
        for line in str(item).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line = " ".join(line.split())
            if line and line not in out:
                out.append(line)
    if len(out) > MAX_ITEMS:
        raise _bad(name, f"har for mange punkter ({len(out)}; højst {MAX_ITEMS}).")
    long = [x for x in out if len(x) > MAX_ITEM]
    if long:
        raise _bad(name, f"et punkt er for langt ({len(long[0])} tegn; højst {MAX_ITEM}).")
    return tuple(out)


def _flag(value: Any) -> bool:
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "on", "true", "ja", "yes")


def known_areas() -> dict[str, str]:
    """Area and theme ids of the catalogue → names (what a lever may name in ``areas``)."""
    cat = load_catalog()
    return {**{a.id: a.name for a in cat.areas}, **{t.id: f"{t.name} (tema)" for t in cat.themes}}


def check_id(lever_id: str) -> str:
    lever_id = (lever_id or "").strip()
    if not lever_id:
        raise _bad("lever_id", "må ikke være tomt.")
    if len(lever_id) > MAX_ID or not ID_RE.match(lever_id):
        raise _bad("lever_id", f"{lever_id!r} er ikke et gyldigt id: små bogstaver a-z, tal og _, begynder med et "
                               f"bogstav, højst {MAX_ID} tegn (fx 'faelles_indkoeb').")
    return lever_id


def build_lever(lever_id: str, fields: Mapping[str, Any]) -> Lever:
    """A Lever from form fields, validated like the shipped file (raises InputError naming the field)."""
    title = _text(fields, "title", MAX_TITLE, one_line=True)
    summary = _text(fields, "summary", MAX_SUMMARY, one_line=True)
    body = _text(fields, "body", MAX_BODY)
    areas = _lines(fields, "areas")
    if not areas:
        raise _bad("areas", "vælg mindst ét område eller tema.")
    known = known_areas()
    unknown = [a for a in areas if a not in known]
    if unknown:
        raise _bad("areas", f"ukendt område eller tema {unknown[0]!r}. Kendte: {', '.join(sorted(known))}.")
    types = _lines(fields, "idea_types")
    if not types:
        raise _bad("idea_types", "vælg mindst én forslagstype.")
    bad_types = [t for t in types if t not in IDEA_TYPES]
    if bad_types:
        raise _bad("idea_types", f"ukendt forslagstype {bad_types[0]!r}. Kendte: {', '.join(IDEA_TYPES)}.")
    return Lever(id=lever_id, title=title, summary=summary, body=body, areas=areas, idea_types=types,
                 key_figures=_lines(fields, "key_figures"), questions=_lines(fields, "questions"),
                 time_to_effect=_text(fields, "time_to_effect", MAX_TIME, one_line=True, required=False),
                 requires_investment=_flag(fields.get("requires_investment")))


def lever_dict(lv: Lever | None) -> dict[str, Any] | None:
    """A lever as JSON-ready data (the audit log's before/after)."""
    if lv is None:
        return None
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(lv).items()}


# ------------------------------------------------------------------------------------------------ reading


def shipped() -> dict[str, Lever]:
    return {lv.id: lv for lv in load_levers()}


def _fill(row: LeverEdit, lv: Lever, user: User) -> None:
    row.title, row.summary, row.body = lv.title, lv.summary, lv.body
    row.key_figures, row.questions = list(lv.key_figures), list(lv.questions)
    row.areas, row.idea_types = list(lv.areas), list(lv.idea_types)
    row.time_to_effect, row.requires_investment = lv.time_to_effect, lv.requires_investment
    row.updated_at, row.updated_by = utcnow(), user.name


def _conflict(engine: Engine, lever_id: str, had: int, now: int) -> Exception:
    """The 409 message, naming who saved last (read in a session of its own: the change's may have failed)."""
    with Session(engine) as s:
        last = last_change(s, ENTITY, lever_id)
    who = f"af {last.user_name} {local_time(last.at)}" if last else "af en anden"
    return ConflictError(
        f"Grebet {lever_id!r} er blevet ændret {who}, efter du åbnede det (du rettede version {had}, nu er det "
        f"version {now}). Dine ændringer er IKKE gemt, og intet er overskrevet. Genindlæs siden, se den nye tekst, "
        "og foretag dine ændringer igen.")


# ------------------------------------------------------------------------------------------------ changing


def save_lever(engine: Engine, user: User, lever_id: str, fields: Mapping[str, Any], version: Any) -> LeverEdit:
    """Store the operator's text of a lever (shipped or created), made on ``version`` (0: not edited yet).

    Raises PermissionDenied (not an operator), InputError (a field), UnknownLever (no such lever) or ConflictError
    (someone saved in between; nothing is written).
    """
    require(user, ACTION)
    had = _version(version)
    lv = build_lever(lever_id, fields)
    ship = shipped().get(lever_id)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        row = s.get(LeverEdit, lever_id)
        if row is None and ship is None:
            raise UnknownLever(f"Ukendt greb: {lever_id!r}.")
        now = row.version if row is not None else 0
        if now != had:
            raise _conflict(engine, lever_id, had, now)
        before = row.to_lever() if row is not None else ship
        if row is None:
            row = LeverEdit(lever_id=lever_id, version=1)
            s.add(row)
        _fill(row, lv, user)
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(engine, lever_id, had, had + 1) from None
        except IntegrityError:
            raise _conflict(engine, lever_id, had, 1) from None
        record(s, user, "lever.edit", ENTITY, lever_id, lever_dict(before), lever_dict(row.to_lever()))
    return row


def create_lever(engine: Engine, user: User, lever_id: str, fields: Mapping[str, Any]) -> LeverEdit:
    """Add a lever that is not shipped (``lever_id`` a new slug)."""
    require(user, ACTION)
    lever_id = check_id(lever_id)
    lv = build_lever(lever_id, fields)
    if lever_id in shipped():
        raise _bad("lever_id", f"grebet {lever_id!r} findes allerede; ret det i stedet.")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        if s.get(LeverEdit, lever_id) is not None:
            raise _bad("lever_id", f"grebet {lever_id!r} findes allerede; ret det i stedet.")
        row = LeverEdit(lever_id=lever_id, version=1)
        _fill(row, lv, user)
        s.add(row)
        try:
            s.flush()
        except IntegrityError:
            raise _bad("lever_id", f"grebet {lever_id!r} blev oprettet af en anden i samme øjeblik.") from None
        record(s, user, "lever.create", ENTITY, lever_id, None, lever_dict(row.to_lever()))
    return row


def reset_lever(engine: Engine, user: User, lever_id: str, version: Any) -> Lever | None:
    """Drop the stored text: a shipped lever gets its shipped text back (returned); a created one is removed."""
    require(user, ACTION)
    had = _version(version)
    ship = shipped().get(lever_id)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        row = s.get(LeverEdit, lever_id)
        if row is None:
            if ship is None:
                raise UnknownLever(f"Ukendt greb: {lever_id!r}.")
            if had != 0:
                raise _conflict(engine, lever_id, had, 0)
            raise InputError(f"Grebet {lever_id!r} er ikke rettet; det viser allerede den leverede tekst.")
        if row.version != had:
            raise _conflict(engine, lever_id, had, row.version)
        before = row.to_lever()
        s.delete(row)
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(engine, lever_id, had, had + 1) from None
        record(s, user, "lever.reset", ENTITY, lever_id, lever_dict(before), lever_dict(ship))
    return ship


__all__ = ["ACTION", "LABELS", "LIST_FIELDS", "LeverEdit", "build_lever", "check_id", "create_lever", "get_edit",
           "known_areas", "lever_dict", "reset_lever", "save_lever", "shipped", "stored_edits"]
