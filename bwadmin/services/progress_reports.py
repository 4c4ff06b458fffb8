"""The data of the progress reports, the differentiation results and the released improvement plan, for their
templates (templates/reports/), and the parts of it a reader reads in their language (localize).

Each report's data is language-free, as report_docs keeps every report's: keys, numbers, ISO dates, the bank's English
labels, and text as people wrote it. Gathering (the facts of a cycle, read from the database) is kept apart from
writing (the data the template reads): issue 12 asked the programme progress report to be split so, and the others
follow it.

- Factory progress report (PR1): the programme template's sections, each with what the system holds (the plan's
  actions and their states, the committee's members and meetings, training, advisory visits, the publicly reported
  issues with the factory's state on each) and the factory's own text. Taken at submission, taken again at release.
- Programme progress report (month 11): the assessment's results and their progress over cycles, the needs met and
  open, the committee and the training used; the achievements and the remaining challenges per area, as phrases
  (report_docs.say writes them in the reader's language); per area (labour standards and law, problem-solving
  systems, social dialogue) the assessment's findings fixed and verified since, still open, recurring; the
  committee's activity and the training given since the assessment. Staff draft it before its release (the admin
  panel's "Programme progress drafts"), write a summary and a note per area (data["staff"]); the release publishes
  that draft as it is.
- Differentiation results: each criterion, its value, threshold and result, the status and the next cycle's
  service package.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import force_locale, gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (AdvisoryVisit, Assessment, Committee, CommitteeMeeting, CommitteeMember, Cycle, Election,
                      ImprovementAction, Milestone, Need, Report, TrainingSession, utcnow)
from . import assessment_report, audit, progress_over_cycles, report_docs, text_limits, transparency

# The programme's three areas, in the report's order.
AREAS = ("labour_standards", "problem_solving", "social_dialogue")
# Where a finding belongs: the compliance points of grievances, discipline and safety systems are problem-solving
# systems (their findings count among that area's challenges); the freedom of association cluster is social dialogue;
# the rest labour standards and law.
PROBLEM_SOLVING_POINTS = ("dialogue_discipline_and_disputes", "osh_management_systems", "termination")
SOCIAL_DIALOGUE_CLUSTERS = ("freedom_of_association",)

# The longest text staff write in the programme progress report: its summary and each area's note (kept in the
# report's data, a JSON column: the limit is this service's alone).
STAFF_TEXT_MAX = 4000
# How many days before its release a programme progress report shows in the staff's list of drafts to prepare.
DRAFT_DAYS_AHEAD = 30


def area_of(finding: dict) -> str:
    if finding.get("compliance_point") in PROBLEM_SOLVING_POINTS:
        return "problem_solving"
    if finding.get("cluster") in SOCIAL_DIALOGUE_CLUSTERS:
        return "social_dialogue"
    return "labour_standards"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- what the system holds of a cycle ---------------------------------------------------------------------------
@dataclass
class CycleRecord:
    """The committee, training, visits and plan of a cycle, read in a few queries."""

    actions: list[ImprovementAction] = field(default_factory=list)
    committee: Committee | None = None  # the factory's
    members: list[CommitteeMember] = field(default_factory=list)
    meetings: list[CommitteeMeeting] = field(default_factory=list)
    elections: list[Election] = field(default_factory=list)
    training: list[TrainingSession] = field(default_factory=list)
    visits: list[AdvisoryVisit] = field(default_factory=list)


def cycle_record(cycle: Cycle, since: date | None = None) -> CycleRecord:
    """The cycle's record; the committee's meetings and elections from `since` on (all of them without it)."""
    record = CycleRecord(
        actions=list(db.session.scalars(select(ImprovementAction).where(ImprovementAction.cycle_id == cycle.id)
                                        .order_by(ImprovementAction.id))),
        training=list(db.session.scalars(select(TrainingSession).where(TrainingSession.cycle_id == cycle.id)
                                         .order_by(TrainingSession.held_on, TrainingSession.id))),
        visits=list(db.session.scalars(select(AdvisoryVisit).where(AdvisoryVisit.cycle_id == cycle.id)
                                       .order_by(AdvisoryVisit.visited_on, AdvisoryVisit.id))))
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == cycle.factory_id))
    record.committee = committee
    if committee is not None:
        record.members = list(db.session.scalars(select(CommitteeMember).where(
            CommitteeMember.committee_id == committee.id).order_by(CommitteeMember.side, CommitteeMember.id)))
        meetings = select(CommitteeMeeting).where(CommitteeMeeting.committee_id == committee.id)
        elections = select(Election).where(Election.committee_id == committee.id)
        if since is not None:
            meetings = meetings.where(CommitteeMeeting.held_on >= since)
            elections = elections.where(Election.held_on >= since)
        record.meetings = list(db.session.scalars(meetings.order_by(CommitteeMeeting.held_on)))
        record.elections = list(db.session.scalars(elections.order_by(Election.held_on)))
    return record


def _members(record: CycleRecord) -> list[dict]:
    return [{"name": m.name, "side": m.side, "position": m.position} for m in record.members]


def _meetings(record: CycleRecord) -> list[dict]:
    return [{"held_on": _iso(m.held_on), "attendance": m.attendance} for m in record.meetings]


def _training(record: CycleRecord) -> list[dict]:
    return [{"held_on": _iso(t.held_on), "topic": t.topic, "days": float(t.days), "participants": t.participants}
            for t in record.training]


def _assessed_on(cycle: Cycle) -> date | None:
    return db.session.scalar(select(Assessment.assessed_on).where(Assessment.cycle_id == cycle.id))


# --- the factory progress report (PR1) --------------------------------------------------------------------------
def _action_rows(record: CycleRecord) -> list[dict]:
    from . import remediation

    return [{"finding": a.finding, "action": a.action, "owner": a.owner, "due_on": _iso(a.due_on)}
            | remediation.state_of(a) for a in record.actions]


def public_issues(cycle: Cycle) -> list[dict]:
    """The issues the country's transparency page publishes, with the factory's state on each in its latest
    assessment (this cycle's, as scored)."""
    scores = report_docs.assessment_scores(cycle)
    return [{"kind": kind, "code": code, "label": label, "state": state}
            for kind, code, label, state in transparency.states_for(cycle.factory.country, scores)]


def factory_progress_data(cycle: Cycle, sections: dict, now: datetime) -> dict:
    """The report's data: the header, what the system holds for each section, and the factory's text (sections:
    key → {"title", "text"}, as the factory's form keeps them)."""
    record = cycle_record(cycle)
    return report_docs.report_header(cycle, now) | {
        "kind": "factory_progress", "title": report_docs.english_label("factory_progress"),
        "assessed_on": _iso(_assessed_on(cycle)),
        "actions": _action_rows(record),
        "committee": {"members": _members(record), "meetings": _meetings(record)},
        "training": _training(record),
        "visits": [{"visited_on": _iso(v.visited_on), "focus": v.focus} for v in record.visits],
        "public_issues": public_issues(cycle),
        "sections": {key: {"title": s.get("title", key), "text": s.get("text", "")}
                     for key, s in (sections or {}).items() if isinstance(s, dict)},
    }


def snapshot_factory_progress(report: Report, now: datetime) -> None:
    """The factory progress report's data taken now (at submission or at release), keeping the factory's text, and
    its body written in the factory's language."""
    cycle = report.cycle
    data = factory_progress_data(cycle, (report.data or {}).get("sections") or {}, now)
    data["language"] = report_docs.factory_language(cycle.factory_id)
    data["submitted_at"] = _iso(report.submitted_at)
    report.data = data
    with force_locale(data["language"]):
        report.body_html = report_docs.render("factory_progress", data)
    report.file_path = None


# --- the programme progress report ------------------------------------------------------------------------------
@dataclass
class ProgressFacts:
    """What the programme's progress report says of a cycle, read from the database."""

    scores: dict | None  # the assessment's, as scored
    needs: list[Need]
    training: list[TrainingSession]
    has_committee: bool
    worker_side: int = 0
    management_side: int = 0
    meetings: int = 0
    election: Election | None = None
    questionnaire_id: int | None = None  # the bank version the scores come from

    @property
    def members(self) -> int:
        return self.worker_side + self.management_side

    @property
    def done(self) -> list[Need]:
        return [n for n in self.needs if n.status == "done"]

    @property
    def open_needs(self) -> list[Need]:
        return [n for n in self.needs if n.status in ("open", "in_progress")]

    @property
    def training_days(self) -> float:
        return float(sum((t.days for t in self.training), 0))

    @property
    def elected(self) -> bool:
        return self.election is not None and self.election.status in ("held", "certified")


def programme_progress_facts(cycle: Cycle, record: CycleRecord) -> ProgressFacts:
    """The facts, from the cycle's record (its training, the committee and its members) and what the record leaves
    out: the needs, the assessment's results, every meeting and the latest election (the record's are those since the
    assessment)."""
    scores, questionnaire_id = report_docs.assessment_results(cycle)
    facts = ProgressFacts(
        scores=scores,
        needs=list(db.session.scalars(select(Need).where(Need.cycle_id == cycle.id).order_by(Need.id))),
        training=record.training, has_committee=False, questionnaire_id=questionnaire_id)
    committee = record.committee
    if committee is not None:
        facts.has_committee = True
        facts.worker_side = sum(1 for m in record.members if m.side == "worker")
        facts.management_side = sum(1 for m in record.members if m.side == "management")
        facts.meetings = db.session.scalar(select(func.count()).select_from(CommitteeMeeting)
                                           .where(CommitteeMeeting.committee_id == committee.id)) or 0
        facts.election = db.session.scalar(select(Election).where(Election.committee_id == committee.id)
                                           .order_by(Election.held_on.desc().nulls_last()))
    return facts


# The report's lines are phrases, not sentences: report_docs.say writes each in the language the report is
# read in.
def _achievements(facts: ProgressFacts, allotted: float) -> list[dict]:
    lines = [{"phrase": "need_met", "title": n.title} for n in facts.done]
    lines += [{"phrase": "early_improvement", "title": n.title}
              for n in facts.needs if n.early_improvement and n.status != "done"]
    if facts.has_committee and facts.members:
        lines.append({"phrase": "committee_in_place", "worker": facts.worker_side,
                      "management": facts.management_side, "meetings": facts.meetings})
    if facts.elected:
        held_on = facts.election.held_on
        lines.append({"phrase": "representatives_elected", "held_on": held_on.isoformat() if held_on else None})
    if facts.training:
        lines.append({"phrase": "training_used", "sessions": len(facts.training), "days": facts.training_days,
                      "allotted": allotted})
    return lines


def _labour_challenges(facts: ProgressFacts) -> list[dict]:
    lines = []
    if facts.scores:
        lines += [{"phrase": "cluster_noncompliant", "cluster": key, "label": row["label"],
                   "noncompliant": row["noncompliant"], "questions": row["questions"], "rate": row["rate"]}
                  for key, row in facts.scores["clusters"].items() if row["noncompliant"]]
        lines += [{"phrase": "zero_tolerance", "code": code} for code in facts.scores.get("zero_tolerance", [])]
    return lines + [{"phrase": "open_need", "title": n.title} for n in facts.open_needs
                    if n.area == "labour_compliance"]


def _problem_solving_challenges(facts: ProgressFacts) -> list[dict]:
    lines = [{"phrase": "open_need", "title": n.title} for n in facts.open_needs if n.area == "management_systems"]
    if facts.scores:
        lines += [{"phrase": "point_noncompliant", "point": key, "label": row["label"], "rate": row["rate"]}
                  for key, row in facts.scores["points"].items()
                  if key in PROBLEM_SOLVING_POINTS and row["noncompliant"]]
    return lines


def _dialogue_challenges(facts: ProgressFacts, review_score: float | None) -> list[dict]:
    lines = []
    if not facts.has_committee or not facts.members:
        lines.append({"phrase": "no_committee"})
    else:
        if facts.worker_side != facts.management_side:
            lines.append({"phrase": "committee_unbalanced", "worker": facts.worker_side,
                          "management": facts.management_side})
        if facts.meetings < 3:
            lines.append({"phrase": "few_meetings", "meetings": facts.meetings})
    if not facts.elected:
        lines.append({"phrase": "not_elected"})
    if review_score is not None and review_score < 60:
        lines.append({"phrase": "low_review_score", "score": float(review_score)})
    return lines


def _finding_rows(scores: dict | None, actions: list[ImprovementAction], assessed_on: date | None) -> dict:
    """area → {"verified", "open", "recurring"}: the assessment's findings by what became of them."""
    areas = {area: {"verified": [], "open": [], "recurring": []} for area in AREAS}
    if not scores:
        return areas
    by_question = {a.question_id: a for a in actions if a.source == "assessment" and a.question_id is not None}
    points = scores.get("points") or {}
    for finding in scores.get("findings") or []:
        action = by_question.get(finding.get("question_id"))
        point = finding.get("compliance_point")
        row = {"code": finding.get("code"), "question_id": finding.get("question_id"), "text": finding.get("text"),
               "point": point, "point_label": (points.get(point) or {}).get("label"),
               "status": action.status if action is not None else "planned"}
        area = areas[area_of(finding)]
        verified = action is not None and action.status == "verified" and (
            assessed_on is None or action.verified_at is None or action.verified_at.date() >= assessed_on)
        if verified:
            area["verified"].append(row | {"verified_on": _iso(action.verified_at.date() if action.verified_at
                                                                 else None)})
        else:
            area["open"].append(row)
        if finding.get("recurring") or (action is not None and action.recurring):
            area["recurring"].append(row)
    return areas


@dataclass
class ProgrammeFacts:
    """What the programme progress report says of a cycle, read from the database."""

    progress: ProgressFacts  # the needs, committee and scores the achievements and challenges read
    record: CycleRecord  # the committee's meetings and elections since the assessment, training, plan
    assessed_on: date | None


def programme_facts(cycle: Cycle) -> ProgrammeFacts:
    assessed_on = _assessed_on(cycle)
    record = cycle_record(cycle, since=assessed_on)
    progress = programme_progress_facts(cycle, record)
    if progress.scores:  # the findings the cycle before verified, found again: recurring
        context = assessment_report.contexts_of([cycle]).get(cycle.id)
        progress.scores = report_docs.mark_recurring(progress.scores, context.recurring if context else frozenset())
    return ProgrammeFacts(progress, record, assessed_on)


def programme_progress_data(cycle: Cycle, facts: ProgrammeFacts, now: datetime, staff: dict | None = None) -> dict:
    """The report's data: the figures, the achievements and the remaining challenges, as phrases; per area the
    findings verified, open and recurring; the committee's activity and the training since the assessment; the
    staff's text as it is."""
    progress, record = facts.progress, facts.record
    allotted = float(cycle.training_days_allotted)
    return report_docs.report_header(cycle, now) | {
        "kind": "programme_progress", "title": report_docs.english_label("programme_progress"),
        "scores": progress.scores, "questionnaire_id": progress.questionnaire_id,
        "trend": progress_over_cycles.for_cycle(cycle, progress.scores, now),
        "needs": {"total": len(progress.needs), "done": len(progress.done), "open": len(progress.open_needs)},
        "training": {"sessions": len(progress.training), "days": progress.training_days, "allotted": allotted,
                     "list": _training(record)},
        "committee": {"members": progress.members, "worker": progress.worker_side,
                      "management": progress.management_side, "meetings": progress.meetings,
                      "review_score": cycle.committee_review_score,
                      "members_list": _members(record), "meetings_since": _meetings(record),
                      "elections": [{"held_on": _iso(e.held_on), "status": e.status, "seats": e.seats}
                                    for e in record.elections]},
        "achievements": _achievements(progress, allotted),
        "challenges": {
            "labour_standards": _labour_challenges(progress),
            "problem_solving": _problem_solving_challenges(progress),
            "social_dialogue": _dialogue_challenges(progress, cycle.committee_review_score),
        },
        "assessed_on": _iso(facts.assessed_on),
        "areas": _finding_rows(progress.scores, record.actions, facts.assessed_on),
        "staff": staff_text(staff),
    }


def staff_text(staff: dict | None) -> dict:
    staff = staff if isinstance(staff, dict) else {}
    notes = staff.get("notes") if isinstance(staff.get("notes"), dict) else {}
    return {"summary": staff.get("summary") or "", "notes": {area: notes.get(area) or "" for area in AREAS}}


def cycle_for(cycle_id: int) -> Cycle | None:
    return db.session.get(Cycle, cycle_id)


def programme_report(cycle: Cycle) -> Report | None:
    return db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "programme_progress"))


