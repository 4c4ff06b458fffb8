"""Report jobs.

Drafts: when an assessment is completed or a self-diagnosis submitted, a job scores and renders its report as a
draft, which the factory reviews before the release and the release publishes. The same job drafts the programme
progress report from the data once it is due within a month, for staff to complete before its release.
PDFs: one job per released report in the language it was written in (the factory's), and one per report and
language a reader asked for. The release itself (HTML, released_at, notices) is done by then; the PDF is the slow
part (WeasyPrint), so it never holds a release back. Report.file_path is filled when the factory's file is written;
a reader's file is found by its name (bwadmin.services.report_pdf).
They are queued by bwadmin.queue (enqueue_drafts, enqueue_pdfs, enqueue_pdf_in)."""
from __future__ import annotations

from datetime import datetime

from bwadmin.extensions import db
from bwadmin.models import utcnow
from bwadmin.services import progress_reports, report_docs, report_pdf

from . import app_context


def make_pdf(report_id: int, language: str | None = None) -> str | None:
    """Write the report's PDF in `language` (default: the language it was written in) unless made for its content
    already; returns its path relative to the reports directory."""
    with app_context():
        return report_pdf.make_pdf(report_id, language)


def make_drafts(cycle_ids: list[int], now: str | None = None) -> dict[str, int]:
    """Draft the assessment report, the self-diagnosis results and the programme progress report of these cycles
    where due (as of `now`, ISO, for the time-travelling tick); returns how many of each kind were drafted."""
    with app_context():
        at = datetime.fromisoformat(now) if now else utcnow()
        made = report_docs.draft_reports(cycle_ids, at)
        made["programme_progress"] = progress_reports.draft_due_programme_progress(cycle_ids, at)
        db.session.commit()
        return made
