"""The improvement plan a factory submits reaches its consenting buyers: portal, API and email, once."""
from __future__ import annotations

import re

from sqlalchemy import select, update

from bwadmin.extensions import db
from bwadmin.models import Report

from .clock_support import FINDINGS, World, fast_retries, smtp, tick  # noqa: F401
from .factories import PASSWORD, csrf_from, login


def subjects(sink, address: str) -> list[str]:
    return [str(m["Subject"]).strip() for m in sink.to(address)]


def submit_plan(client) -> str:
    page = client.get("/factory/improvement-plan")
    ids = re.findall(r'name="action-(\d+)"', page.get_data(as_text=True))
    assert ids, "the plan lists the assessment's findings"
    answer = client.post("/factory/improvement-plan", data={
        "csrf_token": csrf_from(page), "action": "submit",
        **{f"action-{i}": "Pay overtime at the legal premium from the next payroll" for i in ids},
        **{f"owner-{i}": "HR manager" for i in ids}, **{f"due-{i}": "2030-01-31" for i in ids},
        **{f"status-{i}": "in_progress" for i in ids}}, follow_redirects=True)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def completed(world: World) -> World:
    """The assessment completed (its report is released at the release; the plan counts its findings then)."""
    world.cycle.assessment.completed_at = world.signed_up_on
    db.session.commit()
    return world


def the_plan() -> Report:
    db.session.expire_all()
    return db.session.scalar(select(Report).where(Report.kind == "improvement_plan"))


def test_a_plan_submitted_after_the_release_reaches_consenting_buyers_at_once(app, smtp):
    world = completed(World(answers=FINDINGS))
    tick(world.due("release"))
    assert the_plan().released_at is None  # opened by the release, waiting for the factory

    factory = app.test_client()
    login(factory, world.manager, PASSWORD)
    assert "the buyers you share with can read it now" in submit_plan(factory)
    plan = the_plan()
    assert plan.released_at is not None

    buyer = app.test_client()
    login(buyer, world.buyer, PASSWORD)
    factory_page = buyer.get(f"/buyer/factories/{world.factory.id}").get_data(as_text=True)
    assert "Pay overtime at the legal premium" in factory_page
    report_page = buyer.get(f"/buyer/reports/{plan.id}")
    assert report_page.status_code == 200 and "HR manager" in report_page.get_data(as_text=True)
    token = buyer.post("/api/v1/tokens", json={"email": world.buyer.email, "password": PASSWORD}).get_json()["token"]
    listed = buyer.get(f"/api/v1/factories/{world.factory.id}/reports", headers={"Authorization": f"Bearer {token}"})
    assert "improvement_plan" in [r["kind"] for r in listed.get_json()["reports"]]

    other = app.test_client()
    login(other, world.nosee, PASSWORD)
    assert other.get(f"/buyer/reports/{plan.id}").status_code == 404  # no consent, no plan

    tick()  # the next sweep sends the buyers' emails
    assert subjects(smtp, "buyer@example.org")[-1] == "Improvement plan shared: Mekong Apparel"
    assert smtp.to("nosee@example.org") == []
    tick()
    assert subjects(smtp, "buyer@example.org").count("Improvement plan shared: Mekong Apparel") == 1


def test_a_submitted_plan_left_unreleased_is_released_by_the_sweep_once(app, smtp):
    world = completed(World(answers=FINDINGS))
    tick(world.due("release"))
    factory = app.test_client()
    login(factory, world.manager, PASSWORD)
    submit_plan(factory)
    tick()
    # As if the release of the plan were lost (a worker died before its commit): the sweep does it again.
    db.session.execute(update(Report).where(Report.kind == "improvement_plan").values(released_at=None))
    db.session.commit()
    swept = tick()
    assert swept.plans == [str(world.cycle)] and the_plan().released_at is not None
    assert subjects(smtp, "buyer@example.org").count("Improvement plan shared: Mekong Apparel") == 1
    assert tick().plans == []
