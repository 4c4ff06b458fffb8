"""Generating reports: the data, the HTML (one template per kind, for the portal and the PDF) and the PDF file.

Run by the worker at a milestone, never in a web request.
"""
from __future__ import annotations

import os
from datetime import datetime
from html import escape
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Assessment,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Cycle,
    Election,
    Need,
    Report,
    Response,
    TrainingSession,
)
from . import scoring

TITLES = {
    "assessment": "Assessment report",
    "self_diagnosis": "Self-diagnosis results",
    "improvement_plan": "Improvement plan",
    "programme_progress": "Programme progress report",
}
# Programme areas of the progress report and the clusters / compliance points that feed them.
LABOUR_STANDARDS = ("child_labour", "discrimination", "forced_labour", "compensation", "osh", "working_time",
                    "contracts_hr", "freedom_of_association")
PROBLEM_SOLVING_POINTS = ("dialogue_discipline_and_disputes", "osh_management_systems", "termination")


def reports_dir() -> Path:
    configured = current_app.config.get("BWADMIN_REPORTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "reports"


def get_or_create(cycle: Cycle, kind: str) -> Report:
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == kind))
    if report is None:
        report = Report(cycle=cycle, kind=kind, title=f"{TITLES.get(kind, kind)}: {cycle}")
        db.session.add(report)
    return report


# --- the chart ------------------------------------------------------------------------------------
def chart_svg(clusters: dict) -> str:
    """Horizontal bars: the non-compliance rate of each cluster, as inline SVG."""
    rows = list(clusters.values())
    if not rows:
        return ""
    bar_h, gap, label_w, bar_w = 18, 8, 330, 300  # room for "Freedom of association and collective bargaining"
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="nc-chart" role="img" width="{label_w + bar_w + 60}" '
             f'height="{height}" aria-label="Non-compliance rate per cluster">']
    for i, row in enumerate(rows):
        y = gap + i * (bar_h + gap)
        rate = float(row.get("rate") or 0)
        width = max(1, round(rate * bar_w)) if rate else 0
        colour = "#e74c3c" if rate >= 0.5 else "#f39c12" if rate >= 0.2 else "#18bc9c"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">{escape(row["label"])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{bar_h}" fill="#eee"/>')
        if width:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{width}" height="{bar_h}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 13}" font-size="12">{rate:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(kind: str, data: dict, for_pdf: bool = False) -> str:
    """The report's HTML from its data: the same template for the portal and the PDF."""
    clusters = (data.get("scores") or {}).get("clusters") or {}
    return render_template(f"reports/{kind}.html", data=data, for_pdf=for_pdf,
                           chart=None if for_pdf else chart_svg(clusters))


# --- the PDF ----------------------------------------------------------------------------------------
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)


def write_pdf(report: Report, data: dict) -> str | None:
    """The PDF of the report from the same template (fpdf2's write_html); returns the path under reports_dir."""
    wanted = current_app.config.get("BWADMIN_REPORT_PDF", True)
    if not wanted or str(wanted).lower() in ("0", "false", "no", "off"):
        return None
    from fpdf import FPDF

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
    target = reports_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    pdf.output(str(temporary))
    os.replace(temporary, target)  # a reader never sees half a file
    return str(relative)


def publish(report: Report, data: dict, now: datetime) -> Report:
    report.data = data
    report.body_html = render(report.kind, data)
    report.file_path = write_pdf(report, data)
    report.release_at = report.release_at or now
    report.released_at = now
    return report


# --- the data of each kind ----------------------------------------------------------------------------
def _header(cycle: Cycle, now: datetime) -> dict:
    factory = cycle.factory
    return {"factory": factory.name, "country": factory.country, "city": factory.city, "cycle": cycle.number,
            "signed_up_on": cycle.signed_up_on.isoformat(), "generated_at": now.isoformat(timespec="minutes")}


def _response(cycle: Cycle, kind: str) -> Response | None:
    if kind == "assessment":
        assessment = db.session.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        if assessment is not None and assessment.response is not None:
            return assessment.response
    return db.session.scalar(select(Response).where(Response.cycle_id == cycle.id, Response.kind == kind))


def _keep_questions(questionnaire_id: int) -> None:
    """Hold the questionnaire's questions in the session for the whole batch: the identity map is weak, and
    without this every answer's question would be loaded again, one query each, for every report."""
    kept = db.session.info.setdefault("bwadmin.questions", {})
    if questionnaire_id not in kept:
        from ..models import Question

        kept[questionnaire_id] = list(db.session.scalars(
            select(Question).where(Question.questionnaire_id == questionnaire_id)))


