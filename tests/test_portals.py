"""The buyer and factory portals: constant query counts, share requests, the plan, the progress report,
early progress and the pre-release review."""
from __future__ import annotations

import re

from bwadmin.extensions import db
from bwadmin.models import ImprovementAction, Need, Report, ReportFlag, ShareRequest, Sourcing

from .factories import csrf_from, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .pageread import Page
from .portal_helpers import count_queries, make_report, released_findings


def buyer_with_factories(n: int, country="Vietnam"):
    buyer = make_buyer()
    for i in range(n):
        factory = make_factory(f"F{i:04d}", country=country)
        make_sourcing(buyer, factory)
        cycle = make_cycle(factory, days_in=200)
        make_report(cycle, "assessment", pdf=False, rates={"osh": i % 10 / 10, "compensation": 0.5})
        make_report(cycle, "improvement_plan", pdf=False)
        db.session.add(ImprovementAction(cycle_id=cycle.id, finding=f"Finding {i}", action="Fix", owner="HR"))
    return buyer


def queries_for(client, url):
    from bwadmin import caches

    # Count the page as it is when the country shares and the published issues (progress over cycles) are not cached.
    caches.country_shares.clear()
    caches.transparency_tables.clear()
    db.session.expire_all()
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_buyer_pages_run_a_constant_number_of_queries(app):
    small, large = buyer_with_factories(2), buyer_with_factories(25)
    counts = {}
    for name, buyer in (("small", small), ("large", large)):
        client = app.test_client()
        user = make_user("buyer", buyer=buyer)
        login(client, user)
        factory_id = db.session.scalar(db.select(Sourcing.factory_id).where(Sourcing.buyer_id == buyer.id).limit(1))
        report_id = db.session.scalar(db.select(Report.id).join(Report.cycle).where(
            Report.kind == "assessment").where(Report.cycle.has(factory_id=factory_id)))
        counts[name] = [queries_for(client, url) for url in
                        ("/buyer/", f"/buyer/factories/{factory_id}", f"/buyer/reports/{report_id}")]
    assert counts["small"] == counts["large"], counts
    assert counts["large"][0] <= 5


def test_factory_page_shows_chart_and_plan_and_no_country_figure_of_two_factories(app, client):
    buyer = make_buyer()
    mine = make_factory("Mine", country="Cambodia")
    make_sourcing(buyer, mine)
    cycle = make_cycle(mine, days_in=200)
    make_report(cycle, "assessment", rates={"osh": 0.8})
    make_report(make_cycle(make_factory("Peer", country="Cambodia"), days_in=200), "assessment", rates={"osh": 0.4})
    make_report(make_cycle(make_factory("Far", country="Vietnam"), days_in=200), "assessment", rates={"osh": 0.0})
    plan = make_report(cycle, "improvement_plan", pdf=False)
    plan.data = {"actions": [{"finding": "No fire drills", "action": "Monthly drills", "owner": "EHS",
                              "due_on": "2030-01-31", "status": "planned"}]}  # as the factory submitted it
    # A change the factory saved since, without submitting the plan again, is its draft: not the buyer's to read.
    db.session.add(ImprovementAction(cycle_id=cycle.id, finding="No fire drills", action="Weekly drills", owner="EHS"))
    login(client, make_user("buyer", buyer=buyer))
    html = client.get(f"/buyer/factories/{mine.id}").get_data(as_text=True)
    [chart] = Page(html).charts
    # The factory's own rates; no average of two factories, which would give the other one's away
    # (tests/test_country_share.py has the country's figures).
    assert chart.rows == [("Occupational safety and health", "80%")]
    assert "60%" not in html and "40%" not in html
    assert "Monthly drills" in html and "Weekly drills" not in html
    assert any("Assessment report released" in item for item in Page(html).items)  # the timeline