def draft_programme_progress(cycle: Cycle, now: datetime, user=None) -> Report:
    """Write the draft from the data as it is now, keeping the text staff wrote in an earlier draft. Not released.
    Without `user`, the clock's draft (data["drafted_by"] "clock"), which the release writes again until staff
    save it."""
    report = report_docs.get_or_create(cycle, "programme_progress")
    if report.released_at is not None:
        return report
    staff = (report.data or {}).get("staff")
    data = programme_progress_data(cycle, programme_facts(cycle), now, staff)
    _store(report, data | {"drafted_by": "staff" if user is not None else "clock"})
    report.source_stamp = None
    if user is not None:
        audit.record("draft", report, user=user, summary=f"Programme progress report drafted for {cycle}")
    return report


def _store(report: Report, data: dict) -> None:
    data = data | {"language": report_docs.factory_language(report.cycle.factory_id)}
    report.data = data
    with force_locale(data["language"]):
        report.body_html = report_docs.render("programme_progress", data)


def save_staff_text(user, report: Report, form) -> dict[str, str]:
    """Keep the staff's summary and notes per area in the draft: {field: message} for a text too long (that field
    keeps its last saved text; the page shows what was typed)."""
    if report.released_at is not None:
        return {"report": _released_message()}
    saved = staff_text((report.data or {}).get("staff"))
    errors: dict[str, str] = {}
    staff = {"summary": saved["summary"], "notes": dict(saved["notes"])}
    fields = [("summary", None)] + [(f"note-{area}", area) for area in AREAS]
    for name, area in fields:
        text = text_limits.clean(form.get(name))
        message = text_limits.too_long(text, STAFF_TEXT_MAX)
        if message:
            errors[name] = message
            continue
        if area is None:
            staff["summary"] = text
        else:
            staff["notes"][area] = text
    _store(report, (report.data or {}) | {"staff": staff, "drafted_by": "staff"})
    audit.record("edit", report, user=user, summary=f"Programme progress draft edited: {report.cycle}")
    return errors


