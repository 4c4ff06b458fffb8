"""Progress over cycles: a factory's non-compliance cycle by cycle, per cluster, overall and on the publicly reported
issues, from each cycle's released assessment report, for the portal's pages and the reports (templates/
_trend_chart.html draws it).

What a cycle counts for. Only a cycle whose assessment report was released (access.released_clause) is read: a draft
under the factory's review is not a result yet. Its figures come from the report itself: the overall rate and the
day from the report's row (services/report_figures keeps them there), the clusters, compliance points and findings
from its scores (a few parts of the JSON document, never the whole). A cluster none of whose questions was answered
has no rate in that cycle (not a rate of 0).

The publicly reported issues are the ones the transparency page publishes for the factory's country (transparency.
published_issues: today's list on a portal page, the list as it stood when a report was made in the report), read the
way that page reads them (transparency.states_in): the same list applied to every cycle, so the cycles compare. A cycle's figure is the share of those issues it was assessed on where it was
found non-compliant. A country that publishes none has no such row.

The trend is kept as plain data (TREND below, JSON in a report's data): numbers, ISO days, keys and the bank's English
labels. `chart` turns it into what the template draws, in the reader's language.

Queries. A portal page: one query for the factory's released assessments the reader may see (access.
visible_reports_stmt, so a buyer's page shows only what that buyer may open). The reports: `for_reports` reads the
earlier released assessments of all the batch's returning factories in one query per thousand factories, none for a
batch of first cycles; the report being made adds its own scores, as they stand in it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from babel import numbers
from flask_babel import format_date, get_locale, gettext as _
from sqlalchemy import bindparam, select

from ..batches import chunked
from ..extensions import db
from ..models import CLUSTER_LABELS, Cycle, Factory, Report, ReportContent, utcnow
from . import access, transparency

MAX_CYCLES = 6  # the latest six: more would not fit a phone's width beside their label
# Bar colours, lightest to darkest: a factory's cycles take them spread evenly, the latest darkest.
COLOURS = ("#f2c4bf", "#e99d95", "#dc766b", "#c95446", "#a93a2d", "#7f261c")
# The scale the bars are drawn to: the smallest of these that holds the largest rate shown, so that a factory whose
# rates are all low still shows its changes.
SCALES = (0.1, 0.25, 0.5, 1.0)

# TREND: {"cycles": [{"number": 2, "assessed_on": "2025-04-10" | None, "overall": 0.18 | None,
#                     "clusters": {key: rate}, "public": [non-compliant, assessed] | None}, ...],  (oldest first)
#         "labels": {cluster key: the bank's English label}, "issues": how many issues the country publishes}


class _Entry(NamedTuple):
    factory_id: int
    number: int
    data: dict  # one cycle of TREND["cycles"]
    labels: dict[str, str]


def _scores_columns(with_findings: bool):
    """The parts of a released report's scores the trend reads: its clusters and points, and its findings only when
    the country publishes a question (a finding's code is what says so)."""
    columns = [ReportContent.data[("scores", "clusters")].label("clusters"),
               ReportContent.data[("scores", "points")].label("points")]
    if with_findings:
        columns.append(ReportContent.data[("scores", "findings")].label("findings"))
    return columns


def _rate(value) -> float | None:
    return float(value) if type(value) in (int, float) and 0 <= value <= 1 else None


def _cluster_rates(clusters) -> tuple[dict[str, float], dict[str, str]]:
    """cluster key → its rate, for the clusters assessed; and their labels as the report's bank wrote them."""
    rates, labels = {}, {}
    for key, row in (clusters if isinstance(clusters, dict) else {}).items():
        if isinstance(row, dict) and _rate(row.get("rate")) is not None and row.get("questions", 1) != 0:
            rates[str(key)] = _rate(row["rate"])
            if isinstance(row.get("label"), str):
                labels[str(key)] = row["label"]
    return rates, labels


def _public(scores: dict, published: transparency.Published) -> list[int] | None:
    """[non-compliant, assessed] on the published issues; None when the country publishes none."""
    if not published.issues:
        return None
    states = transparency.states_in(scores, published.issues, published.points_of)
    assessed = [state for state in states if state is not transparency.NOT_ASSESSED]
    return [assessed.count(transparency.NONCOMPLIANT), len(assessed)]


def _entry(factory_id: int, number: int, assessed_on, overall, scores: dict | None,
           published: transparency.Published) -> _Entry:
    scores = scores if isinstance(scores, dict) else {}
    rates, labels = _cluster_rates(scores.get("clusters"))
    if overall is None and isinstance(scores.get("overall"), dict):
        overall = scores["overall"].get("rate")
    day = assessed_on.isoformat() if isinstance(assessed_on, date) else assessed_on if isinstance(assessed_on, str) \
        else None
    return _Entry(factory_id, number, {"number": number, "assessed_on": day, "overall": _rate(overall),
                                       "clusters": rates, "public": _public(scores, published)}, labels)


def _entries(rows, published_for) -> list[_Entry]:
    entries = []
    for row in rows:
        scores = {"clusters": row.clusters, "points": row.points, "findings": getattr(row, "findings", None) or []}
        entries.append(_entry(row.factory_id, row.number, row.assessed_on, row.overall_rate, scores,
                              published_for(row.country)))
    return entries


def _trend(entries: list[_Entry], published: transparency.Published) -> dict | None:
    """TREND from a factory's entries (any order); None for fewer than two cycles."""
    if len(entries) < 2:
        return None
    entries = sorted(entries, key=lambda e: e.number)
    labels: dict[str, str] = {}
    for entry in entries:  # the latest bank names a cluster last
        labels.update(entry.labels)
    return {"cycles": [e.data for e in entries], "labels": labels, "issues": len(published.issues)}


def _published_lookup():
    """published_issues per country, asked once per country in a batch."""
    seen: dict[str, transparency.Published] = {}

    def published_for(country: str | None) -> transparency.Published:
        key = (country or "").casefold()
        if key not in seen:
            seen[key] = transparency.published_issues(country)
        return seen[key]

    return published_for


# --- a portal page ------------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _factory_stmt(role: str | None, with_findings: bool):
    return (access.visible_reports_stmt(role)
            .join(Factory, Factory.id == Cycle.factory_id)
            .outerjoin(ReportContent, ReportContent.report_id == Report.id)
            .where(Cycle.factory_id == bindparam("factory_id"), Report.kind == "assessment",
                   access.released_clause(bindparam(access.NOW)))
            .with_only_columns(Cycle.factory_id, Cycle.number, Factory.country, Report.assessed_on,
                               Report.overall_rate, *_scores_columns(with_findings))
            .order_by(None).order_by(Cycle.number))


def of_factory(user, factory_id: int, country: str | None) -> dict | None:
    """TREND of the factory's released assessments this user may see (a buyer: only when the factory consents to
    that buyer); None for fewer than two. `country`: the factory's, as the page read it. One query."""
    published = transparency.published_issues(country)
    rows = db.session.execute(_factory_stmt(access.role_of(user), published.has_questions),
                              {**access.viewer_params(user), "factory_id": factory_id}).all()
    return _trend(_entries(rows, lambda _country: published), published)


def chart_for(user, factory_id: int, country: str | None) -> "Chart | None":
    """What a portal page draws: `chart` of `of_factory`."""
    return chart(of_factory(user, factory_id, country))


# --- the reports --------------------------------------------------------------------------------------------------
class Earlier(NamedTuple):
    """A report's cycles before its own, as TREND entries, and what its country publishes."""
    entries: list[_Entry]
    published: transparency.Published


def for_reports(cycles, now: datetime | None = None) -> dict[int, Earlier]:
    """cycle id → the released assessments of its factory's earlier cycles, for a batch of reports being made at
    `now`: one query per thousand returning factories, none for first cycles (they have no earlier cycle)."""
    now = now or utcnow()
    returning = [c for c in cycles if c.number > 1]
    if not returning:
        return {}
    published_for = _published_lookup()
    questions = any(published_for(c.factory.country).has_questions for c in returning)
    by_factory: dict[int, list[_Entry]] = {}
    for chunk in chunked(sorted({c.factory_id for c in returning})):
        rows = db.session.execute(
            select(Cycle.factory_id, Cycle.number, Factory.country, Report.assessed_on, Report.overall_rate,
                   *_scores_columns(questions))
            .select_from(Report).join(Cycle, Cycle.id == Report.cycle_id).join(Factory, Factory.id == Cycle.factory_id)
            .outerjoin(ReportContent, ReportContent.report_id == Report.id)
            .where(Cycle.factory_id.in_(chunk), Report.kind == "assessment", access.released_clause(now))).all()
        for entry in _entries(rows, published_for):
            by_factory.setdefault(entry.factory_id, []).append(entry)
    return {c.id: Earlier([e for e in by_factory.get(c.factory_id, []) if e.number < c.number],
                          published_for(c.factory.country))
            for c in returning if by_factory.get(c.factory_id)}


def with_current(earlier: Earlier | None, data: dict) -> dict | None:
    """TREND of a report being made: its factory's earlier cycles (`for_reports`) and its own cycle as its data
    holds it (data["cycle"], data["scores"], data["assessed_on"]); None for fewer than two cycles."""
    if earlier is None or not earlier.entries or not data.get("scores"):
        return None
    overall = (data["scores"].get("overall") or {}).get("rate")
    current = _entry(0, data["cycle"], data.get("assessed_on"), overall, data["scores"], earlier.published)
    return _trend(earlier.entries + [current], earlier.published)


def for_cycle(cycle, scores: dict | None, now: datetime) -> dict | None:
    """TREND of one report of `cycle` whose assessment results are `scores` (the programme's progress report): no
    query for a first cycle, two for a returning one."""
    earlier = for_reports([cycle], now).get(cycle.id)
    if earlier is None or not scores:
        return None
    assessment = cycle.assessment
    return with_current(earlier, {"cycle": cycle.number, "scores": scores,
                                  "assessed_on": assessment.assessed_on if assessment is not None else None})


# --- what the template draws ---------------------------------------------------------------------------------------
class Column(NamedTuple):
    number: int
    assessed_on: date | None
    colour: str
    day: str  # assessed_on as the reader's language writes it; "" when unknown


class Bar(NamedTuple):
    """One bar as drawn: its colour, its top and height in the SVG's 40 units (0: none), its rate as written."""
    colour: str
    top: float
    height: float
    text: str


BAR_UNITS = 40  # the height of a full bar in its SVG


class Row(NamedTuple):
    kind: str  # "cluster", "overall" or "public"
    key: str
    label: str
    values: list  # one rate (0–1) or None per column
    texts: list  # each rate as the reader's language writes it ("" for None)
    counts: list  # the public row: one (non-compliant, assessed) or None per column; else empty
    bars: list[Bar]  # one per column


@dataclass(frozen=True)
class Chart:
    columns: list[Column]
    rows: list[Row]
    scale: float  # the rate a full bar stands for
    issues: int  # issues the country publishes
    earlier: int  # cycles left out (more than MAX_CYCLES)


def _label(key: str, stored: str | None) -> str:
    """A cluster in the reader's language: the programme's clusters from the catalog, a bank's own as it wrote it."""
    return str(CLUSTER_LABELS.get(key) or stored or key)


def chart(trend: dict | None) -> Chart | None:
    """What templates/_trend_chart.html draws from TREND, in the current language; None when there is nothing to
    compare (fewer than two cycles, or no trend kept)."""
    if not isinstance(trend, dict) or len(trend.get("cycles") or []) < 2:
        return None
    cycles = trend["cycles"][-MAX_CYCLES:]
    last = len(COLOURS) - 1
    colours = [COLOURS[round(i * last / (len(cycles) - 1))] for i in range(len(cycles))]
    locale = str(get_locale())
    days = [_day(c.get("assessed_on")) for c in cycles]
    columns = [Column(c["number"], day, colour, format_date(day, "medium") if day else "")
               for c, day, colour in zip(cycles, days, colours)]
    keys: list[str] = []
    for c in cycles:
        keys += [key for key in c.get("clusters") or {} if key not in keys]
    order = {key: position for position, key in enumerate(CLUSTER_LABELS)}
    keys.sort(key=lambda key: order.get(key, len(order)))  # the programme's order; a bank's own after them
    labels = trend.get("labels") or {}
    rows = [("cluster", key, _label(key, labels.get(key)), [(c.get("clusters") or {}).get(key) for c in cycles], [])
            for key in keys]
    rows.append(("overall", "overall", _("All clusters"), [c.get("overall") for c in cycles], []))
    if trend.get("issues"):
        counts = [tuple(c["public"]) if c.get("public") else None for c in cycles]
        rows.append(("public", "public", _("Publicly reported issues"),
                     [n / assessed if assessed else None for n, assessed in (x or (0, 0) for x in counts)], counts))
    largest = max((v for row in rows for v in row[3] if v is not None), default=0)
    scale = next(s for s in SCALES if largest <= s)
    drawn = []
    for kind, key, label, values, counts in rows:
        texts = [_percent(locale, v) if v is not None else "" for v in values]
        heights = [round(min(v / scale, 1) * BAR_UNITS, 1) if v else 0 for v in values]
        bars = [Bar(column.colour, 1 + BAR_UNITS - height, height, text or "–")
                for column, height, text in zip(columns, heights, texts)]
        drawn.append(Row(kind, key, label, values, texts, counts, bars))
    return Chart(columns, drawn, scale, trend.get("issues") or 0, len(trend["cycles"]) - len(cycles))


@lru_cache(maxsize=4096)
def _percent(locale: str, rate: float) -> str:
    """The |percent filter, remembered: a release draws the trend of thousands of reports, of a few rates each."""
    return numbers.format_percent(rate, locale=locale)


def _day(text) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def init_app(app) -> None:
    # The reports' templates draw data["trend"] with the portal's macro: `progress_chart(data.trend)`.
    app.add_template_global(chart, "progress_chart")
