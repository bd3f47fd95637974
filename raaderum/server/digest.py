"""The monthly digest "Råderum": what is new, for whom, and its sending by e-mail (issue 15).

What a month's digest holds (collected here, rendered by :mod:`raaderum.reports.digest`):

* new idea-bank proposals (created that month; the shipped sample data and withdrawn proposals are left out);
* new and edited levers of the knowledge portal (the operator's ``lever_edits`` saved that month);
* experiences recorded that month: the ``public`` ones for everyone, all of them for logged-in users (never with
  their contact person);
* for logged-in users: the marks "Vi arbejder med dette" set or changed that month (without contacts), and the
  activity of the networks the user may see (:func:`raaderum.store.network.visible_network_ids`): meetings and
  what members shared. Nothing of a network the user is not in reaches its digest or feed.

A user's subscription (``digest_subscriptions``) filters by areas and committees (empty = everything; a committee
stands for its areas in the user's municipality's committee mapping, and for proposals whose source named that
committee). Network activity belongs to no area and is always included for members.

Services (each checks the permission FIRST, then changes and writes its one audit row in ONE transaction):

* :func:`set_subscription` (``subscription.edit``, a user's own subscription only; optimistic locking);
* :func:`rotate_links` (``subscription.edit``): a new link key revokes the private feed and unsubscribe links;
* :func:`unsubscribe_by_token`: the signed one-click link is the authorisation; audited as ``link:afmeld``;
* :func:`send_digests` (``digest.send``, the operator; the CLI as ``system:cli``). Per user and month a row of
  ``digest_sends`` is claimed ('sending') before the e-mail goes and marked 'sent' (or 'failed', retried on the
  next run) afterwards, with the audit row in the same transaction as that update. A month already 'sent' is
  skipped, so a re-run sends nothing twice; a row left 'sending' (a run that died between the SMTP server's
  answer and the update) is never sent again automatically, since the e-mail may have gone.

Months are calendar months in Danish time, written YYYY-MM.
"""

from __future__ import annotations

import re
import secrets
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from raaderum import config
from raaderum.config import Settings
from raaderum.errors import ConflictError, DigestLinkNotFound, InputError, MailNotConfigured, UnknownMunicipality
from raaderum.ideas.committees import area_names, default_mapping
from raaderum.ideas.levers import load_levers
from raaderum.release.reader import current_register
from raaderum.reports.digest import TZ, Digest, DigestItem, danish_date, render_html, render_text
from raaderum.server.permissions import require, system_actor
from raaderum.server.workspace import _version
from raaderum.store.audit import record, snapshot
from raaderum.store.committees import committee_mapping
from raaderum.store.levers import effective_levers
from raaderum.store.models import (
    MARK_STATUSES,
    SHARE_KINDS,
    AppSecret,
    CatalogueScenario,
    DigestSend,
    DigestSubscription,
    Experience,
    LeverEdit,
    Network,
    NetworkMeeting,
    NetworkMember,
    NetworkShare,
    Proposal,
    ProposalStatus,
    User,
    WorkMark,
    utcnow,
)
from raaderum.store.network import experiences, is_logged_in, visible_network_ids
from raaderum.store.secrets import LINK_SECRET, check_token, feed_token, signing_key, unsubscribe_token

SUBSCRIPTION_ACTION = "subscription.edit"
SEND_ACTION = "digest.send"
#: A claim older than this is taken to be left by a run that was stopped mid-send (see send_digests).
STUCK_AFTER = timedelta(hours=1)
ENTITY = "digest_subscription"
SEND_ENTITY = "digest_send"
#: The actor the audit log names for a change made through a signed unsubscribe link.
UNSUBSCRIBE_ACTOR = "link:afmeld"

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
MAX_EMAIL = 254
#: At most this many items of each kind in one month's digest (the newest).
MAX_PER_KIND = 200
#: How many months the feeds reach back (this month included).
FEED_MONTHS = 3
MAX_FEED_ENTRIES = 200
SUMMARY_CHARS = 300
SMTP_TIMEOUT = 30
#: Lines up to RFC 5322's limit, so the long List-Unsubscribe address is never folded into encoded words.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)

LABELS = {"areas": "Områder", "committees": "Udvalg", "email": "E-mailadresse", "email_opt_in": "Send på e-mail"}


# ------------------------------------------------------------------------------------------------ months


def current_month(now: datetime | None = None) -> str:
    """This month in Danish time ('2026-03')."""
    return (now or utcnow()).astimezone(TZ).strftime("%Y-%m")


