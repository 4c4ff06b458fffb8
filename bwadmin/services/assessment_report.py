"""What the assessment report says beyond the scores: each finding's legal reference, the factory's response, and
what changed since the factory's previous cycle; and the report's findings grouped under their cluster and
compliance point for the page and the PDF.

The factory's response. A reader of the report (a buyer above all) asks "what is the factory doing about this
finding?": the answer is the factory's improvement plan, one action per finding (services/improvement), with its
state on the way to verified (services/remediation). So a finding shows the action the factory wrote for it and that
action's state, where the factory has submitted a plan with one when the report is made (a plan opens at the release
of the report, so a first report seldom has it; a report made again later does). A finding that was already found
at the previous cycle shows the action the factory took on it then. The factory's flags on the draft (factual errors
it found, services/report_review) are its word on the report as a whole, not on one finding: they are listed once,
with staff's answer beside each, after the findings.

What changed: compared with the assessment report released for the factory's previous cycle (number - 1): the
findings of then not found again (fixed), those found now and not then (new), those found both times (still open,
"recurring" where the action on them was verified in between), and the change of each cluster's rate.

Everything here is read for a whole batch of reports in a few queries (`contexts_of`); what is kept in the report's
data is language-free (keys, codes, numbers, ISO dates, the bank's English, the factory's and staff's own words)."""
from __future__ import annotations

import hashlib
from typing import NamedTuple

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from ..batches import chunked
from ..extensions import db
from ..models import Cycle, ImprovementAction, Question, Report, ReportContent, ReportFlag
from .cycle_rows import CycleLike


class Context(NamedTuple):
    """What an assessment report of one cycle reads besides its answers."""

    previous: dict | None  # the previous cycle's released report: {"cycle", "report_id", "released_at", "scores"}
    actions: dict  # question code → {"action", "status"}: this cycle's improvement plan
    previous_actions: dict  # question code → {"action", "status"}: the previous cycle's plan
    flags: tuple  # the factory's flags on this cycle's draft: ({"comment", "at", "answer", "answered_at"}, ...)
    # The codes whose action was verified in the previous cycle (submitted plan or not): found again now, the finding
    # is recurring.
    recurring: frozenset = frozenset()

    def stamp(self) -> str:
        """A digest of all of it, for the report's source stamp: a change makes the release write the report again."""
        previous = (self.previous["report_id"], self.previous["released_at"]) if self.previous else None
        parts = (previous, sorted(self.actions.items(), key=lambda item: item[0]),
                 sorted(self.previous_actions.items(), key=lambda item: item[0]), self.flags, sorted(self.recurring))
        return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


EMPTY = Context(None, {}, {}, ())


def _iso(value) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def contexts_of(cycles: list[CycleLike]) -> dict[int, Context]:
    """cycle id → its Context (cycles with nothing to say are left out: EMPTY stands for them). Three queries per
    thousand factories: the previous cycles' released reports (their scores only, not the whole data), the plans'
    actions of this and the previous cycle, and the flags on these cycles' drafts."""
    cycles = [c for c in cycles if c.id is not None]
    by_number = {(c.factory_id, c.number): c.id for c in cycles}
    previous: dict[int, dict] = {}
    actions: dict[int, dict] = {}
    previous_actions: dict[int, dict] = {}
    verified: dict[int, set] = {}
    flags: dict[int, list] = {}
    factory_ids = sorted({c.factory_id for c in cycles})
    earlier = sorted({c.number - 1 for c in cycles if c.number > 1})
    for chunk in chunked(factory_ids):
        if earlier:
            # Only the scores are read out of the stored data (a JSON path): the evidence and the country's shares
            # it also holds are not parsed for thousands of reports.
            for factory_id, number, report_id, released_at, scores in db.session.execute(
                    select(Cycle.factory_id, Cycle.number, Report.id, Report.released_at, ReportContent.data["scores"])
                    .join(Report, Report.cycle_id == Cycle.id).join(ReportContent, ReportContent.report_id == Report.id)
                    .where(Cycle.factory_id.in_(chunk), Cycle.number.in_(earlier), Report.kind == "assessment",
                           Report.released_at.is_not(None))):
                cycle_id = by_number.get((factory_id, number + 1))
                if cycle_id is not None and isinstance(scores, dict):
                    previous[cycle_id] = {"cycle": number, "report_id": report_id, "released_at": _iso(released_at),
                                          "scores": scores}
        numbers = sorted({c.number for c in cycles} | set(earlier))
        # Only a submitted plan's actions are shown: the factory gave them as its response (buyers read the plan from
        # then on); a plan still being written is the factory's own until it submits it. Any verified action makes
        # its finding recurring when found again.
        plan = aliased(Report)
        for factory_id, number, code, action, status, submitted in db.session.execute(
                select(Cycle.factory_id, Cycle.number, Question.code, ImprovementAction.action,
                       ImprovementAction.status, plan.submitted_at.is_not(None))
                .join(ImprovementAction, ImprovementAction.cycle_id == Cycle.id)
                .join(Question, Question.id == ImprovementAction.question_id)
                .outerjoin(plan, and_(plan.cycle_id == Cycle.id, plan.kind == "improvement_plan"))
                .where(Cycle.factory_id.in_(chunk), Cycle.number.in_(numbers),
                       ImprovementAction.source == "assessment").order_by(ImprovementAction.id)):
            if (factory_id, number + 1) in by_number and status == "verified":
                verified.setdefault(by_number[(factory_id, number + 1)], set()).add(code)
            if not submitted:
                continue
            entry = {"action": action, "status": status}
            if (factory_id, number) in by_number:
                actions.setdefault(by_number[(factory_id, number)], {})[code] = entry
            if (factory_id, number + 1) in by_number:
                previous_actions.setdefault(by_number[(factory_id, number + 1)], {})[code] = entry
    cycle_ids = sorted(by_number.values())
    for chunk in chunked(cycle_ids):
        for cycle_id, comment, created_at, resolution, resolved_at in db.session.execute(
                select(Report.cycle_id, ReportFlag.comment, ReportFlag.created_at, ReportFlag.resolution,
                       ReportFlag.resolved_at)
                .join(Report, Report.id == ReportFlag.report_id)
                .where(Report.cycle_id.in_(chunk), Report.kind == "assessment")
                .order_by(ReportFlag.created_at, ReportFlag.id)):
            flags.setdefault(cycle_id, []).append({"comment": comment, "at": _iso(created_at), "answer": resolution,
                                                   "answered_at": _iso(resolved_at)})
    return {cycle_id: Context(previous.get(cycle_id), actions.get(cycle_id, {}), previous_actions.get(cycle_id, {}),
                              tuple(flags.get(cycle_id, ())), frozenset(verified.get(cycle_id, ())))
            for cycle_id in cycle_ids if cycle_id in previous or cycle_id in actions or cycle_id in previous_actions
            or cycle_id in flags or cycle_id in verified}


