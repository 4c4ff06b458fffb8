"""The factory's improvement plan (one action per finding) and its progress report on the programme's template."""
from __future__ import annotations

import math
from datetime import date

from flask_babel import force_locale, format_date, format_decimal, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import select

from ..extensions import db
from ..models import (AdvisoryVisit, Answer, Assessment, Committee, CommitteeMeeting, CommitteeMember, Cycle,
                      ImprovementAction, Question, Report, TrainingSession, utcnow)
from ..models.reports import ACTION_OWNER_MAX, ACTION_STATUSES, ACTION_TEXT_MAX
from ..queue import send_soon
from . import audit, milestones, text_limits


def N_(text: str) -> str:
    """Marks a text for the catalogs and leaves it as it is: it is stored in English, translated where shown."""
    return text


# The longest text of one section of the progress report (kept in the report's data, a JSON column: the limit is
# this service's alone).
SECTION_MAX = 10000
# The plan's fields with a length: field → the longest text.
PLAN_LIMITS = {"action": ACTION_TEXT_MAX, "owner": ACTION_OWNER_MAX}

# The template's sections: (key, title). The titles are stored in English with the report's data; pages show
# them translated (gettext(title)).
PROGRESS_SECTIONS = (
    ("improvement_plan", N_("Improvement plan")),
    ("social_dialogue", N_("Social dialogue")),
    ("management_systems", N_("Management systems")),
    ("training", N_("Continuous learning and training")),
    ("committee", N_("Committee members and meetings")),
    ("advisory_visits", N_("Advisory visit log")),
)


def section_titles() -> dict[str, str]:
    """The sections' titles in the page's language, by key."""
    return {key: _(title) for key, title in PROGRESS_SECTIONS}


# Labels of stored values, in the reader's language.
STATUS_LABELS = {"planned": _l("Planned"), "in_progress": _l("In progress"), "done": _l("Done")}
SIDE_LABELS = {"worker": _l("worker"), "management": _l("management")}
VISIT_FOCUS_LABELS = {"general": _l("general"), "committee": _l("committee"), "self_diagnosis": _l("self diagnosis"),
                      "needs": _l("needs"), "follow_up": _l("follow up")}


def _question_text(question: Question) -> str:
    return f"{question.code}: {question.text_in('en')}".strip(": ")


def findings_for(cycle: Cycle) -> list[tuple[int | None, str]]:
    """The assessment's non-compliances: from the report's data when it lists them, else from the answers."""
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "assessment"))
    listed = ((report.data or {}).get("findings") if report else None) or []
    if listed:
        return [(f.get("question_id"), f.get("finding") or f.get("text") or f.get("code") or "Finding")
                for f in listed if isinstance(f, dict)]
    assessment = db.session.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
    if assessment is None or assessment.response_id is None:
        return []
    rows = db.session.execute(
        select(Answer.value, Question).join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == assessment.response_id, Question.noncompliant_answer.is_not(None))
        .order_by(Question.position)
    ).all()
    return [(q.id, _question_text(q)) for value, q in rows if str(value).lower() == q.noncompliant_answer]


def actions(cycle: Cycle) -> list[ImprovementAction]:
    """The plan's rows, one per finding, created the first time the factory opens the plan."""
    rows = db.session.scalars(
        select(ImprovementAction).where(ImprovementAction.cycle_id == cycle.id).order_by(ImprovementAction.id)).all()
    if rows:
        return rows
    for question_id, finding in findings_for(cycle):
        db.session.add(ImprovementAction(cycle_id=cycle.id, question_id=question_id, finding=finding))
    db.session.flush()
    return db.session.scalars(
        select(ImprovementAction).where(ImprovementAction.cycle_id == cycle.id).order_by(ImprovementAction.id)).all()


def _parse_date(raw: str) -> date:
    return date.fromisoformat(raw.strip())


def save_plan(user, cycle: Cycle, form, submit: bool) -> dict[str, str]:
    """Keep every valid value typed (the draft); return {field name: message}. Submit stamps the plan report."""
    errors: dict[str, str] = {}
    rows = actions(cycle)
    for row in rows:
        action = text_limits.clean(form.get(f"action-{row.id}"))
        owner = text_limits.clean(form.get(f"owner-{row.id}"))
        due = (form.get(f"due-{row.id}") or "").strip()
        status = form.get(f"status-{row.id}") or row.status
        # A text too long is refused beside its field and the row keeps what it had; the page shows what was typed.
        for name, text, limit in (("action", action, ACTION_TEXT_MAX), ("owner", owner, ACTION_OWNER_MAX)):
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
        if status in ACTION_STATUSES:
            row.status = status
        else:
            errors[f"status-{row.id}"] = _("Choose planned, in progress or done.")
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
        report.data = {"actions": [
            {"finding": r.finding, "action": r.action, "owner": r.owner, "due_on": r.due_on.isoformat(),
             "status": r.status} for r in rows]}
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
    report.data = {"sections": sections}
    if errors:
        return errors
    if submit:
        errors = {key: _("Write this section before submitting.") for key, s in sections.items() if not s["text"]}
        if not errors:
            report.submitted_at = utcnow()
            audit.record("submit", report, user=user, summary=f"Factory progress report submitted for {cycle}")
    return errors
