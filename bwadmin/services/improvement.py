"""The factory's improvement plan (one action per finding) and its progress report on the programme's template."""
from __future__ import annotations

import math
from datetime import date

from flask_babel import force_locale, format_date, format_decimal, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import select

from ..extensions import db
from ..models import (AdvisoryVisit, Assessment, Committee, CommitteeMeeting, CommitteeMember, Cycle,
                      ImprovementAction, Question, Report, TrainingSession, utcnow)
from ..models.reports import ACTION_EVIDENCE_MAX, ACTION_OWNER_MAX, ACTION_TEXT_MAX
from ..queue import send_soon
from . import audit, milestones, progress_reports, remediation, report_docs, text_limits


def N_(text: str) -> str:
    """Marks a text for the catalogs and leaves it as it is: it is stored in English, translated where shown."""
    return text


# The longest text of one section of the progress report (kept in the report's data, a JSON column: the limit is
# this service's alone).
SECTION_MAX = 10000
# The plan's fields with a length: field → the longest text.
PLAN_LIMITS = {"action": ACTION_TEXT_MAX, "owner": ACTION_OWNER_MAX, "evidence": ACTION_EVIDENCE_MAX}

# The template's sections: (key, title). The titles are stored in English with the report's data; pages show
# them translated (gettext(title)).
PROGRESS_SECTIONS = (
    ("overview", N_("Overview")),
    ("improvement_plan", N_("Improvement plan")),
    ("social_dialogue", N_("Social dialogue")),
    ("management_systems", N_("Management systems")),
    ("training", N_("Continuous learning and training")),
    ("committee", N_("Committee members and meetings")),
    ("advisory_visits", N_("Advisory visit log")),
    ("feedback", N_("Feedback to the programme")),
)
# The sections a factory may leave empty when it submits: its feedback is asked for, not required.
OPTIONAL_SECTIONS = ("feedback",)


def section_titles() -> dict[str, str]:
    """The sections' titles in the page's language, by key."""
    return {key: _(title) for key, title in PROGRESS_SECTIONS}


# Labels of stored values, in the reader's language.
STATUS_LABELS = remediation.STATE_LABELS
# Where a finding of the plan comes from, in the order the plan lists them.
FINDING_SOURCES = ("assessment", "self_diagnosis")
SOURCE_LABELS = {"assessment": _l("Assessment"), "self_diagnosis": _l("Self-diagnosis")}
SIDE_LABELS = {"worker": _l("worker"), "management": _l("management")}
VISIT_FOCUS_LABELS = {"general": _l("general"), "committee": _l("committee"), "self_diagnosis": _l("self diagnosis"),
                      "needs": _l("needs"), "follow_up": _l("follow up")}


def findings_for(cycle: Cycle) -> list[tuple[str, int | None, str]]:
    """The findings the plan answers, (source, question id, finding), in the reports' order: the assessment's, then
    the self-diagnosis's. Read from the released reports' data (data["scores"]["findings"]), and only once the
    assessment is completed and its report released: answers still being entered, or a draft report the factory is
    reviewing, are never planned for."""
    completed = db.session.scalar(select(Assessment.completed_at).where(Assessment.cycle_id == cycle.id))
    if completed is None:
        return []
    reports = {report.kind: report for report in db.session.scalars(select(Report).where(
        Report.cycle_id == cycle.id, Report.kind.in_(FINDING_SOURCES), Report.released_at.is_not(None)))}
    if "assessment" not in reports:
        return []
    found = []
    for source in FINDING_SOURCES:
        report = reports.get(source)
        scores = ((report.data or {}).get("scores") or {}) if report is not None else {}
        for f in scores.get("findings") or []:
            if isinstance(f, dict):
                text = ": ".join(part for part in (f.get("code"), f.get("text")) if part) or "Finding"
                found.append((source, f.get("question_id"), text))
    return found


def recurring_codes(cycle: Cycle) -> set[str]:
    """The questions (by code: a new bank version keeps its codes) whose assessment action was verified in the
    factory's cycle before this one: a finding on one of them at this assessment is a recurring finding."""
    return set(db.session.scalars(
        select(Question.code).join(ImprovementAction, ImprovementAction.question_id == Question.id)
        .join(Cycle, Cycle.id == ImprovementAction.cycle_id)
        .where(Cycle.factory_id == cycle.factory_id, Cycle.number == cycle.number - 1,
               ImprovementAction.source == "assessment", ImprovementAction.status == "verified")))


