"""The reports' PDF: the report's own template (report_docs.render, the one the portal shows) inside
templates/reports/pdf.html (a cover, a table of contents past three pages, a running header and "Page N of M"),
laid out by WeasyPrint in one language. Never on the release's path: jobs of their own (jobs/reports.py).

Which files exist: the file system says. A PDF is made for one language and one content of the report, and its name
carries both, <cycle>/<kind>.<language>.<stamp>.pdf, the stamp a short hash of the report's data, its body and the
print layout's version (`content_stamp`):
- in the language the report was written in (the factory's), a job after each release makes it (`make_pdf`) and
  Report.file_path names it; None until then (the portal says "being prepared", the API answers 202, and the sweep
  queues again the jobs Redis lost: `pending_pdf_ids`). A release sets file_path back to None.
- in another language, a reader who asks for it has a job queued (`make_pdf(report_id, language)`) and is told it
  is being prepared; once written it is found by its name (`reader_file`).
A new release or any change of what the report says changes the stamp: a file made for the old content is never
served again, and writing a file of the report deletes those of other stamps.
- a draft (not released) is never stored: staff get its PDF made in their request (`draft_pdf`).
"""
from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app
from flask_babel import force_locale, gettext as _
from markupsafe import Markup
from sqlalchemy import select, update

from ..config import settings
from ..extensions import db
from ..i18n import current_language
from ..models import LANGUAGES, REPORT_LABELS, RTL_LANGUAGES, Report, ReportContent
from ..models.reports import PDF_KINDS
from . import report_docs

# The programme's name as the app's pages carry it (templates/base.html): the cover's and the footer's.
PROGRAMME_NAME = "bwadmin"
# Part of every file's stamp: raise it when the print layout changes what a PDF shows, and every report's next
# download is made afresh in the new layout.
LAYOUT_VERSION = "2"
# Past this many pages a PDF opens with a table of contents (laid out a second time, with it, only then).
TOC_AFTER_PAGES = 3
STYLESHEETS = ("css/report.css", "css/chart.css")


# --- what the file is made from --------------------------------------------------------------------------
def content_stamp(report: Report, data: dict | None = None) -> str:
    """A short hash of what the report says (its data and its stored body) and of the layout's version: part of
    its PDFs' names, so a file is served only for the content it was made from."""
    data = report.data if data is None else data
    text = json.dumps([LAYOUT_VERSION, data, report.body_html or ""], sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


def file_name(report: Report, language: str, stamp: str) -> str:
    """The PDF's path relative to reports_dir."""
    return f"{report.cycle_id}/{report.kind}.{language}.{stamp}.pdf"


def written_in(report: Report) -> str:
    """The language of the report's stored body, the one its PDF is first made in: the factory's (reports made
    before data recorded it: the factory's as it is now)."""
    language = (report.data or {}).get("language")
    return language if language in LANGUAGES else report_docs.factory_language(report.cycle.factory_id)


def makes_pdf(report: Report) -> bool:
    """Released, of a kind the programme prints, with content, and PDFs on."""
    return (settings().report_pdf and report.released_at is not None and report.kind in PDF_KINDS
            and bool(report.data))


# --- the page WeasyPrint lays out ------------------------------------------------------------------------
class Section(NamedTuple):
    id: str
    title: str


class _Sections(HTMLParser):
    """The report's sections: each <h2> with an id, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[Section] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "h2" and dict(attrs).get("id"):
            self._open = (dict(attrs)["id"], [])

    def handle_endtag(self, tag):
        if tag == "h2" and self._open is not None:
            self.found.append(Section(self._open[0], " ".join("".join(self._open[1]).split())))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)


def sections(body: str) -> list[Section]:
    """The entries of the table of contents: the body's <h2 id="..."> headings, in order (a report template gives
    each of its section headings an id)."""
    parser = _Sections()
    parser.feed(body)
    parser.close()
    return parser.found


def css_string(text: str) -> str:
    """`text` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


_PAGE, _PAGES = "\ue000", "\ue001"  # placeholders no translation holds


