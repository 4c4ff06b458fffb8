"""What the portals show, gathered in a constant number of queries whatever the number of factories."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, inspect, null, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import (CLUSTER_LABELS, MILESTONE_KINDS, MILESTONE_LABELS, Cycle, Factory, Milestone, Need, Report,
                      ReportContent, ShareRequest, Sourcing)
from ..models import REPORT_LABELS  # noqa: F401 - the views and the API read portal.REPORT_LABELS
from ..models.reports import pdf_pending
from . import access, country_shares, factory_pages, sharing


PER_PAGE = 50
# Milestones that are the programme's own work, not dates of the factory's cycle: its reminders of the progress report
# (the reminder is the email; the date it reminds of is on the timeline already).
INTERNAL_KINDS = frozenset(kind for kind in MILESTONE_KINDS
                           if kind.startswith(("factory_progress_reminder_", "improvement_plan_reminder_")))
# A need's status as the buyer reads it beside the factory's shared early progress.
NEED_STATUS_LABELS = {"open": _l("open"), "in_progress": _l("in progress"), "done": _l("done"),
                      "dropped": _l("dropped")}


# The stage of a factory's cycle (Cycle.status), as the buyer reads it.
STAGE_LABELS = {"advisory": _l("Advisory"), "assessment": _l("Assessment"), "reporting": _l("Reporting"),
                "measured": _l("Measured"), "closed": _l("Closed")}


def stage_names() -> dict[str, str]:
    """STAGE_LABELS in the reader's language, translated once for a page that writes them on many rows."""
    return {key: str(label) for key, label in STAGE_LABELS.items()}


@dataclass
class BuyerHome:
    """The buyer home: a page of the factories sharing with the buyer (factory_pages.Row: each with its figures from
    released reports), in the listing's order and within its filters; cursors to the pages around it (None at an
    end); how many the listing holds; the countries of the factories sharing (the country filter's choices); whether
    any factory shares at all; what of the URL's sort and filters was refused (factory_pages.BadListing, shown to the
    buyer; the default stands in); and the sourced factories not sharing (rows of id, name, country, state: where the
    buyer's asking it to share stands, sharing.RequestState)."""
    shared: list[factory_pages.Row]
    total: int
    next_cursor: str | None
    previous_cursor: str | None
    not_shared: list[tuple]
    listing: factory_pages.Listing = field(default_factory=factory_pages.Listing)
    countries: list[str] = field(default_factory=list)
    any_shared: bool = False
    refused: list[factory_pages.BadListing] = field(default_factory=list)


def buyer_home(user, after: str | None = None, before: str | None = None, sort: str | None = None,
               country: str | None = None, stage: str | None = None) -> BuyerHome:
    """The buyer home at the page after (or before) a cursor of factory_pages, sorted and filtered as asked; the
    first page for a cursor that service did not make (a link cut short is no reason to refuse the buyer its home),
    the last for one past the end; the default for a sort or filter it does not know, saying so. Three queries (four
    when a factory does not share): the page, the counts, the factories not sharing (and where asking them stands)."""
    listing, refused = factory_pages.Listing.parse(sort, country, stage)
    try:
        shown = factory_pages.page(user, PER_PAGE, after=after, before=before, listing=listing)
    except factory_pages.BadCursor:
        shown = factory_pages.page(user, PER_PAGE, listing=listing)
    if not shown.rows and after is not None:  # past the end (factories went since): the last page
        shown = factory_pages.page(user, PER_PAGE, last=True, listing=listing)
    counted = factory_pages.counts(user)
    not_shared = db.session.execute(
        select(Factory.id, Factory.name, Factory.country)
        .join(Sourcing, Sourcing.factory_id == Factory.id)
        .where(Sourcing.buyer_id == user.buyer_id, ~access.consent_clause()).order_by(Factory.name, Factory.id)
    ).all()
    states = sharing.states_for(user.buyer_id, {row.id: False for row in not_shared})
    return BuyerHome(shown.rows, factory_pages.listed_total(counted, listing), shown.next_cursor,
                     shown.previous_cursor, [(row.id, row.name, row.country, states[row.id]) for row in not_shared],
                     listing, factory_pages.countries(counted), bool(counted), refused)


