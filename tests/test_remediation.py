"""Remediation that is checked: the plan covers the released assessment's and self-diagnosis's findings, each action
moves planned → in progress → done (with evidence; co-signed by a worker representative for the committee's issues)
→ verified or reopened by staff, buyers read each state once the plan is released to them, and a finding that returns
after its action was verified is reported as recurring."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from bwadmin.extensions import db
from bwadmin.models import AuditEvent, ImprovementAction, Report, utcnow
from bwadmin.services import committee, remediation, report_docs, report_pdf, schedule

from .clock_support import CLEAN, FINDINGS, World, answer, fast_retries, tick  # noqa: F401
from .factories import csrf_from, login, make_buyer, make_factory, make_sourcing, make_user, post_form
from .pageread import Page

# The factory's own check found one problem the assessors did not: unpaid minimum wage.
SELF_FOUND = {**CLEAN, "CMP.MW.01": "no"}


def released_world(self_diagnosis: dict | None = SELF_FOUND, completed: bool = True) -> World:
    """A cycle whose assessment (two findings) is completed and whose reports are released; the factory's
    self-diagnosis (one finding) released with it."""
    world = World(answers=FINDINGS, approved=completed)  # approved through the review: completed
    if self_diagnosis is not None:
        answer(world.cycle, "self_diagnosis", self_diagnosis)
    db.session.commit()
    tick(world.due("release"))
    return world


def plan_rows(client) -> list[ImprovementAction]:
    client.get("/factory/improvement-plan")
    db.session.expire_all()
    return list(db.session.scalars(select(ImprovementAction).order_by(ImprovementAction.id)))


def factory_client(app, world):
    client = app.test_client()
    login(client, world.manager)
    return client


def save(client, row_id: int, status: str, evidence: str = "", **fields):
    return post_form(client, "/factory/improvement-plan", {
        "action": "draft", f"action-{row_id}": fields.get("action", "Pay the legal premium"),
        f"owner-{row_id}": "HR manager", f"due-{row_id}": "2026-09-30", f"status-{row_id}": status,
        f"evidence-{row_id}": evidence})


# --- the plan's findings --------------------------------------------------------------------------
def test_the_plan_covers_the_assessments_and_the_self_diagnosiss_findings_marked_by_source(app):
    world = released_world()
    client = factory_client(app, world)
    rows = plan_rows(client)
    assert [(r.source, r.finding) for r in rows] == [
        ("assessment", "CMP.OT.01: Question CMP.OT.01?"), ("assessment", "CMP.MW.01: Question CMP.MW.01?"),
        ("self_diagnosis", "CMP.MW.01: Question CMP.MW.01?")]
    # The self-diagnosis is the committee's own work: its actions are the committee's.
    assert [r.committee_action for r in rows] == [False, False, True]
    page = Page(client.get("/factory/improvement-plan").get_data(as_text=True))
    firsts = [row[0] for row in page.tables[0]]
    assert firsts[0].startswith("Assessment CMP.OT.01") and firsts[2].startswith("Self-diagnosis committee action")
    assert len(plan_rows(client)) == 3  # opened again: no row twice


def test_an_assessment_still_being_entered_gives_no_plan(app):
    world = released_world(completed=False)  # answers entered, never approved: nothing of them is released
    client = factory_client(app, world)
    assert plan_rows(client) == []
    assert "the plan opens once the assessment report is released" in client.get(
        "/factory/improvement-plan").get_data(as_text=True)


def test_a_completed_assessment_gives_no_plan_before_its_report_is_released(app):
    world = World(answers=FINDINGS)
    world.cycle.assessment.completed_at = utcnow()
    db.session.commit()
    report_docs.draft_reports([world.cycle.id])  # the draft the factory reviews before the release
    assert plan_rows(factory_client(app, world)) == []


# --- the way of an action and who may move it --------------------------------------------------------
def test_done_needs_evidence_and_staff_verify_or_reopen_with_a_reason(app):
    world = released_world(self_diagnosis=None)
    client = factory_client(app, world)
    first = plan_rows(client)[0]

    refused = save(client, first.id, "done")
    assert refused.status_code == 400
    assert f'id="evidence-{first.id}-error">Say what shows the action is done' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ImprovementAction, first.id).status == "planned"
    assert db.session.get(ImprovementAction, first.id).action == "Pay the legal premium"  # the draft is kept

    too_long = save(client, first.id, "done", "x" * 2001)
    assert too_long.status_code == 400 and "Write at most 2,000 characters here; this has 2,001." in \
        too_long.get_data(as_text=True)

    assert save(client, first.id, "done", "Payslips of March with the premium").status_code == 302
    db.session.expire_all()
    row = db.session.get(ImprovementAction, first.id)
    assert (row.status, row.evidence, row.declared_by_id) == ("done", "Payslips of March with the premium",
                                                               world.manager.id)

    # The factory cannot verify: not through the service, not through the panel, not by the plan's form.
    with pytest.raises(remediation.RemediationError, match="Only programme staff verify or reopen"):
        remediation.move(world.manager, row, "verified", how="evidence")
    assert client.get(f"/admin/remediation/{row.id}").status_code in (302, 403, 404)
    assert save(client, row.id, "verified", "Payslips").status_code == 400
    db.session.expire_all()
    assert db.session.get(ImprovementAction, row.id).status == "done"

    staff = app.test_client()
    login(staff, world.advisor)
    listed = staff.get("/admin/remediation/").get_data(as_text=True)
    assert "Question CMP.OT.01?" in listed and "Ready to verify" in listed
    home = Page(staff.get("/admin/").get_data(as_text=True)).table("to-verify")
    assert [row[:2] for row in home] == [["Mekong Apparel, cycle 1", "CMP.OT.01: Question CMP.OT.01?"]]
    other = app.test_client()
    login(other, make_user("advisor", "other-advisor@example.org"))
    assert "No action waits for verification." in other.get("/admin/").get_data(as_text=True)  # not their cycle
    url = f"/admin/remediation/{row.id}"
    unsaid = post_form(staff, url, {"step": "verify"})
    assert unsaid.status_code == 400 and "Say how it was verified" in unsaid.get_data(as_text=True)
    assert post_form(staff, url, {"step": "verify", "how": "visit", "note": "Seen on the payroll"}).status_code == 302
    db.session.expire_all()
    row = db.session.get(ImprovementAction, row.id)
    assert (row.status, row.verified_how, row.verified_by_id) == ("verified", "visit", world.advisor.id)

    # A verified action is closed to the factory: its form no longer offers it.
    html = client.get("/factory/improvement-plan").get_data(as_text=True)
    assert f'name="status-{row.id}"' not in html and "verified" in html

    no_reason = post_form(staff, url, {"step": "reopen", "reason": "  "})
    assert no_reason.status_code == 400 and "Give the reason to reopen the action" in no_reason.get_data(as_text=True)
    assert post_form(staff, url, {"step": "reopen", "reason": "March payslips miss the night shift"}).status_code == 302
    db.session.expire_all()
    row = db.session.get(ImprovementAction, row.id)
    assert (row.status, row.verified_at, row.declared_at) == ("in_progress", None, None)
    assert "Reopened" in client.get("/factory/improvement-plan").get_data(as_text=True)
    assert "March payslips miss the night shift" in client.get("/factory/improvement-plan").get_data(as_text=True)

    events = [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "improvement_action", AuditEvent.entity_id == str(row.id)).order_by(AuditEvent.id))]
    assert events == ["update", "verify", "reopen"]


def test_staff_cannot_declare_for_the_factory_and_another_factory_cannot_touch_the_action(app):
    world = released_world(self_diagnosis=None)
    row = plan_rows(factory_client(app, world))[0]
    with pytest.raises(remediation.RemediationError):
        remediation.move(world.advisor, row, "done", evidence="Seen")
    stranger = make_user("factory", "other@example.org", factory=make_factory("Other Garments"))
    with pytest.raises(NotFound):
        remediation.move(stranger, row, "in_progress")
    db.session.commit()
    other = app.test_client()
    login(other, stranger)
    token = csrf_from(other.get("/factory/"))
    assert other.post(f"/factory/improvement-plan/{row.id}/cosign",
                      data={"member": "1", "csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(ImprovementAction, row.id).status == "planned"


def test_a_committee_action_awaits_a_worker_representatives_cosignature(app):
    world = released_world()
    board = committee.setup_committee(world.factory)
    manager_side = committee.add_member(board, "Minh Director", "management")
    worker = committee.add_member(board, "Hoa Sewer", "worker", term_start=date(2025, 1, 1))
    former = committee.add_member(board, "Lan Former", "worker", term_start=date(2020, 1, 1),
                                  term_end=date(2022, 1, 1))
    db.session.commit()
    client = factory_client(app, world)
    row = plan_rows(client)[2]
    assert row.committee_action and row.source == "self_diagnosis"
    assert save(client, row.id, "done", "Minimum wage table posted and paid").status_code == 302
    html = client.get("/factory/improvement-plan").get_data(as_text=True)
    assert "Awaiting worker representative" in html
    assert "Hoa Sewer" in html and "Lan Former" not in html and "Minh Director" not in html

    staff = app.test_client()
    login(staff, world.advisor)
    url = f"/admin/remediation/{row.id}"
    early = post_form(staff, url, {"step": "verify", "how": "evidence"})
    assert early.status_code == 400 and "has not co-signed" in early.get_data(as_text=True)

    for member in (manager_side, former):  # only a serving worker representative co-signs
        refused = client.post(f"/factory/improvement-plan/{row.id}/cosign", data={
            "member": str(member.id), "csrf_token": csrf_from(client.get("/factory/improvement-plan"))})
        assert refused.status_code == 400
        assert "Choose a worker representative serving" in refused.get_data(as_text=True)
    signed = client.post(f"/factory/improvement-plan/{row.id}/cosign",
                         data={"member": str(worker.id), "csrf_token": csrf_from(client.get("/factory/improvement-plan"))})
    assert signed.status_code == 302
    db.session.expire_all()
    row = db.session.get(ImprovementAction, row.id)
    assert row.cosigned_by_id == worker.id and not remediation.awaiting_cosignature(row)
    assert "Co-signed" in client.get("/factory/improvement-plan").get_data(as_text=True)
    assert post_form(staff, url, {"step": "verify", "how": "evidence"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ImprovementAction, row.id).status == "verified"


# --- what buyers read ------------------------------------------------------------------------------
def submit(client, rows) -> None:
    page = client.get("/factory/improvement-plan")
    answer = client.post("/factory/improvement-plan", data={
        "csrf_token": csrf_from(page), "action": "submit",
        **{f"action-{r.id}": "Pay the legal premium" for r in rows}, **{f"owner-{r.id}": "HR" for r in rows},
        **{f"due-{r.id}": "2026-09-30" for r in rows}, **{f"status-{r.id}": "in_progress" for r in rows}})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]


def test_buyers_read_each_actions_state_once_the_plan_is_released_to_them(app):
    world = released_world(self_diagnosis=None)
    client = factory_client(app, world)
    rows = plan_rows(client)
    buyer, nosee = app.test_client(), app.test_client()
    login(buyer, world.buyer)
    login(nosee, world.nosee)
    factory_page = f"/buyer/factories/{world.factory.id}"
    assert "has not been released to you yet" in buyer.get(factory_page).get_data(as_text=True)

    submit(client, rows)
    assert save(client, rows[0].id, "done", "Payslips").status_code == 302
    staff = app.test_client()
    login(staff, world.advisor)
    assert post_form(staff, f"/admin/remediation/{rows[0].id}", {"step": "verify", "how": "evidence"}).status_code == 302
    assert save(client, rows[1].id, "done", "Pay slips of the night shift").status_code == 302

    plan = db.session.scalar(select(Report).where(Report.kind == "improvement_plan"))
    table = Page(buyer.get(factory_page).get_data(as_text=True)).table("plan")
    today = utcnow()
    day = f"{today:%b} {today.day}, {today.year}"
    assert table[0][-1] == f"Status Verified Declared done by the factory {day} Verified by the programme {day}"
    assert table[1][-1] == f"Status Done Declared done by the factory {day}"
    report_page = buyer.get(f"/buyer/reports/{plan.id}").get_data(as_text=True)
    assert "Verified by the programme" in report_page
    # The same access rule as the report's: no consent, no plan and no state.
    assert nosee.get(f"/buyer/reports/{plan.id}").status_code == 404
    assert "Verified by the programme" not in nosee.get(factory_page).get_data(as_text=True)
    # The API's figures count the states as they stand.
    token = buyer.post("/api/v1/tokens", json={"email": world.buyer.email, "password": "correct horse battery staple"})
    listed = buyer.get("/api/v1/factories", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    [row] = listed.get_json()["factories"]
    assert row["improvement_plan"]["actions_by_status"] == {"verified": 1, "done": 1}
    assert row["improvement_plan"]["open_actions"] == 0
    detail = buyer.get(f"/api/v1/reports/{plan.id}", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    actions = detail.get_json()["actions"]
    assert [(a["source"], a["status"], a["verified_how"]) for a in actions] == [
        ("assessment", "verified", "evidence"), ("assessment", "done", None)]
    assert actions[0]["verified_at"].startswith(f"{today:%Y-%m-%d}") and actions[1]["verified_at"] is None
    assert actions[1]["declared_at"].startswith(f"{today:%Y-%m-%d}")


# --- recurring findings ----------------------------------------------------------------------------
def test_a_finding_verified_in_the_cycle_before_and_found_again_is_recurring_in_the_report(app):
    world = released_world(self_diagnosis=None)
    client = factory_client(app, world)
    overtime = plan_rows(client)[0]
    save(client, overtime.id, "done", "Payslips")
    db.session.expire_all()
    remediation.move(world.advisor, db.session.get(ImprovementAction, overtime.id), "verified", how="visit")
    db.session.commit()

    # The next cycle: overtime found unpaid again (and the minimum wage, whose action was never verified).
    from bwadmin.models import Assessment
    from bwadmin.services import cycles

    second = cycles.start_cycle(world.factory, world.signed_up_on + timedelta(days=365), world.advisor, 5)
    response = answer(second, "assessment", FINDINGS)
    db.session.add(Assessment(cycle=second, assessed_on=second.signed_up_on + timedelta(days=100),
                              response=response, completed_at=utcnow()))
    db.session.flush()
    db.session.refresh(second)
    schedule.sync_milestones(second)
    db.session.commit()
    tick(second.milestone("release").due_at)
    report = db.session.scalar(select(Report).where(Report.cycle_id == second.id, Report.kind == "assessment"))
    assert [(f["code"], bool(f.get("recurring"))) for f in report.data["scores"]["findings"]] == [
        ("CMP.OT.01", True), ("CMP.MW.01", False)]
    assert "[recurring]" in report.body_html and "1 finding is recurring" in report.body_html
    assert "[recurring]" in report_pdf.pdf_html(report, report.data)  # the PDF is made from the same template
    page = client.get(f"/factory/reports/{report.id}").get_data(as_text=True)
    assert "1 finding is recurring" in page
    rows = [r for r in plan_rows(client) if r.cycle_id == second.id]
    assert [(r.finding.split(":")[0], r.recurring) for r in rows] == [("CMP.OT.01", True), ("CMP.MW.01", False)]
    assert re.search(r"badge-warning\">recurring<", client.get("/factory/improvement-plan").get_data(as_text=True))
