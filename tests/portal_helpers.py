"""Builders for the portal tests: reports with a small PDF on disk, and a query counter."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from bwadmin.extensions import db
from bwadmin.models import Assessment, Report, utcnow

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

CLUSTERS = {"child_labour": 0.0, "compensation": 0.5, "osh": 0.75, "working_time": 0.25}


def make_report(cycle, kind="assessment", released=True, future=False, rates=None, title=None, pdf=True) -> Report:
    now = utcnow()
    rates = CLUSTERS if rates is None else rates
    report = Report(
        cycle_id=cycle.id, kind=kind, title=title or f"{kind.replace('_', ' ').title()} of {cycle}",
        body_html=f"<p>Body of the {kind} report of {cycle.factory.name}.</p>",
        data={"scores": {"clusters": {k: {"rate": v, "label": k.replace('_', ' ').title()} for k, v in rates.items()}}},
        release_at=now + timedelta(days=10) if future else now - timedelta(days=1),
        released_at=(now + timedelta(days=10) if future else now - timedelta(hours=1)) if released else None,
    )
    db.session.add(report)
    db.session.flush()
    if pdf:
        folder = Path(current_app.config["BWADMIN_REPORTS_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{report.id}.pdf").write_bytes(PDF)
        report.file_path = f"{report.id}.pdf"
    return report


def released_findings(cycle, *texts: str, report: Report | None = None) -> Report:
    """A completed assessment whose released report lists these findings (as scoring stores them)."""
    db.session.add(Assessment(cycle_id=cycle.id, assessed_on=cycle.signed_up_on + timedelta(days=100),
                              completed_at=utcnow()))
    report = report or make_report(cycle, "assessment")
    data = report.data or {}
    report.data = {**data, "scores": {**(data.get("scores") or {}), "findings": [
        {"code": None, "question_id": None, "text": text, "cluster": "compensation", "compliance_point": None,
         "zero_tolerance": False} for text in texts]}}
    db.session.flush()
    return report


@contextmanager
def count_queries():
    """Counts the SQL statements the app sends while the block runs."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