# Built once: the latest cycle, then its milestones (two indexed queries; a selectinload builds its own each time).
_CURRENT_CYCLE = (
    select(Cycle).where(Cycle.factory_id == bindparam("factory_id")).order_by(Cycle.number.desc()).limit(1)
)
_MILESTONES = select(Milestone).where(Milestone.cycle_id == bindparam("cycle_id")).order_by(Milestone.due_at,
                                                                                            Milestone.id)


def timeline_of(milestones) -> list:
    """The milestones a factory or buyer reads on a cycle's timeline, in due order: the internal ones left out."""
    return [m for m in milestones if m.kind not in INTERNAL_KINDS]


def current_cycle(factory_id: int) -> Cycle | None:
    """The factory's latest cycle with its milestones loaded (in due order)."""
    cycle = db.session.scalar(_CURRENT_CYCLE, {"factory_id": factory_id})
    if cycle is not None and "milestones" not in inspect(cycle).dict:
        set_committed_value(cycle, "milestones", db.session.scalars(_MILESTONES, {"cycle_id": cycle.id}).all())
    return cycle


class ReportView(NamedTuple):
    """A report as the portal shows it, read as columns (REPORT_VIEW)."""
    id: int
    kind: str
    title: str
    released_at: datetime | None
    file_path: str | None
    factory_id: int
    data: dict | None
    body_html: str | None

    @property
    def pdf_pending(self) -> bool:
        return pdf_pending(self.released_at, self.kind, self.file_path)


REPORT_VIEW = (Report.id, Report.kind, Report.title, Report.released_at, Report.file_path, Cycle.factory_id,
               ReportContent.data, ReportContent.body_html)


@lru_cache(maxsize=None)
def _report_view_stmt(role: str | None):
    return (access.visible_reports_stmt(role).where(Report.id == bindparam("report_id"))
            .with_only_columns(*REPORT_VIEW).outerjoin(ReportContent, ReportContent.report_id == Report.id))


def report_view(user, report_id: int) -> ReportView:
    """The report's page if this user may see it (access.visible_reports_stmt), else NotFound. One query."""
    row = db.session.execute(_report_view_stmt(access.role_of(user)),
                             {**access.viewer_params(user), "report_id": report_id}).first()
    if row is None:
        raise NotFound()
    from .report_docs import body_for  # report_docs reads chart_bars from here

    # The body in the reader's language: stored in the factory's, made afresh from the data for any other.
    return ReportView(*row)._replace(body_html=body_for(row.kind, row.data, row.body_html))


@lru_cache(maxsize=None)
def _factory_reports_stmt(role: str | None):
    """The factory's reports the user may see that its page reads: every report of the cycle shown (listed; the
    assessment with its data, for the chart), and of every cycle the assessments (their day and overall rate only)
    and the improvement plans (with their data): one query, no body, and no other report's content read."""
    shown = Report.cycle_id == bindparam("cycle_id")
    content = aliased(ReportContent, name="content")
    figures = aliased(ReportContent, name="figures")
    return (access.visible_reports_stmt(role)
            .where(Cycle.factory_id == bindparam("factory_id"),
                   or_(shown, Report.kind.in_(("assessment", "improvement_plan"))))
            .with_only_columns(*REPORT_VIEW[:-2], content.data, null().label("body_html"), Report.cycle_id,
                               Cycle.number, Report.submitted_at,
                               figures.data[factory_pages.RATE_PATH].as_float().label("rate"),
                               figures.data[factory_pages.ASSESSED_PATH].as_string().label("assessed_on"))
            .outerjoin(content, and_(content.report_id == Report.id, or_(
                Report.kind == "improvement_plan", and_(Report.kind == "assessment", shown))))
            .outerjoin(figures, and_(figures.report_id == Report.id, Report.kind == "assessment"))
            .order_by(Report.released_at, Report.id))


def cluster_rates(report: Report | None, data: dict | None = None) -> dict[str, tuple[str, float]]:
    """cluster → (label, rate) of the report's scores (or of `data`, the report's data read already)."""
    if data is None and report is not None:
        data = report.data
    clusters = ((data or {}).get("scores") or {}).get("clusters") or {}
    out = {}
    for key, value in clusters.items():
        if isinstance(value, dict) and isinstance(value.get("rate"), (int, float)):
            # The programme's clusters in the reader's language; a bank's own cluster as the bank named it.
            label = CLUSTER_LABELS.get(key) or value.get("label") or key
            out[key] = (str(label), float(value["rate"]))
    return out


