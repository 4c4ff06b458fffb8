"""Generating reports: the data, the HTML (one template per kind, for the portal and the PDF) and the PDF file.

Run by the worker at a milestone, never in a web request. A release is complete when its HTML is stored and
released_at set; the PDF is made afterwards by a job of its own per report (`make_pdf`), which fills
Report.file_path. Until then the portal says the PDF is being prepared and its download answers 404.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload

from ..batches import chunked
from ..config import settings
from ..extensions import db
from ..models import (
    REPORT_LABELS,
    Assessment,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Cycle,
    Election,
    Milestone,
    Need,
    Report,
    ReportContent,
    Response,
    TrainingSession,
    utcnow,
)
from ..models import reports as models_reports
from . import scoring
from .cycle_rows import CycleLike
from .portal import chart_bars

# The compliance points whose findings the progress report counts among the problem-solving systems' challenges.
PROBLEM_SOLVING_POINTS = ("dialogue_discipline_and_disputes", "osh_management_systems", "termination")


PDF_KINDS = models_reports.PDF_KINDS


def get_or_create(cycle: Cycle, kind: str) -> Report:
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == kind))
    if report is None:
        report = Report(cycle=cycle, kind=kind, title=f"{REPORT_LABELS.get(kind, kind)}: {cycle}")
        db.session.add(report)
    return report


def render(kind: str, data: dict, for_pdf: bool = False) -> str:
    """The report's HTML from its data: the same template for the portal and the PDF (which has no chart: fpdf2
    draws no SVG)."""
    # The compiled template straight from the app's Jinja environment (cached there): a report needs none of
    # render_template's request context, and the release renders thousands of them in a row.
    template = current_app.jinja_env.get_template(f"reports/{kind}.html")
    return template.render(data=data, for_pdf=for_pdf, bars=[] if for_pdf else chart_bars(data))


# --- the PDF ----------------------------------------------------------------------------------------
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)


def write_pdf(report: Report, data: dict) -> str | None:
    """The PDF of the report from the same template (fpdf2's write_html); returns the path under reports_dir."""
    if not settings().report_pdf:
        return None
    from fpdf import FPDF  # here, not at the top: a sixth of a second that only the PDF jobs need

    html = render(report.kind, data, for_pdf=True)
    pdf = FPDF()
    pdf.set_title(report.title or report.kind)
    font = next((Path(d) / "DejaVuSans.ttf" for d in _FONT_DIRS if (Path(d) / "DejaVuSans.ttf").exists()), None)
    if font is not None:
        bold = font.with_name("DejaVuSans-Bold.ttf")
        pdf.add_font("dejavu", "", str(font))
        pdf.add_font("dejavu", "B", str(bold if bold.exists() else font))
        pdf.add_font("dejavu", "I", str(font))
        pdf.add_font("dejavu", "BI", str(bold if bold.exists() else font))
        family = "dejavu"
    else:
        family = "helvetica"
        html = html.encode("latin-1", "replace").decode("latin-1")
    pdf.add_page()
    pdf.set_font(family, size=10)
    pdf.write_html(html, font_family=family)
    relative = Path(str(report.cycle_id)) / f"{report.kind}.pdf"
    target = settings().reports_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    pdf.output(str(temporary))
    os.replace(temporary, target)  # a reader never sees half a file
    return str(relative)


def publish(report: Report, data: dict, now: datetime) -> Report:
    """Store the data and the HTML and release; the PDF follows in its own job (`pending_pdf_ids`)."""
    report.data = data
    report.body_html = render(report.kind, data)
    report.file_path = None
    report.release_at = report.release_at or now
    report.released_at = now
    return report


def make_pdf(report_id: int) -> str | None:
    """The PDF of a released report, once: returns its path (relative to reports_dir), None when there is none
    to make (not released, a kind without PDF, PDFs off). Commits."""
    report = db.session.get(Report, report_id)
    if report is None or report.released_at is None or report.kind not in PDF_KINDS or not report.data:
        return None
    if report.file_path and (settings().reports_dir / report.file_path).is_file():
        return report.file_path  # made already
    path = write_pdf(report, report.data)
    if path is not None:
        # Only the file_path column: a newer release meanwhile (file_path reset) is not overwritten blindly.
        db.session.execute(update(Report).where(Report.id == report.id, Report.released_at == report.released_at)
                           .values(file_path=path).execution_options(synchronize_session=False))
        db.session.commit()
    return path


def pending_pdf_ids(released_before: datetime | None = None) -> list[int]:
    """Released reports still without their PDF (their job was lost with Redis, or never queued)."""
    if not settings().report_pdf:
        return []
    query = select(Report.id).join(ReportContent).where(
        Report.kind.in_(PDF_KINDS), Report.released_at.is_not(None), Report.file_path.is_(None),
        ReportContent.body_html.is_not(None))
    if released_before is not None:
        query = query.where(Report.released_at <= released_before)
    return list(db.session.scalars(query.order_by(Report.id)))


# --- the data of each kind ----------------------------------------------------------------------------
def _header(cycle: CycleLike, now: datetime) -> dict:
    factory = cycle.factory
    return {"factory": factory.name, "country": factory.country, "city": factory.city, "cycle": cycle.number,
            "signed_up_on": cycle.signed_up_on.isoformat(), "generated_at": now.isoformat(timespec="minutes")}


def _response(cycle: Cycle, kind: str) -> Response | None:
    if kind == "assessment":
        assessment = db.session.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        if assessment is not None and assessment.response is not None:
            return assessment.response
    return db.session.scalar(select(Response).where(Response.cycle_id == cycle.id, Response.kind == kind))


def _responses_of(cycles: list[CycleLike], kind: str) -> tuple[dict[int, object], dict[int, object]]:
    """cycle id → its response of `kind` (for the assessment: the one the Assessment names, else the cycle's
    response of that kind), and cycle id → its Assessment row; plain rows, a few queries for all cycles."""
    cycle_ids = [c.id for c in cycles]
    assessments = {}
    if kind == "assessment":
        assessments = {row.cycle_id: row for row in db.session.execute(
            select(Assessment.cycle_id, Assessment.response_id, Assessment.assessed_on, Assessment.assessors,
                   Assessment.completed_at)
            .where(Assessment.cycle_id.in_(cycle_ids)))}
    columns = (Response.id, Response.cycle_id, Response.questionnaire_id, Response.status, Response.updated_at)
    own = {row.cycle_id: row for row in db.session.execute(
        select(*columns).where(Response.cycle_id.in_(cycle_ids), Response.kind == kind))}
    by_id = {row.id: row for row in own.values()}
    named = [a.response_id for a in assessments.values() if a.response_id is not None and a.response_id not in by_id]
    if named:  # an assessment naming a response of another cycle or kind: rare
        by_id.update({row.id: row for row in db.session.execute(select(*columns).where(Response.id.in_(named)))})
    responses = {}
    for cycle_id in cycle_ids:
        assessment = assessments.get(cycle_id)
        named_response = by_id.get(assessment.response_id) if assessment is not None else None
        response = named_response or own.get(cycle_id)
        if response is not None:
            responses[cycle_id] = response
    return responses, assessments


# --- the assessment report and the self-diagnosis results -------------------------------------------------
# The worker drafts them when the assessment is completed or the self-diagnosis submitted: the factory reviews
# the draft in the month before the release, and the release publishes that draft as it is, unless what it was
# made from has changed since (then the release makes it again). So a release is a few statements, not scoring
# and rendering, when thousands fall due at once.
SCORED_KINDS = ("assessment", "self_diagnosis")


class _Source(NamedTuple):
    """What a scored report is made from: the response, the assessment's details, and a stamp of both and of
    the header."""

    response: object
    assessment: object | None
    stamp: str


def _stamp(cycle: CycleLike, response, assessment) -> str:
    factory = cycle.factory
    parts = (response.id, response.questionnaire_id, response.updated_at.isoformat(),
             str(assessment.assessed_on) if assessment else None, assessment.assessors if assessment else None,
             factory.name, factory.country, factory.city, cycle.number, str(cycle.signed_up_on))
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


def _sources(cycles: list[CycleLike], kind: str, finished_only: bool) -> dict[int, _Source]:
    """cycle id → the source of its report of `kind`. `finished_only`: only a completed assessment or a submitted
    self-diagnosis, so that a draft never shows answers still being entered."""
    responses, assessments = _responses_of(cycles, kind)
    sources = {}
    for cycle in cycles:
        response, assessment = responses.get(cycle.id), assessments.get(cycle.id)
        if response is None:
            continue
        if finished_only and not (assessment is not None and assessment.completed_at is not None
                                  if kind == "assessment" else response.status == "submitted"):
            continue
        sources[cycle.id] = _Source(response, assessment, _stamp(cycle, response, assessment))
    return sources


def _existing(cycle_ids: list[int], kind: str) -> dict[int, object]:
    return {row.cycle_id: row for row in db.session.execute(
        select(Report.id, Report.cycle_id, Report.release_at, Report.released_at, Report.source_stamp,
               ReportContent.body_html.is_not(None).label("has_body"),
               ReportContent.report_id.is_not(None).label("has_content"))
        .outerjoin(ReportContent).where(Report.cycle_id.in_(cycle_ids), Report.kind == kind))}


def _current(row, source: _Source | None) -> bool:
    return row is not None and source is not None and row.has_body and row.source_stamp == source.stamp


def _write_scored(cycles: list[CycleLike], kind: str, sources: dict[int, _Source], existing: dict[int, object],
                  now: datetime, release: bool) -> dict[int, int]:
    """Score, render and store the reports of `cycles` (drafts, or released now): cycle id → report id, leaving
    out cycles whose response has no answers. Answers are read in one query and scored by scoring.score_many;
    the rows are written with one statement per kind of change."""
    sources = {c.id: sources[c.id] for c in cycles if c.id in sources}
    counts = scoring.answer_counts(s.response.id for s in sources.values())
    sources = {cycle_id: s for cycle_id, s in sources.items() if counts.get(s.response.id)}
    if not sources:
        return {}
    scores = scoring.score_many(s.response for s in sources.values())
    inserts, updates, order, contents_changed, contents_new = [], [], [], [], []
    for cycle in cycles:
        source = sources.get(cycle.id)
        if source is None:
            continue
        data = _header(cycle, now) | {"kind": kind, "title": REPORT_LABELS[kind], "scores": scores[source.response.id]}
        if kind == "assessment":
            assessment = source.assessment
            data["assessed_on"] = assessment.assessed_on.isoformat() if assessment else None
            data["assessors"] = assessment.assessors if assessment else None
        content = {"data": data, "body_html": render(kind, data)}
        values = {"file_path": None, "source_stamp": source.stamp, "released_at": now if release else None}
        row = existing.get(cycle.id)
        if row is None:
            inserts.append((values | {"cycle_id": cycle.id, "kind": kind, "title": f"{REPORT_LABELS[kind]}: {cycle}",
                                      "release_at": now if release else None}, content))
        else:
            updates.append(values | {"report_id": row.id,
                                     "release_at": (row.release_at or now) if release else row.release_at})
            (contents_changed if row.has_content else contents_new).append(content | {"report_id": row.id})
        order.append(cycle.id)
    ids = {row.cycle_id: row.id for row in existing.values()}
    # Core statements, not the ORM's bulk ones: the session needs none of these rows.
    table, content_table = Report.__table__, ReportContent.__table__
    if inserts:
        made = {row.cycle_id: row.id for row in db.session.execute(
            table.insert().returning(table.c.id, table.c.cycle_id), [values for values, _ in inserts])}
        ids.update(made)
        contents_new += [content | {"report_id": made[values["cycle_id"]]} for values, content in inserts]
    if updates:
        db.session.execute(table.update().where(table.c.id == bindparam("report_id")), updates)
    if contents_changed:
        db.session.execute(content_table.update().where(content_table.c.report_id == bindparam("content_of")),
                           [{"content_of": c["report_id"], "data": c["data"], "body_html": c["body_html"]}
                            for c in contents_changed])
    if contents_new:
        db.session.execute(content_table.insert(), contents_new)
    return {cycle_id: ids[cycle_id] for cycle_id in order}


def draft_scored_many(cycles: list[CycleLike], kind: str, now: datetime) -> dict[int, int]:
    """Draft the reports of `kind` whose assessment is completed (self-diagnosis submitted), unless released or
    drafted from the same source already: cycle id → report id of each draft made."""
    cycles = [c for c in cycles if c.id is not None]
    if not cycles:
        return {}
    sources = _sources(cycles, kind, finished_only=True)
    existing = _existing(list(sources), kind) if sources else {}
    todo = [c for c in cycles if c.id in sources and not (
        existing.get(c.id) is not None and existing[c.id].released_at is not None
        or _current(existing.get(c.id), sources[c.id]))]
    return _write_scored(todo, kind, sources, existing, now, release=False)


def release_scored_many(cycles: list[CycleLike], kind: str, now: datetime) -> dict[int, int]:
    """Release the reports of `kind` of many cycles: cycle id → report id of each released report (cycles
    without answers of `kind` are left out). A current draft is released as it is, in one statement for all;
    the others are made now."""
    cycles = [c for c in cycles if c.id is not None]
    if not cycles:
        return {}
    sources = _sources(cycles, kind, finished_only=False)
    existing = _existing(list(sources), kind) if sources else {}
    drafted = {c.id: existing[c.id].id for c in cycles
               if _current(existing.get(c.id), sources.get(c.id)) and existing[c.id].released_at is None}
    ids = list(drafted.values())
    for chunk in chunked(ids):
        db.session.execute(update(Report).where(Report.id.in_(chunk))
                           .values(released_at=now, release_at=func.coalesce(Report.release_at, now), file_path=None)
                           .execution_options(synchronize_session=False))
    made = _write_scored([c for c in cycles if c.id not in drafted], kind, sources, existing, now, release=True)
    released = drafted | made
    return {c.id: released[c.id] for c in cycles if c.id in released}


def draft_reports(cycle_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """The worker's drafting job: both scored reports of these cycles, where due. Returns how many of each kind
    were drafted. Commits."""
    now = now or utcnow()
    made = {}
    ids = sorted(set(cycle_ids))
    for chunk in chunked(ids):
        cycles = list(db.session.scalars(select(Cycle).where(Cycle.id.in_(chunk))
                                         .options(selectinload(Cycle.factory))))
        for kind in SCORED_KINDS:
            made[kind] = made.get(kind, 0) + len(draft_scored_many(cycles, kind, now))
        db.session.commit()
    return made


def pending_draft_cycle_ids() -> list[int]:
    """Cycles before their release whose completed assessment or submitted self-diagnosis has no report drafted
    yet (its job was lost with Redis, or never queued)."""
    def missing(kind):
        return ~select(Report.id).join(ReportContent).where(Report.cycle_id == Cycle.id, Report.kind == kind,
                                                            ReportContent.body_html.is_not(None)).exists()

    completed = select(Assessment.id).where(Assessment.cycle_id == Cycle.id,
                                            Assessment.completed_at.is_not(None)).exists()
    submitted = select(Response.id).where(Response.cycle_id == Cycle.id, Response.kind == "self_diagnosis",
                                          Response.status == "submitted").exists()
    before_release = select(Milestone.id).where(Milestone.cycle_id == Cycle.id, Milestone.kind == "release",
                                                Milestone.done_at.is_(None)).exists()
    return list(db.session.scalars(
        select(Cycle.id).where(Cycle.status != "closed", before_release,
                               or_(and_(completed, missing("assessment")), and_(submitted, missing("self_diagnosis"))))
        .order_by(Cycle.id)))


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


def assessment_scores(cycle: Cycle) -> dict | None:
    """The cycle's assessment results: as its report holds them, else scored from the answers; None before any."""
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "assessment"))
    if report is not None and report.data and report.data.get("scores"):
        return report.data["scores"]
    response = _response(cycle, "assessment")
    return scoring.score(response) if response is not None and response.answers else None