def _released_message() -> str:
    return _("This report was released and can no longer change.")


def clock_draft(report: Report | None) -> bool:
    """A draft the clock wrote and no staff member drafted again or saved."""
    return report is not None and report.released_at is None and (report.data or {}).get("drafted_by") == "clock"


def clock_drafted_at(report: Report | None) -> datetime | None:
    """When the clock wrote the draft, if it is the clock's."""
    generated = (report.data or {}).get("generated_at") if clock_draft(report) else None
    return datetime.fromisoformat(generated) if generated else None


def release_programme_progress(cycle: Cycle, now: datetime) -> Report:
    """The release: the draft staff prepared, as it is; without one, or with only the clock's, the report written
    from the data now (what happened since the clock's draft is in it)."""
    report = programme_report(cycle)
    if (report is not None and report.released_at is None and (report.data or {}).get("areas") is not None
            and not clock_draft(report)):
        report.file_path = None
        report.release_at = report.release_at or now
        report.released_at = now
        return report
    data = programme_progress_data(cycle, programme_facts(cycle), now,
                                   (report.data or {}).get("staff") if report is not None else None)
    return report_docs.publish(report or report_docs.get_or_create(cycle, "programme_progress"), data, now)


def _due_soon(now: datetime):
    """The programme progress report's milestone, not done, due within DRAFT_DAYS_AHEAD days of `now` (or past)."""
    return and_(Milestone.kind == "programme_progress_report", Milestone.done_at.is_(None),
                Milestone.due_at <= now + timedelta(days=DRAFT_DAYS_AHEAD))


