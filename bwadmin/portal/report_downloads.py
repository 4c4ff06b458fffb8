"""A report's PDF for a reader of the portals, in the reader's language: the file once made for what the report says
now; else its job is queued and the reader is sent back to the report's page, which says the PDF is being
prepared (bwadmin.services.report_pdf says which files exist)."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, send_file
from flask_babel import gettext as _

from ..i18n import current_language
from ..models import LANGUAGE_NAMES, Report
from ..services import access, report_pdf


def send_report_pdf(report: Report, page_url: str, on_send: Callable[[], None] | None = None):
    """The download's answer: the PDF (after `on_send`, say an audit record), or a redirect to `page_url`."""
    language = current_language()
    path = access.report_file(report, language)
    if path is None:
        report_pdf.ask_for(report, language)
        flash(_("The PDF in %(language)s is being prepared: it will be ready to download in a minute or two.",
                language=LANGUAGE_NAMES.get(language, language)))
        return redirect(page_url, 303)
    if on_send is not None:
        on_send()
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"report-{report.id}-{language}.pdf")