def previous_month(now: datetime | None = None) -> str:
    """The last whole month in Danish time (what ``digest send`` sends by default)."""
    first = (now or utcnow()).astimezone(TZ).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def check_month(value: Any) -> str:
    """``value`` when it is a month YYYY-MM between 2000-01 and this month; :class:`InputError` (400) otherwise."""
    text = str(value or "").strip()
    m = MONTH_RE.match(text)
    if m is None:
        raise InputError(f"Ugyldig måned {str(value)[:40]!r}: skriv den som ÅÅÅÅ-MM, fx {current_month()}.")
    if int(m.group(1)) < 2000 or text > current_month():
        raise InputError(f"Måneden {text} ligger uden for det, nyhedsbrevet dækker (fra 2000-01 til "
                         f"{current_month()}).")
    return text


def month_bounds(month: str) -> tuple[datetime, datetime, date, date]:
    """(start, end) in UTC and (first day, first day of the next month) of a month in Danish time."""
    year, mm = int(month[:4]), int(month[5:7])
    first = date(year, mm, 1)
    after = date(year + (mm == 12), 1 if mm == 12 else mm + 1, 1)
    start = datetime(first.year, first.month, 1, tzinfo=TZ).astimezone(UTC)
    end = datetime(after.year, after.month, 1, tzinfo=TZ).astimezone(UTC)
    return start, end, first, after


def months_back(month: str, n: int) -> list[str]:
    """``month`` and the ``n - 1`` months before it, newest first."""
    year, mm = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mm:02d}")
        year, mm = (year - 1, 12) if mm == 1 else (year, mm - 1)
    return out


# ------------------------------------------------------------------------------------------------ helpers


