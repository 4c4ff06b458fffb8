"""Migration 0012 fills the figures of the assessment reports written before it, from their data, as the release
writes them: a buyer's list sorts by them from the first request after the upgrade."""
from __future__ import annotations

import json
from datetime import date

from flask_migrate import upgrade
from sqlalchemy import text

from bwadmin.extensions import db

from .test_migrations import migration_app  # noqa: F401

DATA = {"assessed_on": "2025-03-12", "scores": {
    "overall": {"questions": 80, "noncompliant": 12, "rate": 0.15},
    "clusters": {"osh": {"rate": 0.3, "questions": 20}, "child_labour": {"rate": 0.0, "questions": 10},
                 "discrimination": {"rate": 0.0, "questions": 0}},
    "points": {"overtime_wages": {"questions": 4, "noncompliant": 1}},
    "findings": [{"code": "CMP.OT.01", "compliance_point": "overtime_wages", "zero_tolerance": False}],
    "zero_tolerance": []}}


def test_the_upgrade_fills_the_figures_of_the_reports_already_written(migration_app):  # noqa: F811
    upgrade(revision="0007")
    now = "2026-01-01 00:00:00"
    statements = [
        ("INSERT INTO factory (id, name, country, created_at) VALUES (1, 'Alpha', 'Cambodia', :now), "
         "(2, 'Bravo', 'Vietnam', :now)", {}),
        ("INSERT INTO cycle (id, factory_id, number, signed_up_on, training_days_allotted, status, created_at) "
         "VALUES (1, 1, 1, '2025-01-01', 0, 'reporting', :now), (2, 2, 1, '2025-01-01', 0, 'reporting', :now)", {}),
        ("INSERT INTO report (id, cycle_id, kind, title, created_at, released_at) VALUES "
         "(1, 1, 'assessment', 'A', :now, :now), (2, 2, 'assessment', 'B', :now, :now), "
         "(3, 1, 'self_diagnosis', 'S', :now, :now)", {}),
        ("INSERT INTO report_content (report_id, data) VALUES (1, :data), (2, :data), (3, :data)",
         {"data": json.dumps(DATA)}),
        ("INSERT INTO transparency_issue (country, kind, code, label, position, active, created_at) VALUES "
         "('cambodia', 'compliance_point', 'overtime_wages', 'Overtime wages', 1, :yes, :now)", {"yes": True}),
    ]
    for sql, values in statements:
        db.session.execute(text(sql), {"now": now, **values})
    db.session.commit()
    upgrade()
    rows = {row.id: row for row in db.session.execute(text(
        "SELECT id, assessed_on, overall_rate, cluster_rates, zero_tolerance_found, public_issue_found FROM report"))}
    alpha, bravo, self_diagnosis = rows[1], rows[2], rows[3]
    cluster_rates = alpha.cluster_rates if isinstance(alpha.cluster_rates, dict) else json.loads(alpha.cluster_rates)
    assert str(alpha.assessed_on)[:10] == date(2025, 3, 12).isoformat() and alpha.overall_rate == 0.15
    assert cluster_rates == {"osh": 0.3, "child_labour": 0.0}  # discrimination was not assessed
    assert not alpha.zero_tolerance_found and alpha.public_issue_found  # Cambodia publishes overtime wages
    assert bravo.overall_rate == 0.15 and not bravo.public_issue_found  # Vietnam does not
    assert self_diagnosis.overall_rate is None  # only assessments carry figures
