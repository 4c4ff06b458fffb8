"""The buyer's supplier overview: one table of every factory the buyer sources from that shares with it, with the
figures of its latest released assessment (overall and per cluster), the change since the cycle before, open and
overdue plan actions, flags and audits avoided; filtered, sorted, a page at a time; the whole of it as CSV, as an Excel
workbook and in the API. The figures are checked against ones worked out by hand beside each factory."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import OtherAudit, Report, TransparencyIssue, utcnow
from bwadmin.services import cycles, report_figures

from .factories import PASSWORD, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user, post_form
from .pageread import Page
from .portal_helpers import make_report

PAST, FUTURE = "2020-01-31", "2099-01-31"


def assess(cycle, clusters: dict[str, tuple[int, int]], on: date, findings=(), released: bool = True) -> Report:
    """An assessment report of `cycle`: cluster → (non-compliant, questions), the overall rate their sum; findings:
    (code, compliance point, zero tolerance)."""
    report = make_report(cycle, "assessment", released=released, pdf=False)
    bad, total = sum(n for n, _ in clusters.values()), sum(q for _, q in clusters.values())
    report.data = {"assessed_on": on.isoformat(), "scores": {
        "overall": {"questions": total, "noncompliant": bad, "rate": bad / total},
        "clusters": {key: {"label": key, "questions": q, "noncompliant": n, "rate": n / q if q else 0.0}
                     for key, (n, q) in clusters.items()},
        "points": {point: {"cluster": "osh", "label": point, "questions": 2, "noncompliant": 1}
                   for _, point, _ in findings},
        "findings": [{"code": code, "compliance_point": point, "zero_tolerance": zero, "cluster": "osh"}
                     for code, point, zero in findings],
        "zero_tolerance": [code for code, _, zero in findings if zero]}}
    return report


def plan(cycle, actions: list[tuple[str, str]]) -> Report:
    """The released improvement plan of `cycle` as submitted: (status, due day) per action."""
    report = make_report(cycle, "improvement_plan", pdf=False)
    report.submitted_at = utcnow() - timedelta(days=2)
    report.data = {"actions": [{"finding": f"Finding {i}", "action": "Act", "owner": "HR", "due_on": due,
                                "status": status} for i, (status, due) in enumerate(actions)]}
    return report


def audits(factory, *rows):
    """Other audits of `factory`: (days, avoided) each."""
    for days, avoided in rows:
        db.session.add(OtherAudit(factory_id=factory.id, audited_on=date(2026, 5, 1), buyer_name="Some buyer",
                                  scheme="SMETA", days=days, avoided=avoided))


@pytest.fixture()
def overview(app):
    """A buyer's factories, each figure worked out by hand beside it; one sourced that does not share, another
    buyer's, and one whose assessment is not released."""
    db.session.add(TransparencyIssue(country="Cambodia", kind="compliance_point", code="overtime_wages",
                                     label="Overtime wages"))
    buyer = make_buyer("Overview Buyer")
    f = {}
    # Alpha: cycle 1 20 of 80 (25%); cycle 2 12 of 80 (15%): 10 points lower. Clusters of cycle 2: child labour 0 of
    # 10, OSH 6 of 20 (30%), compensation 6 of 50 (12%). A zero-tolerance finding. Plan: 2 open, 1 of them overdue.
    # Audits: 2 avoided (2 and 1.5 days: 3.5 saved), 1 not avoided.
    f["Alpha"] = make_factory("Alpha Garments", country="Vietnam")
    first = make_cycle(f["Alpha"], days_in=600)
    first.status = "closed"
    second = cycles.start_cycle(f["Alpha"], utcnow().date() - timedelta(days=200))
    db.session.flush()
    second.status = "reporting"
    assess(first, {"osh": (20, 80)}, date(2024, 3, 10))
    assess(second, {"child_labour": (0, 10), "osh": (6, 20), "compensation": (6, 50)}, date(2025, 3, 12),
           findings=[("CL.CHL.01", "child_labourers", True)])
    plan(second, [("planned", PAST), ("in_progress", FUTURE), ("done", PAST)])
    audits(f["Alpha"], (2, True), (1.5, True), (3, False))
    # Bravo: 40 of 80 (50%) in OSH alone; a finding on overtime wages, which Cambodia publishes. No plan.
    f["Bravo"] = make_factory("Bravo Apparel", country="Cambodia")
    cycle = make_cycle(f["Bravo"], days_in=200)
    cycle.status = "reporting"
    assess(cycle, {"osh": (40, 80)}, date(2025, 5, 20), findings=[("CMP.OT.01", "overtime_wages", False)])
    # Charlie: 4 of 80 (5%), no flag; a finding on overtime wages, which Vietnam does not publish.
    f["Charlie"] = make_factory("=HYPERLINK(\"http://evil.example\")", country="Vietnam")
    cycle = make_cycle(f["Charlie"], days_in=200)
    cycle.status = "reporting"
    assess(cycle, {"working_time": (4, 80)}, date(2025, 1, 15), findings=[("CMP.OT.01", "overtime_wages", False)])
    # Delta: its assessment not released yet (under review): no figures.
    f["Delta"] = make_factory("Delta Knits", country="Vietnam")
    cycle = make_cycle(f["Delta"], days_in=120)
    cycle.status = "assessment"
    assess(cycle, {"osh": (70, 80)}, date(2025, 6, 1), findings=[("X.1", "x", True)], released=False)
    for factory in f.values():
        make_sourcing(buyer, factory)
    # Echo: sourced, not sharing; Foxtrot: another buyer's. Both flagged, with audits avoided: never shown.
    f["Echo"] = make_factory("Echo Denim", country="Vietnam")
    make_sourcing(buyer, f["Echo"], consent=False)
    f["Foxtrot"] = make_factory("Foxtrot Wear", country="Cambodia")
    make_sourcing(make_buyer(), f["Foxtrot"])
    for hidden in (f["Echo"], f["Foxtrot"]):
        assess(make_cycle(hidden, days_in=200), {"osh": (80, 80)}, date(2025, 2, 2), findings=[("X.1", "x", True)])
        audits(hidden, (10, True))
    user = make_user("buyer", buyer=buyer)
    db.session.commit()
    return user, f