def generate_scored(cycle: Cycle, kind: str, now: datetime) -> Report | None:
    """The assessment report or the self-diagnosis results; None when the cycle has no such answers."""
    response = _response(cycle, kind)
    if response is None:
        return None
    _keep_questions(response.questionnaire_id)
    if not response.answers:
        return None
    scores = scoring.score(response)
    data = _header(cycle, now) | {"kind": kind, "title": TITLES[kind], "scores": scores}
    if kind == "assessment":
        assessment = db.session.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        data["assessed_on"] = assessment.assessed_on.isoformat() if assessment else None
        data["assessors"] = assessment.assessors if assessment else None
    return publish(get_or_create(cycle, kind), data, now)


def generate_programme_progress(cycle: Cycle, now: datetime) -> Report:
    """Achievements and remaining challenges: labour standards and law, problem-solving systems, social dialogue."""
    assessment = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "assessment"))
    scores = (assessment.data or {}).get("scores") if assessment is not None else None
    if scores is None:
        response = _response(cycle, "assessment")
        scores = scoring.score(response) if response is not None and response.answers else None
    needs = list(db.session.scalars(select(Need).where(Need.cycle_id == cycle.id).order_by(Need.id)))
    training = list(db.session.scalars(select(TrainingSession).where(TrainingSession.cycle_id == cycle.id)))
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == cycle.factory_id))
    members = meetings = 0
    worker_side = management_side = 0
    election = None
    if committee is not None:
        sides = dict(db.session.execute(
            select(CommitteeMember.side, func.count()).where(CommitteeMember.committee_id == committee.id)
            .group_by(CommitteeMember.side)).all())
        worker_side, management_side = sides.get("worker", 0), sides.get("management", 0)
        members = worker_side + management_side
        meetings = db.session.scalar(select(func.count()).select_from(CommitteeMeeting)
                                     .where(CommitteeMeeting.committee_id == committee.id)) or 0
        election = db.session.scalar(select(Election).where(Election.committee_id == committee.id)
                                     .order_by(Election.held_on.desc().nulls_last()))
    done = [n for n in needs if n.status == "done"]
    open_needs = [n for n in needs if n.status in ("open", "in_progress")]
    training_days = float(sum((t.days for t in training), 0))

    achievements = []
    if done:
        achievements += [f"Need met: {n.title}" for n in done]
    achievements += [f"Early improvement: {n.title}" for n in needs if n.early_improvement and n.status != "done"]
    if committee is not None and members:
        achievements.append(f"Worker-management committee in place: {worker_side} worker and {management_side} "
                            f"management representatives, {meetings} meeting(s) held")
    if election is not None and election.status in ("held", "certified"):
        achievements.append(f"Worker representatives elected ({election.held_on})")
    if training:
        achievements.append(f"{len(training)} training session(s), {training_days:g} of "
                            f"{float(cycle.training_days_allotted):g} training days used")

    labour = []
    if scores:
        for key, row in scores["clusters"].items():
            if row["noncompliant"]:
                labour.append(f"{row['label']}: {row['noncompliant']} of {row['questions']} checks non-compliant "
                              f"({row['rate']:.0%})")
        labour += [f"Zero-tolerance finding {code}" for code in scores.get("zero_tolerance", [])]
    labour += [f"Open need: {n.title}" for n in open_needs if n.area == "labour_compliance"]
    problem_solving = [f"Open need: {n.title}" for n in open_needs if n.area == "management_systems"]
    if scores:
        problem_solving += [f"{row['label']}: {row['rate']:.0%} non-compliant"
                            for key, row in scores["points"].items()
                            if key in PROBLEM_SOLVING_POINTS and row["noncompliant"]]
    dialogue = []
    if committee is None or not members:
        dialogue.append("No worker-management committee is in place yet")
    else:
        if worker_side != management_side:
            dialogue.append(f"The committee is unbalanced: {worker_side} worker and {management_side} management members")
        if meetings < 3:
            dialogue.append(f"The committee met {meetings} time(s); it should meet regularly")
    if election is None or election.status not in ("held", "certified"):
        dialogue.append("Worker representatives have not been elected")
    if cycle.committee_review_score is not None and cycle.committee_review_score < 60:
        dialogue.append(f"Committee effectiveness review scored {cycle.committee_review_score:g}")

    data = _header(cycle, now) | {
        "kind": "programme_progress", "title": TITLES["programme_progress"],
        "scores": scores,
        "needs": {"total": len(needs), "done": len(done), "open": len(open_needs)},
        "training": {"sessions": len(training), "days": training_days,
                     "allotted": float(cycle.training_days_allotted)},
        "committee": {"members": members, "worker": worker_side, "management": management_side, "meetings": meetings,
                      "review_score": cycle.committee_review_score},
        "achievements": achievements,
        "challenges": {
            "labour_standards": labour,
            "problem_solving": problem_solving,
            "social_dialogue": dialogue,
        },
    }
    return publish(get_or_create(cycle, "programme_progress"), data, now)


def open_improvement_plan(cycle: Cycle, now: datetime) -> Report:
    """The plan is opened at the release; buyers see it once the factory submits it."""
    plan = get_or_create(cycle, "improvement_plan")
    plan.release_at = plan.release_at or now
    return plan
