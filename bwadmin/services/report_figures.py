"""An assessment report's figures, kept on its row (Report.assessed_on, overall_rate, cluster_rates,
zero_tolerance_found, public_issue_found) whenever its data is written, so that the lists of factories sort and filter
by them without reading the data (a JSON document of tens of kilobytes per report).

Written by the service that writes the data: report_docs._write_scored (drafts and releases, Core statements) gives
`for_data` to its rows; a report written through the ORM (publish, an import, the demo, a test) gets them from the
session's flush (`_fill_on_flush`). A released report's data never changes, so its figures stay true, with one
exception: `public_issue_found` depends on the issues staff publish for its country, and is worked out again for that
country's reports when that list changes (`refresh_public_flags`).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Text, bindparam, cast, event, func, select
from sqlalchemy.orm import Session

from ..batches import chunked
from ..extensions import db
from ..models import Cycle, Factory, Report, ReportContent, TransparencyIssue

FIGURE_COLUMNS = ("assessed_on", "overall_rate", "cluster_rates", "zero_tolerance_found", "public_issue_found")
NO_FIGURES = dict.fromkeys(FIGURE_COLUMNS)


class Issues:
    """The active published issues of one country, as the flag compares findings with them."""

    def __init__(self, points: frozenset = frozenset(), questions: frozenset = frozenset()):
        self.points, self.questions = points, questions

    def found_in(self, scores: dict) -> bool:
        findings = scores.get("findings") if isinstance(scores.get("findings"), list) else []
        for finding in findings:
            if isinstance(finding, dict) and (finding.get("code") in self.questions
                                              or finding.get("compliance_point") in self.points):
                return True
        points = scores.get("points") if isinstance(scores.get("points"), dict) else {}
        return any(isinstance(points.get(code), dict) and _count(points[code].get("noncompliant")) > 0
                   for code in self.points)


def _count(value) -> int:
    return value if type(value) is int else 0


def _rate(value) -> float | None:
    return float(value) if type(value) in (int, float) and 0 <= value <= 1 else None


def figures(data, issues: Issues | None = None) -> dict:
    """The figures of an assessment report's data (None where the data has none): the day assessed, the overall and
    per-cluster non-compliance rates, whether a zero-tolerance finding was made, and whether a finding touches an
    issue the country publishes."""
    data = data if isinstance(data, dict) else {}
    scores = data.get("scores") if isinstance(data.get("scores"), dict) else None
    try:
        assessed_on = date.fromisoformat(data["assessed_on"]) if isinstance(data.get("assessed_on"), str) else None
    except ValueError:
        assessed_on = None
    if scores is None:
        return NO_FIGURES | {"assessed_on": assessed_on}
    overall = scores.get("overall") if isinstance(scores.get("overall"), dict) else {}
    clusters = scores.get("clusters") if isinstance(scores.get("clusters"), dict) else {}
    rates = {}
    for key, entry in clusters.items():
        # A cluster none of whose questions was answered was not assessed: no rate, not a rate of 0.
        if isinstance(entry, dict) and _rate(entry.get("rate")) is not None and entry.get("questions", 1) != 0:
            rates[str(key)] = _rate(entry["rate"])
    findings = scores.get("findings") if isinstance(scores.get("findings"), list) else []
    zero = bool(scores.get("zero_tolerance")) or any(isinstance(f, dict) and f.get("zero_tolerance") is True
                                                     for f in findings)
    return {"assessed_on": assessed_on, "overall_rate": _rate(overall.get("rate")), "cluster_rates": rates or None,
            "zero_tolerance_found": zero, "public_issue_found": (issues or Issues()).found_in(scores)}


def issues_by_country() -> dict[str, Issues]:
    """country (lower case) → its active published issues; the compliance point of each published question kept
    too, since a question's finding names both. One query (two when a question is published)."""
    rows = db.session.execute(select(func.lower(TransparencyIssue.country), TransparencyIssue.kind,
                                     TransparencyIssue.code).where(TransparencyIssue.active.is_(True))).all()
    grouped: dict[str, tuple[set, set]] = {}
    for country, kind, code in rows:
        points, questions = grouped.setdefault(country, (set(), set()))
        (points if kind == "compliance_point" else questions).add(code)
    return {country: Issues(frozenset(points), frozenset(questions)) for country, (points, questions) in grouped.items()}


