"""Needs the committee or advisor identifies, with targets; needs made from findings in one click.

A finding is what the scoring service says it is (scoring.score(response)["findings"]), in the cycle's
assessment or self-diagnosis response.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Cycle, Need, Question, Questionnaire, Response, utcnow
from ..models.advisory import NEED_AREAS, NEED_STATUSES
from . import audit, finding_statements, scoring
from .errors import FieldError

FINDING_SOURCES = ("assessment", "self_diagnosis")
AREA_LABELS = {
    "labour_compliance": _l("Labour compliance"),
    "management_systems": _l("Management systems"),
    "training": _l("Training"),
}


class NeedError(FieldError):
    pass


def _responses(cycle: Cycle, kinds=FINDING_SOURCES) -> list[Response]:
    return sorted(db.session.scalars(
        select(Response).where(Response.cycle_id == cycle.id, Response.kind.in_(kinds))
        .options(selectinload(Response.questionnaire).selectinload(Questionnaire.questions))
    ).all(), key=lambda r: FINDING_SOURCES.index(r.kind))


def findings(cycle: Cycle) -> list[dict]:
    """Findings of the cycle's assessment and self-diagnosis responses: [{source, question, need}], in
    questionnaire order; `need` is the need already made from it, if any."""
    made = {
        (n.source, n.question_id): n
        for n in db.session.scalars(select(Need).where(Need.cycle_id == cycle.id, Need.question_id.is_not(None)))
    }
    result = []
    for response in _responses(cycle):
        questions = {q.id: q for q in response.questionnaire.questions}
        for finding in scoring.score(response)["findings"]:
            result.append({"source": response.kind, "question": questions[finding["question_id"]],
                           "need": made.get((response.kind, finding["question_id"]))})
    return result


def need_from_finding(cycle: Cycle, question: Question, source: str, area: str = "labour_compliance") -> Need:
    """A need from one finding. Clicking twice gives the same need, not a second one."""
    if source not in FINDING_SOURCES:
        raise NeedError("source", _("A finding comes from the assessment or the self-diagnosis."))
    if area not in NEED_AREAS:
        raise NeedError("area", _("Choose labour compliance, management systems or training."))
    found = {f["question_id"] for response in _responses(cycle, (source,)) for f in scoring.score(response)["findings"]}
    if question.id not in found:
        raise NeedError("question", _("%(code)s is not a finding of this cycle's assessment.", code=question.code)
                        if source == "assessment" else
                        _("%(code)s is not a finding of this cycle's self-diagnosis.", code=question.code))
    existing = db.session.scalar(
        select(Need).where(Need.cycle_id == cycle.id, Need.question_id == question.id, Need.source == source)
    )
    if existing is not None:
        return existing
    point, cluster = _english_labels(question)
    need = Need(
        cycle=cycle, area=area, source=source, question=question, status="open",
        title=finding_statements.need_title(point, question.code, question.text_in("en"), question.noncompliant_answer),
        target=f"Comply with {point} ({cluster}).",
    )
    db.session.add(need)
    db.session.flush()
    audit.record("create", need, after=audit.snapshot(need), summary=f"Need from finding {question.code}")
    return need


def _english_labels(question: Question) -> tuple[str, str]:
    """The compliance point and cluster of a question as its bank names them in English (a need's title and target
    are stored once, in English, like the rest of the programme's records)."""
    structure = question.questionnaire.structure or {}

    def label(kind: str, key: str) -> str:
        entry = (structure.get(kind) or {}).get(key) or {}
        return entry.get("en") or key.replace("_", " ").capitalize()

    return label("compliance_points", question.compliance_point), label("clusters", question.cluster)


def add_need(cycle: Cycle, *, area: str, title: str, target: str | None = None, owner: str | None = None,
             due_on: date | None = None, status: str = "open", early_improvement: bool = False,
             source: str = "committee") -> Need:
    if area not in NEED_AREAS:
        raise NeedError("area", _("Choose labour compliance, management systems or training."))
    if not (title or "").strip():
        raise NeedError("title", _("Say what the need is."))
    if status not in NEED_STATUSES:
        raise NeedError("status", _("Status is open, in progress, done or dropped."))
    need = Need(cycle=cycle, area=area, title=title.strip(), target=target or None, owner=owner or None,
                due_on=due_on, status=status, early_improvement=early_improvement, source=source,
                closed_at=utcnow() if status in ("done", "dropped") else None)
    db.session.add(need)
    db.session.flush()
    audit.record("create", need, after=audit.snapshot(need))
    return need


def progress(cycle: Cycle) -> dict[str, dict]:
    """Per area: done / total (dropped needs are left out of both), and early improvements. One query."""
    result = {area: {"label": AREA_LABELS[area], "done": 0, "total": 0, "early": 0} for area in NEED_AREAS}
    rows = db.session.execute(
        select(Need.area, Need.status, Need.early_improvement, func.count())
        .where(Need.cycle_id == cycle.id).group_by(Need.area, Need.status, Need.early_improvement)
    )
    for area, status, early, n in rows:
        if status == "dropped":
            continue
        result[area]["total"] += n
        if status == "done":
            result[area]["done"] += n
        if early:
            result[area]["early"] += n
    return result