HIDDEN = ("Echo Denim", "Foxtrot Wear")


def table(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/buyer/overview{query}")
    assert response.status_code == 200
    return Page(response.get_data(as_text=True)).table("overview") or []


def test_the_overview_shows_the_figures_worked_out_by_hand(overview, client):
    user, f = overview
    login(client, user)
    html = client.get("/buyer/overview").get_data(as_text=True)
    rows = {row[0]: row for row in Page(html).table("overview")}
    assert set(rows) == {"Alpha Garments", "Bravo Apparel", "=HYPERLINK(\"http://evil.example\")", "Delta Knits"}
    # name, country, stage, last assessment, rate, 8 clusters, change, open, overdue, flags, audits avoided, days saved
    missing, unassessed = "—Not assessed", "—No released assessment"
    assert rows["Alpha Garments"] == [
        "Alpha Garments", "Vietnam", "Reporting", "Mar 12, 2025", "15%",
        "0%", missing, missing, missing, "12%", missing, "30%", missing,
        "▼ 10 points lower", "2", "1", "Zero tolerance", "2", "3.5"]
    assert rows["Bravo Apparel"][4] == "50%" and rows["Bravo Apparel"][11] == "50%"
    assert rows["Bravo Apparel"][13:] == ["—No released assessment of a cycle before", "—No released improvement plan",
                                         "—No released improvement plan", "Published issue", "0", "0"]
    assert rows["=HYPERLINK(\"http://evil.example\")"][16] == ""  # overtime wages is not published in Vietnam
    assert rows["Delta Knits"][3:5] == [unassessed, unassessed]
    for name in HIDDEN:
        assert name not in html
    # The totals of audits avoided count the factories shown only (Echo's and Foxtrot's 10 days are not the buyer's).
    assert "2 audits avoided" in html and "3.5 days on site saved" in html


def test_filters_and_sorts(overview, client):
    user, _ = overview
    login(client, user)
    names = lambda rows: [row[0] for row in rows]  # noqa: E731
    assert names(table(client, "?flagged=1")) == ["Alpha Garments", "Bravo Apparel"]
    assert names(table(client, "?country=Cambodia")) == ["Bravo Apparel"]
    assert names(table(client, "?stage=assessment")) == ["Delta Knits"]
    assert names(table(client, "?sort=-rate")) == ["Bravo Apparel", "Alpha Garments",
                                                   "=HYPERLINK(\"http://evil.example\")", "Delta Knits"]
    assert names(table(client, "?sort=rate"))[:3] == ["=HYPERLINK(\"http://evil.example\")", "Alpha Garments",
                                                      "Bravo Apparel"]
    assert names(table(client, "?sort=-assessed"))[:3] == ["Bravo Apparel", "Alpha Garments",
                                                           "=HYPERLINK(\"http://evil.example\")"]
    assert names(table(client, "?sort=change"))[0] == "Alpha Garments"  # the only one with a change
    refused = client.get("/buyer/overview?flagged=maybe").get_data(as_text=True)
    assert "flagged is 1" in refused


def test_keyset_pages_of_the_overview(overview, client, monkeypatch):
    from bwadmin.services import supplier_overview

    monkeypatch.setattr(supplier_overview, "PER_PAGE", 3)
    user, _ = overview
    login(client, user)
    html = client.get("/buyer/overview?sort=-rate").get_data(as_text=True)
    page = Page(html)
    first = [row[0] for row in page.table("overview")]
    assert len(first) == 3 and "4 factories" in html
    second = client.get(page.link("Next")).get_data(as_text=True)
    assert [row[0] for row in Page(second).table("overview")] == ["Delta Knits"]


def _csv(client, query=""):
    response = client.get(f"/buyer/overview.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_csv_holds_every_page_with_the_filters_and_escapes_formulas(overview, client, monkeypatch):
    from bwadmin.services import supplier_overview

    monkeypatch.setattr(supplier_overview, "EXPORT_PAGE", 2)  # read in pages: the export still holds them all
    user, _ = overview
    login(client, user)
    rows = _csv(client, "?sort=-rate")
    assert rows[0][:5] == ["Factory", "Country", "Stage", "Last assessment", "Non-compliance"]
    assert rows[0][5:13] == ["Child labour", "Discrimination", "Forced labour",
                             "Freedom of association and collective bargaining", "Compensation",
                             "Contracts and human resources", "Occupational safety and health", "Working time"]
    assert rows[0][13:] == ["Change since the cycle before (points)", "Open plan actions", "Overdue plan actions",
                            "Flags", "Audits avoided", "Days saved"]
    body = {row[0]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == ["Bravo Apparel", "Alpha Garments", "'=HYPERLINK(\"http://evil.example\")",
                                            "Delta Knits"]
    assert body["Alpha Garments"] == ["Alpha Garments", "Vietnam", "Reporting", "2025-03-12", "15%", "0%", "", "", "",
                                      "12%", "", "30%", "", "-10", "2", "1", "Zero tolerance", "2", "3.5"]
    assert not any(name in cell for row in rows for cell in row for name in HIDDEN)
    assert [row[0] for row in _csv(client, "?flagged=1")[1:]] == ["Alpha Garments", "Bravo Apparel"]


def test_the_csv_speaks_the_buyers_language(overview, client):
    user, _ = overview
    user.language = "es"
    login(client, user)
    heading = _csv(client)[0]
    # The headings go through the catalog: another language's words, once the lead has translated them.
    assert len(heading) == 19 and heading[1] == "País"


def test_the_workbook_holds_the_same_table(overview, client):
    from openpyxl import load_workbook

    user, _ = overview
    login(client, user)
    response = client.get("/buyer/overview.xlsx?sort=-rate")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == _csv(client, "?sort=-rate")[0]
    alpha = next(row for row in rows if row[0] == "Alpha Garments")
    assert alpha[3].date() == date(2025, 3, 12) and alpha[4] == pytest.approx(0.15)
    assert alpha[5:13] == [0.0, None, None, None, pytest.approx(0.12), None, pytest.approx(0.3), None]
    assert alpha[13:] == [-10, 2, 1, "Zero tolerance", 2, 3.5]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    evil = next(cell for cell in cells if "HYPERLINK" in cell.value)
    assert evil.value == "'=HYPERLINK(\"http://evil.example\")" and evil.data_type == "s"
    assert not any(name in str(value) for row in rows for value in row for name in HIDDEN)
    assert [row[0] for row in rows[1:]] == ["Bravo Apparel", "Alpha Garments",
                                            "'=HYPERLINK(\"http://evil.example\")", "Delta Knits"]


def test_the_api_lists_the_same_figures_with_the_same_filters(overview, client):
    user, _ = overview
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/factories?flagged=1&sort=-rate", headers=headers).get_json()
    assert [row["name"] for row in body["factories"]] == ["Bravo Apparel", "Alpha Garments"] and body["total"] == 2
    alpha = body["factories"][1]
    assert alpha["cluster_rates"] == {"child_labour": 0.0, "osh": 0.3, "compensation": 0.12}
    assert alpha["flags"] == {"zero_tolerance": True, "published_issue": False}
    assert alpha["improvement_plan"]["open_actions"] == 2 and alpha["improvement_plan"]["overdue_actions"] == 1
    assert alpha["audits_avoided"] == {"audits": 2, "days_saved": 3.5}
    everything = client.get("/api/v1/factories?limit=2", headers=headers).get_json()
    names = [row["name"] for row in everything["factories"]]
    names += [row["name"] for row in client.get(f"/api/v1/factories?limit=2&cursor={everything['next_cursor']}",
                                                headers=headers).get_json()["factories"]]
    assert len(names) == 4 and not set(names) & set(HIDDEN)
    assert client.get("/api/v1/factories?flagged=perhaps", headers=headers).status_code == 400


def test_another_role_cannot_open_the_overview_or_its_exports(overview, client):
    _, f = overview
    login(client, make_user("factory", factory=f["Alpha"]))
    for path in ("/buyer/overview", "/buyer/overview.csv", "/buyer/overview.xlsx"):
        assert client.get(path).status_code in (403, 404)


def test_the_release_keeps_the_figures_on_the_report(app):
    """Released by the release service from real answers: the figures on the report's row, the flags against the
    issues the country publishes, and worked out again when the country's list changes."""
    from bwadmin.services import milestones as milestone_service
    from tests.clock_support import FINDINGS, World

    world = World(answers=FINDINGS)
    db.session.commit()
    at = world.due("release")
    earlier = [m.id for m in world.cycle.milestones if m.due_at < at]
    milestone_service.run(earlier, at - timedelta(days=1))
    milestone_service.run([world.cycle.milestone("release").id], at)
    report = db.session.scalar(select(Report).where(Report.kind == "assessment"))
    assert report.released_at == at
    assert report.overall_rate == pytest.approx(0.5)  # two of four checks (tests.clock_support.FINDINGS)
    scores = report.data["scores"]
    assert report.overall_rate == scores["overall"]["rate"]
    assert report.cluster_rates == {k: v["rate"] for k, v in scores["clusters"].items() if v["questions"]}
    assert report.assessed_on.isoformat() == report.data["assessed_on"]
    assert report.zero_tolerance_found is bool(scores["zero_tolerance"])
    assert report.public_issue_found is False
    code = scores["findings"][0]["code"]
    db.session.add(TransparencyIssue(country=world.factory.country, kind="question", code=code, label="Issue"))
    db.session.flush()
    report_figures.refresh_public_flags([world.factory.country])
    db.session.commit()
    db.session.refresh(report)
    assert report.public_issue_found is True


def test_the_figures_read_from_report_data(app):
    issues = report_figures.Issues(frozenset({"overtime_wages"}), frozenset({"OS.EMP.01"}))
    data = {"assessed_on": "2025-01-02", "scores": {
        "overall": {"rate": 0.25}, "clusters": {"osh": {"rate": 0.5, "questions": 4},
                                                "forced_labour": {"rate": 0.0, "questions": 0}},
        "points": {"overtime_wages": {"questions": 2, "noncompliant": 0}},
        "findings": [{"code": "OS.EMP.01", "compliance_point": "emergency", "zero_tolerance": False}],
        "zero_tolerance": []}}
    assert report_figures.figures(data, issues) == {
        "assessed_on": date(2025, 1, 2), "overall_rate": 0.25, "cluster_rates": {"osh": 0.5},
        "zero_tolerance_found": False, "public_issue_found": True}
    assert report_figures.figures(data)["public_issue_found"] is False
    assert report_figures.figures({"assessed_on": "not a day"})["assessed_on"] is None
    assert report_figures.figures(None)["overall_rate"] is None


def test_a_change_to_the_published_issues_moves_the_flags(overview, client):
    """An admin publishes the overtime question for Vietnam too, then moves the issue to another country: the buyer's
    flags follow each change."""
    from tests.clock_support import bank

    bank("assessment")  # the issue is checked against the assessment bank
    user, f = overview
    login(client, make_user("admin"))
    response = post_form(client, "/admin/transparency_issue/new/", {
        "country": "Vietnam", "kind": "question", "code": "CMP.OT.01", "label": "Overtime paid",
        "position": "1", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    issue = db.session.scalar(select(TransparencyIssue).where(TransparencyIssue.country == "Vietnam"))
    login(client, user)
    assert [row[0] for row in table(client, "?flagged=1")] == [
        "=HYPERLINK(\"http://evil.example\")", "Alpha Garments", "Bravo Apparel"]
    login(client, make_user("admin"))
    response = post_form(client, f"/admin/transparency_issue/edit/?id={issue.id}", {
        "country": "Laos", "kind": "question", "code": "CMP.OT.01", "label": "Overtime paid",
        "position": "1", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    login(client, user)
    assert [row[0] for row in table(client, "?flagged=1")] == ["Alpha Garments", "Bravo Apparel"]


def test_every_formula_start_is_escaped_and_other_text_is_not(app):
    from bwadmin.services.supplier_overview import safe_text

    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_text(text) == "'" + text
    for text in ("Alpha Garments", "Ünsal Tekstil", "1 = 1", ""):
        assert safe_text(text) == text


def test_a_sort_by_a_figure_reads_the_reports_rows_not_their_data(overview, client):
    """The statement of a page sorted by a figure reads the figure from the report's row: the only report data it
    touches is the page's improvement plans (their actions)."""
    from .portal_helpers import count_queries

    user, _ = overview
    login(client, user)
    for sort, column in (("-rate", "overall_rate"), ("-assessed", "assessed_on"), ("-change", "overall_rate")):
        with count_queries() as seen:
            assert client.get(f"/buyer/overview?sort={sort}").status_code == 200
        page_sql = next(sql for sql in seen if "sort_value" in sql)
        assert page_sql.count("report_content") == 1 and "report_content AS plan_content" in page_sql, sort
        assert f"report.{column}" in page_sql, sort
