"""Every text a factory user or buyer writes in the portals has a length the server checks, with the message beside
the field and what was typed kept on the page; the columns hold exactly that length."""
from __future__ import annotations

import re

from bwadmin.extensions import db
from bwadmin.models import ImprovementAction, Report, ReportFlag, ShareRequest
from bwadmin.models import reports as report_models
from bwadmin.services import improvement, report_review, sharing

from .factories import csrf_from, login, make_cycle, make_factory, make_user
from .portal_helpers import make_report, released_findings


def test_the_columns_hold_what_the_services_let_through():
    assert ShareRequest.__table__.c.message.type.length == sharing.SHARE_MESSAGE_MAX == 1000
    assert ReportFlag.__table__.c.comment.type.length == report_review.MAX_COMMENT == 5000
    assert ReportFlag.__table__.c.resolution.type.length == report_review.MAX_ANSWER == 2000
    assert ImprovementAction.__table__.c.action.type.length == improvement.PLAN_LIMITS["action"] == 2000
    assert ImprovementAction.__table__.c.owner.type.length == improvement.PLAN_LIMITS["owner"] == 200
    assert report_models.ACTION_OWNER_MAX == 200


def plan_world(client):
    factory = make_factory()
    cycle = make_cycle(factory, days_in=200)
    released_findings(cycle, "No fire drills")
    login(client, make_user("factory", factory=factory))
    page = client.get("/factory/improvement-plan")
    [row_id] = re.findall(r'name="action-(\d+)"', page.get_data(as_text=True))
    return cycle, page, int(row_id)


def test_a_plan_action_or_owner_too_long_is_refused_beside_it_and_kept_on_the_page(app, client):
    cycle, page, row = plan_world(client)
    client.post("/factory/improvement-plan", data={"csrf_token": csrf_from(page), "action": "draft",
                                                   f"action-{row}": "Monthly drills", f"owner-{row}": "EHS"})
    long_action, long_owner = "Drill " * 400, "H" * 201
    answer = client.post("/factory/improvement-plan", data={
        "csrf_token": csrf_from(page), "action": "draft", f"action-{row}": long_action, f"owner-{row}": long_owner,
        f"due-{row}": "2030-01-31", f"status-{row}": "in_progress"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert (f'id="action-{row}-error">Write at most 2,000 characters here; this has '
            f'{len(long_action.strip()):,}.') in html
    assert f'id="owner-{row}-error">Write at most 200 characters here; this has 201.' in html
    assert f'aria-describedby="action-{row}-error"' in html
    assert long_action.strip() in html and long_owner in html  # nothing typed is lost from the page
    db.session.expire_all()
    kept = db.session.get(ImprovementAction, row)
    # The refused texts leave the saved ones as they were; the rest of the row is saved.
    assert (kept.action, kept.owner, kept.status) == ("Monthly drills", "EHS", "in_progress")
    assert "An action takes up to 2,000 characters; who is responsible, up to 200." in html


def test_a_progress_report_section_too_long_is_refused_beside_it(app, client):
    factory = make_factory()
    cycle = make_cycle(factory, days_in=200)
    login(client, make_user("factory", factory=factory))
    page = client.get("/factory/progress-report")
    assert "Up to 10,000 characters." in page.get_data(as_text=True)
    client.post("/factory/progress-report", data={"csrf_token": csrf_from(page), "action": "draft",
                                                  "social_dialogue": "Monthly meetings"})
    long = "word " * 2001
    answer = client.post("/factory/progress-report", data={
        "csrf_token": csrf_from(page), "action": "submit", "social_dialogue": long, "training": "Fire safety"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert f'id="social_dialogue-error">Write at most 10,000 characters here; this has {len(long.strip()):,}.' in html
    assert long.strip() in html
    db.session.expire_all()
    report = db.session.query(Report).filter_by(cycle_id=cycle.id, kind="factory_progress").one()
    assert report.submitted_at is None
    assert report.data["sections"]["social_dialogue"]["text"] == "Monthly meetings"  # the last text that fitted
    assert report.data["sections"]["training"]["text"] == "Fire safety"


def test_line_ends_count_once_as_the_browser_counts_them(app, client):
    cycle = make_cycle(days_in=120)
    draft = make_report(cycle, "assessment", released=False)
    login(client, make_user("factory", factory=cycle.factory))
    token = csrf_from(client.get(f"/factory/reports/{draft.id}"))
    text = ("a" * 99 + "\r\n") * 50  # 5,000 characters as a textarea counts them, 5,050 bytes sent
    assert client.post(f"/factory/reports/{draft.id}/flags", data={"csrf_token": token, "comment": text}).status_code == 302
    assert len(db.session.query(ReportFlag).one().comment) == 4999  # the last line end trimmed
