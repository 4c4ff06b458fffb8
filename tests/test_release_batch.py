"""Releases in batches: batched scoring equals score(), a batch of releases does what single releases do, and
the PDF is made by a job of its own while the portal and the API say it is being prepared."""
from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import Answer, Assessment, AuditEvent, Notification, Report, Response, utcnow
from bwadmin.queue import get_queue, get_redis
from bwadmin.services import milestones as milestone_service
from bwadmin.services import report_pdf, schedule, scoring
from bwadmin.services.responses import values_of
from tests.clock_support import FINDINGS, World, answer, fast_retries, smtp, tick  # noqa: F401
from tests.factories import PASSWORD, approve_assessment, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user


def _responses_on_the_real_bank(count: int) -> list[Response]:
    """Responses to the programme's assessment bank (with its skip rules), answered at random: yes, no, "na",
    skipped, and a row that only keeps what was typed."""
    from bwadmin.simulation import questionnaire

    bank = questionnaire("assessment")
    rng = random.Random(7)
    responses = []
    for i in range(count):
        cycle = make_cycle(make_factory(f"Scored {i}"))
        response = Response(cycle=cycle, questionnaire=bank, kind="assessment", status="submitted",
                            submitted_at=utcnow())
        db.session.add(response)
        db.session.flush()
        rows = []
        for question in bank.questions:
            pick = rng.random()
            if pick < 0.1:
                continue
            if question.type == "yes_no":
                value = "na" if pick < 0.15 else rng.choice(["yes", "no"])
            elif question.choices:
                value = question.choices[0].get("value")
            else:
                value = None
            rows.append(Answer(response_id=response.id, question_id=question.id, value=value,
                               raw_input="12,5 horas" if value is None else None))
        db.session.add_all(rows)
        responses.append(response)
    db.session.flush()
    return responses


def test_batched_scoring_equals_score_on_the_same_responses(app):
    responses = _responses_on_the_real_bank(6)
    responses.append(answer(make_cycle(), "self_diagnosis", FINDINGS))  # another questionnaire in the same batch
    db.session.commit()
    batched = scoring.score_many(responses)
    assert set(batched) == {r.id for r in responses}
    for response in responses:
        single = scoring.score(response)
        assert batched[response.id] == single
        # and both read the same values as the ORM does, answer by answer
        assert single == scoring.score(response, values_of(response))
        assert scoring.load_values([response.id])[response.id] == values_of(response)
    assert any(s["overall"]["noncompliant"] for s in batched.values())
    assert batched[responses[-1].id]["overall"] == {"questions": 4, "noncompliant": 2, "rate": 0.5}


def test_a_batch_of_releases_does_what_each_release_does_alone(app, smtp):
    world = World(answers=FINDINGS)
    others = []
    for i in range(3):
        factory = make_factory(f"Delta Knit {i}")
        make_user("factory", f"m{i}@delta.org", factory=factory, name=f"Manager {i}")
        buyer = make_buyer(f"Buyer {i}")
        make_sourcing(buyer, factory, consent=True)
        make_user("buyer", f"b{i}@delta.org", buyer=buyer, name=f"Buyer {i}")
        cycle = make_cycle(factory, advisor=world.advisor, signed_up_on=world.signed_up_on)
        response = answer(cycle, "assessment", FINDINGS if i != 1 else {"CMP.OT.01": "yes"})
        approve_assessment(cycle, response, world.signed_up_on + timedelta(days=100))
        others.append(cycle)
    db.session.commit()
    at = world.due("release")
    ids = [c.milestone("release").id for c in [world.cycle, *others]]
    earlier = [m.id for c in [world.cycle, *others] for m in c.milestones if m.due_at < at]
    milestone_service.run(earlier, at - timedelta(days=1))

    done = milestone_service.run(ids, at)  # one job, one batch
    assert [d.released for d in done] == [["assessment"]] * 4
    reports = db.session.scalars(select(Report).where(Report.kind == "assessment").order_by(Report.cycle_id)).all()
    assert [r.released_at for r in reports] == [at] * 4
    assert reports[0].data["scores"]["overall"] == {"questions": 4, "noncompliant": 2, "rate": 0.5}
    assert reports[2].data["scores"]["overall"] == {"questions": 1, "noncompliant": 0, "rate": 0.0}
    assert all("<svg" in r.body_html and r.title.startswith("Assessment report: ") for r in reports)
    assert all(r.file_path is None and r.pdf_pending for r in reports)  # the PDF is its own job
    assert sorted(d.pdfs[0] for d in done) == [r.id for r in reports]
    plans = db.session.scalars(select(Report).where(Report.kind == "improvement_plan")).all()
    assert len(plans) == 4 and all(p.release_at == at and p.released_at is None for p in plans)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "release")) == 4
    # the first cycle: 2 factory users, 1 consenting buyer, the advisor; the others: 1 + 1 + the advisor
    assert [len(d.notices) for d in done] == [4, 3, 3, 3]
    assert all(c.status == "reporting" for c in [world.cycle, *others])
    assert milestone_service.run(ids, at) == []  # claimed once
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind.like("release_%"))) == 13

    from bwadmin.queue import enqueue_notices
    from jobs.worker import work_until_empty

    enqueue_notices([n for d in done for n in d.notices])
    work_until_empty()
    assert [str(m["Subject"]) for m in smtp.to("b1@delta.org")] == ["Assessment report released: Delta Knit 1"]
    assert [str(m["Subject"]) for m in smtp.to("buyer@example.org")] == ["Assessment report released: Mekong Apparel"]
    assert smtp.to("nosee@example.org") == []