def undrafted_programme_progress(now: datetime, cycle_ids: list[int] | None = None) -> list[int]:
    """The open cycles (of `cycle_ids`, default all) whose programme progress report is due within DRAFT_DAYS_AHEAD
    days and has no draft yet: the sweep has them drafted from the data, so staff find a draft to read and complete
    rather than a blank."""
    drafted = select(Report.id).where(Report.cycle_id == Cycle.id, Report.kind == "programme_progress").exists()
    query = (select(Cycle.id).join(Milestone, Milestone.cycle_id == Cycle.id)
             .where(_due_soon(now), Cycle.status != "closed", ~drafted).order_by(Cycle.id))
    if cycle_ids is not None:
        query = query.where(Cycle.id.in_(cycle_ids))
    return list(db.session.scalars(query))


def draft_due_programme_progress(cycle_ids: list[int], now: datetime) -> int:
    """The drafting job's part: draft the programme progress report of those of these cycles that are due soon and
    not drafted yet (a draft staff already have is left as it is: they may be writing in it). Returns how many."""
    due = undrafted_programme_progress(now, cycle_ids)
    for cycle in db.session.scalars(select(Cycle).where(Cycle.id.in_(due)).options(selectinload(Cycle.factory))):
        draft_programme_progress(cycle, now)
    return len(due)


