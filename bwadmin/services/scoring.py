"""The one scoring service: non-compliance rates of a response, the gap between self-diagnosis and
assessment, and the committee review score.

Only answered, shown yes_no questions that have a `noncompliant_answer` count; "not applicable" does not.
A rate is noncompliant / questions, 0.0 when no question counted. Nothing derived is stored, except the
committee review score on Cycle.committee_review_score (other parts of the programme read it).
"""
from __future__ import annotations

from ..models import Question, Response
from .responses import shown_ids, values_of


def _rate(noncompliant: int, questions: int) -> float:
    return noncompliant / questions if questions else 0.0


def _label(labels: dict, key: str, language: str = "en") -> str:
    entry = labels.get(key) or {}
    return entry.get(language) or entry.get("en") or key


def scorable(question: Question) -> bool:
    return question.type == "yes_no" and question.noncompliant_answer in ("yes", "no")


def score(response: Response, values: dict[int, object] | None = None) -> dict:
    """{"overall", "clusters", "points", "findings", "zero_tolerance"}; see the module's docstring.
    `values` (question id → value) may be passed when the caller holds them already."""
    questionnaire = response.questionnaire
    questions = questionnaire.questions
    values = values_of(response) if values is None else values
    structure = questionnaire.structure or {}
    cluster_labels = structure.get("clusters", {})
    point_labels = structure.get("compliance_points", {})
    shown = shown_ids(questions, values)

    clusters: dict[str, dict] = {}
    points: dict[str, dict] = {}
    findings: list[dict] = []
    total = bad = 0
    for q in questions:
        if not scorable(q):
            continue
        cluster = clusters.setdefault(q.cluster, {"label": _label(cluster_labels, q.cluster), "questions": 0,
                                                  "noncompliant": 0, "rate": 0.0})
        point = points.setdefault(q.compliance_point, {"cluster": q.cluster,
                                                       "label": _label(point_labels, q.compliance_point),
                                                       "questions": 0, "noncompliant": 0, "rate": 0.0})
        value = values.get(q.id)
        if q.id not in shown or value not in ("yes", "no"):
            continue
        total += 1
        cluster["questions"] += 1
        point["questions"] += 1
        if value == q.noncompliant_answer:
            bad += 1
            cluster["noncompliant"] += 1
            point["noncompliant"] += 1
            findings.append({"code": q.code, "question_id": q.id, "text": q.text_in("en"), "cluster": q.cluster,
                             "compliance_point": q.compliance_point, "zero_tolerance": q.zero_tolerance})
    for bucket in list(clusters.values()) + list(points.values()):
        bucket["rate"] = _rate(bucket["noncompliant"], bucket["questions"])
    return {
        "overall": {"questions": total, "noncompliant": bad, "rate": _rate(bad, total)},
        "clusters": clusters,
        "points": points,
        "findings": findings,
        "zero_tolerance": [f["code"] for f in findings if f["zero_tolerance"]],
    }


def gap(self_response: Response, assessment_response: Response) -> dict:
    """Per compliance point found in both: {"label", "self_rate", "assessed_rate", "gap"} where
    gap = assessed_rate - self_rate (positive: the assessment found more than the factory reported)."""
    mine = score(self_response)["points"]
    theirs = score(assessment_response)["points"]
    result = {}
    for key, assessed in theirs.items():
        own = mine.get(key)
        if own is None:
            continue
        result[key] = {"label": assessed["label"], "self_rate": own["rate"], "assessed_rate": assessed["rate"],
                       "gap": assessed["rate"] - own["rate"]}
    return result


def committee_review_score(response: Response, values: dict[int, object] | None = None) -> float | None:
    """Sum of the chosen choices' scores over the most those answered questions could give, 0–100.
    Counts shown, answered questions whose choices carry scores; None when there is none."""
    questions = response.questionnaire.questions
    values = values_of(response) if values is None else values
    shown = shown_ids(questions, values)
    got = best = 0.0
    for q in questions:
        scores = {c.get("value"): c.get("score") for c in (q.choices or []) if c.get("score") is not None}
        value = values.get(q.id)
        if not scores or q.id not in shown or value in (None, "", [], "na"):
            continue
        if q.type == "multiple_choice":
            got += sum(scores.get(v, 0) for v in value if isinstance(value, list))
            best += sum(s for s in scores.values() if s > 0)
        else:
            got += scores.get(value, 0)
            best += max(scores.values())
    if best <= 0:
        return None
    return round(100 * got / best, 1)


def cycle_results(cycle) -> dict:
    """What the cycle page shows: each response's state and score, the gap once both are submitted, and
    the committee review score."""
    from .responses import find

    self_response = find(cycle.id, "self_diagnosis")
    assessment_response = find(cycle.id, "assessment")
    review_response = find(cycle.id, "committee_review")
    submitted = lambda r: r is not None and r.status == "submitted"  # noqa: E731
    return {
        "self_diagnosis": self_response,
        "assessment": assessment_response,
        "committee_review": review_response,
        "self_score": score(self_response) if submitted(self_response) else None,
        "assessment_score": score(assessment_response) if submitted(assessment_response) else None,
        "gap": gap(self_response, assessment_response)
        if submitted(self_response) and submitted(assessment_response) else None,
        "committee_review_score": cycle.committee_review_score,
    }
