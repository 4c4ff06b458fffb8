"""Non-compliance rates of a response: overall, per cluster, per compliance point, and the findings.

Minimal implementation of the agreed API (another module may replace it): counts the answered yes/no questions
of the Response whose Answer.value equals Question.noncompliant_answer.
"""
from __future__ import annotations

from ..models import Response


def _rate(noncompliant: int, questions: int) -> float:
    return round(noncompliant / questions, 4) if questions else 0.0


def _labels(questionnaire) -> tuple[dict, dict]:
    structure = (questionnaire.structure or {}) if questionnaire is not None else {}
    clusters = structure.get("clusters") or {}
    points = structure.get("compliance_points") or {}

    def label(entry, key):
        if isinstance(entry, dict):
            return entry.get("en") or key
        return entry or key

    return ({k: label(v, k) for k, v in clusters.items()}, {k: label(v, k) for k, v in points.items()})


def score(response: Response) -> dict:
    cluster_labels, point_labels = _labels(response.questionnaire)
    clusters: dict[str, dict] = {}
    points: dict[str, dict] = {}
    findings: list[dict] = []
    total = bad = 0
    for answer in sorted(response.answers, key=lambda a: (a.question.position, a.question.id)):
        question = answer.question
        if question.type != "yes_no" or answer.value not in ("yes", "no"):
            continue
        noncompliant = question.noncompliant_answer is not None and answer.value == question.noncompliant_answer
        cluster = clusters.setdefault(question.cluster, {
            "label": cluster_labels.get(question.cluster, question.cluster), "questions": 0, "noncompliant": 0})
        point = points.setdefault(question.compliance_point, {
            "cluster": question.cluster, "label": point_labels.get(question.compliance_point, question.compliance_point),
            "questions": 0, "noncompliant": 0})
        total += 1
        cluster["questions"] += 1
        point["questions"] += 1
        if noncompliant:
            bad += 1
            cluster["noncompliant"] += 1
            point["noncompliant"] += 1
            findings.append({
                "code": question.code, "question_id": question.id, "text": question.text_in("en"),
                "cluster": question.cluster, "compliance_point": question.compliance_point,
                "zero_tolerance": bool(question.zero_tolerance),
            })
    for row in list(clusters.values()) + list(points.values()):
        row["rate"] = _rate(row["noncompliant"], row["questions"])
    return {
        "overall": {"questions": total, "noncompliant": bad, "rate": _rate(bad, total)},
        "clusters": clusters,
        "points": points,
        "findings": findings,
        "zero_tolerance": [f["code"] for f in findings if f["zero_tolerance"]],
    }