def drafts_to_prepare(user=None, now: datetime | None = None) -> list[tuple[Cycle, datetime, Report | None]]:
    """The cycles whose programme progress report is due within DRAFT_DAYS_AHEAD days (or overdue and not yet
    released), with their draft where one is written: (cycle, due, report), soonest first; an advisor's the cycles
    they advise, an admin's all."""
    now = now or utcnow()
    query = (select(Cycle, Milestone.due_at).join(Milestone, Milestone.cycle_id == Cycle.id)
             .where(_due_soon(now)).options(selectinload(Cycle.factory))
             .order_by(Milestone.due_at, Cycle.id).limit(200))
    if getattr(user, "role", None) == "advisor":
        query = query.where(Cycle.advisor_id == user.id)
    rows = db.session.execute(query).all()
    reports = {r.cycle_id: r for r in db.session.scalars(select(Report).where(
        Report.kind == "programme_progress", Report.cycle_id.in_([c.id for c, _ in rows])))}
    return [(cycle, due, reports.get(cycle.id)) for cycle, due in rows]


# --- differentiation results -------------------------------------------------------------------------------------
def differentiation_data(cycle: Cycle, measured: list, now: datetime) -> dict:
    """The results as measured (services/differentiation.Measured): each criterion's code, name as staff left it,
    kind, threshold, value and result; the status and the package the factory's next cycle starts with."""
    from . import differentiation

    rows = []
    for m in measured:
        criterion = m.criterion
        threshold = criterion.threshold if criterion.threshold is not None else differentiation.KIND_DEFAULTS.get(
            criterion.kind)
        rows.append({"code": criterion.code, "name": criterion.name, "kind": criterion.kind, "threshold": threshold,
                     "value": m.value, "passed": bool(m.passed)})
    high = bool(rows) and all(r["passed"] for r in rows)
    return report_docs.report_header(cycle, now) | {
        "kind": "differentiation", "title": report_docs.english_label("differentiation"),
        "criteria": rows, "high_performer": high, "met": sum(1 for r in rows if r["passed"]),
        "next_package": "advanced" if high else "standard", "next_cycle": cycle.number + 1,
    }


