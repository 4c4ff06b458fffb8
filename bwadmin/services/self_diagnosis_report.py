"""What the self-diagnosis results say beyond the factory's own scores: its answers set against what the assessment
found, per compliance point (the gap, scoring.pairs_of and gap_of: the rule the staff's cycle page reads too), and
the items the factory's worker-management committee is to discuss (the bank's questions marked `committee`, which
the self-diagnosis form highlights).

The results are released with the assessment report, so the gap is there once the assessment is completed; a draft
made before says the comparison follows. Read for a whole batch of reports in two queries (`completed_assessments`,
`Against`); what is kept is language-free (keys, codes, the factory's yes/no answers, rates, the bank's English)."""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from ..batches import chunked
from ..extensions import db
from ..models import Assessment, Response
from . import scoring
from .cycle_rows import CycleLike
from .responses import shown_by


def completed_assessments(cycles: list[CycleLike]) -> dict[int, object]:
    """cycle id → its completed assessment's response (plain row: id, questionnaire_id, updated_at, thresholds): the
    one the Assessment names, else the cycle's response of kind assessment."""
    found = {}
    ids = sorted({c.id for c in cycles if c.id is not None})
    for chunk in chunked(ids):
        for row in db.session.execute(
                select(Assessment.cycle_id, Response.id, Response.questionnaire_id, Response.updated_at,
                       Response.thresholds)
                .join(Response, or_(Response.id == Assessment.response_id,
                                    and_(Assessment.response_id.is_(None), Response.cycle_id == Assessment.cycle_id,
                                         Response.kind == "assessment")))
                .where(Assessment.cycle_id.in_(chunk), Assessment.completed_at.is_not(None))):
            found[row.cycle_id] = row
    return found


def _answer(value) -> str | None:
    """The factory's answer as the report keeps it: yes, no or not applicable; "answered" for another kind of
    answer; None when it gave none."""
    if value in ("yes", "no", "na"):
        return value
    return "answered" if value not in (None, "", [], {}) else None


class Against:
    """The assessments a batch of self-diagnosis results are set against, their answers read in one query."""

    def __init__(self, assessed: list):
        self.values = scoring.load_values(row.id for row in assessed)

    def report_data(self, response, values: dict, assessed) -> dict:
        """data["gap"] (compliance point → {"label", "questions", "self", "assessed", "self_rate", "assessed_rate",
        "gap"}), data["gap_questions"] (the checks where the factory and the assessment disagree) and
        data["committee_items"]; the gap is empty before the assessment is completed (data["assessed"] False)."""
        structure = scoring.structure_for(response.questionnaire_id)
        pairs = []
        data = {"assessed": assessed is not None}
        if assessed is not None:
            theirs = scoring.structure_for(assessed.questionnaire_id)
            pairs = scoring.pairs_of(structure, values, getattr(response, "thresholds", None), theirs,
                                     self.values.get(assessed.id, {}))
            data["assessment_questionnaire_id"] = assessed.questionnaire_id
            data["gap"] = scoring.gap_of(pairs, theirs.point_labels)
            data["gap_questions"] = [
                {key: pair[key] for key in ("code", "question_id", "text", "compliance_point", "self_noncompliant",
                                            "assessed_noncompliant", "assessed")}
                for pair in pairs if pair["self_noncompliant"] != pair["assessed_noncompliant"]]
        data["committee_items"] = self._committee_items(structure, values, response, pairs)
        return data

    @staticmethod
    def _committee_items(structure, values: dict, response, pairs: list[dict]) -> list[dict]:
        """The questions the committee is to discuss, shown to the factory (a question hidden by a parent's answer is
        not asked), with the factory's answer and, where the assessment checked the same, what it found."""
        shown = shown_by(structure.rules, values) if structure.has_rules else None
        found = {pair["code"]: pair["assessed_noncompliant"] for pair in pairs}
        limits = getattr(response, "thresholds", None)
        items = []
        for q in structure.questions:
            if not q.committee or shown is not None and q.id not in shown:
                continue
            value = values.get(q.id)
            items.append({"code": q.code, "question_id": q.id, "text": q.text_in("en", limits), "cluster": q.cluster,
                          "compliance_point": q.compliance_point, "answer": _answer(value),
                          "noncompliant": q.noncompliant_answer is not None and value == q.noncompliant_answer,
                          "assessed_noncompliant": found.get(q.code)})
        return items