def _rows(cycle: Cycle) -> list[ImprovementAction]:
    return list(db.session.scalars(select(ImprovementAction).where(ImprovementAction.cycle_id == cycle.id)
                                   .order_by(ImprovementAction.id)))


def actions(cycle: Cycle) -> list[ImprovementAction]:
    """The plan's rows, one per finding of the released assessment and self-diagnosis; the missing ones are made
    when the plan is opened (a finding planned for already keeps its row). The self-diagnosis's are committee
    actions (services/remediation), and an assessment finding the cycle before verified as remedied is recurring."""
    rows = _rows(cycle)
    have = {(row.source, row.question_id) for row in rows}
    found = [f for f in findings_for(cycle) if (f[0], f[1]) not in have]
    if not found:
        return rows
    codes = recurring_codes(cycle) if cycle.number > 1 else set()
    asked = {q.id: q.code for q in db.session.scalars(
        select(Question).where(Question.id.in_([f[1] for f in found if isinstance(f[1], int)])))}
    for source, question_id, finding in found:
        have.add((source, question_id))
        db.session.add(ImprovementAction(
            cycle_id=cycle.id, question_id=question_id if question_id in asked else None, source=source,
            finding=finding, committee_action=source == "self_diagnosis",
            recurring=source == "assessment" and asked.get(question_id) in codes))
    db.session.flush()
    return _rows(cycle)


def _parse_date(raw: str) -> date:
    return date.fromisoformat(raw.strip())


def save_plan(user, cycle: Cycle, form, submit: bool) -> dict[str, str]:
    """Keep every valid value typed (the draft); return {field name: message}. A change of state goes through
    remediation.move (done needs its evidence). Submit stamps the plan report. A verified action is closed: only
    staff reopen it."""
    errors: dict[str, str] = {}
    rows = actions(cycle)
    for row in rows:
        if row.status == "verified":
            continue
        action = text_limits.clean(form.get(f"action-{row.id}"))
        owner = text_limits.clean(form.get(f"owner-{row.id}"))
        evidence = text_limits.clean(form.get(f"evidence-{row.id}"))
        due = (form.get(f"due-{row.id}") or "").strip()
        status = form.get(f"status-{row.id}") or row.status
        # A text too long is refused beside its field and the row keeps what it had; the page shows what was typed.
        for name, text, limit in (("action", action, ACTION_TEXT_MAX), ("owner", owner, ACTION_OWNER_MAX),
                                  ("evidence", evidence, ACTION_EVIDENCE_MAX)):
            message = text_limits.too_long(text, limit)
            if message:
                errors[f"{name}-{row.id}"] = message
            else:
                setattr(row, name, text or None)
        if due:
            try:
                row.due_on = _parse_date(due)
            except ValueError:
                errors[f"due-{row.id}"] = _("Enter the date as YYYY-MM-DD.")
        else:
            row.due_on = None
        if status not in remediation.FACTORY_STATES:
            errors[f"status-{row.id}"] = _("Choose planned, in progress or done.")
        elif status != row.status and f"evidence-{row.id}" not in errors:
            try:
                remediation.move(user, row, status, evidence=evidence)
            except remediation.RemediationError as exc:
                errors[f"{exc.field}-{row.id}"] = exc.message
        if submit:
            if not action:
                errors[f"action-{row.id}"] = _("Describe the action.")
            if not owner:
                errors[f"owner-{row.id}"] = _("Name who is responsible.")
            if not due and f"due-{row.id}" not in errors:
                errors[f"due-{row.id}"] = _("Give a due date.")
    if submit and not rows:
        errors["plan"] = _("There is no finding to plan for yet.")
    if submit and not errors:
        report = _own_report(cycle, "improvement_plan", "Improvement plan")
        report.submitted_at = utcnow()
        report.data = report_docs.report_header(cycle, report.submitted_at) | {"actions": [
            {"finding": r.finding, "action": r.action, "owner": r.owner,
             "due_on": r.due_on.isoformat() if r.due_on else None} | remediation.state_of(r) for r in rows]}
        audit.record("submit", report, user=user, summary=f"Improvement plan submitted for {cycle}")
        db.session.flush()
        # After its assessment report's release the plan goes to the buyers at once; before, with that release.
        released = milestones.release_plans(utcnow(), [cycle.id])
        db.session.commit()
        send_soon([i for done in released for i in done.notices])
    return errors


def _own_report(cycle: Cycle, kind: str, title: str) -> Report:
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == kind))
    if report is None:
        report = Report(cycle_id=cycle.id, kind=kind, title=title)
        db.session.add(report)
        db.session.flush()
    return report