def publish_differentiation(cycle: Cycle, measured: list, now: datetime) -> Report:
    return report_docs.publish(report_docs.get_or_create(cycle, "differentiation"),
                               differentiation_data(cycle, measured, now), now)



# --- the data as a reader reads it ------------------------------------------------------------------------------
def _dated(value):
    """ISO dates and moments of the data (keys ending _on and _at) as dates, for the |day filter; the rest as it is."""
    if isinstance(value, list):
        return [_dated(v) for v in value]
    if isinstance(value, dict):
        return {key: (report_docs._day(v) if key.endswith("_on") and isinstance(v, str)
                      else report_docs._moment(v) if key.endswith("_at") and isinstance(v, str) else _dated(v))
                for key, v in value.items()}
    return value


def localize(kind: str, view: dict, words) -> dict:
    """The parts of these kinds' data that a reader reads in their language: the states, sides and names as labels,
    the bank's words, dates as dates. Called by report_docs.localized."""
    from . import differentiation, improvement, remediation

    keys = ("actions", "committee", "training", "visits", "areas", "criteria", "submitted_at")
    view = view | _dated({key: view[key] for key in keys if key in view})
    states = remediation.STATE_LABELS
    if kind == "factory_progress" or kind == "improvement_plan":
        view["actions"] = [a | {"status_label": str(states.get(a.get("status"), a.get("status") or ""))}
                           for a in view.get("actions") or [] if isinstance(a, dict)]
    if kind == "factory_progress":
        committee = view.get("committee") or {}
        view["committee"] = committee | {"members": [
            m | {"side_label": str(improvement.SIDE_LABELS.get(m.get("side"), m.get("side")))}
            for m in committee.get("members") or []]}
        view["visits"] = [v | {"focus_label": str(improvement.VISIT_FOCUS_LABELS.get(v.get("focus"), v.get("focus")))}
                          for v in view.get("visits") or []]
        view["section_titles"] = improvement.section_titles()
        view["public_issues"] = [i | {"state_label": str(ISSUE_STATE_LABELS.get(i.get("state")))}
                                 for i in view.get("public_issues") or []]
    if kind == "programme_progress" and "areas" in view:
        view["areas"] = {area: {part: [row | {"text": words.question(row.get("question_id"), row.get("text")),
                                              "point_label": words.point(row.get("point"), row.get("point_label")),
                                              "status_label": str(states.get(row.get("status"), ""))}
                                       for row in rows]
                                for part, rows in parts.items()}
                         for area, parts in view["areas"].items()}
        view["staff"] = staff_text(view.get("staff"))
    if kind == "differentiation":
        view["criteria"] = [c | {"label": differentiation.name_of(c.get("code"), c.get("name"), c.get("threshold")),
                                 "value_text": value_text(c.get("kind"), c.get("value")),
                                 "threshold_text": threshold_text(c.get("kind"), c.get("threshold"))}
                            for c in view.get("criteria") or []]
    return view


