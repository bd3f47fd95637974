"""The digest "Råderum" as text, HTML e-mail and Atom feed: pure functions of plain data, no database.

:mod:`raaderum.server.digest` collects what is new in a month (what the reader may see, filtered by the
subscription) into a :class:`Digest` of :class:`DigestItem`; this module only renders it. Danish throughout; dates
in Danish format ("3. marts 2026"); amounts in 1.000 kr. with the sign convention of the idea bank and the catalogue
(savings negative) stated under every amount.

    >>> from datetime import UTC, datetime
    >>> d = Digest("2026-03", "public", (DigestItem("proposal", "proposal/1", "Færre vikarer", "",
    ...            "/idebank/1", datetime(2026, 3, 3, tzinfo=UTC), amounts=(("B", -1250.0),)),))
    >>> "Færre vikarer" in render_text(d, "https://raaderum.example")
    True
    >>> month_label("2026-03")
    'marts 2026'
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from raaderum.formatting import MONTHS, fmt_date, fmt_number

TZ = ZoneInfo("Europe/Copenhagen")
ATOM_NS = "http://www.w3.org/2005/Atom"
#: The date part of every tag: URI (RFC 4151); fixed, so ids never change.
TAG_DATE = "2026"

#: The sections of a digest, in order, with their Danish headings.
SECTIONS: dict[str, str] = {
    "proposal": "Nye forslag i idébanken",
    "lever": "Nye og ændrede greb i vidensportalen",
    "experience": "Erfaringer fra kommunerne",
    "mark": "Vi arbejder med dette",
    "network": "Nyt fra dine netværk",
}
SIGN_NOTE = ("Beløb er i 1.000 kr.; besparelser og mindreudgifter er negative, merudgifter "
             "positive (fortegnet i idébanken og råderumskataloget).")
SAMPLE_LABEL = "eksempeldata"

#: Characters XML 1.0 cannot hold (even escaped).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class DigestItem:
    """One thing that is new: a proposal, a lever (edit), an experience, a mark, a network's meeting or share."""

    kind: str  # a key of SECTIONS
    key: str  # unique and stable ("proposal/12", "lever/faelles_indkoeb/v3"): the Atom entry's id
    title: str
    summary: str  # plain text, one paragraph
    path: str  # the page on the site ("/idebank/12")
    at: datetime  # when it happened (aware)
    municipality: str = ""
    areas: tuple[str, ...] = ()  # area names, for reading
    area_ids: tuple[str, ...] = ()  # area ids, for the subscription's filter
    committee: str = ""  # the committee the source named (proposals), for the filter
    amounts: tuple[tuple[str, float | None], ...] = ()  # (label, 1.000 kr., savings negative)
    network: str = ""  # the network's name (network activity)
    sample: bool = False  # sample data, labelled "eksempeldata"
    private: bool = False  # only for logged-in users (or members): never in a public digest or feed


@dataclass(frozen=True)
class Digest:
    """The digest of one month for one reader (``audience`` "public" or "personal")."""

    month: str  # YYYY-MM
    audience: str
    items: tuple[DigestItem, ...]
    recipient: str = ""
    filters: str = ""  # the subscription's filter, in Danish ("" = everything)
    notes: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        return f"Råderum · {month_label(self.month)}"

    @property
    def empty(self) -> bool:
        return not self.items

    def sections(self) -> list[tuple[str, list[DigestItem]]]:
        """(heading, items) of every section with items, in :data:`SECTIONS` order."""
        out = []
        for kind, heading in SECTIONS.items():
            items = [i for i in self.items if i.kind == kind]
            if items:
                out.append((heading, items))
        return out


# ------------------------------------------------------------------------------------------------ formats


def month_label(month: str) -> str:
    """'2026-03' → 'marts 2026'."""
    year, mm = month.split("-")
    return f"{MONTHS[int(mm) - 1]} {int(year)}"


