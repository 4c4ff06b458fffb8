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
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Assessment, Report, TransparencyIssue, utcnow
from bwadmin.services import progress_reports, report_docs, report_pdf

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


def test_the_factory_sees_each_cycles_rate_per_cluster_in_all_and_on_the_publicly_reported_issues(app, client):
    factory, _ = three_cycles()
    login(client, make_user("factory", factory=factory))
    html = client.get("/factory/").get_data(as_text=True)
    assert 'id="progress-over-cycles"' in html
    assert chart_values(html) == EXPECTED
    # The table beside the chart, for screen readers: each cycle's column, the counts on the published issues.
    assert re.findall(r'<th scope="col" class="num">(Cycle \d)', html) == ["Cycle 1", "Cycle 2", "Cycle 3"]
    assert "67% (2 of 3 issues)" in html and "33% (1 of 3 issues)" in html
    assert "The publicly reported issues are the 3 issues the transparency page publishes" in html


def test_a_buyer_sees_the_trend_of_a_consenting_factory_only_and_only_its_released_assessments(app, client):
    factory, _ = three_cycles()
    fourth = make_cycle(factory, signed_up_on=date(2026, 9, 1))  # its report under the factory's review: not shown
    db.session.add(Report(cycle_id=fourth.id, kind="assessment", title="draft",
                          data={"scores": {"clusters": {"compensation": {"rate": 1.0, "questions": 3}}}}))
    sharing, private = make_buyer(), make_buyer()
    make_sourcing(sharing, factory, consent=True)
    make_sourcing(private, factory, consent=False)
    reader = make_user("buyer", buyer=sharing)
    login(client, reader)
    html = client.get(f"/buyer/factories/{factory.id}").get_data(as_text=True)
    assert chart_values(html) == EXPECTED
    client.post("/logout")

    login(client, make_user("buyer", buyer=private))
    page = client.get(f"/buyer/factories/{factory.id}")
    assert page.status_code == 404 and "trend-row" not in page.get_data(as_text=True)


def test_staff_see_the_trend_on_the_factorys_page_in_the_admin_panel(app, client):
    factory, _ = three_cycles()
    login(client, make_user("advisor"))
    html = client.get(f"/admin/factory/details/?id={factory.id}").get_data(as_text=True)
    assert 'id="progress-over-cycles"' in html
    assert chart_values(html) == EXPECTED


def test_a_reports_trend_stops_at_its_own_cycle_and_takes_its_own_cycle_from_the_report(app):
    publish_issues()
    factory = make_factory(country="Vietnam")
    first = assess(factory, 1)
    second = assess(factory, 2, release=False)  # released last: after the third
    third = assess(factory, 3)
    report_docs.release_scored_many([second], "assessment", utcnow())
    db.session.commit()

    assert assessment_report(first).data["trend"] is None  # nothing to compare with
    assert [c["number"] for c in assessment_report(third).data["trend"]["cycles"]] == [1, 3]
    trend = assessment_report(second).data["trend"]
    assert [c["number"] for c in trend["cycles"]] == [1, 2]
    assert [c["clusters"]["compensation"] for c in trend["cycles"]] == [1.0, pytest.approx(1 / 3)]
    assert [c["public"] for c in trend["cycles"]] == [[2, 3], [1, 3]]
    body = assessment_report(second).body_html
    assert chart_values(body) == {key: values[:2] for key, values in EXPECTED.items()}

    # The programme's progress report of the second cycle: the same two cycles.
    progress = progress_reports.release_programme_progress(second, utcnow())
    db.session.commit()
    assert [c["number"] for c in progress.data["trend"]["cycles"]] == [1, 2]
    assert 'id="progress-over-cycles"' in progress.body_html


def test_one_released_assessment_shows_no_chart_but_says_when_it_will(app, client):
    publish_issues()
    factory = make_factory(country="Vietnam")
    cycle = assess(factory, 1)
    assess(factory, 2, release=False)  # assessed, not released: not a second result
    db.session.commit()
    login(client, make_user("factory", factory=factory))
    html = client.get("/factory/").get_data(as_text=True)
    assert "trend-row" not in html and "trend-table" not in html
    assert "Progress over cycles shows once two of the factory's assessments have been released." in html
    assert "Progress over cycles" not in assessment_report(cycle).body_html


def test_a_country_that_publishes_no_issue_has_no_row_for_them(app, client):
    factory = make_factory(country="Jordan")
    for number in (1, 2):
        assess(factory, number)
    db.session.commit()
    login(client, make_user("factory", factory=factory))
    rows = chart_values(client.get("/factory/").get_data(as_text=True))
    assert set(rows) == {"compensation", "child_labour", "overall"}


def test_the_portal_reads_the_trend_in_one_query_and_a_release_batch_in_one_whatever_its_size(app):
    from bwadmin.services import progress_over_cycles

    from .portal_helpers import count_queries

    factory, cycles = three_cycles()
    staff = make_user("admin")
    progress_over_cycles.chart_for(staff, factory.id, "Vietnam")  # the published issues, kept a minute
    with count_queries() as seen:
        assert progress_over_cycles.chart_for(staff, factory.id, "Vietnam") is not None
    assert len(seen) == 1

    firsts = [assess(make_factory(country="Vietnam"), 1) for _ in range(4)]  # four more factories, one cycle each
    seconds = [make_cycle(first.factory, signed_up_on=date(2026, 1, 5)) for first in firsts]  # and their second
    batch = seconds + [cycles[2]]
    assert all(c.factory.country for c in batch)  # the cycles as the release loads them, with their factory
    with count_queries() as seen:
        earlier = progress_over_cycles.for_reports(batch, utcnow())
    assert len(seen) == 1
    assert {cycle_id: [e.number for e in found.entries] for cycle_id, found in earlier.items()} == {
        **{c.id: [1] for c in seconds}, cycles[2].id: [1, 2]}
    with count_queries() as seen:
        assert progress_over_cycles.for_reports(firsts, utcnow()) == {}  # a first cycle has no earlier one
    assert seen == []


def test_an_arabic_reader_gets_the_chart_from_the_right_with_rates_written_for_arabic(app, client):
    from babel.numbers import format_percent

    factory, _ = three_cycles()
    login(client, make_user("factory", factory=factory, language="ar"))
    html = client.get("/factory/").get_data(as_text=True)
    # The rows are flex boxes in a right-to-left page: the label on the right, the first cycle rightmost.
    assert '<html lang="ar" dir="rtl">' in html
    assert chart_values(html)["compensation"] == [format_percent(rate, locale="ar") for rate in (1, 1 / 3, 0)]


@pytest.fixture(scope="module")
def pdf_tools():
    missing = [tool for tool in ("pdftotext", "pdfimages") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} missing: install poppler-utils")


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_pdf_holds_the_section_with_a_vector_chart(app, pdf_tools, language):
    _, cycles = three_cycles()
    report = assessment_report(cycles[2])
    path = Path(app.config["BWADMIN_REPORTS_DIR"]) / report_pdf.write_pdf(report, report.data, language)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    if language == "en":
        assert "Progress over cycles" in text
        section = text[text.index("Progress over cycles"):]
    else:  # pdftotext reads Khmer back with vowel signs moved or dropped: the section by its script and figures
        assert re.search("[\u1780-\u17ff]{3}", text)
        section = text
    for value in ("100%", "33%", "67%", "75%", "25%"):
        assert value in section
    # The bars are drawn as vector shapes: the PDF holds no image at all.
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert images.splitlines()[2:] == []

