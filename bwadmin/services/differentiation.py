"""Measuring a cycle against the differentiation criteria (admin-editable rows) at month 16.

What the programme measures: sustained results (this cycle's assessment and the previous cycle's, each under the
threshold), the committee's reviews over the cycle (the advisor's effectiveness review and the meetings the committee
held), and verified remediation (the improvement plan's actions the advisor verified). Each criterion is a row staff
edit: its kind says what is measured, its threshold how much is enough, `active` whether it counts.

A cycle whose every active criterion passes is a high performer; its factory's next cycle starts with the advanced
service package (services/service_packages).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale, format_decimal, format_percent, lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Cycle, DifferentiationCriterion, DifferentiationResult, ImprovementAction, Milestone, Need
from . import committee, report_docs

# The state of an improvement action the advisor checked, on a visit or from the factory's evidence.
VERIFIED = "verified"

# code: (name, kind, threshold). Rates and shares are fractions (0.25 = 25%); the committee score is 0–100; meetings
# are a count. The rows are seeded with the English names (staff may edit them: a row is data); `criterion_name` gives
# a default row's name in the reader's language, with the row's threshold, while staff have not renamed it.
DEFAULT_CRITERIA = {
    "no_zero_tolerance": (_l("No zero-tolerance finding in the assessment"), "no_zero_tolerance", None),
    "sustained_rate": (_l("Overall non-compliance under %(rate)s in this cycle's and the previous cycle's assessment"),
                       "sustained_noncompliance_rate", 0.25),
    "committee_score": (_l("Committee effectiveness review score of %(score)s or more"), "min_committee_score", 60.0),
    "committee_meetings": (_l("At least %(count)s committee meetings held during the cycle"),
                           "min_committee_meetings", 4.0),
    "verified_remediation": (_l("At least %(share)s of the improvement plan's actions verified"),
                             "min_verified_actions_share", 0.8),
    "needs_closed": (_l("At least %(share)s of the needs met"), "min_needs_closed_share", 0.6),
    "progress_on_time": (_l("Factory progress report released on time"), "progress_reports_on_time", None),
}
# Defaults of earlier versions, still named in the reader's language where a database keeps their rows.
FORMER_CRITERIA = {
    "noncompliance_rate": (_l("Overall non-compliance rate under %(rate)s"), "max_noncompliance_rate", 0.25),
}
# What a kind measures when its row has no threshold.
KIND_DEFAULTS = {"max_noncompliance_rate": 0.25, "sustained_noncompliance_rate": 0.25, "min_committee_score": 60.0,
                 "min_committee_meetings": 4.0, "min_needs_closed_share": 0.6, "min_verified_actions_share": 0.8}


def _named(code: str):
    return DEFAULT_CRITERIA.get(code) or FORMER_CRITERIA.get(code)


def default_name(code: str, threshold: float | None = None) -> str:
    """A default criterion's name in the current language, with `threshold` (default: the default one) written as that
    language writes it."""
    name, _kind, default = _named(code)
    value = (default if threshold is None else threshold) or 0
    return str(name) % {"rate": format_percent(value), "share": format_percent(value),
                        "score": format_decimal(value), "count": format_decimal(value)}


def _english_name(code: str, threshold: float | None = None) -> str:
    with force_locale("en"):
        return default_name(code, threshold)


def criterion_name(criterion: DifferentiationCriterion) -> str:
    """A criterion's name in the reader's language: a default criterion's, as the catalogs translate it and with the
    threshold the row holds, while its name is still a default English one; else the name staff wrote."""
    if _named(criterion.code) is not None and criterion.name in (
            _english_name(criterion.code), _english_name(criterion.code, criterion.threshold)):
        return default_name(criterion.code, criterion.threshold)
    return criterion.name


def name_of(code: str | None, name: str | None, threshold: float | None) -> str:
    """criterion_name for a criterion as a report's data keeps it (its code, name and threshold)."""
    if code and _named(code) is not None and name in (_english_name(code), _english_name(code, threshold)):
        return default_name(code, threshold)
    return name or code or ""


@dataclass
class Measured:
    criterion: DifferentiationCriterion
    passed: bool
    value: float | None