def test_a_failing_cycle_in_a_batch_is_redone_alone_and_the_others_released(app, smtp, monkeypatch):
    world = World(answers=FINDINGS)
    second = make_cycle(make_factory("Second Mill"), advisor=world.advisor, signed_up_on=world.signed_up_on)
    response = answer(second, "assessment", FINDINGS)
    approve_assessment(second, response, world.signed_up_on + timedelta(days=100))
    db.session.commit()
    at = world.due("release")
    real = milestone_service.factory_users_of

    def breaks_for_second(cycles):
        if any(c.id == second.id for c in cycles):
            raise RuntimeError("cannot read the users")
        return real(cycles)

    monkeypatch.setattr(milestone_service, "factory_users_of", breaks_for_second)
    ids = [world.cycle.milestone("release").id, second.milestone("release").id]
    try:
        milestone_service.run(ids, at)
        raise AssertionError("the failing milestone is reported")
    except milestone_service.MilestoneError as error:
        assert list(error.failures) == [second.milestone("release").id]
    db.session.expire_all()
    assert world.cycle.milestone("release").done_at == at
    assert second.milestone("release").done_at is None
    released = db.session.scalars(select(Report.cycle_id).where(Report.released_at.is_not(None))).all()
    assert released == [world.cycle.id]


def test_the_pdf_is_made_by_its_own_job_and_the_portal_says_it_is_being_prepared(app, smtp):
    world = World(answers=FINDINGS)
    at = world.due("release")
    tick(at - timedelta(days=1))
    milestone_service.run([world.cycle.milestone("release").id], at)  # the release job, no worker yet
    report = db.session.scalar(select(Report).where(Report.kind == "assessment"))
    assert report.released_at == at and report.body_html and report.file_path is None and report.pdf_pending

    client = app.test_client()
    login(client, world.buyer, PASSWORD)
    page = client.get(f"/buyer/reports/{report.id}")
    assert page.status_code == 200
    assert "PDF being prepared" in page.get_data(as_text=True)
    assert "Download PDF" not in page.get_data(as_text=True)
    listing = client.get(f"/buyer/factories/{world.factory.id}")
    assert listing.status_code == 200 and "PDF being prepared" in listing.get_data(as_text=True)
    # Asked for meanwhile, the PDF is being prepared: back to the report's page, which says so.
    early = client.get(f"/buyer/reports/{report.id}.pdf")
    assert early.status_code == 303 and early.headers["Location"].endswith(f"/buyer/reports/{report.id}")

    token = app.test_client().post("/api/v1/tokens", json={"email": world.buyer.email, "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    api = app.test_client()
    body = api.get(f"/api/v1/reports/{report.id}", headers=headers).get_json()
    assert body["pdf_url"] is None and body["pdf_pending"] is True
    early = api.get(f"/api/v1/reports/{report.id}.pdf", headers=headers)
    assert early.status_code == 202 and early.headers["Retry-After"] and "being prepared" in early.get_json()["message"]

    # Redis lost the PDF job: a later sweep queues it again from the database, and the worker makes it.
    get_redis(app).flushdb()
    app.config["BWADMIN_PDF_REQUEUE_AFTER"] = 0
    swept = tick(at)
    assert f"pdf-{report.id}" in swept.pdf_jobs
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    path = Path(app.config["BWADMIN_REPORTS_DIR"]) / report.file_path
    assert path.read_bytes().startswith(b"%PDF") and not report.pdf_pending
    assert report_pdf.make_pdf(report.id) == report.file_path  # done once: a second run keeps the file
    assert tick(at).pdf_jobs == []

    login(client, world.buyer, PASSWORD)  # sessions live in Redis too: losing it logged everyone out
    page = client.get(f"/buyer/reports/{report.id}").get_data(as_text=True)
    assert "Download PDF" in page and "PDF being prepared" not in page
    download = client.get(f"/buyer/reports/{report.id}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert api.get(f"/api/v1/reports/{report.id}", headers=headers).get_json()["pdf_pending"] is False


def test_no_pdf_job_when_pdfs_are_off(app, smtp):
    app.config["BWADMIN_REPORT_PDF"] = False
    world = World(answers=FINDINGS)
    done = milestone_service.run([world.cycle.milestone("release").id], world.due("release"))
    assert done[0].pdfs == [] and report_pdf.pending_pdf_ids() == []
    report = db.session.scalar(select(Report).where(Report.kind == "assessment"))
    assert report.released_at is not None and report_pdf.make_pdf(report.id) is None
    assert len(get_queue(app)) == 0
