"""Progress over cycles: a factory's non-compliance per cluster, in all and on the publicly reported issues, cycle by
cycle, from its released assessments, on the factory's home, the buyer's factory page (only when the factory
consents), the staff's factory page, and in the reports, where the trend stops at the report's own cycle."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Assessment, Report, TransparencyIssue, utcnow
from bwadmin.services import report_docs

from .clock_support import answer
from .factories import login, make_buyer, make_cycle, make_factory, make_sourcing, make_user

# Three cycles of the four-question bank (tests/clock_support): compensation has three checks, child labour one.
ANSWERS = [
    {"CMP.OT.01": "no", "CMP.OT.02": "no", "CMP.MW.01": "no", "CL.CHL.01": "no"},  # compensation 3 of 3
    {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"},  # 1 of 3
    {"CMP.OT.01": "yes", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"},  # none
]
# Published for Vietnam: two compliance points and a question. Cycle 1 is non-compliant on both points, cycle 2 on
# overtime wages only, cycle 3 on none.
ISSUES = [("compliance_point", "overtime_wages", "Overtime pay"), ("compliance_point", "minimum_wages", "Minimum wage"),
          ("question", "CL.CHL.01", "Workers under the minimum age")]
EXPECTED = {
    "compensation": ["100%", "33%", "0%"],
    "child_labour": ["0%", "0%", "0%"],
    "overall": ["75%", "25%", "0%"],
    "public": ["67%", "33%", "0%"],
}
SIGNED = [date(2023, 1, 9), date(2024, 5, 6), date(2025, 9, 1)]


def publish_issues(country: str = "Vietnam") -> None:
    for position, (kind, code, label) in enumerate(ISSUES, start=1):
        db.session.add(TransparencyIssue(country=country, kind=kind, code=code, label=label, position=position))
    db.session.flush()


def assess(factory, number: int, release: bool = True):
    """Cycle `number` (1-3) of the factory, assessed 100 days in with ANSWERS[number - 1], its report released."""
    signed = SIGNED[number - 1]
    cycle = make_cycle(factory, signed_up_on=signed)
    response = answer(cycle, "assessment", ANSWERS[number - 1])
    db.session.add(Assessment(cycle=cycle, assessed_on=signed + timedelta(days=100), response=response,
                              assessors="Two assessors", completed_at=utcnow()))
    db.session.flush()
    if release:
        report_docs.release_scored_many([cycle], "assessment", utcnow() - timedelta(hours=4 - number))
        db.session.flush()
    return cycle


def three_cycles(country: str = "Vietnam"):
    publish_issues(country)
    factory = make_factory("Trend Garment", country=country)
    cycles = [assess(factory, number) for number in (1, 2, 3)]
    db.session.commit()
    return factory, cycles


def chart_values(html: str) -> dict[str, list[str]]:
    """row key → the rate under each bar, in the order of the page."""
    rows = {}
    for key, body in re.findall(r'<div class="trend-row trend-\w+" data-key="(\w+)">(.*?)</div></div>\n', html, re.S):
        rows[key] = re.findall(r'<span class="trend-value">([^<]*)</span>', body)
    return rows


def assessment_report(cycle) -> Report:
    return db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "assessment"))


def test_smoke(app, client):
    factory, cycles = three_cycles()
    user = make_user("factory", factory=factory)
    login(client, user)
    html = client.get("/factory/").get_data(as_text=True)
    Path("/tmp/trend/factory.html").write_text(html)
    assert chart_values(html) == EXPECTED