def local(dt: datetime) -> datetime:
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(TZ)


def danish_date(value: datetime | date) -> str:
    """'3. marts 2026' (a datetime in Danish time)."""
    return fmt_date(local(value) if isinstance(value, datetime) else value)


def amount(value: float | None) -> str:
    """'-1.250' (1.000 kr.); '–' when unknown."""
    return fmt_number(value)


def amounts_line(item: DigestItem) -> str:
    """'B: -1.250 · BO1: -2.500 (1.000 kr.)', or '' without amounts."""
    if not item.amounts:
        return ""
    return " · ".join(f"{label}: {amount(v)}" for label, v in item.amounts) + " (1.000 kr.)"


def meta_line(item: DigestItem) -> str:
    """'Aarhus · Ældrepleje · 3. marts 2026 · eksempeldata'."""
    parts = [p for p in (item.municipality, item.network, ", ".join(item.areas)) if p]
    parts.append(danish_date(item.at))
    if item.sample:
        parts.append(SAMPLE_LABEL)
    return " · ".join(parts)


def _url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


# ------------------------------------------------------------------------------------------------ e-mail


def render_text(digest: Digest, base_url: str, *, unsubscribe_url: str = "", subscription_url: str = "") -> str:
    """The digest as plain text (the e-mail's text part, and what ``digest send --dry-run`` prints)."""
    lines = [digest.title, "=" * len(digest.title), ""]
    if digest.recipient:
        lines.append(f"Til {digest.recipient}.")
    lines.append(f"Det nye i Råderum i {month_label(digest.month)}"
                 + (f", filtreret efter dit abonnement ({digest.filters})." if digest.filters else "."))
    lines += list(digest.notes)
    lines.append("")
    if digest.empty:
        lines.append("Der er intet nyt for dit abonnement i denne måned.")
    for heading, items in digest.sections():
        lines += [heading, "-" * len(heading)]
        for item in items:
            lines.append(f"* {item.title}")
            lines.append(f"  {meta_line(item)}")
            if item.summary:
                lines.append(f"  {item.summary}")
            if item.amounts:
                lines.append(f"  {amounts_line(item)}")
            lines.append(f"  {_url(base_url, item.path)}")
        lines.append("")
    if any(i.amounts for i in digest.items):
        lines += [SIGN_NOTE, ""]
    lines.append(f"Læs nyhedsbrevet på {_url(base_url, '/nyhedsbrev?maaned=' + digest.month)}")
    if subscription_url:
        lines.append(f"Ret dit abonnement: {subscription_url}")
    if unsubscribe_url:
        lines.append(f"Afmeld nyhedsbrevet med ét klik: {unsubscribe_url}")
    return "\n".join(lines).rstrip() + "\n"