def programme_progress_facts(cycle: Cycle) -> ProgressFacts:
    facts = ProgressFacts(
        scores=assessment_scores(cycle),
        needs=list(db.session.scalars(select(Need).where(Need.cycle_id == cycle.id).order_by(Need.id))),
        training=list(db.session.scalars(select(TrainingSession).where(TrainingSession.cycle_id == cycle.id))),
        has_committee=False)
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == cycle.factory_id))
    if committee is not None:
        sides = dict(db.session.execute(
            select(CommitteeMember.side, func.count()).where(CommitteeMember.committee_id == committee.id)
            .group_by(CommitteeMember.side)).all())
        facts.has_committee = True
        facts.worker_side, facts.management_side = sides.get("worker", 0), sides.get("management", 0)
        facts.meetings = db.session.scalar(select(func.count()).select_from(CommitteeMeeting)
                                           .where(CommitteeMeeting.committee_id == committee.id)) or 0
        facts.election = db.session.scalar(select(Election).where(Election.committee_id == committee.id)
                                           .order_by(Election.held_on.desc().nulls_last()))
    return facts


def _achievements(facts: ProgressFacts, allotted: float) -> list[str]:
    lines = [f"Need met: {n.title}" for n in facts.done]
    lines += [f"Early improvement: {n.title}" for n in facts.needs if n.early_improvement and n.status != "done"]
    if facts.has_committee and facts.members:
        lines.append(f"Worker-management committee in place: {facts.worker_side} worker and {facts.management_side} "
                     f"management representatives, {facts.meetings} meeting(s) held")
    if facts.elected:
        lines.append(f"Worker representatives elected ({facts.election.held_on})")
    if facts.training:
        lines.append(f"{len(facts.training)} training session(s), {facts.training_days:g} of {allotted:g} training "
                     "days used")
    return lines