def _aware(dt: datetime | None) -> datetime:
    if dt is None:
        return utcnow()
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _short(text: str | None, limit: int = SUMMARY_CHARS) -> str:
    one = " ".join((text or "").split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


def _municipality_names() -> Any:
    register = current_register()

    def name(code: int | None) -> str:
        if code is None:
            return ""
        try:
            return str(register.by_code(int(code)).name)
        except (UnknownMunicipality, KeyError, ValueError):
            return f"Kommune {code}"

    return name


def _norm(committee: str) -> str:
    return " ".join((committee or "").replace("\xa0", " ").split()).casefold()


def _mapping(s: Session, municipality_code: int | None) -> dict[str, str]:
    return committee_mapping(s, municipality_code) if municipality_code else default_mapping()


def committee_choices(s: Session, municipality_code: int | None) -> list[str]:
    """The committees one can subscribe to: those of the municipality's committee mapping (None: the default)."""
    return sorted(set(_mapping(s, municipality_code).values()), key=str.casefold)


def area_choices() -> dict[str, str]:
    """Area and theme ids → Danish names (what a subscription may name)."""
    return area_names()


@dataclass(frozen=True)
class Filter:
    """A subscription's filter: the areas (its own and its committees'), and the committees' names."""

    areas: frozenset[str] = frozenset()
    committees: frozenset[str] = frozenset()
    text: str = ""

    @property
    def everything(self) -> bool:
        return not self.areas and not self.committees

    def keeps(self, item: DigestItem) -> bool:
        if self.everything or item.kind == "network":
            return True
        if self.areas & set(item.area_ids):
            return True
        return bool(item.committee) and _norm(item.committee) in self.committees


def subscription_filter(s: Session, municipality_code: int | None, areas: Iterable[str] = (),
                        committees: Iterable[str] = ()) -> Filter:
    """The filter of a subscription (committees read in the municipality's own committee mapping)."""
    areas, committees = list(areas or ()), list(committees or ())
    if not areas and not committees:
        return Filter()
    mapping = _mapping(s, municipality_code)
    wanted = {_norm(c) for c in committees}
    under = {a for a, c in mapping.items() if _norm(c) in wanted}
    names = area_names()
    parts = [names.get(a, a) for a in areas] + list(committees)
    return Filter(frozenset(areas) | frozenset(under), frozenset(wanted), ", ".join(parts))


# ------------------------------------------------------------------------------------------------ collecting


def _proposals(s: Session, start: datetime, end: datetime, names: dict[str, str]) -> list[DigestItem]:
    q = (select(Proposal).outerjoin(ProposalStatus, ProposalStatus.proposal_id == Proposal.id)
         .where(Proposal.created_at >= start, Proposal.created_at < end, Proposal.is_sample.is_(False),
                ProposalStatus.withdrawn_at.is_(None))
         .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(MAX_PER_KIND))
    out = []
    for p in s.scalars(q):
        area = (names.get(p.area_id or "") or p.area_text or "").strip()
        out.append(DigestItem(
            "proposal", f"proposal/{p.id}", p.title or "(uden titel)",
            _short(p.description), f"/idebank/{p.id}", _aware(p.created_at),
            municipality=f"{p.municipality_name} (budget {p.budget_year})", areas=(area,) if area else (),
            area_ids=(p.area_id,) if p.area_id else (), committee=p.committee_text or "",
            amounts=tuple((label, v) for label, v in (("B", p.amount_b), ("BO1", p.amount_bo1),
                                                      ("BO2", p.amount_bo2), ("BO3", p.amount_bo3))
                          if v is not None),
            sample=bool(p.is_sample)))
    return out


def _levers(s: Session, start: datetime, end: datetime, names: dict[str, str]) -> list[DigestItem]:
    shipped = {lv.id for lv in load_levers()}
    q = (select(LeverEdit).where(LeverEdit.updated_at >= start, LeverEdit.updated_at < end)
         .order_by(LeverEdit.updated_at.desc(), LeverEdit.lever_id).limit(MAX_PER_KIND))
    out = []
    for row in s.scalars(q):
        what = "Rettet greb" if row.lever_id in shipped else "Nyt greb"
        areas = tuple(row.areas or ())
        out.append(DigestItem(
            "lever", f"lever/{row.lever_id}/v{row.version}", f"{what}: {row.title}", _short(row.summary),
            f"/vidensportal/{row.lever_id}", _aware(row.updated_at), areas=tuple(names.get(a, a) for a in areas),
            area_ids=areas))
    return out


def _experiences(s: Session, user: User | None, start: datetime, end: datetime, names: dict[str, str],
                 mname: Any, lever_areas: dict[str, tuple[str, ...]]) -> list[DigestItem]:
    q = select(Experience.id).where(Experience.created_at >= start, Experience.created_at < end)
    if not is_logged_in(user):
        q = q.where(Experience.public.is_(True))
    ids = list(s.scalars(q.order_by(Experience.created_at.desc()).limit(MAX_PER_KIND)))
    views = experiences(s, user, ids=ids) if ids else []
    pids = [v.experience.proposal_id for v in views if v.experience.proposal_id is not None]
    proposal_areas = dict(s.execute(select(Proposal.id, Proposal.area_id).where(Proposal.id.in_(pids))).all()) \
        if pids else {}
    out = []
    for view in views:
        e = view.experience  # the contact (view.contact) is never put in a digest
        area_ids: tuple[str, ...] = ()
        if e.area_id:
            area_ids = (e.area_id,)
        elif e.proposal_id is not None and proposal_areas.get(e.proposal_id):
            area_ids = (str(proposal_areas[e.proposal_id]),)
        elif e.lever_id:
            area_ids = lever_areas.get(e.lever_id, ())
        summary = _short(e.what_worked)
        if e.what_did_not:
            summary = (summary + " " if summary else "") + "Virkede ikke: " + _short(e.what_did_not, 200)
        realised = sorted((e.realised or {}).items())
        path = f"/idebank/{e.proposal_id}" if e.proposal_id is not None else (
            f"/vidensportal/{e.lever_id}" if e.lever_id else "/casesamling")
        out.append(DigestItem(
            "experience", f"experience/{e.id}", e.title, summary, path, _aware(e.created_at),
            municipality=mname(e.municipality_code), areas=tuple(names.get(a, a) for a in area_ids),
            area_ids=area_ids, amounts=tuple((f"Realiseret {y}", v) for y, v in realised),
            private=not bool(e.public)))
    return out


def _marks(s: Session, start: datetime, end: datetime, names: dict[str, str], mname: Any,
           lever_titles: dict[str, str], lever_areas: dict[str, tuple[str, ...]],
           member_of: dict[int, list[str]]) -> list[DigestItem]:
    marks = list(s.scalars(select(WorkMark).where(WorkMark.updated_at >= start, WorkMark.updated_at < end)
                           .order_by(WorkMark.updated_at.desc(), WorkMark.id.desc()).limit(MAX_PER_KIND)))
    pids = [int(m.target_id) for m in marks if m.target_kind == "proposal" and m.target_id.isdigit()]
    props = {p.id: p for p in s.scalars(select(Proposal).where(Proposal.id.in_(pids)))} if pids else {}
    out = []
    for m in marks:
        sample = False
        if m.target_kind == "proposal":
            p = props.get(int(m.target_id)) if m.target_id.isdigit() else None
            target = p.title if p is not None else f"forslag {m.target_id}"
            area_ids: tuple[str, ...] = (p.area_id,) if p is not None and p.area_id else ()
            committee = p.committee_text if p is not None else ""
            path, sample = f"/idebank/{m.target_id}", bool(p is not None and p.is_sample)
        else:
            target = lever_titles.get(m.target_id, m.target_id)
            area_ids, committee, path = lever_areas.get(m.target_id, ()), "", f"/vidensportal/{m.target_id}"
        who = mname(m.municipality_code)
        status = MARK_STATUSES.get(m.status, m.status)
        nets = member_of.get(m.municipality_code, [])
        summary = f"{who} arbejder med dette ({status.lower()})."
        if nets:
            summary += f" {who} er med i dit netværk {', '.join(nets)}."
        out.append(DigestItem(
            "mark", f"mark/{m.id}/v{m.version}", f"{who}: {target}", summary, path, _aware(m.updated_at),
            municipality=who, areas=tuple(names.get(a, a) for a in area_ids), area_ids=area_ids,
            committee=committee, sample=sample, private=True))
    return out


def _network_activity(s: Session, network_ids: set[int], start: datetime, end: datetime, first: date,
                      after: date, mname: Any) -> list[DigestItem]:
    if not network_ids:
        return []
    nets = {n.id: n.name for n in s.scalars(select(Network).where(Network.id.in_(network_ids)))}
    out = []
    meetings = s.scalars(select(NetworkMeeting).where(
        NetworkMeeting.network_id.in_(network_ids),
        ((NetworkMeeting.created_at >= start) & (NetworkMeeting.created_at < end))
        | ((NetworkMeeting.held_on >= first) & (NetworkMeeting.held_on < after)))
        .order_by(NetworkMeeting.held_on.desc(), NetworkMeeting.id.desc()).limit(MAX_PER_KIND))
    for mt in meetings:
        where = f", {mt.place}" if mt.place else ""
        summary = f"Møde {danish_date(mt.held_on)}{where}."
        if mt.agenda:
            summary += " Dagsorden: " + _short(mt.agenda, 200)
        out.append(DigestItem(
            "network", f"meeting/{mt.id}", f"Møde i {nets.get(mt.network_id, '')}: {mt.title}", summary,
            f"/netvaerk/{mt.network_id}", _aware(mt.created_at), network=nets.get(mt.network_id, ""),
            private=True))
    shares = list(s.scalars(select(NetworkShare).where(
        NetworkShare.network_id.in_(network_ids), NetworkShare.created_at >= start, NetworkShare.created_at < end)
        .order_by(NetworkShare.created_at.desc(), NetworkShare.id.desc()).limit(MAX_PER_KIND)))
    sids = [sh.scenario_id for sh in shares if sh.scenario_id is not None]
    scen = dict(s.execute(select(CatalogueScenario.id, CatalogueScenario.name)
                          .where(CatalogueScenario.id.in_(sids))).all()) if sids else {}
    for sh in shares:
        who = mname(sh.municipality_code)
        what = SHARE_KINDS.get(sh.kind, sh.kind)
        if sh.scenario_id is not None and sh.scenario_id in scen:
            what += f" «{scen[sh.scenario_id]}»"
        out.append(DigestItem(
            "network", f"share/{sh.id}", f"{who} har delt sin {what} med {nets.get(sh.network_id, '')}",
            "Kun netværkets medlemmer kan se det delte.", f"/netvaerk/{sh.network_id}", _aware(sh.created_at),
            municipality=who, network=nets.get(sh.network_id, ""), private=True))
    return out


def _collect(s: Session, user: User | None, month: str, flt: Filter | None = None) -> list[DigestItem]:
    """Every item of ``month`` that ``user`` (None: the public) may see, kept by ``flt``; newest first per kind."""
    start, end, first, after = month_bounds(month)
    names = area_names()
    mname = _municipality_names()
    lever_list = effective_levers(s.get_bind())  # type: ignore[arg-type]
    lever_areas = {lv.id: tuple(lv.areas) for lv in lever_list}
    items = _proposals(s, start, end, names) + _levers(s, start, end, names)
    items += _experiences(s, user, start, end, names, mname, lever_areas)
    if is_logged_in(user):
        network_ids = visible_network_ids(s, user)
        member_of: dict[int, list[str]] = {}
        if network_ids:
            for code, name in s.execute(select(NetworkMember.municipality_code, Network.name)
                                        .join(Network, Network.id == NetworkMember.network_id)
                                        .where(NetworkMember.network_id.in_(network_ids))
                                        .order_by(Network.name)):
                member_of.setdefault(int(code), []).append(name)
        items += _marks(s, start, end, names, mname, {lv.id: lv.title for lv in lever_list}, lever_areas,
                        member_of)
        items += _network_activity(s, network_ids, start, end, first, after, mname)
    flt = flt or Filter()
    return [i for i in items if flt.keeps(i)]


def _subscription(s: Session, user: User | None) -> DigestSubscription | None:
    if user is None or user.id is None:
        return None
    return s.get(DigestSubscription, int(user.id))


def build_digest(engine: Engine, user: User | None, month: str, *, use_subscription: bool = True) -> Digest:
    """The digest of ``month`` for ``user`` (None: the public digest), filtered by the user's subscription."""
    month = check_month(month)
    with Session(engine) as s:
        personal = is_logged_in(user)
        sub = _subscription(s, user) if personal and use_subscription else None
        code = user.municipality_code if user is not None else None
        flt = subscription_filter(s, code, sub.areas if sub else (), sub.committees if sub else ())
        items = _collect(s, user if personal else None, month, flt)
    notes = () if personal else ("Det offentlige nyhedsbrev; log ind for at se markeringer, alle erfaringer og "
                                 "nyt fra dine netværk.",)
    return Digest(month, "personal" if personal else "public", tuple(items),
                  recipient=user.name if personal and user is not None else "", filters=flt.text, notes=notes)


def feed_items(engine: Engine, user: User | None, month: str | None = None) -> list[DigestItem]:
    """The items of the feeds: the last :data:`FEED_MONTHS` months, newest first (public items for None)."""
    month = month or current_month()
    out: list[DigestItem] = []
    for m in months_back(month, FEED_MONTHS):
        out += build_digest(engine, user, m).items
    out.sort(key=lambda i: i.at, reverse=True)
    return out[:MAX_FEED_ENTRIES]


# ------------------------------------------------------------------------------------------------ links


def authority(settings: Settings) -> str:
    """The host of the public address (the tag: URIs' authority and the Message-IDs' domain)."""
    return (urlsplit(settings.public_url).hostname or "localhost").lower()


def link_key_of(engine: Engine, user_id: int) -> str | None:
    """The user's link key ("" before the first rotation), or None when the user does not exist or is disabled."""
    with Session(engine) as s:
        user = s.get(User, int(user_id))
        if user is None or user.disabled:
            return None
        sub = s.get(DigestSubscription, int(user_id))
        return sub.link_key if sub is not None else ""


def _peek_key(engine: Engine, settings: Settings) -> bytes | None:
    """The signing key without making one (what a dry run may use: it writes nothing)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    with Session(engine) as s:
        value = s.scalar(select(AppSecret.value).where(AppSecret.name == LINK_SECRET))
    return value.encode("ascii") if value else None


def feed_path(engine: Engine, settings: Settings, user_id: int) -> str:
    """The path of a user's private, signed feed (``/feed/{id}/{token}.atom``)."""
    key = link_key_of(engine, int(user_id))
    if key is None:
        raise InputError("Kun en aktiv, gemt bruger har et privat feed.")
    return f"/feed/{int(user_id)}/{feed_token(signing_key(engine, settings), int(user_id), key)}.atom"


def unsubscribe_path(engine: Engine, settings: Settings, user_id: int, *, key: bytes | None = None) -> str:
    """The path of the user's one-click unsubscribe link (``/nyhedsbrev/afmeld/{id}/{token}``)."""
    link_key = link_key_of(engine, user_id)
    if link_key is None:
        raise InputError("Kun en aktiv, gemt bruger har et afmeldingslink.")
    key = key or signing_key(engine, settings)
    return f"/nyhedsbrev/afmeld/{int(user_id)}/{unsubscribe_token(key, int(user_id), link_key)}"


def _parse_id(user_id: Any) -> int | None:
    text = str(user_id)
    return int(text) if text.isdigit() and 0 < len(text) <= 10 and int(text) <= 2**31 - 1 else None


def user_by_link(engine: Engine, settings: Settings, kind: str, user_id: Any, token: Any) -> User:
    """The active user a signed link (``kind`` "feed" or "afmeld") belongs to; :class:`DigestLinkNotFound` (404)
    when the id, the signature or the user does not hold."""
    uid = _parse_id(user_id)
    link_key = link_key_of(engine, uid) if uid is not None else None
    if uid is None or link_key is None:
        raise DigestLinkNotFound("Linket findes ikke, eller det er ikke gyldigt længere.")
    key = signing_key(engine, settings)
    expected = (feed_token if kind == "feed" else unsubscribe_token)(key, uid, link_key)
    if not check_token(str(token), expected):
        raise DigestLinkNotFound("Linket findes ikke, eller det er ikke gyldigt længere (er der kommet nye links, "
                                 "eller er det skrevet forkert af?).")
    with Session(engine, expire_on_commit=False) as s:
        user = s.get(User, uid)
        assert user is not None
        s.expunge(user)
        return user


# ------------------------------------------------------------------------------------------------ services


def _clean_email(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) > MAX_EMAIL or not EMAIL_RE.match(text):
        raise InputError(f"Feltet «{LABELS['email']}»: {text[:60]!r} er ikke en gyldig e-mailadresse (fx "
                         "navn@kommune.dk; kun bogstaverne a-z, tal og . _ - + før @).")
    return text


def _flag(value: Any) -> bool:
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "on", "true", "ja", "yes")


