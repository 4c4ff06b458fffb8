"""Findings as the factory reads them: the question, the answer given, and what that answer means, a non-compliance
on a compliance point; in the reader's language where the question bank has it.

A finding is a scorable yes/no question answered with its non-compliant answer (services/scoring); the report's data
lists them (scores.findings). The question's words and the answer given are read from the question bank and the
response, so the page says what was asked and what was found, not only the question's code."""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..i18n import current_language
from ..models import CLUSTER_LABELS, Answer, ImprovementAction, Question, Questionnaire, Response

# The answers as the questionnaire says them (the same words as its form: one catalog entry each).
ANSWER_LABELS = {"yes": _l("Yes"), "no": _l("No"), "na": _l("Not applicable")}


@dataclass(frozen=True)
class Finding:
    code: str
    question: str  # what was asked
    answer: str  # the answer given, in words
    compliance_point: str
    cluster: str
    zero_tolerance: bool = False
    recurring: bool = False  # found again after the action on it was verified in the cycle before


def _label(labels: dict, key: str | None, language: str, fallback: str | None = None) -> str:
    entry = (labels or {}).get(key) or {}
    return entry.get(language) or entry.get("en") or fallback or (key or "")


def _cluster(key: str | None) -> str | None:
    """The catalog's name of a cluster, in the reader's language."""
    return str(CLUSTER_LABELS[key]) if key in CLUSTER_LABELS else None


def _build(question_ids: list[int], values: dict[int, object], language: str) -> dict[int, Finding]:
    """question id → Finding, for the questions that still exist (two queries)."""
    ids = [i for i in question_ids if isinstance(i, int)]
    if not ids:
        return {}
    rows = db.session.execute(select(Question, Questionnaire.structure)
                              .join(Questionnaire, Questionnaire.id == Question.questionnaire_id)
                              .where(Question.id.in_(ids))).all()
    found = {}
    for question, structure in rows:
        structure = structure or {}
        given = values.get(question.id, question.noncompliant_answer)
        answer = ANSWER_LABELS.get(given) if isinstance(given, str) else None
        found[question.id] = Finding(
            code=question.code, question=question.text_in(language) if question.text else question.code,
            answer=str(answer) if answer is not None else str(given if given is not None else ""),
            compliance_point=_label(structure.get("compliance_points"), question.compliance_point, language),
            cluster=_label(structure.get("clusters"), question.cluster, language, _cluster(question.cluster)),
            zero_tolerance=bool(question.zero_tolerance))
    return found


def _answers(cycle_id: int, kind: str, question_ids: list[int]) -> dict[int, object]:
    """The values the cycle's response of `kind` gave these questions."""
    if not question_ids:
        return {}
    return dict(db.session.execute(
        select(Answer.question_id, Answer.value).join(Response, Response.id == Answer.response_id)
        .where(Response.cycle_id == cycle_id, Response.kind == kind, Answer.question_id.in_(question_ids))).all())


def of_report(report) -> list[Finding]:
    """The findings of an assessment or self-diagnosis report (a Report), in
    the report's order; a question gone from the bank is told from what the report kept."""
    data = report.data or {}
    scores = data.get("scores") or {}
    listed = [f for f in scores.get("findings") or [] if isinstance(f, dict)]
    if not listed or report.kind not in ("assessment", "self_diagnosis"):
        return []
    language = current_language()
    ids = [f.get("question_id") for f in listed if isinstance(f.get("question_id"), int)]
    built = _build(ids, _answers(report.cycle_id, report.kind, ids), language)
    points = scores.get("points") or {}
    out = []
    for f in listed:
        finding = built.get(f.get("question_id"))
        if finding is None:
            point = points.get(f.get("compliance_point")) or {}
            finding = Finding(code=f.get("code") or "", question=f.get("text") or f.get("code") or "",
                              answer="", compliance_point=point.get("label") or f.get("compliance_point") or "",
                              cluster=_cluster(f.get("cluster")) or f.get("cluster") or "",
                              zero_tolerance=bool(f.get("zero_tolerance")))
        if f.get("recurring"):
            finding = replace(finding, recurring=True)
        out.append(finding)
    return out


def for_actions(rows: list[ImprovementAction], cycle_id: int) -> dict[int, Finding]:
    """improvement action id → the Finding it answers, for the rows made from a question of the assessment or of the
    self-diagnosis (each with the answer its own response gave)."""
    out = {}
    for source in ("assessment", "self_diagnosis"):
        mine = [row for row in rows if row.question_id is not None and (row.source or "assessment") == source]
        ids = [row.question_id for row in mine]
        built = _build(ids, _answers(cycle_id, source, ids), current_language())
        out.update({row.id: replace(built[row.question_id], recurring=row.recurring)
                    for row in mine if row.question_id in built})
    return out