def _finding_row(finding: dict) -> dict:
    return {key: finding.get(key) for key in ("code", "question_id", "text", "cluster", "compliance_point")}


def report_data(scores: dict, structure, context: Context) -> dict:
    """What the report's data holds besides the header and the scores: the findings (in `scores`, returned with each
    one's legal reference, the factory's action and, beside a previous report, whether it is new or found again),
    the previous cycle's figures and its findings fixed since, and the flags. `structure` is the bank's
    (scoring.structure_for)."""
    before = context.previous["scores"] if context.previous else None
    found_before = {f.get("code") for f in (before or {}).get("findings") or [] if isinstance(f, dict)}
    findings = []
    for finding in scores.get("findings") or []:
        question = structure.by_id.get(finding.get("question_id"))
        extra = {}
        if question is not None and question.legal_reference:
            extra["legal"] = {"law": question.legal_reference.get("law"),
                              "article": question.legal_reference.get("article")}
        code = finding.get("code")
        if code in context.actions:
            extra["response"] = context.actions[code]
        if before is not None:
            extra["change"] = "again" if code in found_before else "new"
            if code in context.previous_actions:
                extra["before"] = context.previous_actions[code]
        findings.append(finding | extra)
    data = {"scores": scores | {"findings": findings}, "flags": list(context.flags)}
    if before is not None:
        found_now = {f.get("code") for f in findings}
        data["previous"] = {
            "cycle": context.previous["cycle"],
            "overall": (before.get("overall") or {}).get("rate"),
            "clusters": {key: row.get("rate") for key, row in (before.get("clusters") or {}).items()
                         if isinstance(row, dict) and row.get("questions")},
        }
        data["fixed"] = [_finding_row(f) | ({"before": context.previous_actions[f.get("code")]}
                                            if f.get("code") in context.previous_actions else {})
                         for f in before.get("findings") or []
                         if isinstance(f, dict) and f.get("code") not in found_now]
    return data


# --- for the template ----------------------------------------------------------------------------------------
class PointGroup(NamedTuple):
    key: str
    label: str
    row: dict  # the point's scores
    share: object  # country_shares.Share | None
    findings: list


class ClusterGroup(NamedTuple):
    key: str
    label: str
    row: dict  # the cluster's scores
    share: object  # country_shares.Share | None (withheld, or a report made before clusters had shares)
    change: float | None  # the rate now minus the rate at the previous cycle; None without one
    points: list


def sections(view: dict, shares) -> list[ClusterGroup]:
    """The report's clusters, each with its compliance points and their findings, in the bank's order (the view's
    labels are in the reader's language already). Points without a finding are kept: the reader sees each point
    that was checked."""
    scores = view.get("scores") or {}
    by_point: dict[str, list] = {}
    for finding in scores.get("findings") or []:
        by_point.setdefault(finding.get("compliance_point"), []).append(finding)
    previous = (view.get("previous") or {}).get("clusters") or {}
    points_of: dict[str, list] = {}
    for key, row in (scores.get("points") or {}).items():
        points_of.setdefault(row.get("cluster"), []).append(
            PointGroup(key, row.get("label") or key, row, shares.get(key) if shares else None, by_point.get(key, [])))
    groups = []
    for key, row in (scores.get("clusters") or {}).items():
        before = previous.get(key)
        change = row["rate"] - before if before is not None and row.get("questions") else None
        share = shares.cluster(key) if shares is not None else None
        groups.append(ClusterGroup(key, row.get("label") or key, row, share, change, points_of.get(key, [])))
    return groups


def fixed_by_cluster(view: dict) -> list[tuple[str, list]]:
    """The previous cycle's findings not found again, under their cluster's name in the reader's language."""
    labels = {key: row.get("label") or key for key, row in ((view.get("scores") or {}).get("clusters") or {}).items()}
    grouped: dict[str, list] = {}
    for finding in view.get("fixed") or []:
        grouped.setdefault(finding.get("cluster"), []).append(finding)
    return [(labels.get(key) or key or "", rows) for key, rows in grouped.items()]
