"""The clock end to end: the sweep, a real RQ worker (burst SimpleWorker on the embedded Redis), a real SMTP
server (aiosmtpd), every milestone kind, idempotency, lost Redis, failures and retries."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import DifferentiationCriterion, DifferentiationResult, Milestone, Notification, Report, utcnow
from bwadmin.queue import get_queue, get_redis
from bwadmin.services import milestones as milestone_service, report_docs
from tests.clock_support import CLEAN, FINDINGS, MailSink, World, fast_retries, smtp, tick  # noqa: F401


def subjects(sink: MailSink, address: str) -> list[str]:
    return [str(m["Subject"]).strip() for m in sink.to(address)]


def test_cycle_start_advisory_end_and_assessment_due_tell_the_factory_and_the_advisor(app, smtp):
    world = World()
    tick(world.due("cycle_start"))
    assert subjects(smtp, "manager@example.org") == ["Your engagement cycle 1 has started"]
    assert subjects(smtp, "rrhh@example.org") == ["Ha comenzado su ciclo de participación 1"]
    assert subjects(smtp, "advisor@example.org") == ["New cycle to advise: Mekong Apparel"]
    assert "Mai Advisor" in MailSink.text_of(smtp.to("manager@example.org")[0])
    assert "periodo de asesoría de 100 días" in MailSink.text_of(smtp.to("rrhh@example.org")[0])
    assert smtp.to("buyer@example.org") == []

    tick(world.due("assessment_due"))  # advisory_end falls the same day
    assert subjects(smtp, "manager@example.org")[1:] == ["The advisory period of Mekong Apparel ends today",
                                                         "The assessment of Mekong Apparel is due"]
    assert subjects(smtp, "advisor@example.org")[1:] == ["Advisory period ends: Mekong Apparel",
                                                         "Assessment due: Mekong Apparel"]
    assert world.cycle.status == "assessment"
    html = next(p for p in smtp.to("rrhh@example.org")[-1].walk() if p.get_content_type() == "text/html")
    assert "La evaluación de cumplimiento de Mekong Apparel" in html.get_content()


def test_release_generates_the_reports_and_tells_the_factory_and_consenting_buyers_only(app, smtp):
    world = World(answers=FINDINGS)
    from tests.clock_support import answer

    answer(world.cycle, "self_diagnosis", CLEAN)
    db.session.commit()
    release_at = world.due("release")
    assert release_at.date() == date(2026, 5, 15)  # assessed on 15 April (day 100), released a calendar month on

    tick(release_at - timedelta(days=1))  # the approved assessment's report is a draft for the factory until then
    assert db.session.scalar(select(func.count()).select_from(Report).where(
        Report.kind == "assessment", Report.released_at.is_not(None))) == 0

    tick(release_at)
    report = db.session.scalar(select(Report).where(Report.kind == "assessment"))
    assert report.released_at == release_at
    assert report.data["scores"]["overall"] == {"questions": 4, "noncompliant": 2, "rate": 0.5}
    assert report.data["scores"]["clusters"]["compensation"]["rate"] == pytest.approx(2 / 3)
    assert "<svg" in report.body_html and "Compensation" in report.body_html and "67%" in report.body_html
    pdf = Path(app.config["BWADMIN_REPORTS_DIR"]) / report.file_path
    assert pdf.read_bytes().startswith(b"%PDF")
    diagnosis = db.session.scalar(select(Report).where(Report.kind == "self_diagnosis"))
    assert diagnosis.released_at == release_at and diagnosis.data["scores"]["overall"]["noncompliant"] == 0
    plan = db.session.scalar(select(Report).where(Report.kind == "improvement_plan"))
    assert plan.release_at == release_at and plan.released_at is None and plan.submitted_at is None
    assert world.cycle.status == "reporting"

    assert subjects(smtp, "manager@example.org")[-1] == "Your assessment report is released"
    assert subjects(smtp, "rrhh@example.org")[-1] == "Se ha publicado su informe de evaluación"
    assert subjects(smtp, "buyer@example.org") == ["Assessment report released: Mekong Apparel"]
    assert smtp.to("nosee@example.org") == []  # no consent, no email
    assert subjects(smtp, "advisor@example.org")[-1] == "Released: assessment report of Mekong Apparel"


def test_a_release_without_an_assessment_is_skipped_and_the_advisor_told(app, smtp):
    world = World()
    tick(world.due("release"))
    milestone = world.cycle.milestone("release")
    assert milestone.done_at is not None and milestone.outcome == "skipped: no assessment recorded"
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0
    assert "Not released: no assessment recorded for Mekong Apparel" in subjects(smtp, "advisor@example.org")
    assert smtp.to("buyer@example.org") == []


def test_factory_progress_reminders_then_release_of_what_the_factory_submitted(app, smtp):
    world = World(answers=FINDINGS)
    tick(world.due("release"))  # the report counts from the release: released on its day, it stays where it is
    due = world.due("factory_progress_report")
    assert due == world.due("release") + timedelta(days=30)
    tick(world.due("factory_progress_reminder_14"))
    assert subjects(smtp, "manager@example.org")[-1] == "Reminder: your progress report is due in 14 days"
    # The date as the factory's country (Vietnam, seven hours ahead of UTC) counts days, written out in English.
    local = due + timedelta(hours=7)
    assert f"due on {local:%B} {local.day}, {local.year}" in MailSink.text_of(smtp.to("manager@example.org")[-1])
    assert subjects(smtp, "rrhh@example.org")[-1] == "Recordatorio: su informe de avance vence en 14 días"
    tick(world.due("factory_progress_reminder_3"))
    assert subjects(smtp, "manager@example.org")[-1] == "Reminder: your progress report is due in 3 days"
    assert not [s for s in subjects(smtp, "buyer@example.org") if "progress" in s]

    db.session.add(Report(cycle=world.cycle, kind="factory_progress", title="Our progress",
                          submitted_at=due - timedelta(days=1), body_html="<p>Plan under way.</p>"))
    db.session.commit()
    tick(due)
    report = db.session.scalar(select(Report).where(Report.kind == "factory_progress"))
    assert report.released_at == due
    assert world.cycle.milestone("factory_progress_report").outcome == "done"
    assert subjects(smtp, "buyer@example.org")[-1] == "Factory progress report released: Mekong Apparel"
    assert smtp.to("nosee@example.org") == []


def test_factory_progress_not_submitted_is_overdue_and_the_advisor_told(app, smtp):
    world = World(answers=FINDINGS)
    tick(world.due("release"))
    tick(world.due("factory_progress_report"))
    milestone = world.cycle.milestone("factory_progress_report")
    assert milestone.outcome == "overdue" and milestone.done_at is not None
    assert "Overdue: factory progress report of Mekong Apparel" in subjects(smtp, "advisor@example.org")
    assert subjects(smtp, "manager@example.org")[-1] == "Your progress report is overdue"
    assert not [s for s in subjects(smtp, "buyer@example.org") if "progress" in s]


def test_programme_progress_report_reads_needs_committee_and_training(app, smtp):
    from decimal import Decimal

    from bwadmin.models import Committee, CommitteeMember, Need, TrainingSession

    world = World(answers=FINDINGS)
    cycle = world.cycle
    db.session.add_all([
        Need(cycle=cycle, area="labour_compliance", title="Pay overtime at the legal premium", status="done"),
        Need(cycle=cycle, area="management_systems", title="Written grievance procedure", status="in_progress"),
        TrainingSession(cycle=cycle, topic="Workplace cooperation", held_on=world.signed_up_on, days=Decimal("1.5")),
    ])
    committee = Committee(factory=world.factory)
    committee.members = [CommitteeMember(name="W", side="worker"), CommitteeMember(name="M1", side="management"),
                         CommitteeMember(name="M2", side="management")]
    db.session.add(committee)
    db.session.commit()
    tick(world.due("release"))
    due = world.due("programme_progress_report")
    tick(due)
    report = db.session.scalar(select(Report).where(Report.kind == "programme_progress"))
    assert report.released_at == due
    # The data keeps the lines as phrases, written in the language the report is read in (here English).
    assert "Need met: Pay overtime at the legal premium" in report_docs.sentences(report.data["achievements"])
    challenges = {key: report_docs.sentences(rows) for key, rows in report.data["challenges"].items()}
    assert any("Compensation" in row for row in challenges["labour_standards"])
    assert "Open need: Written grievance procedure" in challenges["problem_solving"]
    assert any("unbalanced" in row for row in challenges["social_dialogue"])
    assert "Need met: Pay overtime at the legal premium" in report.body_html
    assert "Labour standards and law" in report.body_html and "Social dialogue" in report.body_html
    assert (Path(app.config["BWADMIN_REPORTS_DIR"]) / report.file_path).exists()
    assert subjects(smtp, "buyer@example.org")[-1] == "Programme progress report released: Mekong Apparel"
    assert smtp.to("nosee@example.org") == []
    assert "Se ha publicado el informe de avance del programa sobre Mekong Apparel" in subjects(smtp, "rrhh@example.org"), "|".join(subjects(smtp, "rrhh@example.org"))


def test_differentiation_measures_the_cycle_and_offers_advanced_services_to_high_performers(app, smtp):
    from bwadmin.models import Committee, CommitteeMeeting, Cycle, Need

    world = World(answers=CLEAN)
    # A returning factory: its first cycle's assessment, released, was clean too (results sustained over two cycles).
    world.cycle.number = 2
    db.session.flush()
    first = Cycle(factory=world.factory, number=1, signed_up_on=date(2024, 9, 2), status="closed")
    db.session.add(first)
    db.session.flush()
    db.session.add(Report(cycle_id=first.id, kind="assessment", released_at=utcnow(),
                          data={"scores": {"overall": {"questions": 4, "noncompliant": 0, "rate": 0.0}}}))
    # The committee met through the cycle: four times before the measurement.
    committee = Committee(factory=world.factory, established_on=date(2024, 9, 2))
    committee.meetings = [CommitteeMeeting(held_on=world.signed_up_on + timedelta(days=60 * i)) for i in range(1, 5)]
    db.session.add(committee)
    tick(world.due("release"))
    submitted = world.due("factory_progress_report")
    world.cycle.committee_review_score = 80
    db.session.add(Need(cycle=world.cycle, area="training", title="Supervisor training", status="done"))
    db.session.add(Report(cycle=world.cycle, kind="factory_progress", submitted_at=submitted))
    db.session.commit()
    tick(world.due("differentiation"))  # everything before it runs too, in timeline order
    results = db.session.scalars(select(DifferentiationResult)).all()
    # The seven default criteria (services/differentiation.DEFAULT_CRITERIA); a clean assessment leaves nothing to
    # remediate, so verified remediation is met without a plan.
    assert len(results) == db.session.scalar(select(func.count()).select_from(DifferentiationCriterion)) == 7
    assert all(r.passed for r in results), [(r.criterion.code, r.value) for r in results if not r.passed]
    assert world.cycle.high_performer is True and world.cycle.status == "measured"
    assert world.cycle.milestone("differentiation").outcome == "high performer"
    mail = smtp.to("manager@example.org")[-1]
    assert mail["Subject"] == "Mekong Apparel is a high performer"
    assert "advanced services" in MailSink.text_of(mail)
    assert "(high performer)" in MailSink.text_of(smtp.to("advisor@example.org")[-1])
    assert smtp.to("buyer@example.org")[-1]["Subject"] != "Mekong Apparel is a high performer"


def test_differentiation_uses_the_criteria_staff_set(app, smtp):
    world = World(answers=FINDINGS)  # 50% non-compliant
    db.session.add(DifferentiationCriterion(code="rate", name="Under 60%", kind="max_noncompliance_rate", threshold=0.6))
    db.session.add(DifferentiationCriterion(code="zt", name="No ZT", kind="no_zero_tolerance", active=False))
    db.session.commit()
    tick(world.due("differentiation"))
    results = db.session.scalars(select(DifferentiationResult)).all()
    assert [(r.criterion.code, r.passed, r.value) for r in results] == [("rate", True, 0.5)]
    assert world.cycle.high_performer is True


def test_a_sweep_run_twice_releases_once_and_emails_each_person_once(app, smtp):
    world = World(answers=FINDINGS)
    at = world.due("release")
    first = tick(at, run=False)
    second = tick(at, run=False)  # the same jobs are still queued: not queued again
    assert first.milestone_jobs and second.milestone_jobs == []
    work_all = tick(at)  # a third sweep and the worker
    assert work_all.due
    tick(at)  # and again after the work is done: nothing is due
    assert tick(at).due == []
    assert db.session.scalar(select(func.count()).select_from(Report).where(Report.released_at.is_not(None))) == 1
    for address in ("manager@example.org", "buyer@example.org", "advisor@example.org", "rrhh@example.org"):
        got = subjects(smtp, address)
        assert len(got) == len(set(got)), (address, got)
    assert subjects(smtp, "buyer@example.org").count("Assessment report released: Mekong Apparel") == 1


def test_the_same_job_run_twice_does_its_work_once(app, smtp):
    world = World(answers=FINDINGS)
    release = world.cycle.milestone("release")
    at = world.due("release")
    first = milestone_service.run([release.id], at)
    again = milestone_service.run([release.id], at)
    assert [d.kind for d in first] == ["release"] and again == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 4


def test_redis_flushed_after_enqueuing_loses_nothing(app, smtp):
    world = World(answers=FINDINGS)
    at = world.due("release")
    assert tick(at, run=False).milestone_jobs
    get_redis(app).flushdb()  # Redis lost everything
    assert len(get_queue(app)) == 0
    tick(at)  # the next sweep finds it still due
    assert db.session.scalar(select(Report).where(Report.kind == "assessment")).released_at == at
    assert subjects(smtp, "buyer@example.org") == ["Assessment report released: Mekong Apparel"]


def test_notices_whose_jobs_were_lost_are_sent_by_a_later_sweep(app, smtp):
    world = World()
    at = world.due("cycle_start")
    # The milestone's work was committed, then Redis lost the email jobs before a worker took them.
    milestone_service.run([world.cycle.milestone("cycle_start").id], at)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.status == "pending")) == 3
    tick(at)  # too soon: a pending notice may still be on its way
    assert smtp.messages == []
    app.config["BWADMIN_NOTICE_REQUEUE_AFTER"] = 0
    tick(at)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.status == "sent")) == 3
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "advisor@example.org", "manager@example.org", "rrhh@example.org"]


def test_a_job_that_fails_midway_leaves_nothing_half_done_and_is_retried(app, smtp, monkeypatch):
    world = World(answers=FINDINGS)
    app.config["BWADMIN_MILESTONE_RETRY_INTERVALS"] = [3600]  # the retry waits, so we can look in between
    calls = []
    real = milestone_service.consenting_buyer_users_of

    def breaks_once(cycles):
        calls.append([c.id for c in cycles])
        if len(calls) == 1:  # after the reports were generated and the factory's notices recorded
            raise ConnectionError("database went away")
        return real(cycles)

    monkeypatch.setattr(milestone_service, "consenting_buyer_users_of", breaks_once)
    at = world.due("release")
    earlier = [m.id for m in world.cycle.milestones if m.due_at < at]
    milestone_service.run(earlier, at - timedelta(days=1))
    world.cycle.status = "assessment"
    db.session.commit()
    sent_before = db.session.scalar(select(func.count()).select_from(Notification))
    tick(at)
    release = world.cycle.milestone("release")
    assert release.done_at is None and release.outcome is None
    assert db.session.scalar(select(func.count()).select_from(Report).where(Report.released_at.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == sent_before  # none of the release's
    assert world.cycle.status == "assessment"
    assert smtp.messages == []
    scheduled = get_queue(app).scheduled_job_registry
    assert scheduled.get_job_ids() == [f"milestone-{release.id}"]  # the retry is waiting

    # its time comes
    from rq.job import Job

    from datetime import UTC

    from jobs.worker import work_until_empty

    job = Job.fetch(f"milestone-{release.id}", connection=get_redis(app))
    scheduled.schedule(job, (utcnow() - timedelta(seconds=5)).replace(tzinfo=UTC))

    work_until_empty()
    db.session.expire_all()
    assert world.cycle.milestone("release").done_at == at
    released = db.session.scalars(select(Report.kind).where(Report.released_at.is_not(None))).all()
    assert released == ["assessment"]
    assert subjects(smtp, "buyer@example.org") == ["Assessment report released: Mekong Apparel"]
    assert subjects(smtp, "manager@example.org") == ["Your assessment report is released"]


def test_one_failing_milestone_does_not_hold_back_the_others_of_its_batch(app, smtp, monkeypatch):
    first = World(answers=FINDINGS)
    broken = first.cycle.milestone("release")
    real = milestone_service.HANDLERS["release"]

    def fails(milestone, now):
        raise RuntimeError("cannot render")

    monkeypatch.setitem(milestone_service.HANDLERS, "release", milestone_service.Handler(one=fails))
    tick(first.due("factory_progress_reminder_14"))
    db.session.expire_all()
    done = {m.kind for m in db.session.scalars(select(Milestone).where(Milestone.done_at.is_not(None)))}
    assert {"cycle_start", "advisory_end", "assessment_due", "factory_progress_reminder_14"} <= done
    assert db.session.get(Milestone, broken.id).done_at is None  # retried three times, still failing
    from rq.registry import FailedJobRegistry

    assert FailedJobRegistry(queue=get_queue(app)).count == 1
    monkeypatch.setitem(milestone_service.HANDLERS, "release", real)
    tick(first.due("factory_progress_reminder_14"))
    assert db.session.get(Milestone, broken.id).done_at is not None


def test_a_closed_cycle_has_nothing_due(app, smtp):
    world = World(answers=FINDINGS)
    world.cycle.status = "closed"
    db.session.commit()
    result = tick(world.due("differentiation"))
    assert result.due == []
    # Only the assessment_due milestone is done: by the approval of the assessment, not by the clock.
    assert db.session.scalars(select(Milestone.kind).where(Milestone.done_at.is_not(None))).all() == ["assessment_due"]
    assert smtp.messages == []


def test_moving_the_report_date_reminds_the_factory_again_of_the_new_date(app, smtp):
    import time_machine

    from bwadmin.models import ScheduleOffset
    from bwadmin.services import schedule

    world = World(answers=FINDINGS)
    tick(world.due("release"))
    first_reminder = world.due("factory_progress_reminder_14")
    with time_machine.travel(first_reminder + timedelta(hours=1), tick=False):
        tick(first_reminder + timedelta(hours=1))
        reminded = [m for m in smtp.to("manager@example.org") if "Reminder" in str(m["Subject"])]
        assert len(reminded) == 1
        # Staff give every factory one more month for its progress report.
        db.session.add(ScheduleOffset(kind="factory_progress_report", base="signup", months=6, days=0))
        schedule.resync_open_cycles()
        db.session.commit()
    moved_report = world.due("factory_progress_report")
    moved_reminder = world.due("factory_progress_reminder_14")
    assert moved_reminder == moved_report - timedelta(days=14) > first_reminder
    assert world.cycle.milestone("factory_progress_reminder_14").done_at is None

    tick(first_reminder + timedelta(days=2))  # nothing is due twice meanwhile
    assert len([m for m in smtp.to("manager@example.org") if "Reminder" in str(m["Subject"])]) == 1
    tick(moved_reminder + timedelta(hours=1))
    reminded = [m for m in smtp.to("manager@example.org") if "Reminder" in str(m["Subject"])]
    assert len(reminded) == 2
    local = moved_report + timedelta(hours=7)  # Vietnam's day
    assert f"due on {local:%B} {local.day}, {local.year}" in MailSink.text_of(reminded[-1])