def page_numbers_css() -> str:
    """"Page N of M" in the current language as a CSS content value: the translation's words as strings, its
    placeholders as the page counters, in the translation's order."""
    words = _("Page %(page)s of %(pages)s", page=_PAGE, pages=_PAGES)
    parts = []
    for piece in re.split(f"([{_PAGE}{_PAGES}])", words):
        if piece == _PAGE:
            parts.append("counter(page)")
        elif piece == _PAGES:
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def page_html(report: Report, data: dict, body: str, draft: bool = False, toc: list[Section] | None = None,
              released_at=None) -> str:
    """The whole page the PDF is made from, in the current language: cover, table of contents (when given), the
    report's body."""
    language = current_language()
    view = report_docs.localized(report.kind, data, language)
    title = _("%(report)s: %(factory)s, cycle %(number)s", report=REPORT_LABELS.get(report.kind, report.kind),
              factory=data.get("factory", ""), number=data.get("cycle", ""))
    return current_app.jinja_env.get_template("reports/pdf.html").render(
        lang=language, dir="rtl" if language in RTL_LANGUAGES else "ltr", title=title, data=view,
        programme=PROGRAMME_NAME, released_at=released_at if released_at is not None else report.released_at,
        draft=draft, toc=toc, body=Markup(body), page_numbers=page_numbers_css(),
        running_note=css_string(_("Draft")))


def pdf_html(report: Report, data: dict, draft: bool = False) -> str:
    """The page the PDF is made from, in the current language (without its table of contents)."""
    return page_html(report, data, report_docs.render(report.kind, data, for_pdf=True), draft)


# --- WeasyPrint ------------------------------------------------------------------------------------------
def _static_files_only(folder: Path):
    """WeasyPrint's URL fetcher for the reports: it serves the app's static files (the stylesheets) and nothing
    else, no other file and no network, whatever a report's text holds."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFiles(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" and not parts.netloc else None
            if path is None or folder not in path.parents or not path.is_file():
                raise ValueError(f"a report loads only the app's static files, not {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return StaticFiles(allowed_protocols=("file",))


class _Printer(NamedTuple):
    base_url: str
    fetcher: object
    stylesheets: list
    fonts: object


@lru_cache(maxsize=4)
def _printer(static_folder: str, stamp: tuple) -> _Printer:  # noqa: ARG001 - `stamp`: the stylesheets' mtimes
    """What every PDF of this process shares, made once: the stylesheets parsed, the fonts' configuration (which
    keeps the fonts WeasyPrint has read)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    static = Path(static_folder)
    fetcher = _static_files_only(static)
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(static / name), url_fetcher=fetcher, font_config=fonts) for name in STYLESHEETS]
    return _Printer(static.as_uri() + "/", fetcher, sheets, fonts)


def _shared_printer() -> _Printer:
    static = Path(current_app.static_folder).resolve()
    return _printer(str(static), tuple((static / name).stat().st_mtime_ns for name in STYLESHEETS))


def _lay_out(html: str, printer: _Printer):
    from weasyprint import HTML

    return HTML(string=html, base_url=printer.base_url, url_fetcher=printer.fetcher).render(
        stylesheets=printer.stylesheets, font_config=printer.fonts)


def render_pdf(report: Report, data: dict, language: str, draft: bool = False) -> bytes:
    """The report's PDF in `language`. A report past TOC_AFTER_PAGES pages opens with a table of contents, whose
    page numbers WeasyPrint fills in (target-counter). Most reports are that long: each is laid out with its table
    of contents first, and only one that turns out shorter is laid out again without."""
    printer = _shared_printer()
    with force_locale(language):
        body = report_docs.render(report.kind, data, for_pdf=True)
        toc = sections(body)
        document = _lay_out(page_html(report, data, body, draft, toc), printer)
        if toc and _pages_without_toc(document) <= TOC_AFTER_PAGES:
            document = _lay_out(page_html(report, data, body, draft), printer)
    return document.write_pdf()


def _pages_without_toc(document) -> int:
    """How many pages the document would have without its table of contents: the pages before the report's body
    (pdf.html's #report-start) other than the cover are the table's."""
    start = next((index for index, page in enumerate(document.pages) if "report-start" in page.anchors), 1)
    return len(document.pages) - max(start - 1, 0)