def as_percent(rate: float) -> float:
    """Rates are shares (0–1); a value above 1 is read as a percentage already."""
    return rate * 100 if rate <= 1 else rate


def chart_bars(data: dict | None) -> list[dict]:
    """The chart's bars (templates/_chart.html) from a report's data: the factory's own rate per cluster. The country
    is compared per compliance point, as the programme publishes it (country_shares), not on the chart."""
    clusters = ((data or {}).get("scores") or {}).get("clusters") or {}
    # A cluster none of whose questions applied has no rate to draw (scoring writes 0.0): the chart says so.
    return [{"key": key, "label": label, "rate": as_percent(rate), "applicable": clusters[key].get("questions") != 0}
            for key, (label, rate) in cluster_rates(None, data).items()]


# What the buyer's factory page shows, read as plain columns rather than objects: the page is read far more often
# than anything on it changes, and loading objects costs more than the queries.
class FactoryHead(NamedTuple):
    id: int
    name: str
    country: str
    city: str | None


FACTORY_HEAD = (Factory.id, Factory.name, Factory.country, Factory.city)


class CycleHead(NamedTuple):
    id: int
    number: int
    early_progress_shared_at: datetime | None
    status: str  # the stage of the cycle (STAGE_LABELS)


class TimelineEntry(NamedTuple):
    kind: str
    due_at: datetime
    done_at: datetime | None

    @property
    def label(self) -> str:
        return MILESTONE_LABELS.get(self.kind, self.kind)


class Assessed(NamedTuple):
    """A released assessment as the factory page sums it up: its cycle, its day, its overall non-compliance rate."""
    cycle_number: int
    assessed_on: date | None
    rate: float | None


class PlanView(NamedTuple):
    """A released improvement plan as the buyer reads it: as the factory last submitted it (its report's data)."""
    cycle_number: int
    released_at: datetime
    submitted_at: datetime | None
    actions: list[dict]  # plan_rows

    @property
    def open_actions(self) -> int:
        return sum(1 for a in self.actions if a.get("status") not in factory_pages.CLOSED_ACTION_STATES)


@dataclass
class FactoryPage:
    factory: FactoryHead
    cycle: CycleHead | None
    reports: list[ReportView]
    timeline: list[TimelineEntry] = field(default_factory=list)
    early: list[Need] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    # The compliance points of the assessment the chart shows, each beside the share of the country's factories
    # non-compliant on it (country_shares.PointRow), and those shares (their day).
    points: list = field(default_factory=list)
    shares: country_shares.Shares | None = None
    accepted_at: datetime | None = None  # when the factory accepted the buyer's latest request to share
    # The figures of the buyer home, from the same released reports: the latest released assessment, the one of the
    # cycle before it, and the released improvement plan of the latest one's cycle (None: not released yet).
    latest: Assessed | None = None
    previous: Assessed | None = None
    plan: PlanView | None = None

    def report(self, kind: str) -> ReportView | None:
        return next((r for r in self.reports if r.kind == kind), None)

    @property
    def change(self) -> float | None:
        """The latest released assessment's rate less the previous one's."""
        if self.latest is None or self.previous is None or None in (self.latest.rate, self.previous.rate):
            return None
        return self.latest.rate - self.previous.rate


@lru_cache(maxsize=None)
def _factory_cycle_stmt(role: str | None):
    """The factory if a user of this role may see it (the access rule, as built once), its latest cycle and that
    cycle's milestones in due order: one row per milestone (one row with no cycle or no milestone)."""
    latest = aliased(Cycle, name="latest")
    latest_id = (select(latest.id).where(latest.factory_id == Factory.id).order_by(latest.number.desc()).limit(1)
                 .correlate(Factory).scalar_subquery())
    # When the factory accepted this buyer's latest request to share (a buyer's page says so; others have none).
    accepted_at = null().label("accepted_at")
    if role == "buyer":
        accepted_at = (select(ShareRequest.decided_at).where(
            ShareRequest.factory_id == Factory.id, ShareRequest.buyer_id == bindparam(access.BUYER_ID),
            ShareRequest.status == "accepted").order_by(ShareRequest.decided_at.desc()).limit(1)
            .correlate(Factory).scalar_subquery().label("accepted_at"))
    return (
        access.visible_factories_stmt(role).where(Factory.id == bindparam("factory_id"))
        .with_only_columns(*FACTORY_HEAD, Cycle.id.label("cycle_id"), Cycle.number, Cycle.early_progress_shared_at,
                           Cycle.status, Milestone.kind, Milestone.due_at, Milestone.done_at, accepted_at)
        .outerjoin(Cycle, Cycle.id == latest_id)
        .outerjoin(Milestone, Milestone.cycle_id == Cycle.id)
        .order_by(None).order_by(Milestone.due_at, Milestone.id)
    )