def _list(value: Any, what: str) -> list[str]:
    items = value if isinstance(value, list | tuple) else ([value] if value else [])
    out: list[str] = []
    for item in items:
        text = " ".join(str(item).split())
        if text and text not in out:
            out.append(text)
    if len(out) > 100:
        raise InputError(f"Feltet «{LABELS[what]}» har for mange valg ({len(out)}; højst 100).")
    return out


def _subscription_fields(s: Session, user: User, fields: Mapping[str, Any]) -> dict[str, Any]:
    areas = _list(fields.get("areas"), "areas")
    known = area_names()
    bad = [a for a in areas if a not in known]
    if bad:
        raise InputError(f"Feltet «{LABELS['areas']}»: ukendt område {bad[0][:60]!r}.")
    committees = _list(fields.get("committees"), "committees")
    choices = {_norm(c): c for c in committee_choices(s, user.municipality_code)}
    bad = [c for c in committees if _norm(c) not in choices]
    if bad:
        raise InputError(f"Feltet «{LABELS['committees']}»: udvalget {bad[0][:60]!r} findes ikke i din kommunes "
                         f"udvalgsopdeling. Kendte udvalg: {', '.join(choices.values())}.")
    email = _clean_email(fields.get("email"))
    opt_in = _flag(fields.get("email_opt_in"))
    if opt_in and not email:
        raise InputError(f"Feltet «{LABELS['email']}»: skriv en e-mailadresse for at få nyhedsbrevet på e-mail.")
    return {"areas": [a for a in known if a in areas], "committees": [choices[_norm(c)] for c in committees],
            "email": email, "email_opt_in": opt_in}


