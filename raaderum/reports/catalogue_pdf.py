"""PDF documents with WeasyPrint, from the same Jinja templates the web app shows (``raaderum/web/templates``) and
a print stylesheet (``raaderum/web/static/katalog-print.css``):

* the committee material (udvalgsmateriale) of a råderumskatalog: per committee and scenario, a front page, the
  totals per year against the targets, one page per proposal with its amounts and consequences, the follow-up,
  and the source and method of every benchmark figure (template ``katalog_dokument.html``);
* the discussion guide (drøftelsesguide) for a budget seminar: per area with a gap, the gap and its range, three
  questions, the levers and the closest ideas from other municipalities (template ``katalog_guide.html``);
* :func:`html_to_pdf` for any page the web app renders (the one-page summary for politicians).

The templates are read from the web package's folder by path (this layer never imports the web app). Text from
users is escaped by Jinja's autoescape, and the PDF is rendered with a URL fetcher that only serves the package's
static files: no markup, script or link in a proposal's text can reach the document, and nothing is fetched from
the network.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from raaderum.formatting import fmt_date, fmt_kr, fmt_mio, fmt_number, fmt_pct
from raaderum.reports.catalogue_guide import DiscussionGuide
from raaderum.reports.catalogue_report import CatalogueReport, fmt_signed, fmt_staff, fmt_when
from raaderum.store.catalogue import status_label

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "web" / "templates"
STATIC = PACKAGE / "web" / "static"
#: The base URL documents are rendered at; only ``/static/...`` under it is served (from :data:`STATIC`).
BASE_URL = "http://raaderum.pdf/"

FILTERS = {"num": fmt_number, "kr": fmt_kr, "mio": fmt_mio, "pct": fmt_pct, "date": fmt_date, "signed": fmt_signed,
           "staff": fmt_staff, "catalogue_status": status_label, "when": fmt_when}


@lru_cache(maxsize=1)
def document_env() -> Environment:
    """The Jinja environment of the documents: the web app's template folder, autoescaped, Danish filters."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      trim_blocks=False, lstrip_blocks=False)
    env.filters.update(FILTERS)
    return env


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # lazy: start-up (WeasyPrint takes ~0.5 s)

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        """Serves ``BASE_URL/static/...`` from the package and refuses every other URL (no network, no files)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(BASE_URL + "static/"):
                rel = url[len(BASE_URL + "static/"):].split("?", 1)[0].split("#", 1)[0]
                path = (STATIC / rel).resolve()
                if path.is_file() and STATIC.resolve() in path.parents:
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
            raise ValueError(f"Råderum henter ikke {url[:80]!r} ind i et dokument.")

    return StaticOnly()


#: Extra stylesheet that fits the one-page summary for politicians on one A4 page.
ONE_PAGE_CSS = "katalog-onepage.css"


def html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = ()) -> bytes:
    """A PDF of ``html`` (print media; ``/static/...`` stylesheets and images served from the package), with the
    package's static ``stylesheets`` (file names) linked last in its head, so they win the cascade."""
    from weasyprint import HTML  # lazy: start-up

    links = "".join(f'<link rel="stylesheet" href="/static/{name}">' for name in stylesheets)
    if links:
        html = html.replace("</head>", links + "</head>", 1)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher(),  # type: ignore[no-any-return]
                media_type="print").write_pdf()


def render_document(report: CatalogueReport, *, pdf: bool = True) -> str:
    """The committee material as HTML (``pdf`` False: the same document as a web page, with its own links)."""
    return document_env().get_template("katalog_dokument.html").render(r=report, pdf=pdf)


def committee_pdf(report: CatalogueReport) -> bytes:
    """The committee material of ``report`` (a committee and/or a scenario of a catalogue) as PDF."""
    return html_to_pdf(render_document(report))


def render_guide(guide: DiscussionGuide, *, pdf: bool = True) -> str:
    return document_env().get_template("katalog_guide.html").render(g=guide, pdf=pdf)


def guide_pdf(guide: DiscussionGuide) -> bytes:
    """The discussion guide (drøftelsesguide) as PDF."""
    return html_to_pdf(render_guide(guide))


__all__ = ["BASE_URL", "FILTERS", "ONE_PAGE_CSS", "committee_pdf", "document_env", "guide_pdf", "html_to_pdf",
           "render_document",
           "render_guide"]
