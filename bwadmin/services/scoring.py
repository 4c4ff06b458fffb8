"""The one scoring service: non-compliance rates of a response, the gap between self-diagnosis and
assessment, and the committee review score.

Only answered, shown yes_no questions that have a `noncompliant_answer` count; "not applicable" does not.
A rate is noncompliant / questions, 0.0 when no question counted. Nothing derived is stored, except the
committee review score on Cycle.committee_review_score (other parts of the programme read it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import NamedTuple

from cachetools import cached
from sqlalchemy import Text, cast, func, select

from .. import caches
from ..batches import chunked
from ..extensions import db
from ..models import Answer, Question, Questionnaire, Response
from . import thresholds as figures
from .responses import find, shown_by, shown_ids, values_of, visibility


def _rate(noncompliant: int, questions: int) -> float:
    return noncompliant / questions if questions else 0.0


def _label(labels: dict, key: str, language: str = "en") -> str:
    entry = labels.get(key) or {}
    return entry.get(language) or entry.get("en") or key


def scorable(question: Question) -> bool:
    return question.type == "yes_no" and question.noncompliant_answer in ("yes", "no")


# --- the questionnaire's structure, read once per published version ------------------------------------
class _Q(NamedTuple):
    """What scoring reads of a question (shown_ids reads id, code and show_if)."""

    id: int
    code: str
    cluster: str
    compliance_point: str
    type: str
    noncompliant_answer: str | None
    zero_tolerance: bool
    text: dict | None
    show_if: dict | None
    anticipates: list | None = None  # a self-diagnosis question: the assessment questions it anticipates
    committee: bool = False  # a self-diagnosis question the worker-management committee discusses
    legal_reference: dict | None = None  # {"law", "article"} the question checks in this version

    def text_in(self, language: str, limits: dict | None = None) -> str:
        return figures.render((self.text or {}).get(language) or (self.text or {}).get("en") or self.code, limits,
                              language)


@dataclass(frozen=True)
class Structure:
    """A questionnaire version as scoring needs it: its questions in order, the scorable ones and the labels."""

    questions: tuple[_Q, ...]
    scorable: tuple[_Q, ...]
    cluster_labels: dict
    point_labels: dict
    has_rules: bool  # some question is shown only for a parent's answer
    rules: tuple = ()  # responses.visibility(questions), compiled once
    scored: tuple = ()  # (question, cluster label, compliance point label, English text) of each scorable one
    by_id: dict = field(default_factory=dict)  # question id → question
    thresholds: dict = field(default_factory=dict)  # the version's, which its texts read

    # What a report says of the scores in another language: the bank's own words in that language where it has
    # them (each bank is per-language data with English beside every text). None where the bank has no text in
    # that language, so the caller chooses what stands in (a catalog's translation, else the English).
    def cluster_label(self, key: str, language: str) -> str | None:
        return (self.cluster_labels.get(key) or {}).get(language)

    def point_label(self, key: str, language: str) -> str | None:
        return (self.point_labels.get(key) or {}).get(language)

    def question_text(self, question_id: int, language: str, limits: dict | None = None) -> str | None:
        question = self.by_id.get(question_id)
        own = (question.text or {}).get(language) if question is not None else None
        return figures.render(own, self.thresholds if limits is None else limits, language) if own else None


def structure_for(questionnaire_id: int) -> Structure:
    """The structure of a questionnaire version; cached for published versions, which never change."""
    head = db.session.execute(
        select(Questionnaire.kind, Questionnaire.version, Questionnaire.created_at, Questionnaire.published_at,
               Questionnaire.structure, Questionnaire.thresholds).where(Questionnaire.id == questionnaire_id)
    ).one()
    if head.published_at is None:
        return _build_structure(questionnaire_id, head)
    return _published_structure(questionnaire_id, head)


def _build_structure(questionnaire_id: int, head) -> Structure:
    rows = db.session.execute(
        select(Question.id, Question.code, Question.cluster, Question.compliance_point, Question.type,
               Question.noncompliant_answer, Question.zero_tolerance, Question.text, Question.show_if,
               Question.anticipates, Question.committee, Question.legal_reference)
        .where(Question.questionnaire_id == questionnaire_id).order_by(Question.position, Question.id)
    ).all()
    questions = tuple(_Q(*row) for row in rows)
    labels = head.structure or {}
    cluster_labels, point_labels = labels.get("clusters", {}), labels.get("compliance_points", {})
    chosen = tuple(q for q in questions if scorable(q))
    limits = head.thresholds or {}
    return Structure(
        questions, chosen, cluster_labels, point_labels, any(q.show_if for q in questions), visibility(questions),
        tuple((q, _label(cluster_labels, q.cluster), _label(point_labels, q.compliance_point), q.text_in("en", limits))
              for q in chosen), {q.id: q for q in questions}, limits)


# More than the id in the key: ids are reused after rows are deleted.
_published_structure = cached(
    caches.scoring_structures, lock=caches.lock,
    key=lambda questionnaire_id, head: (questionnaire_id, head.kind, head.version, head.created_at, head.published_at),
)(_build_structure)


# --- the answers of many responses in one query -----------------------------------------------------------
_SEP = "\x1e"  # never inside JSON text: json escapes every control character
_SCALAR_STARTS = frozenset('"-0123456789tfn')  # a string, a number, true, false, null


def _decode(text: str):
    if len(text) < 64 and text[:1] in _SCALAR_STARTS:
        return caches.decode_scalar(text)
    return json.loads(text)


def load_values(response_ids) -> dict[int, dict[int, object]]:
    """response id → {question id → value} of its stored answers (None values left out), one query for all.

    Each response's answers arrive as one aggregated string, not one row per answer: on a batch of
    releases that is the difference between reading 200 rows and 36,000."""
    ids = sorted(set(response_ids))
    found: dict[int, dict[int, object]] = {i: {} for i in ids}
    pair = cast(Answer.question_id, Text) + ":" + cast(Answer.value, Text)
    for chunk in chunked(ids):
        rows = db.session.execute(
            select(Answer.response_id, func.aggregate_strings(pair, _SEP))
            .where(Answer.response_id.in_(chunk)).group_by(Answer.response_id)
        )
        for response_id, joined in rows:
            values = found[response_id]
            for item in (joined or "").split(_SEP):
                if item:
                    qid, _, text = item.partition(":")
                    value = _decode(text)
                    if value is not None:
                        values[int(qid)] = value
    return found


def answer_counts(response_ids) -> dict[int, int]:
    """response id → how many Answer rows it has (a row may hold only what was typed, value None)."""
    ids = sorted(set(response_ids))
    counts: dict[int, int] = {}
    for chunk in chunked(ids):
        counts.update(db.session.execute(select(Answer.response_id, func.count()).where(
            Answer.response_id.in_(chunk)).group_by(Answer.response_id)).all())
    return counts


# --- scoring ------------------------------------------------------------------------------------------------
def score_values(structure: Structure, values: dict[int, object], limits: dict | None = None) -> dict:
    """The rule itself: the scores of one response's values against its questionnaire's structure. Findings say
    their question with `limits` (the response's kept thresholds) where they differ from the version's."""
    reread = limits is not None and limits != structure.thresholds
    shown = shown_by(structure.rules, values) if structure.has_rules else None
    clusters: dict[str, dict] = {}
    points: dict[str, dict] = {}
    findings: list[dict] = []
    total = bad = 0
    get = values.get
    for q, cluster_label, point_label, text in structure.scored:
        cluster = clusters.get(q.cluster)
        if cluster is None:
            cluster = clusters[q.cluster] = {"label": cluster_label, "questions": 0, "noncompliant": 0, "rate": 0.0}
        point = points.get(q.compliance_point)
        if point is None:
            point = points[q.compliance_point] = {"cluster": q.cluster, "label": point_label, "questions": 0,
                                                  "noncompliant": 0, "rate": 0.0}
        value = get(q.id)
        if value != "yes" and value != "no" or shown is not None and q.id not in shown:
            continue
        total += 1
        cluster["questions"] += 1
        point["questions"] += 1
        if value == q.noncompliant_answer:
            bad += 1
            cluster["noncompliant"] += 1
            point["noncompliant"] += 1
            findings.append({"code": q.code, "question_id": q.id,
                             "text": q.text_in("en", limits) if reread else text, "cluster": q.cluster,
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


def score(response: Response, values: dict[int, object] | None = None) -> dict:
    """{"overall", "clusters", "points", "findings", "zero_tolerance"}; see the module's docstring.
    `values` (question id → value) may be passed when the caller holds them already."""
    if values is None:
        values = load_values([response.id])[response.id] if response.id is not None else {}
    return score_values(structure_for(response.questionnaire_id), values, response.thresholds)


def score_many(responses, values: dict[int, dict[int, object]] | None = None) -> dict[int, dict]:
    """response id → score(response), for many responses: their answers read in one query (unless `values`,
    response id → values, is given) and each questionnaire's structure once."""
    responses = list(responses)
    if values is None:
        values = load_values(r.id for r in responses)
    structures: dict[int, Structure] = {}
    scores = {}
    for r in responses:
        structure = structures.get(r.questionnaire_id)
        if structure is None:
            structure = structures[r.questionnaire_id] = structure_for(r.questionnaire_id)
        scores[r.id] = score_values(structure, values.get(r.id, {}), getattr(r, "thresholds", None))
    return scores


def _answered_scorable(structure: Structure, values: dict[int, object]) -> dict[str, tuple[_Q, bool]]:
    """code → (question, found non-compliant) for each shown scorable question answered yes or no."""
    shown = shown_by(structure.rules, values) if structure.has_rules else None
    found = {}
    for q in structure.scorable:
        value = values.get(q.id)
        if value in ("yes", "no") and (shown is None or q.id in shown):
            found[q.code] = (q, value == q.noncompliant_answer)
    return found


def gap_pairs(self_response: Response, assessment_response: Response) -> list[dict]:
    """Each self-diagnosis question set beside the assessment questions it anticipates (Question.anticipates), where
    both were answered: {"code", "text", "compliance_point", "self_noncompliant", "assessed": [codes],
    "assessed_noncompliant"}; the assessment found a non-compliance when any anticipated question is one."""
    values = load_values([self_response.id, assessment_response.id])
    return pairs_of(structure_for(self_response.questionnaire_id), values[self_response.id], self_response.thresholds,
                    structure_for(assessment_response.questionnaire_id), values[assessment_response.id])


def pairs_of(self_structure: Structure, self_values: dict, self_limits: dict | None, assessed_structure: Structure,
             assessed_values: dict) -> list[dict]:
    """gap_pairs from values already read (the release reads those of many responses in one query)."""
    mine = _answered_scorable(self_structure, self_values)
    theirs = _answered_scorable(assessed_structure, assessed_values)
    pairs = []
    for code, (question, own_finding) in mine.items():
        assessed = [theirs[c] for c in question.anticipates or () if c in theirs]
        if not assessed:
            continue
        pairs.append({"code": code, "text": question.text_in("en", self_limits),
                      "question_id": question.id, "compliance_point": assessed[0][0].compliance_point,
                      "self_noncompliant": own_finding, "assessed": [q.code for q, _found in assessed],
                      "assessed_noncompliant": any(found for _q, found in assessed)})
    return pairs


def gap(self_response: Response, assessment_response: Response, pairs: list[dict] | None = None) -> dict:
    """Per compliance point, over the self-diagnosis questions mapped to assessment questions (`gap_pairs`):
    {"label", "questions", "self_rate", "assessed_rate", "gap"}, where self_rate is the share the factory reported
    non-compliant, assessed_rate the share the assessment found non-compliant on the same checks, and
    gap = assessed_rate - self_rate (positive: the assessment found more than the factory reported)."""
    pairs = gap_pairs(self_response, assessment_response) if pairs is None else pairs
    rows = gap_of(pairs, structure_for(assessment_response.questionnaire_id).point_labels)
    return {key: {name: value for name, value in row.items() if name not in ("self", "assessed")}
            for key, row in rows.items()}


def gap_of(pairs: list[dict], labels: dict) -> dict:
    """`gap` from its pairs and the assessment bank's compliance point labels; each row also counts the checks the
    factory reported non-compliant ("self") and those the assessment found non-compliant ("assessed")."""
    result: dict[str, dict] = {}
    for pair in pairs:
        key = pair["compliance_point"]
        row = result.setdefault(key, {"label": _label(labels, key), "questions": 0, "self": 0, "assessed": 0})
        row["questions"] += 1
        row["self"] += pair["self_noncompliant"]
        row["assessed"] += pair["assessed_noncompliant"]
    for row in result.values():
        row["self_rate"] = _rate(row["self"], row["questions"])
        row["assessed_rate"] = _rate(row["assessed"], row["questions"])
        row["gap"] = row["assessed_rate"] - row["self_rate"]
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
    self_response = find(cycle.id, "self_diagnosis")
    assessment_response = find(cycle.id, "assessment")
    review_response = find(cycle.id, "committee_review")
    submitted = lambda r: r is not None and r.status == "submitted"  # noqa: E731
    both = submitted(self_response) and submitted(assessment_response)
    pairs = gap_pairs(self_response, assessment_response) if both else None
    return {
        "self_diagnosis": self_response,
        "assessment": assessment_response,
        "committee_review": review_response,
        "self_score": score(self_response) if submitted(self_response) else None,
        "assessment_score": score(assessment_response) if submitted(assessment_response) else None,
        "gap": gap(self_response, assessment_response, pairs) if both else None,
        # The questions where the factory reported compliance and the assessment found otherwise, or the reverse.
        "gap_questions": [pair for pair in pairs if pair["self_noncompliant"] != pair["assessed_noncompliant"]]
        if both else None,
        "committee_review_score": cycle.committee_review_score,
    }