def _sub_dict(sub: DigestSubscription | None) -> dict[str, Any] | None:
    return snapshot(sub, exclude=("link_key",)) if sub is not None else None


def _own_id(user: User) -> int:
    if user.id is None:
        raise InputError(f"{user.name} er ikke en gemt bruger og har intet abonnement på nyhedsbrevet.")
    return int(user.id)


def _conflict(had: int, now: int) -> ConflictError:
    return ConflictError(f"Dit abonnement er blevet ændret (fx i et andet vindue eller via afmeldingslinket), efter "
                         f"du åbnede siden (du rettede version {had}, nu er det version {now}). Dine ændringer er "
                         "IKKE gemt. Genindlæs siden, og prøv igen.")


def set_subscription(engine: Engine, user: User | None, fields: Mapping[str, Any],
                     version: Any) -> DigestSubscription:
    """Save the user's OWN subscription (areas, committees, e-mail, opt-in), made on ``version`` (0: none yet).

    Raises PermissionDenied (not an active user), InputError (a field) or ConflictError (changed in between).
    """
    actor = require(user, SUBSCRIPTION_ACTION)
    uid = _own_id(actor)
    had = _version(version)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        values = _subscription_fields(s, actor, fields)
        sub = s.get(DigestSubscription, uid)
        now = sub.version if sub is not None else 0
        if now != had:
            raise _conflict(had, now)
        before = _sub_dict(sub)
        if sub is None:
            sub = DigestSubscription(user_id=uid, link_key="", version=1)
            s.add(sub)
        sub.areas, sub.committees = values["areas"], values["committees"]
        sub.email, sub.email_opt_in = values["email"], values["email_opt_in"]
        sub.updated_at = utcnow()
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(had, had + 1) from None
        except IntegrityError:
            raise _conflict(had, 1) from None
        record(s, actor, "subscription.edit", ENTITY, uid, before, _sub_dict(sub), actor.municipality_code)
    return sub