def _plan_fact(a: ImprovementAction) -> str:
    return _("%(finding)s → %(action)s (%(status)s)", finding=a.finding, action=a.action or _("(no action yet)"),
             status=STATUS_LABELS.get(a.status, a.status))


def _member_fact(m: CommitteeMember) -> str:
    side = SIDE_LABELS.get(m.side, m.side)
    if m.position:
        return _("%(name)s (%(side)s, %(position)s)", name=m.name, side=side, position=m.position)
    return _("%(name)s (%(side)s)", name=m.name, side=side)


def _meeting_fact(m: CommitteeMeeting) -> str:
    day = format_date(m.held_on, "medium")
    if m.attendance is None:
        return _("Meeting %(day)s", day=day)
    return ngettext("Meeting %(day)s, %(count)s present", "Meeting %(day)s, %(count)s present", m.attendance,
                    day=day, count=format_decimal(m.attendance))


def _training_fact(t: TrainingSession) -> str:
    return ngettext("%(day)s: %(topic)s (%(count)s day)", "%(day)s: %(topic)s (%(count)s days)", math.ceil(t.days),
                    day=format_date(t.held_on, "medium"), topic=t.topic, count=format_decimal(t.days))


def progress_facts(cycle: Cycle) -> dict[str, list[str]]:
    """What the database already knows for each section, shown beside the factory's own text (in the page's
    language)."""
    plan = [_plan_fact(a) for a in db.session.scalars(
        select(ImprovementAction).where(ImprovementAction.cycle_id == cycle.id))]
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == cycle.factory_id))
    members, meetings = [], []
    if committee is not None:
        members = [_member_fact(m) for m in db.session.scalars(
            select(CommitteeMember).where(CommitteeMember.committee_id == committee.id).order_by(CommitteeMember.side))]
        meetings = [_meeting_fact(m) for m in db.session.scalars(select(CommitteeMeeting).where(
            CommitteeMeeting.committee_id == committee.id).order_by(CommitteeMeeting.held_on))]
    visits = [_("%(day)s: %(focus)s", day=format_date(v.visited_on, "medium"),
                focus=VISIT_FOCUS_LABELS.get(v.focus, v.focus)) for v in db.session.scalars(
        select(AdvisoryVisit).where(AdvisoryVisit.cycle_id == cycle.id).order_by(AdvisoryVisit.visited_on))]
    training = [_training_fact(t) for t in db.session.scalars(
        select(TrainingSession).where(TrainingSession.cycle_id == cycle.id).order_by(TrainingSession.held_on))]
    return {"improvement_plan": plan, "committee": members + meetings, "advisory_visits": visits,
            "training": training, "social_dialogue": [], "management_systems": []}


def plan_report(cycle: Cycle) -> Report | None:
    return db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "improvement_plan"))


def progress_report(cycle: Cycle) -> Report | None:
    return db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "factory_progress"))


def save_progress(user, cycle: Cycle, form, submit: bool) -> dict[str, str]:
    """Save the sections as the draft (always); on submit every section needs text."""
    report = _own_report(cycle, "factory_progress", "Factory progress report")
    if report.released_at is not None:
        return {"report": _("This report was released and can no longer change.")}
    with force_locale("en"):  # the report's data is kept in English, whoever writes it; pages translate
        facts = progress_facts(cycle)
    saved = (report.data or {}).get("sections") or {}
    sections, errors = {}, {}
    for key, title in PROGRESS_SECTIONS:
        text = text_limits.clean(form.get(key))
        message = text_limits.too_long(text, SECTION_MAX)
        if message:  # refused beside the section; the draft keeps the section's last text, the page what was typed
            errors[key] = message
            text = (saved.get(key) or {}).get("text", "")
        sections[key] = {"title": title, "text": text, "facts": facts.get(key, [])}
    taken = "factory" in (report.data or {})  # submitted once: its snapshot and body follow the text
    report.data = {"sections": sections}
    if taken:
        progress_reports.snapshot_factory_progress(report, utcnow())
    if errors:
        return errors
    if submit:
        errors = {key: _("Write this section before submitting.") for key, s in sections.items()
                  if not s["text"] and key not in OPTIONAL_SECTIONS}
        if not errors:
            report.submitted_at = utcnow()
            # What the system holds, taken with the factory's text (taken again at the release).
            progress_reports.snapshot_factory_progress(report, report.submitted_at)
            audit.record("submit", report, user=user, summary=f"Factory progress report submitted for {cycle}")
    return errors