def for_data(data, country: str | None, issues: dict[str, Issues]) -> dict:
    """figures() of a report of a factory in `country`, against issues_by_country()."""
    return figures(data, issues.get((country or "").lower()))


def fill(report_ids) -> int:
    """Work out again the figures of these assessment reports from their data: one read and one write per 500.
    Returns how many were written. The caller commits."""
    ids = sorted(set(report_ids))
    issues = issues_by_country() if ids else {}
    written = 0
    for chunk in chunked(ids):
        rows = db.session.execute(
            select(Report.id, Factory.country, cast(ReportContent.data, Text)).join(Cycle, Cycle.id == Report.cycle_id)
            .join(Factory, Factory.id == Cycle.factory_id).outerjoin(ReportContent, ReportContent.report_id == Report.id)
            .where(Report.id.in_(chunk), Report.kind == "assessment")).all()
        _write([(report_id, for_data(_loads(text), country, issues)) for report_id, country, text in rows])
        written += len(rows)
    return written


def refresh_public_flags(countries=None) -> int:
    """public_issue_found of the assessment reports of factories in `countries` (all when None), after staff changed
    what those countries publish. Returns how many reports were read."""
    query = select(Report.id).join(Cycle, Cycle.id == Report.cycle_id).join(Factory, Factory.id == Cycle.factory_id) \
        .where(Report.kind == "assessment")
    if countries is not None:
        wanted = sorted({(c or "").lower() for c in countries})
        if not wanted:
            return 0
        query = query.where(func.lower(Factory.country).in_(wanted))
    return fill(db.session.scalars(query).all())


def _loads(text):
    import orjson

    try:
        return orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return None


def _write(rows: list[tuple[int, dict]]) -> None:
    if not rows:
        return
    table = Report.__table__
    db.session.execute(table.update().where(table.c.id == bindparam("figures_of")),
                       [{"figures_of": report_id, **values} for report_id, values in rows])


# --- reports written through the ORM --------------------------------------------------------------------------------
@event.listens_for(Session, "before_flush")
def _fill_on_flush(session, flush_context, instances) -> None:
    """The figures of each assessment report whose data this flush writes (see the module's docstring)."""
    touched = []
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, ReportContent) and (obj in session.new or _changed(obj, "data")):
            report = obj.report
        elif isinstance(obj, Report) and obj in session.new and obj.content is not None:
            report = obj
        else:
            continue
        if report is not None and report.kind == "assessment" and report not in touched:
            touched.append(report)
    if not touched:
        return
    with session.no_autoflush:
        issues = issues_by_country()
        for report in touched:
            values = for_data(report.content.data if report.content is not None else None, _country_of(session, report),
                              issues)
            for column, value in values.items():
                if getattr(report, column) != value:
                    setattr(report, column, value)


def _changed(obj, attribute: str) -> bool:
    from sqlalchemy import inspect

    return inspect(obj).attrs[attribute].history.has_changes()


def _country_of(session, report: Report) -> str | None:
    cycle = report.cycle if report.cycle is not None else (
        session.get(Cycle, report.cycle_id) if report.cycle_id is not None else None)
    if cycle is None:
        return None
    factory = cycle.factory if cycle.factory is not None else session.get(Factory, cycle.factory_id)
    return factory.country if factory is not None else None


__all__ = ["FIGURE_COLUMNS", "Issues", "figures", "fill", "for_data", "issues_by_country", "refresh_public_flags"]