def rotate_links(engine: Engine, user: User | None) -> DigestSubscription:
    """Give the user a new random link key: its private feed URL and unsubscribe link change, the old ones stop
    working (404)."""
    actor = require(user, SUBSCRIPTION_ACTION)
    uid = _own_id(actor)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        sub = s.get(DigestSubscription, uid)
        before = _sub_dict(sub)
        if sub is None:
            sub = DigestSubscription(user_id=uid, email="", email_opt_in=False, areas=[], committees=[], version=1)
            s.add(sub)
        sub.link_key = secrets.token_urlsafe(32)
        sub.updated_at = utcnow()
        try:
            s.flush()
        except (StaleDataError, IntegrityError):
            raise ConflictError("Abonnementet blev ændret samtidig; intet er gemt. Prøv igen.") from None
        record(s, actor, "subscription.rotate", ENTITY, uid, before, {**(_sub_dict(sub) or {}), "link_key": "(ny)"},
               actor.municipality_code)
    return sub


def unsubscribe_by_token(engine: Engine, user_id: Any, token: Any, *, settings: Settings | None = None) -> bool:
    """Stop the e-mails of the user a signed unsubscribe link belongs to (no login: the signature is the
    authorisation). True when the subscription changed, False when it was already off (no audit row then).
    A bad id or signature raises :class:`DigestLinkNotFound` (404) and changes nothing."""
    settings = settings or config.current()
    owner = user_by_link(engine, settings, "afmeld", user_id, token)
    actor = require(system_actor(UNSUBSCRIBE_ACTOR), SUBSCRIPTION_ACTION)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        sub = s.get(DigestSubscription, int(owner.id or 0))
        if sub is None or not sub.email_opt_in:
            return False
        before = _sub_dict(sub)
        sub.email_opt_in = False
        sub.updated_at = utcnow()
        try:
            s.flush()
        except StaleDataError:
            raise ConflictError("Abonnementet blev ændret samtidig; prøv linket igen.") from None
        record(s, actor, "subscription.unsubscribe", ENTITY, sub.user_id, before, _sub_dict(sub),
               owner.municipality_code)
    return True


# ------------------------------------------------------------------------------------------------ sending