def _labour_challenges(facts: ProgressFacts) -> list[str]:
    lines = []
    if facts.scores:
        lines += [f"{row['label']}: {row['noncompliant']} of {row['questions']} checks non-compliant ({row['rate']:.0%})"
                  for row in facts.scores["clusters"].values() if row["noncompliant"]]
        lines += [f"Zero-tolerance finding {code}" for code in facts.scores.get("zero_tolerance", [])]
    return lines + [f"Open need: {n.title}" for n in facts.open_needs if n.area == "labour_compliance"]


def _problem_solving_challenges(facts: ProgressFacts) -> list[str]:
    lines = [f"Open need: {n.title}" for n in facts.open_needs if n.area == "management_systems"]
    if facts.scores:
        lines += [f"{row['label']}: {row['rate']:.0%} non-compliant" for key, row in facts.scores["points"].items()
                  if key in PROBLEM_SOLVING_POINTS and row["noncompliant"]]
    return lines


def _dialogue_challenges(facts: ProgressFacts, review_score: float | None) -> list[str]:
    lines = []
    if not facts.has_committee or not facts.members:
        lines.append("No worker-management committee is in place yet")
    else:
        if facts.worker_side != facts.management_side:
            lines.append(f"The committee is unbalanced: {facts.worker_side} worker and {facts.management_side} "
                         "management members")
        if facts.meetings < 3:
            lines.append(f"The committee met {facts.meetings} time(s); it should meet regularly")
    if not facts.elected:
        lines.append("Worker representatives have not been elected")
    if review_score is not None and review_score < 60:
        lines.append(f"Committee effectiveness review scored {review_score:g}")
    return lines


