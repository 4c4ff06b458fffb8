"""Measuring a cycle against the differentiation criteria (admin-editable rows) at month 16.

A cycle whose every active criterion passes is a high performer and is offered advanced services.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, format_decimal, format_percent, lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Cycle, DifferentiationCriterion, DifferentiationResult, Milestone, Need
from . import report_docs

# code: (name, kind, threshold). Rates and shares are fractions (0.25 = 25%); the committee score is 0–100.
# The rows are seeded with the English names (staff may edit them: a row is data); `criterion_name` gives a default
# row's name in the reader's language while staff have not changed it.
DEFAULT_CRITERIA = {
    "no_zero_tolerance": (_l("No zero-tolerance finding in the assessment"), "no_zero_tolerance", None),
    "noncompliance_rate": (_l("Overall non-compliance rate under %(rate)s"), "max_noncompliance_rate", 0.25),
    "committee_score": (_l("Committee effectiveness review score of %(score)s or more"), "min_committee_score", 60.0),
    "needs_closed": (_l("At least %(share)s of the needs met"), "min_needs_closed_share", 0.6),
    "progress_on_time": (_l("Factory progress report released on time"), "progress_reports_on_time", None),
}


def default_name(code: str) -> str:
    """A default criterion's name in the current language, its threshold written as that language writes it."""
    name, _kind, threshold = DEFAULT_CRITERIA[code]
    threshold = threshold or 0
    return str(name) % {"rate": format_percent(threshold), "share": format_percent(threshold),
                        "score": format_decimal(threshold)}


def _english_name(code: str) -> str:
    with force_locale("en"):
        return default_name(code)


def criterion_name(criterion: DifferentiationCriterion) -> str:
    """A criterion's name in the reader's language: a default criterion's, as the catalogs translate it, while its
    row still holds the default English name; else the name staff wrote."""
    if criterion.code in DEFAULT_CRITERIA and criterion.name == _english_name(criterion.code):
        return default_name(criterion.code)
    return criterion.name


@dataclass
class Measured:
    criterion: DifferentiationCriterion
    passed: bool
    value: float | None


def ensure_default_criteria() -> list[DifferentiationCriterion]:
    """Seed the defaults when the table is empty; staff edit them afterwards."""
    rows = list(db.session.scalars(select(DifferentiationCriterion).order_by(DifferentiationCriterion.id)))
    if rows:
        return rows
    for code, (_name, kind, threshold) in DEFAULT_CRITERIA.items():
        db.session.add(DifferentiationCriterion(code=code, name=_english_name(code), kind=kind, threshold=threshold,
                                                active=True))
    db.session.flush()
    return list(db.session.scalars(select(DifferentiationCriterion).order_by(DifferentiationCriterion.id)))


def evaluate(criterion: DifferentiationCriterion, cycle: Cycle, scores: dict | None) -> tuple[bool, float | None]:
    threshold = criterion.threshold
    if criterion.kind == "no_zero_tolerance":
        if scores is None:
            return False, None
        count = len(scores.get("zero_tolerance") or [])
        return count == 0, float(count)
    if criterion.kind == "max_noncompliance_rate":
        if scores is None:
            return False, None
        rate = float(scores["overall"]["rate"])
        return rate < (threshold if threshold is not None else 0.25), rate
    if criterion.kind == "min_committee_score":
        score = cycle.committee_review_score
        if score is None:
            return False, None
        return score >= (threshold if threshold is not None else 60.0), float(score)
    if criterion.kind == "min_needs_closed_share":
        statuses = list(db.session.scalars(select(Need.status).where(Need.cycle_id == cycle.id, Need.status != "dropped")))
        if not statuses:
            return False, None
        share = sum(1 for s in statuses if s == "done") / len(statuses)
        return share >= (threshold if threshold is not None else 0.6), round(share, 4)
    if criterion.kind == "progress_reports_on_time":
        outcome = db.session.scalar(select(Milestone.outcome).where(
            Milestone.cycle_id == cycle.id, Milestone.kind == "factory_progress_report"))
        on_time = outcome == "done"
        return on_time, 1.0 if on_time else 0.0
    return False, None


def measure(cycle: Cycle, now: datetime) -> list[Measured]:
    """Store one DifferentiationResult per active criterion and set Cycle.high_performer."""
    criteria = [c for c in ensure_default_criteria() if c.active]
    scores = report_docs.assessment_scores(cycle)
    existing = {r.criterion_id: r for r in db.session.scalars(
        select(DifferentiationResult).where(DifferentiationResult.cycle_id == cycle.id))}
    measured = []
    for criterion in criteria:
        passed, value = evaluate(criterion, cycle, scores)
        row = existing.get(criterion.id) or DifferentiationResult(cycle_id=cycle.id, criterion_id=criterion.id)
        row.passed, row.value, row.measured_at = passed, value, now
        db.session.add(row)
        measured.append(Measured(criterion, passed, value))
    cycle.high_performer = bool(measured) and all(m.passed for m in measured)
    return measured