def factory_with_cycle(user, factory_id: int) -> tuple[FactoryHead, CycleHead | None, list[TimelineEntry],
                                                       datetime | None]:
    """The factory if this user may see it (else NotFound), its latest cycle, that cycle's timeline in due order,
    and when the factory accepted the buyer's latest request to share (None for others). One query."""
    rows = db.session.execute(_factory_cycle_stmt(access.role_of(user)),
                              {**access.viewer_params(user), "factory_id": factory_id}).all()
    if not rows:
        raise NotFound()
    first = rows[0]
    cycle = CycleHead(*first[4:8]) if first.cycle_id is not None else None
    timeline = timeline_of(TimelineEntry(*row[8:11]) for row in rows if row.due_at is not None)
    return FactoryHead(*first[:4]), cycle, timeline, first.accepted_at


def _day(text) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def buyer_factory_page(user, factory_id: int) -> FactoryPage:
    """Everything the buyer sees of one factory: two queries (the factory with its cycle, the reports the page reads),
    a third when the factory shares early progress, and the country's shares when its report keeps none and they are
    not cached."""
    factory, cycle, timeline, accepted_at = factory_with_cycle(user, factory_id)
    page = FactoryPage(factory, cycle, [], timeline, accepted_at=accepted_at)
    if cycle is None:
        return page
    rows = db.session.execute(_factory_reports_stmt(access.role_of(user)),
                              {**access.viewer_params(user), "cycle_id": cycle.id, "factory_id": factory.id}).all()
    view_columns = len(REPORT_VIEW)
    page.reports = [ReportView(*row[:view_columns]) for row in rows if row.cycle_id == cycle.id]
    assessed = sorted((row for row in rows if row.kind == "assessment"), key=lambda row: row.number, reverse=True)
    assessed = [Assessed(row.number, _day(row.assessed_on), row.rate) for row in assessed]
    page.latest, page.previous = (assessed + [None, None])[:2]
    if page.latest is not None:
        plan = next((row for row in rows if row.kind == "improvement_plan"
                     and row.number == page.latest.cycle_number), None)
        if plan is not None:
            page.plan = PlanView(plan.number, plan.released_at, plan.submitted_at, plan_rows(plan.data))
    if cycle.early_progress_shared_at is not None:
        page.early = early_progress(cycle)
    assessment_data = next((row.data for row in rows if row.kind == "assessment" and row.cycle_id == cycle.id), None)
    page.bars = chart_bars(assessment_data)
    if assessment_data:
        page.shares = country_shares.for_report(assessment_data, factory.country)
        page.points = country_shares.point_rows(assessment_data.get("scores"), page.shares,
                                                point_labels(assessment_data))
    return page


def point_labels(data: dict):
    """A report's compliance points named in the reader's language (the bank's own words where it has them)."""
    from .report_docs import point_namer  # report_docs reads chart_bars from here

    return point_namer(data)


def plan_rows(data: dict | None) -> list[dict]:
    """A submitted plan's actions as its report page lists them: the due dates (stored as ISO text) as dates, for the
    page to write in the reader's language; a text that is no date is left as it is."""
    rows = []
    for action in (data or {}).get("actions") or []:
        if not isinstance(action, dict):
            continue
        due = action.get("due_on")
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due)
            except ValueError:
                pass
        # The way to verified (services/remediation.state_of), its moments as datetimes for the page's |day.
        moments = {key: _moment(action.get(key)) for key in ("declared_at", "cosigned_at", "verified_at", "reopened_at")}
        rows.append({**action, "due_on": due, **moments})
    return rows


def _moment(value) -> datetime | None:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def early_progress(cycle: Cycle) -> list[Need]:
    """The committee's self-set goals and early improvements the factory chose to share."""
    return db.session.scalars(
        select(Need).where(Need.cycle_id == cycle.id, Need.status != "dropped",
                           (Need.early_improvement.is_(True)) | (Need.target.is_not(None)))
        .order_by(Need.due_on, Need.id)
    ).all()
