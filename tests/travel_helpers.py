"""A released assessment with answers, evidence text and a file, in one line (for the export and share link tests)."""
from __future__ import annotations

from datetime import date

from bwadmin.extensions import db
from bwadmin.models import Report, utcnow
from bwadmin.services import report_docs, responses

from .evidence_helpers import attach, image
from .factories import approve_assessment, make_cycle, make_factory
from .questionnaire_samples import ids, load_sample

ANSWERS = {"FP.01": "2026-03-02", "FP.02": 850, "FP.03": "local", "FP.04": ["union", "committee"],
           "FP.05": "Two shifts", "CL.01": "no", "CL.02": "no", "CL.03": "no", "WT.01": "yes", "WT.02": "yes",
           "WT.03": "yes"}


def released_assessment(factory=None, bank=None, answers=None, with_file=True) -> Report:
    """A factory's cycle whose assessment (the sample bank) was approved and its report released: two findings
    (CL.02 and WT.02), a finding statement, methods and notes on CL.02, and a photo attached to it."""
    bank = bank or load_sample(kind="assessment")
    factory = factory or make_factory("Mekong Apparel", city="Ho Chi Minh City")
    cycle = make_cycle(factory, days_in=120)
    response = responses.response_for(cycle, "assessment")
    codes = ids(bank)
    responses.save_draft(response, {codes[c]: v for c, v in (answers or ANSWERS).items()})
    answer = responses.stored_answers(response)[codes["CL.02"]]
    answer.finding_statement = "No committee minutes for 2026."
    answer.methods = ["document_review", "management_interview"]
    answer.notes = "Asked for the minute book twice."
    if with_file:
        attach(cycle, image("png"), "minutes.png", code="CL.02")
    approve_assessment(cycle, response, assessed_on=date(2026, 3, 2), names=("Lan Tran", "Minh Sok"))
    report_docs.release_scored_many([cycle], "assessment", utcnow().replace(microsecond=0))
    db.session.commit()
    return db.session.query(Report).filter_by(cycle_id=cycle.id, kind="assessment").one()


def empty_database() -> None:
    """Every table emptied, as on a fresh instance (the test's app stays)."""
    from sqlalchemy import text

    db.session.remove()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    from bwadmin import caches

    caches.clear_all()