def test_buyer_asks_and_factory_accepts(app):
    factory, buyer = make_factory("Gamma"), make_buyer("Asking Buyer")
    link = make_sourcing(buyer, factory, consent=False)
    report = make_report(make_cycle(factory, days_in=200))
    b, f = app.test_client(), app.test_client()
    login(b, make_user("buyer", buyer=buyer))
    login(f, make_user("factory", factory=factory))
    home = b.get("/buyer/").get_data(as_text=True)
    assert b.post(f"/buyer/factories/{factory.id}/ask", data={"csrf_token": csrf_from(home)}).status_code == 302
    assert "Request sent" in b.get("/buyer/").get_data(as_text=True)
    # Asking a factory the buyer does not source from is a 404.
    other = make_factory("Stranger")
    db.session.commit()
    assert b.post(f"/buyer/factories/{other.id}/ask", data={"csrf_token": csrf_from(home)}).status_code == 404
    page = f.get("/factory/").get_data(as_text=True)
    assert "Asking Buyer asks to see your results" in page
    accept = re.search(r'action="(/factory/requests/\d+/accept)"', page).group(1)
    assert f.post(accept, data={"csrf_token": csrf_from(page)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Sourcing, link.id).consent_stands
    assert db.session.query(ShareRequest).one().status == "accepted"
    assert b.get(f"/buyer/reports/{report.id}").status_code == 200


def test_posts_without_csrf_are_refused(app, client):
    factory = make_factory()
    link = make_sourcing(make_buyer(), factory)
    login(client, make_user("factory", factory=factory))
    assert client.post(f"/factory/consent/{link.id}/withdraw").status_code == 400
    db.session.expire_all()
    assert db.session.get(Sourcing, link.id).consent_stands


def test_improvement_plan_keeps_the_draft_and_submits(app, client):
    factory = make_factory()
    cycle = make_cycle(factory, days_in=200)
    released_findings(cycle, "Overtime above the legal limit", "No first-aid kit")
    login(client, make_user("factory", factory=factory))
    page = client.get("/factory/improvement-plan")
    html = page.get_data(as_text=True)
    assert "Overtime above the legal limit" in html and "No first-aid kit" in html
    ids = [int(i) for i in re.findall(r'name="action-(\d+)"', html)]
    draft = client.post("/factory/improvement-plan", data={
        "csrf_token": csrf_from(page), "action": "draft", f"action-{ids[0]}": "Cap overtime at 2 h a day",
        f"due-{ids[0]}": "next week", f"owner-{ids[0]}": "HR manager", f"status-{ids[0]}": "planned"})
    assert draft.status_code == 400
    text = draft.get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD." in text and "next week" in text and "Cap overtime at 2 h a day" in text
    db.session.expire_all()
    assert db.session.get(ImprovementAction, ids[0]).action == "Cap overtime at 2 h a day"  # the draft is kept
    incomplete = client.post("/factory/improvement-plan", data={
        "csrf_token": csrf_from(page), "action": "submit", f"action-{ids[0]}": "Cap overtime at 2 h a day",
        f"due-{ids[0]}": "2030-01-31", f"owner-{ids[0]}": "HR manager"})
    assert incomplete.status_code == 400 and "Describe the action." in incomplete.get_data(as_text=True)
    done = client.post("/factory/improvement-plan", data={
        "csrf_token": csrf_from(page), "action": "submit",
        **{f"action-{i}": "Do it" for i in ids}, **{f"owner-{i}": "HR" for i in ids},
        **{f"due-{i}": "2030-01-31" for i in ids}, **{f"status-{i}": "in_progress" for i in ids}})
    assert done.status_code == 302
    plan = db.session.query(Report).filter_by(cycle_id=cycle.id, kind="improvement_plan").one()
    assert plan.submitted_at is not None and len(plan.data["actions"]) == 2 and plan.released_at is None


def test_progress_report_keeps_the_draft_and_needs_every_section(app, client):
    factory = make_factory()
    cycle = make_cycle(factory, days_in=200)
    login(client, make_user("factory", factory=factory))
    page = client.get("/factory/progress-report")
    assert "Advisory visit log" in page.get_data(as_text=True)
    answer = client.post("/factory/progress-report", data={
        "csrf_token": csrf_from(page), "action": "submit", "social_dialogue": "Monthly committee meetings"})
    assert answer.status_code == 400
    assert "Write this section before submitting." in answer.get_data(as_text=True)
    assert "Monthly committee meetings" in answer.get_data(as_text=True)
    report = db.session.query(Report).filter_by(cycle_id=cycle.id, kind="factory_progress").one()
    assert report.data["sections"]["social_dialogue"]["text"] == "Monthly committee meetings"
    assert report.submitted_at is None
    keys = ("overview", "improvement_plan", "social_dialogue", "management_systems", "training", "committee",
            "advisory_visits")
    done = client.post("/factory/progress-report", data={"csrf_token": csrf_from(page), "action": "submit",
                                                         **{k: f"Text for {k}" for k in keys}})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).submitted_at is not None