#: Statuses of one user in a send report, with their Danish labels.
RESULT_LABELS = {
    "sent": "sendt",
    "dry_run": "tørløb (ikke sendt)",
    "already_sent": "sprunget over: allerede sendt for måneden",
    "in_progress": "sprunget over: en anden kørsel sender lige nu",
    "stuck": ("sprunget over: en tidligere kørsel blev afbrudt under afsendelsen, så det vides ikke, om e-mailen "
              "nåede frem; send den igen med --gensend-afbrudte (modtageren kan da få den to gange)"),
    "empty": "ikke sendt: intet nyt for abonnementet",
    "failed": "fejlede (prøves igen ved næste kørsel)",
}


@dataclass
class SendResult:
    user_id: int
    user_name: str
    email: str
    status: str
    items: int = 0
    message_id: str = ""
    error: str = ""
    text: str = ""

    @property
    def label(self) -> str:
        return RESULT_LABELS.get(self.status, self.status)

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "user_name": self.user_name, "email": self.email, "status": self.status,
                "status_label": self.label, "items": self.items, "message_id": self.message_id,
                "error": self.error}


@dataclass
class SendReport:
    month: str
    dry_run: bool
    results: list[SendResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> int:
        """Sends that need another run: failed ones, and stuck ones (to resend with ``resend_stuck``)."""
        return self.count("failed") + self.count("stuck")

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month, "dry_run": self.dry_run,
                "counts": {k: self.count(k) for k in RESULT_LABELS},
                "results": [r.to_dict() for r in self.results]}


def _recipients(engine: Engine) -> list[tuple[User, DigestSubscription]]:
    with Session(engine, expire_on_commit=False) as s:
        rows = list(s.execute(select(User, DigestSubscription)
                              .join(DigestSubscription, DigestSubscription.user_id == User.id)
                              .where(DigestSubscription.email_opt_in.is_(True), DigestSubscription.email != "",
                                     User.disabled.is_(False))
                              .order_by(User.id)).all())
        s.expunge_all()
        return [(u, sub) for u, sub in rows]