def programme_progress_data(cycle: Cycle, facts: ProgressFacts, now: datetime) -> dict:
    """The report's data: the figures, the achievements and the remaining challenges, in words."""
    allotted = float(cycle.training_days_allotted)
    return _header(cycle, now) | {
        "kind": "programme_progress", "title": REPORT_LABELS["programme_progress"],
        "scores": facts.scores,
        "needs": {"total": len(facts.needs), "done": len(facts.done), "open": len(facts.open_needs)},
        "training": {"sessions": len(facts.training), "days": facts.training_days, "allotted": allotted},
        "committee": {"members": facts.members, "worker": facts.worker_side, "management": facts.management_side,
                      "meetings": facts.meetings, "review_score": cycle.committee_review_score},
        "achievements": _achievements(facts, allotted),
        "challenges": {
            "labour_standards": _labour_challenges(facts),
            "problem_solving": _problem_solving_challenges(facts),
            "social_dialogue": _dialogue_challenges(facts, cycle.committee_review_score),
        },
    }


def generate_programme_progress(cycle: Cycle, now: datetime) -> Report:
    """Achievements and remaining challenges: labour standards and law, problem-solving systems, social dialogue."""
    data = programme_progress_data(cycle, programme_progress_facts(cycle), now)
    return publish(get_or_create(cycle, "programme_progress"), data, now)


def open_improvement_plan(cycle: Cycle, now: datetime) -> None:
    """The plan is opened at the release; buyers see it once the factory submits it."""
    open_improvement_plans([cycle], now)


def open_improvement_plans(cycles: list[CycleLike], now: datetime) -> None:
    """open_improvement_plan for many cycles: one insert for the missing plans, one update for the others."""
    ids = [c.id for c in cycles]
    if not ids:
        return
    existing = set(db.session.scalars(select(Report.cycle_id).where(
        Report.cycle_id.in_(ids), Report.kind == "improvement_plan")))
    db.session.execute(update(Report).where(Report.cycle_id.in_(ids), Report.kind == "improvement_plan",
                                            Report.release_at.is_(None))
                       .values(release_at=now).execution_options(synchronize_session=False))
    missing = [{"cycle_id": c.id, "kind": "improvement_plan", "title": f"{REPORT_LABELS['improvement_plan']}: {c}",
                "release_at": now} for c in cycles if c.id not in existing]
    if missing:
        db.session.execute(Report.__table__.insert(), missing)