@dataclass
class Facts:
    """What the criteria read of a cycle at its measurement, gathered once for all of them."""

    cycle: Cycle
    scores: dict | None  # this cycle's assessment results
    previous_scores: dict | None  # the factory's previous cycle's, None for a first cycle or one not assessed
    meetings: int  # committee meetings from the sign-up day to the measurement
    actions: list[str] = field(default_factory=list)  # the statuses of the cycle's improvement actions

    @property
    def has_previous(self) -> bool:
        return self.previous_scores is not None


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


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The factory's cycle before this one (the highest number below it)."""
    return db.session.scalar(select(Cycle).where(Cycle.factory_id == cycle.factory_id, Cycle.number < cycle.number)
                             .order_by(Cycle.number.desc()).limit(1))


def facts_of(cycle: Cycle, now: datetime) -> Facts:
    before = previous_cycle(cycle)
    return Facts(
        cycle=cycle,
        scores=report_docs.assessment_scores(cycle),
        previous_scores=report_docs.assessment_scores(before) if before is not None else None,
        meetings=committee.meetings_held(cycle.factory_id, cycle.signed_up_on, now.date()),
        actions=list(db.session.scalars(select(ImprovementAction.status).where(ImprovementAction.cycle_id == cycle.id))),
    )


def _rate(scores: dict) -> float:
    return float(scores["overall"]["rate"])


def evaluate(criterion: DifferentiationCriterion, facts: Facts) -> tuple[bool, float | None]:
    """Whether the cycle meets the criterion, and the value measured (None where there was nothing to measure)."""
    kind = criterion.kind
    threshold = criterion.threshold if criterion.threshold is not None else KIND_DEFAULTS.get(kind)
    scores = facts.scores
    if kind == "no_zero_tolerance":
        if scores is None:
            return False, None
        count = len(scores.get("zero_tolerance") or [])
        return count == 0, float(count)
    if kind == "max_noncompliance_rate":
        if scores is None:
            return False, None
        return _rate(scores) < threshold, _rate(scores)
    if kind == "sustained_noncompliance_rate":
        # Results sustained over two cycles: a first cycle, or one whose previous cycle was not assessed, has none yet.
        if scores is None or not facts.has_previous:
            return False, None
        worst = max(_rate(scores), _rate(facts.previous_scores))
        return worst < threshold, worst
    if kind == "min_committee_score":
        score = facts.cycle.committee_review_score
        if score is None:
            return False, None
        return score >= threshold, float(score)
    if kind == "min_committee_meetings":
        return facts.meetings >= threshold, float(facts.meetings)
    if kind == "min_needs_closed_share":
        statuses = list(db.session.scalars(select(Need.status).where(Need.cycle_id == facts.cycle.id,
                                                                     Need.status != "dropped")))
        if not statuses:
            return False, None
        share = sum(1 for s in statuses if s == "done") / len(statuses)
        return share >= threshold, round(share, 4)
    if kind == "min_verified_actions_share":
        if not facts.actions:
            # No plan to verify: met only when the assessment found nothing to remediate.
            return scores is not None and not scores.get("findings"), None
        share = sum(1 for s in facts.actions if s == VERIFIED) / len(facts.actions)
        return share >= threshold, round(share, 4)
    if kind == "progress_reports_on_time":
        outcome = db.session.scalar(select(Milestone.outcome).where(
            Milestone.cycle_id == facts.cycle.id, Milestone.kind == "factory_progress_report"))
        on_time = outcome == "done"
        return on_time, 1.0 if on_time else 0.0
    return False, None


def measure(cycle: Cycle, now: datetime) -> list[Measured]:
    """Store one DifferentiationResult per active criterion and set Cycle.high_performer."""
    criteria = [c for c in ensure_default_criteria() if c.active]
    facts = facts_of(cycle, now)
    existing = {r.criterion_id: r for r in db.session.scalars(
        select(DifferentiationResult).where(DifferentiationResult.cycle_id == cycle.id))}
    measured = []
    for criterion in criteria:
        passed, value = evaluate(criterion, facts)
        row = existing.get(criterion.id) or DifferentiationResult(cycle_id=cycle.id, criterion_id=criterion.id)
        row.passed, row.value, row.measured_at = passed, value, now
        db.session.add(row)
        measured.append(Measured(criterion, passed, value))
    cycle.high_performer = bool(measured) and all(m.passed for m in measured)
    return measured