# --- the files ----------------------------------------------------------------------------------------------
def _reports_dir() -> Path:
    return Path(settings().reports_dir)


def _prune(folder: Path, kind: str, stamp: str, keep: str | None) -> None:
    """Delete the report's files made for another content (other stamps), but the one Report.file_path names."""
    for old in folder.glob(f"{kind}.*.pdf"):
        if old.name.removesuffix(".pdf").rsplit(".", 1)[-1] != stamp and old.name != keep:
            old.unlink(missing_ok=True)


def write_pdf(report: Report, data: dict, language: str | None = None) -> str | None:
    """Write the report's PDF in `language` (default: the current one) for its current content; returns its path
    relative to reports_dir, which names the language and the content's stamp."""
    if not settings().report_pdf:
        return None
    language = language or current_language()
    stamp = content_stamp(report, data)
    relative = file_name(report, language, stamp)
    target = _reports_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(render_pdf(report, data, language))
    os.replace(temporary, target)  # a reader never sees half a file
    _prune(target.parent, report.kind, stamp, Path(report.file_path).name if report.file_path else None)
    return relative


def make_pdf(report_id: int, language: str | None = None) -> str | None:
    """The PDF of a released report in `language` (default, or the same: the language it was written in, whose
    file Report.file_path then names), unless made already for its content; returns its path relative to
    reports_dir, None when there is none to make (not released, a kind without PDF, PDFs off). Commits."""
    report = db.session.get(Report, report_id)
    if report is None or not makes_pdf(report):
        return None
    own = written_in(report)
    language = language if language in LANGUAGES else own
    if language == own and report.file_path and (_reports_dir() / report.file_path).is_file():
        return report.file_path  # made already
    relative = file_name(report, language, content_stamp(report))
    if not (_reports_dir() / relative).is_file():
        relative = write_pdf(report, report.data, language)
    if language == own:
        # Only the file_path column: a newer release meanwhile (file_path reset) is not overwritten blindly.
        db.session.execute(update(Report).where(Report.id == report.id, Report.released_at == report.released_at)
                           .values(file_path=relative).execution_options(synchronize_session=False))
        db.session.commit()
    return relative


def reader_file(report: Report, language: str | None = None) -> Path | None:
    """The report's PDF in `language` (default: the language it was written in) for its current content, if made:
    only a file inside the reports directory."""
    base = _reports_dir().resolve()
    candidates = []
    own = written_in(report) if report.data else None
    if report.file_path and language in (None, own):
        candidates.append(report.file_path)
    if makes_pdf(report):
        candidates.append(file_name(report, language or own, content_stamp(report)))
    for relative in candidates:
        path = (base / relative).resolve()
        if base in path.parents and path.is_file():
            return path
    return None


def ask_for(report: Report, language: str) -> None:
    """Queue the report's PDF in `language`, whose file is not made yet."""
    from ..queue import ask_for_pdf  # here: the queue's module is the web side's, not the worker's rendering

    ask_for_pdf(report.id, None if language == written_in(report) else language)


def pending_pdf_ids(released_before=None) -> list[int]:
    """Released reports still without their PDF in the language they were written in (their job was lost with
    Redis, or never queued)."""
    if not settings().report_pdf:
        return []
    query = select(Report.id).join(ReportContent).where(
        Report.kind.in_(PDF_KINDS), Report.released_at.is_not(None), Report.file_path.is_(None),
        ReportContent.body_html.is_not(None))
    if released_before is not None:
        query = query.where(Report.released_at <= released_before)
    return list(db.session.scalars(query.order_by(Report.id)))


# --- a draft, for staff ------------------------------------------------------------------------------------
def draft_pdf(report: Report, language: str) -> bytes | None:
    """The PDF of a report not released yet, as it stands, in `language`, marked "Draft" on its cover and on every
    page; None when it has nothing to print yet (no content, a kind without PDF)."""
    if report.kind not in PDF_KINDS or not report.data or report.released_at is not None:
        return None
    return render_pdf(report, report.data, language, draft=True)