def render_html(digest: Digest, base_url: str, *, unsubscribe_url: str = "", subscription_url: str = "") -> str:
    """The digest as a small, self-contained HTML document (the e-mail's HTML part; no scripts, no images)."""
    e = html.escape
    out = ['<!doctype html>', '<html lang="da"><head><meta charset="utf-8">', f"<title>{e(digest.title)}</title>",
           "</head>", '<body style="font-family: Arial, sans-serif; max-width: 40em; color: #1a1a1a">',
           f"<h1>{e(digest.title)}</h1>"]
    intro = f"Det nye i Råderum i {month_label(digest.month)}"
    intro += f", filtreret efter dit abonnement ({digest.filters})." if digest.filters else "."
    out.append(f"<p>{e(intro)}</p>")
    for note in digest.notes:
        out.append(f"<p>{e(note)}</p>")
    if digest.empty:
        out.append("<p>Der er intet nyt for dit abonnement i denne måned.</p>")
    for heading, items in digest.sections():
        out.append(f"<h2>{e(heading)}</h2>")
        out.append("<ul>")
        for item in items:
            out.append(f'<li><p><a href="{e(_url(base_url, item.path))}">{e(item.title)}</a><br>'
                       f'<small>{e(meta_line(item))}</small></p>')
            if item.summary:
                out.append(f"<p>{e(item.summary)}</p>")
            if item.amounts:
                out.append(f"<p>{e(amounts_line(item))}</p>")
            out.append("</li>")
        out.append("</ul>")
    if any(i.amounts for i in digest.items):
        out.append(f"<p><small>{e(SIGN_NOTE)}</small></p>")
    page = _url(base_url, "/nyhedsbrev?maaned=" + digest.month)
    out.append(f'<p><a href="{e(page)}">Læs nyhedsbrevet i Råderum</a></p>')
    foot = []
    if subscription_url:
        foot.append(f'<a href="{e(subscription_url)}">Ret dit abonnement</a>')
    if unsubscribe_url:
        foot.append(f'<a href="{e(unsubscribe_url)}">Afmeld nyhedsbrevet</a>')
    if foot:
        out.append("<p><small>" + " · ".join(foot) + "</small></p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------------ Atom


def xml_text(value: str) -> str:
    """Text XML 1.0 can hold (characters it cannot are dropped; ElementTree escapes the rest)."""
    return _XML_BAD.sub("", value or "")


def rfc3339(dt: datetime) -> str:
    """'2026-03-03T09:15:00Z' (UTC)."""
    aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_uri(authority: str, specific: str) -> str:
    """A tag: URI (RFC 4151): ``tag:raaderum.example,2026:raaderum/proposal/12``."""
    safe = re.sub(r"[^A-Za-z0-9._~!$&'()*+,;=:@/?-]", "-", specific)
    return f"tag:{authority or 'localhost'},{TAG_DATE}:raaderum/{safe}"


def render_atom(items: list[DigestItem] | tuple[DigestItem, ...], *, title: str, subtitle: str, feed_key: str,
                authority: str, base_url: str, self_url: str, fallback_updated: datetime) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of ``items``, newest first: unique tag: ids, RFC 3339 dates, escaped text."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = xml_text(text)
        return el

    ordered = sorted(items, key=lambda i: (i.at if i.at.tzinfo else i.at.replace(tzinfo=UTC)), reverse=True)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "da"})
    sub(feed, "id", tag_uri(authority, feed_key))
    sub(feed, "title", title)
    sub(feed, "subtitle", subtitle)
    sub(feed, "updated", rfc3339(ordered[0].at if ordered else fallback_updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=xml_text(self_url))
    sub(feed, "link", rel="alternate", type="text/html", href=xml_text(_url(base_url, "/nyhedsbrev")))
    author = sub(feed, "author")
    sub(author, "name", "Råderum")
    sub(feed, "generator", "Råderum")
    seen: set[str] = set()
    for item in ordered:
        if item.key in seen:
            continue
        seen.add(item.key)
        entry = sub(feed, "entry")
        sub(entry, "id", tag_uri(authority, item.key))
        sub(entry, "title", item.title or "(uden titel)")
        sub(entry, "updated", rfc3339(item.at))
        sub(entry, "published", rfc3339(item.at))
        sub(entry, "link", rel="alternate", type="text/html", href=xml_text(_url(base_url, item.path)))
        sub(entry, "category", term=item.kind, label=SECTIONS.get(item.kind, item.kind))
        if item.municipality:
            sub(sub(entry, "author"), "name", item.municipality)
        parts = [meta_line(item)]
        if item.summary:
            parts.append(item.summary)
        if item.amounts:
            parts.append(amounts_line(item) + ". " + SIGN_NOTE)
        sub(entry, "summary", "\n".join(parts), type="text")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


__all__ = ["ATOM_NS", "SECTIONS", "SIGN_NOTE", "Digest", "DigestItem", "amount", "amounts_line", "danish_date",
           "local", "meta_line", "month_label", "render_atom", "render_html", "render_text", "rfc3339", "tag_uri",
           "xml_text"]
