"""The factory's home: early progress is offered before the assessment only, and the timeline holds the cycle's
dates, not the programme's own reminders."""
from __future__ import annotations

from datetime import timedelta

from bwadmin.extensions import db
from bwadmin.models import Assessment, Cycle, MILESTONE_LABELS, utcnow

from .factories import PASSWORD, csrf_from, login, make_buyer, make_cycle, make_sourcing, make_user
from .pageread import Page


def home(client) -> str:
    return client.get("/factory/").get_data(as_text=True)


def test_early_progress_is_offered_before_the_assessment_only(app):
    cycle = make_cycle(days_in=20)
    user = make_user("factory", factory=cycle.factory)
    client = app.test_client()
    login(client, user)
    page = home(client)
    assert "Share early progress" in page

    # The assessment is on the calendar for next week: still before it.
    db.session.add(Assessment(cycle=cycle, assessed_on=utcnow().date() + timedelta(days=7)))
    db.session.commit()
    assert "Share early progress" in home(client)

    # It took place (entered, not yet completed): no longer offered, and a post anyway shares nothing.
    db.session.get(Cycle, cycle.id).assessment.assessed_on = utcnow().date() - timedelta(days=1)
    db.session.commit()
    page = home(client)
    assert "Share early progress" not in page and 'id="early-progress"' not in page
    answer = client.post("/factory/early-progress", data={"csrf_token": csrf_from(page), "share": "1"},
                         follow_redirects=True)
    assert "Early progress can be shared only before the assessment" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).early_progress_shared_at is None


def test_early_progress_shared_before_the_assessment_can_be_stopped_after_it(app):
    cycle = make_cycle(days_in=20)
    client = app.test_client()
    login(client, make_user("factory", factory=cycle.factory))
    page = home(client)
    client.post("/factory/early-progress", data={"csrf_token": csrf_from(page), "share": "1"})
    db.session.add(Assessment(cycle=db.session.get(Cycle, cycle.id), assessed_on=utcnow().date(), completed_at=utcnow()))
    db.session.commit()
    page = home(client)
    assert "Stop sharing early progress" in page
    client.post("/factory/early-progress", data={"csrf_token": csrf_from(page), "share": "0"})
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).early_progress_shared_at is None
    assert "Share early progress" not in home(client)


def test_the_timeline_leaves_out_the_reminders_for_the_factory_and_its_buyers(app):
    cycle = make_cycle(days_in=20)
    buyer = make_buyer()
    make_sourcing(buyer, cycle.factory)
    reminders = [str(MILESTONE_LABELS[k]) for k in ("factory_progress_reminder_14", "factory_progress_reminder_3")]
    f, b = app.test_client(), app.test_client()
    login(f, make_user("factory", factory=cycle.factory))
    buyer_user = make_user("buyer", buyer=buyer)
    login(b, buyer_user)
    for html in (home(f), b.get(f"/buyer/factories/{cycle.factory_id}").get_data(as_text=True)):
        items = Page(html).items
        assert any("Factory progress report released" in item for item in items)
        assert not any(label in item for item in items for label in reminders)
    token = b.post("/api/v1/tokens", json={"email": buyer_user.email, "password": PASSWORD}).get_json()["token"]
    kinds = [m["kind"] for m in b.get(f"/api/v1/factories/{cycle.factory_id}", headers={
        "Authorization": f"Bearer {token}"}).get_json()["current_cycle"]["milestones"]]
    assert "factory_progress_report" in kinds and not [k for k in kinds if "reminder" in k]