def _issue_state_labels():
    from flask_babel import lazy_gettext as _l

    return {transparency.COMPLIANT: _l("compliant"), transparency.NONCOMPLIANT: _l("non-compliant"),
            transparency.NOT_ASSESSED: _l("not assessed")}


ISSUE_STATE_LABELS = _issue_state_labels()
# How a criterion's value and threshold read, by its kind: a rate or share as a percentage, a score or a count as a
# number, a yes/no criterion as met or not.
PERCENT_KINDS = ("max_noncompliance_rate", "sustained_noncompliance_rate", "min_needs_closed_share",
                 "min_verified_actions_share")
YES_NO_KINDS = ("progress_reports_on_time",)


def threshold_text(kind: str | None, threshold) -> str:
    """What a criterion asks, in words: "at least 60", "under 25%", "none", "yes"."""
    if kind == "no_zero_tolerance":
        return _("none")
    if kind in YES_NO_KINDS:
        return _("yes")
    if threshold is None:
        return ""
    if kind and kind.startswith("min_"):
        return _("at least %(value)s", value=value_text(kind, threshold))
    return _("under %(value)s", value=value_text(kind, threshold))


def value_text(kind: str | None, value) -> str:
    from flask_babel import format_decimal, format_percent

    if value is None:
        return _("not measured")
    if kind in YES_NO_KINDS:
        return _("yes") if value else _("no")
    if kind in PERCENT_KINDS:
        return format_percent(value)
    return format_decimal(value)


# --- the improvement plan ----------------------------------------------------------------------------------------
def publish_plan(report: Report, now: datetime, language: str | None = None) -> None:
    """The released plan's data with the report's header (a plan submitted before it had one gets it now) and its
    body in the factory's language, so that its PDF is made like the others'. Its states keep moving afterwards
    (remediation.refresh_plan); pages write it from the data each time."""
    cycle = report.cycle
    data = dict(report.data or {})
    if "factory" not in data:
        data |= report_docs.report_header(cycle, now)
    data |= {"kind": "improvement_plan", "title": report_docs.english_label("improvement_plan"),
             "language": language or report_docs.factory_language(cycle.factory_id),
             "submitted_at": _iso(report.submitted_at)}
    report.data = data
    with force_locale(data["language"]):
        report.body_html = report_docs.render("improvement_plan", data)
    report.file_path = None