def test_early_progress_is_shown_to_buyers_once_shared(app):
    factory, buyer = make_factory(), make_buyer()
    make_sourcing(buyer, factory)
    cycle = make_cycle(factory, days_in=20)
    db.session.add(Need(cycle_id=cycle.id, area="training", title="Fire safety training", target="All workers by June",
                        early_improvement=True))
    b, f = app.test_client(), app.test_client()
    login(b, make_user("buyer", buyer=buyer))
    login(f, make_user("factory", factory=factory))
    assert "Fire safety training" not in b.get(f"/buyer/factories/{factory.id}").get_data(as_text=True)
    page = f.get("/factory/").get_data(as_text=True)
    f.post("/factory/early-progress", data={"csrf_token": csrf_from(page), "share": "1"})
    assert "Fire safety training" in b.get(f"/buyer/factories/{factory.id}").get_data(as_text=True)


def test_factory_flags_an_error_in_the_draft_before_release(app):
    factory, buyer = make_factory(), make_buyer()
    make_sourcing(buyer, factory)
    draft = make_report(make_cycle(factory, days_in=120), "assessment", released=False)
    f, b = app.test_client(), app.test_client()
    login(f, make_user("factory", factory=factory))
    login(b, make_user("buyer", buyer=buyer))
    assert b.get(f"/buyer/reports/{draft.id}").status_code == 404
    page = f.get(f"/factory/reports/{draft.id}")
    assert "draft for your review" in page.get_data(as_text=True)
    empty = f.post(f"/factory/reports/{draft.id}/flags", data={"csrf_token": csrf_from(page), "comment": "  "})
    assert empty.status_code == 400 and "Describe the factual error" in empty.get_data(as_text=True)
    assert f.post(f"/factory/reports/{draft.id}/flags", data={
        "csrf_token": csrf_from(page), "comment": "We have 812 workers, not 1,812."}).status_code == 302
    flag = db.session.query(ReportFlag).one()
    assert flag.comment == "We have 812 workers, not 1,812." and flag.resolved_at is None
    # Staff resolve it in the admin panel.
    admin = app.test_client()
    login(admin, make_user("admin"))
    assert "812 workers" in admin.get("/admin/reportflag/").get_data(as_text=True)


def test_factory_flags_are_refused_when_too_long_or_after_the_release(app):
    cycle = make_cycle(days_in=120)
    draft = make_report(cycle, "assessment", released=False)
    released = make_report(cycle, "self_diagnosis")
    f = app.test_client()
    login(f, make_user("factory", factory=cycle.factory))
    token = csrf_from(f.get(f"/factory/reports/{draft.id}"))
    long = f.post(f"/factory/reports/{draft.id}/flags", data={"csrf_token": token, "comment": "x" * 5001})
    assert long.status_code == 400 and "Write at most 5,000 characters here; this has 5,001." in long.get_data(as_text=True)
    late = f.post(f"/factory/reports/{released.id}/flags", data={"csrf_token": token, "comment": "Wrong count."})
    assert late.status_code == 400 and "Wrong count." not in late.get_data(as_text=True)
    assert db.session.query(ReportFlag).count() == 0


def test_buyer_home_links_open_and_a_page_past_the_end_shows_the_last(app, client):
    from bwadmin.services.factory_pages import encode_cursor

    buyer = make_buyer()
    for i in range(55):
        make_sourcing(buyer, make_factory(f"Linked {i:02d}"))
    login(client, make_user("buyer", buyer=buyer))
    last = Page(client.get(f"/buyer/?after={encode_cursor('Linked 99', 1)}").get_data(as_text=True))
    assert [row[0] for row in last.table("shared")] == [f"Linked {i:02d}" for i in range(5, 55)]
    assert last.link("Next") is None and last.link("Previous")
    links = [href for text, href in last.links if text.startswith("Linked 5")]
    assert len(links) == 5
    assert all(client.get(link).status_code == 200 for link in links)


def test_report_page_and_api_report_load_the_report_with_its_cycle_in_one_query(app, client):
    from bwadmin.services import tokens

    buyer = make_buyer()
    factory = make_factory("One Query")
    make_sourcing(buyer, factory)
    report = make_report(make_cycle(factory, days_in=200), "assessment")
    user = make_user("buyer", buyer=buyer)
    raw = tokens.issue(user)
    db.session.commit()
    login(client, user)
    # The login and the token lookup are one query each; the report with its cycle is one more.
    assert queries_for(client, f"/buyer/reports/{report.id}") == 2
    headers, url, factory_id = {"Authorization": f"Bearer {raw}"}, f"/api/v1/reports/{report.id}", factory.id
    client.get(url, headers=headers)  # the token's first use is recorded once
    db.session.expire_all()
    with count_queries() as seen:
        body = client.get(url, headers=headers).get_json()
    assert len(seen) == 2, [s[:60] for s in seen]
    assert body["factory_id"] == factory_id
    page = client.get(f"/buyer/reports/{report.id}").get_data(as_text=True)
    assert f'href="/buyer/factories/{factory_id}"' in page
