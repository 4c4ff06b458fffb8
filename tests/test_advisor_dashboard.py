"""The advisor's home: visits against expected, elections not held, committee reviews, releases; constant queries."""
from datetime import date, timedelta

from sqlalchemy import event

from bwadmin.extensions import db
from bwadmin.models import AdvisoryVisit, Election, Report, utcnow
from bwadmin.services import activity, dashboard

from .advisory_helpers import make_committee
from .factories import login, make_cycle, make_factory, make_user, post_form


def test_overdue_and_due_this_week_advisory_work(app, client):
    advisor = make_user("advisor")
    late = make_cycle(make_factory("Late Apparel"), days_in=120, advisor=advisor)  # advisory period over
    soon = make_cycle(make_factory("Soon Knit"), days_in=96, advisor=advisor)  # ends within the week
    make_cycle(make_factory("Someone Else's"), days_in=120, advisor=make_user("advisor"))
    committee = make_committee(soon.factory)
    db.session.add(Election(committee=committee, cycle=soon, seats=2, status="nominating",
                            held_on=utcnow().date() + timedelta(days=2)))
    db.session.add(Report(cycle=late, kind="assessment", title="Assessment report",
                          release_at=utcnow() - timedelta(days=1)))
    db.session.add(AdvisoryVisit(cycle=late, visited_on=late.signed_up_on + timedelta(days=5)))
    login(client, advisor)
    html = client.get("/admin/").get_data(as_text=True)
    overdue = html[html.index('id="work-overdue"'):html.index('id="work-this-week"')]
    assert "Late Apparel" in overdue and "2 advisory visits not yet made (1 of 3)" in overdue
    assert "Committee review not done" in overdue and "To be released: Assessment report" in overdue
    this_week = html[html.index('id="work-this-week"'):]
    assert "Election not held (2 seats)" in this_week and "Soon Knit" in this_week
    assert "3 advisory visits not yet made (0 of 3)" in this_week
    assert "Someone Else" not in html


def test_visits_done_against_expected_and_the_self_diagnosis_warning(app, client):
    advisor = make_user("advisor")
    factory = make_factory("Returning Mill")
    first = make_cycle(factory, days_in=500)
    first.status = "closed"
    returning = make_cycle(factory, days_in=20, advisor=advisor)
    db.session.add(AdvisoryVisit(cycle=returning, visited_on=returning.signed_up_on + timedelta(days=3), focus="general"))
    login(client, advisor)
    html = client.get("/admin/").get_data(as_text=True)
    visits = html[html.index('id="visits"'):]
    assert "1 of 1" in visits and "No visit focused on self-diagnosis" in visits
    assert activity.cycle_activity(returning)["visits"]["warning"]
    db.session.add(AdvisoryVisit(cycle=returning, visited_on=returning.signed_up_on + timedelta(days=4),
                                 focus="self_diagnosis"))
    db.session.commit()
    assert "No visit focused on self-diagnosis" not in client.get("/admin/").get_data(as_text=True)


def count_queries(fn):
    db.session.expire_all()  # the test and the requests share a session: start each count from cold
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_the_home_page_runs_the_same_number_of_queries_for_2_or_12_cycles(app, client):
    advisor = make_user("advisor")

    def add_cycles(n):
        for _ in range(n):
            cycle = make_cycle(days_in=50, advisor=advisor)
            db.session.add(AdvisoryVisit(cycle=cycle, visited_on=cycle.signed_up_on))
            committee = make_committee(cycle.factory, workers=1, managers=1)
            db.session.add(Election(committee=committee, cycle=cycle, seats=1, status="planned",
                                    held_on=utcnow().date()))
        db.session.commit()

    add_cycles(2)
    login(client, advisor)
    client.get("/admin/")
    few = count_queries(lambda: client.get("/admin/"))
    add_cycles(10)
    many = count_queries(lambda: client.get("/admin/"))
    assert few == many, (few, many)


def test_recording_a_visit_from_the_dashboard_link_prefills_the_cycle(app, client):
    advisor = make_user("advisor", name="Mai Advisor")
    cycle = make_cycle(make_factory("Prefill Garments"), advisor=advisor)
    login(client, advisor)
    page = client.get(f"/admin/advisoryvisit/new/?cycle={cycle.id}").get_data(as_text=True)
    assert f'value="{cycle.id}" selected' in page or f'selected value="{cycle.id}"' in page
    future = (utcnow().date() + timedelta(days=5)).isoformat()
    response = post_form(client, "/admin/advisoryvisit/new/", {
        "cycle": str(cycle.id), "visited_on": future, "focus": "general", "advisor": str(advisor.id),
        "notes": "Met the HR manager"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "this day is in the future" in html and "Met the HR manager" in html
    response = post_form(client, "/admin/advisoryvisit/new/", {
        "cycle": str(cycle.id), "visited_on": date.today().isoformat(), "focus": "general",
        "advisor": str(advisor.id)})
    assert response.status_code == 302
    assert activity.cycle_activity(cycle)["visits"]["count"] == 1
    assert "1 of 3 expected visits" in client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)


def test_cycle_activity_feeds_the_reports(app):
    cycle = make_cycle(training_days=3)
    data = activity.cycle_activity(cycle)
    assert set(data) == {"visits", "committee", "needs", "training", "seminars"}
    assert data["visits"]["expected"] == 3 and data["committee"]["exists"] is False
    assert data["training"]["left"] == 3 and set(data["needs"]) == {"labour_compliance", "management_systems", "training"}
    assert dashboard.for_user(make_user("admin"))["advisory"]["visits"]