class _Mailer:
    """One SMTP connection for a run, opened on the first e-mail and again after a failure."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        st = self.settings
        host, port = st.smtp_host or "", int(st.smtp_port)
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if st.smtp_tls == "ssl":
            conn = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
        else:
            conn = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
            if st.smtp_tls == "starttls":
                conn.starttls(context=context)
        if st.smtp_user:
            conn.login(st.smtp_user, st.smtp_password or "")
        return conn

    def send(self, msg: EmailMessage, sender: str, to: str) -> None:
        try:
            if self.conn is None:
                self.conn = self._connect()
            self.conn.send_message(msg, from_addr=sender, to_addrs=[to])
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except Exception:  # noqa: BLE001 - the connection is gone either way
                self.conn.close()
            self.conn = None


def _message(settings: Settings, digest: Digest, to: str, unsubscribe_url: str, subscription_url: str,
             message_id: str) -> EmailMessage:
    base = settings.public_url
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = settings.smtp_sender
    msg["To"] = to
    msg["Subject"] = digest.title
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id
    msg["List-Id"] = f"Råderum <raaderum.{authority(settings)}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render_text(digest, base, unsubscribe_url=unsubscribe_url, subscription_url=subscription_url))
    msg.add_alternative(render_html(digest, base, unsubscribe_url=unsubscribe_url,
                                    subscription_url=subscription_url), subtype="html")
    return msg


def _stuck(row: DigestSend | None) -> bool:
    """A claim left at 'sending' for longer than :data:`STUCK_AFTER`: its run was stopped mid-send."""
    return (row is not None and row.status == "sending" and row.at is not None
            and _aware(row.at) + STUCK_AFTER <= utcnow())


def _claim(engine: Engine, user: User, month: str, email: str, items: int, *, resend_stuck: bool = False) -> str:
    """Claim the user's month: 'claimed', or why not ('already_sent', 'in_progress', 'stuck'). A stuck claim is
    taken over only with ``resend_stuck``, and only by one run (the update matches the old claim's time)."""
    uid = int(user.id or 0)
    with Session(engine) as s:
        row = s.get(DigestSend, (uid, month))
        status = row.status if row is not None else None
        stuck_at = row.at if row is not None and _stuck(row) else None
    if status == "sent":
        return "already_sent"
    if status == "sending" and stuck_at is None:
        return "in_progress"
    if status == "sending" and not resend_stuck:
        return "stuck"
    try:
        with Session(engine) as s, s.begin():
            if status is None:
                s.add(DigestSend(user_id=uid, month=month, status="sending", email=email, items=items, at=utcnow()))
                s.flush()
                return "claimed"
            old = (DigestSend.status == "failed") if status == "failed" else \
                ((DigestSend.status == "sending") & (DigestSend.at == stuck_at))
            done = s.execute(update(DigestSend).where(DigestSend.user_id == uid, DigestSend.month == month, old)
                             .values(status="sending", email=email, items=items, error="", at=utcnow()))
            return "claimed" if getattr(done, "rowcount", 0) == 1 else "in_progress"
    except IntegrityError:  # another run claimed it at the same moment
        return "in_progress"


def _finish(engine: Engine, actor: User, user: User, month: str, *, message_id: str = "", error: str = "") -> None:
    """Mark the claimed row 'sent' (or 'failed' with the error) with its audit row, in ONE transaction."""
    uid = int(user.id or 0)
    with Session(engine) as s, s.begin():
        row = s.get(DigestSend, (uid, month))
        assert row is not None
        before = snapshot(row)
        row.status = "failed" if error else "sent"
        row.message_id, row.error, row.at = message_id, error[:2000], utcnow()
        s.flush()
        record(s, actor, "digest.fail" if error else "digest.send", SEND_ENTITY, f"{uid}:{month}", before,
               snapshot(row), user.municipality_code)


def send_digests(engine: Engine, settings: Settings, actor: User | None, month: str | None = None,
                 dry_run: bool = False, resend_stuck: bool = False) -> SendReport:
    """Send ``month``'s digest (default: the last whole month) to every active user who opted in with an e-mail.

    ``dry_run``: build every digest (the report holds its text) and send and write nothing. A send left at
    'sending' for more than :data:`STUCK_AFTER` (a run stopped between claiming and finishing) is reported as
    'stuck' and sent again only with ``resend_stuck``: whether the first e-mail went out is not known. Raises
    PermissionDenied (not the operator), InputError (a bad month) or :class:`MailNotConfigured` (no SMTP server
    and not a dry run).
    """
    actor = require(actor, SEND_ACTION)
    month = check_month(month or previous_month())
    if not dry_run and not settings.smtp_host:
        raise MailNotConfigured("Der er ingen SMTP-server sat op til nyhedsbrevet. Sæt RAADERUM_SMTP_HOST (og evt. "
                                "RAADERUM_SMTP_PORT, RAADERUM_SMTP_TLS, RAADERUM_SMTP_USER, RAADERUM_SMTP_PASSWORD, "
                                "RAADERUM_SMTP_SENDER), eller kør med --dry-run for at se nyhedsbrevene uden at "
                                "sende dem.")
    report = SendReport(month, dry_run)
    key = _peek_key(engine, settings) if dry_run else signing_key(engine, settings)
    base = settings.public_url.rstrip("/")
    sender = parseaddr(settings.smtp_sender)[1] or settings.smtp_sender
    mailer = _Mailer(settings)
    try:
        for user, sub in _recipients(engine):
            uid = int(user.id or 0)
            result = SendResult(uid, user.name, sub.email, "empty")
            report.results.append(result)
            digest = build_digest(engine, user, month)
            result.items = len(digest.items)
            with Session(engine) as s:
                row = s.get(DigestSend, (uid, month))
                done = row.status if row is not None else None
            if done == "sent":
                result.status = "already_sent"
                continue
            if digest.empty:
                continue
            unsubscribe = base + (unsubscribe_path(engine, settings, uid, key=key) if key else
                                  "/nyhedsbrev/afmeld/…")
            if dry_run:
                result.status = ("stuck" if _stuck(row) and not resend_stuck else
                                 "in_progress" if done == "sending" and not _stuck(row) else "dry_run")
                result.text = render_text(digest, base, unsubscribe_url=unsubscribe,
                                          subscription_url=base + "/nyhedsbrev/abonnement")
                continue
            claim = _claim(engine, user, month, sub.email, len(digest.items), resend_stuck=resend_stuck)
            if claim != "claimed":
                result.status = claim
                continue
            message_id = make_msgid(idstring=f"raaderum.{uid}.{month}", domain=authority(settings))
            msg = _message(settings, digest, sub.email, unsubscribe, base + "/nyhedsbrev/abonnement", message_id)
            try:
                mailer.send(msg, sender, sub.email)
            except (smtplib.SMTPException, OSError, ValueError) as e:
                result.status, result.error = "failed", f"{type(e).__name__}: {e}"
                _finish(engine, actor, user, month, error=result.error)
                continue
            result.status, result.message_id = "sent", message_id
            _finish(engine, actor, user, month, message_id=message_id)
    finally:
        mailer.close()
    return report


__all__ = ["FEED_MONTHS", "RESULT_LABELS", "SEND_ACTION", "SUBSCRIPTION_ACTION", "UNSUBSCRIBE_ACTOR", "Filter",
           "SendReport", "SendResult", "area_choices", "authority", "build_digest", "check_month",
           "committee_choices", "current_month", "feed_items", "feed_path", "link_key_of", "month_bounds",
           "months_back", "previous_month", "rotate_links", "send_digests", "set_subscription",
           "subscription_filter", "unsubscribe_by_token", "unsubscribe_path", "user_by_link"]
