"""Pages of the factories a user may see, each with what a compliance officer scans for: the buyer home and the API's
list both show one.

Each row carries its factory's figures, read from released reports only (the same reports access.visible_reports
lets the reader open): the stage of its latest cycle; the date and the non-compliance rate of its latest released
assessment, and the change from the released assessment of the cycle before it; the released improvement plan of
that assessment's cycle, as the factory last submitted it (its actions and their states); and how many of its reports
are released. Sourcing and consent come from access.visible_factories: a factory that does not share is not listed.

Keyset pagination, in the order of a Sort: by name then id, or by a figure then name then id, factories without the
figure last in either direction. A page starts after (or ends before) a row the reader saw, so a deep page costs
what the first one does, and a factory added or removed between two pages neither repeats nor skips another. The
position travels as an opaque cursor. A cursor only says where to start: every page is cut from
access.visible_factories, so a forged cursor moves the position and shows nothing more.

One statement per page whatever the number of factories, and one for the counts per country and stage (the total,
the country filter's choices). The name order reads the factory table by its index and then the figures of the
page's rows alone; a sort by a figure reads that figure of every factory listed from the report's row, where the
release keeps it (services/report_figures), never from the report's data (a JSON document of tens of kilobytes).

Flags: the latest released assessment found a zero-tolerance issue, or a non-compliance on an issue the programme
publishes for the factory's country on the transparency page. Audits avoided: the other audits the factory recorded
(models.audits) whose buyer accepted the programme's report instead, and their days on site.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Float, Integer, and_, bindparam, false, func, null, or_, select, tuple_
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import CYCLE_STATUSES, Cycle, Factory, OtherAudit, Report, ReportContent, utcnow
from . import access

MAX_CURSOR = 1000  # characters: a name of 200 characters, escaped and encoded, fits many times over
MAX_ID = 2**63 - 1  # a larger id cannot be bound as a parameter on every database
MAX_COUNTRY = 80  # Factory.country's length: a longer filter matches nothing and is refused as a mistake

# The sorts: each ascending, or descending with a "-" before it. "name" orders by name then id; the others by the
# figure, then name and id, factories without the figure last.
SORT_KEYS = ("name", "assessed", "rate", "change")
SORTS = tuple(prefix + key for key in SORT_KEYS for prefix in ("", "-"))
# Where the assessment report's data keeps the overall non-compliance rate and the day of the assessment
# (services/scoring.score, services/report_docs): the lists read Report's columns; a factory's page reads these.
RATE_PATH = ("scores", "overall", "rate")
ASSESSED_PATH = "assessed_on"
# An action of the plan counts as open until the factory reports it done.
CLOSED_ACTION_STATES = frozenset({"done", "verified"})  # declared done by the factory, or verified


class BadCursor(ValueError):
    """The cursor was not made by this service for this sort (or was cut short)."""


class BadListing(ValueError):
    """A sort or filter this list does not know: `param` names it, the message (in the reader's language) says what
    it takes."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Sort:
    key: str = "name"
    descending: bool = False

    @classmethod
    def parse(cls, text: str | None) -> "Sort":
        """The sort a URL names ("rate", "-rate"…); the name order for none or an empty one; BadListing for another."""
        if not text:
            return cls()
        if text not in SORTS:
            raise BadListing("sort", _("Sort by one of: %(sorts)s.", sorts=", ".join(SORTS)))
        return cls(text.lstrip("-"), text.startswith("-"))

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.key

    def toggled(self, key: str) -> "Sort":
        """The sort a column's heading links to: the other direction of this one, or that column's first
        direction (names A to Z, the rest highest or latest first)."""
        if key == self.key:
            return Sort(key, not self.descending)
        return Sort(key, key != "name")


DEFAULT_SORT = Sort()


@dataclass(frozen=True)
class Listing:
    """How the list is cut and ordered: a sort, and the country and stage it is narrowed to (None: all)."""
    sort: Sort = DEFAULT_SORT
    country: str | None = None
    stage: str | None = None
    flagged: bool = False  # only the factories whose latest released assessment is flagged

    @classmethod
    def parse(cls, sort: str | None = None, country: str | None = None,
              stage: str | None = None, flagged: str | None = None) -> tuple["Listing", list[BadListing]]:
        """The listing a URL asks for, and what in it was refused (each refused part left at its default)."""
        refused, parts = [], {}
        try:
            parts["sort"] = Sort.parse(sort)
        except BadListing as exc:
            refused.append(exc)
        if country:
            if len(country) > MAX_COUNTRY or "\0" in country:
                refused.append(BadListing("country", _("A country is a name of up to %(most)s characters.",
                                                       most=MAX_COUNTRY)))
            else:
                parts["country"] = country
        if stage:
            if stage in CYCLE_STATUSES:
                parts["stage"] = stage
            else:
                refused.append(BadListing("stage", _("Filter by one of the stages: %(stages)s.",
                                                     stages=", ".join(CYCLE_STATUSES))))
        if flagged:
            if flagged in ("1", "true", "yes"):
                parts["flagged"] = True
            elif flagged not in ("0", "false", "no"):
                refused.append(BadListing("flagged", _("flagged is 1 (only flagged factories) or 0.")))
        return cls(**parts), refused

    def args(self, **changes) -> dict:
        """This listing as URL parameters (its defaults left out), with `changes` applied."""
        out = {"sort": str(self.sort), "country": self.country, "stage": self.stage,
               "flagged": "1" if self.flagged else None}
        out.update(changes)
        return {key: value for key, value in out.items()
                if value is not None and not (key == "sort" and str(value) == str(DEFAULT_SORT))}

    @property
    def filtered(self) -> bool:
        return self.country is not None or self.stage is not None or self.flagged


class Row(NamedTuple):
    """A factory of the list with its figures (None where its released reports have none)."""
    id: int
    name: str
    country: str
    city: str | None
    stage: str | None  # its latest cycle's status
    assessed_cycle: int | None  # the number of the cycle of its latest released assessment
    assessed_on: str | None  # the latest released assessment's day, ISO (as its report's data keeps it)
    rate: float | None  # that assessment's overall non-compliance rate, 0 to 1
    previous_rate: float | None  # the rate of the released assessment of the cycle before
    change: float | None  # rate - previous_rate
    released: int  # its released reports
    plan_released_at: datetime | None  # the released improvement plan of the latest assessment's cycle
    plan_submitted_at: datetime | None  # when the factory last submitted it (the actions are as of then)
    plan_actions: list | None  # its actions as submitted: finding, action, owner, due_on, status
    ordered_by: object  # the figure the page was ordered by (None in the name order): the cursor's
    action_count: int | None  # how many; None when no plan is released
    open_actions: int | None  # how many are not done (as submitted); None when no plan is released
    overdue_actions: int | None  # of those, how many were due before today; None when no plan is released
    cluster_rates: dict | None  # cluster key → the latest released assessment's rate (the clusters it assessed)
    zero_tolerance: bool | None  # that assessment found a zero-tolerance issue; None without one
    public_issue: bool | None  # it found a non-compliance on an issue the transparency page publishes
    audits_avoided: int  # other audits the factory recorded whose buyer accepted the programme's report instead
    days_saved: float  # their days on site

    @property
    def flagged(self) -> bool:
        return bool(self.zero_tolerance or self.public_issue)

    @property
    def assessed_day(self) -> date | None:
        try:
            return date.fromisoformat(self.assessed_on) if self.assessed_on else None
        except (TypeError, ValueError):
            return None

    @property
    def change_points(self) -> int | None:
        """The change in whole percentage points, as the page writes it."""
        return None if self.change is None else round(self.change * 100)

    @property
    def actions(self) -> list[dict]:
        return _actions(self.plan_actions) if self.plan_released_at else []


def _actions(listed) -> list[dict]:
    return [a for a in listed or [] if isinstance(a, dict)] if isinstance(listed, list) else []


def _overdue(action: dict, today: str) -> bool:
    due = action.get("due_on")
    return action.get("status") not in CLOSED_ACTION_STATES and isinstance(due, str) and "" < due[:10] < today


def _row(values, today: str) -> Row:
    """A Row from the page's SELECT: the change worked out, the plan's actions counted, once. `today`: ISO."""
    count = opened = overdue = None
    if values.plan_released_at is not None:
        actions = _actions(values.plan_actions)
        count, opened = len(actions), sum(1 for a in actions if a.get("status") not in CLOSED_ACTION_STATES)
        overdue = sum(1 for a in actions if _overdue(a, today))
    rate, before = values.rate, values.previous_rate
    change = None if rate is None or before is None else rate - before
    assessed = values.assessed_on
    return Row(
        id=values.id, name=values.name, country=values.country, city=values.city, stage=values.stage,
        assessed_cycle=values.assessed_cycle, assessed_on=assessed.isoformat() if assessed else None, rate=rate,
        previous_rate=before, change=change, released=values.released, plan_released_at=values.plan_released_at,
        plan_submitted_at=values.plan_submitted_at, plan_actions=values.plan_actions, ordered_by=values.ordered_by,
        action_count=count, open_actions=opened, overdue_actions=overdue,
        cluster_rates=values.cluster_rates if isinstance(values.cluster_rates, dict) else None,
        zero_tolerance=_flag(values.zero_tolerance), public_issue=_flag(values.public_issue),
        audits_avoided=values.audits_avoided or 0, days_saved=float(values.days_saved or 0))


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


@dataclass(frozen=True)
class Page:
    """Rows (Row); the cursor of the page after and of the page before (None at an end)."""
    rows: list[Row]
    next_cursor: str | None
    previous_cursor: str | None


# --- cursors ---------------------------------------------------------------------------------------------------
def encode_cursor(name: str, factory_id: int, sort: Sort | None = None, value=None) -> str:
    """The position of a row: its name and id, and for a sort by a figure, the sort and the row's figure."""
    position = [name, factory_id] if sort is None or sort.key == "name" else [name, factory_id, str(sort), value]
    raw = json.dumps(position, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_FIGURE_TEXT = 64  # an assessment's day as its report's data keeps it (ISO: 10 characters)


def _valid_value(key: str, value) -> bool:
    """A figure a row can have for the sort `key`: a day as ISO text, else a finite number; None for a row without
    it."""
    if value is None:
        return True
    if key == "assessed":
        if not isinstance(value, str) or len(value) > MAX_FIGURE_TEXT:
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return type(value) in (int, float) and math.isfinite(value) and abs(value) <= 1e9


def decode_cursor(cursor: str, sort: Sort = DEFAULT_SORT) -> tuple:
    """(name, id) from a cursor of the name order, (name, id, figure) from one of a sort by a figure; BadCursor for
    anything encode_cursor cannot have made for this sort, including values the database would refuse to compare
    (a NUL, a lone surrogate, an id too large to bind)."""
    bad = BadCursor("This cursor was not given by this list.")
    try:
        if len(cursor) > MAX_CURSOR:
            raise bad
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw.decode())
        if not isinstance(position, list):
            raise bad
        name, factory_id, *rest = position
        name.encode()  # a lone surrogate cannot be sent to the database
    except (BadCursor, binascii.Error, UnicodeError, ValueError, TypeError, AttributeError) as exc:
        raise bad from exc
    if (not isinstance(name, str) or "\0" in name or type(factory_id) is not int
            or not 0 <= factory_id <= MAX_ID):
        raise bad
    if sort.key == "name":
        if rest:
            raise bad
        return name, factory_id
    if len(rest) != 2 or rest[0] != str(sort) or not _valid_value(sort.key, rest[1]):
        raise bad
    value = rest[1]
    if sort.key == "assessed" and value is not None:
        value = date.fromisoformat(value)  # compared with Report.assessed_on, a DATE
    return name, factory_id, value


def _cursor(row: Row, sort: Sort) -> str:
    value = row.ordered_by
    return encode_cursor(row.name, row.id, sort, value.isoformat() if isinstance(value, date) else value)


# --- the statements ----------------------------------------------------------------------------------------------
def _latest_cycle(column, factory_id, outer):
    """`column` of the latest cycle of the factory `factory_id` (a column of `outer`, the enclosing FROM)."""
    return (select(column).where(Cycle.factory_id == factory_id).order_by(Cycle.number.desc()).limit(1)
            .correlate(outer).scalar_subquery())


def _released_assessment(column, nth: int, factory_id, outer):
    """`column` of the nth latest released assessment report (0: the latest), by cycle, of the factory `factory_id`
    (a column of `outer`, the enclosing FROM)."""
    return (select(column).select_from(Report).join(Cycle, Cycle.id == Report.cycle_id)
            .where(Cycle.factory_id == factory_id, Report.kind == "assessment",
                   access.released_clause(bindparam(access.NOW)))
            .order_by(Cycle.number.desc()).offset(nth).limit(1).correlate(outer).scalar_subquery())


def _order_columns(sort: Sort, c) -> list[tuple]:
    """(expression, descending, nullable) of each column the sort orders by, read from `c` (name → expression)."""
    if sort.key == "name":
        return [(c["name"], sort.descending, False), (c["id"], sort.descending, False)]
    return [(c["value"], sort.descending, True), (c["name"], False, False), (c["id"], False, False)]


def _ordering(columns: list[tuple], backwards: bool) -> list:
    """ORDER BY for `columns`, NULLs last (first when backwards, which walks the same order from its end)."""
    out = []
    for column, descending, nullable in columns:
        if nullable:
            out.append(column.is_(None).desc() if backwards else column.is_(None))
        out.append(column.desc() if descending != backwards else column.asc())
    return out


def _beyond(columns: list[tuple], values: list, null_value: bool, backwards: bool):
    """The rows past a position in the order of `columns`: after it, or before it when backwards. `values` are the
    position's (bind parameters); `null_value`: the position's row has no figure (the first, nullable column)."""
    if all(not nullable for _, _, nullable in columns) and len({d for _, d, _ in columns}) == 1:
        # One direction and no NULL: a row comparison, which the index on (name, id) serves.
        row, at = tuple_(*(c for c, _, _ in columns)), tuple_(*values)
        return row < at if columns[0][1] != backwards else row > at
    (column, descending, nullable), *rest = columns
    further = _beyond(rest, values[1:], False, backwards) if rest else None
    if nullable and null_value:  # NULLs come last: nothing but NULLs after one, every figure before one
        same = column.is_(None)
        past = column.is_not(None) if backwards else false()
    else:
        same = column == values[0]
        past = column < values[0] if descending != backwards else column > values[0]
        if nullable and not backwards:
            past = or_(column.is_(None), past)
    return past if further is None else or_(past, and_(same, further))


_LIMIT, _OFFSET = bindparam("page_limit", type_=Integer), bindparam("page_offset", type_=Integer)


@lru_cache(maxsize=None)
def _page_stmt(role: str | None, sort: Sort, country: bool, stage: bool, position: str | None, backwards: bool,
               flagged: bool = False):
    """The page's SELECT for a reader of this role (parameters: access.viewer_params, page_limit, page_offset, and
    filter_country, filter_stage and cursor_* as asked). `position`: None (from an end), "value" (after or before
    a row with the figure, or any row of the name order) or "null" (a row without the figure). Built once for each
    combination: building a statement costs more than running it.

    First the page is cut: the factories the reader may see, within the filters, past the position, in the sort's
    order, with nothing read but what orders them (the name order reads the factory table alone, by its index on
    (name, id); a figure's order reads that figure of every factory listed, from the report's row). Then the page's
    rows alone get their figures, plan and counts. Each report is joined by an id worked out in a subquery the
    databases keep apart (LIMIT/OFFSET): a join on a subquery's result would make PostgreSQL hash every report."""
    now = bindparam(access.NOW)
    cut = access.visible_factories_stmt(role).order_by(None)
    columns = [Factory.id, Factory.name, Factory.country, Factory.city]
    if country:
        cut = cut.where(Factory.country == bindparam("filter_country"))
    if stage:
        cut = cut.where(_latest_cycle(Cycle.status, Factory.id, Factory) == bindparam("filter_stage"))
    if flagged:
        cut = cut.where(_released_assessment(
            or_(Report.zero_tolerance_found.is_(True), Report.public_issue_found.is_(True)), 0, Factory.id,
            Factory).is_(True))
    if sort.key == "name":
        cut = cut.with_only_columns(*columns)
        order = {"id": Factory.id, "name": Factory.name}
    else:
        if sort.key == "assessed":
            value = _released_assessment(Report.assessed_on, 0, Factory.id, Factory)
        else:
            value = _released_assessment(Report.overall_rate, 0, Factory.id, Factory)
            if sort.key == "change":
                value = value - _released_assessment(Report.overall_rate, 1, Factory.id, Factory)
        # Each figure read once (kept apart: the order and the position compare the column, not the expression).
        valued = cut.with_only_columns(*columns, value.label("sort_value")).offset(0).subquery("valued")
        cut = select(*valued.c)
        order = {"id": valued.c.id, "name": valued.c.name, "value": valued.c.sort_value}
    ordered = _order_columns(sort, order)
    if position is not None:
        values = [bindparam("cursor_name"), bindparam("cursor_id")]
        if sort.key != "name":
            values.insert(0, bindparam("cursor_value"))
        cut = cut.where(_beyond(ordered, values, position == "null", backwards))
    page = cut.order_by(*_ordering(ordered, backwards)).limit(_LIMIT).offset(_OFFSET).subquery("page")
    # The page's rows alone: the stage, the ids of the two latest released assessments and of the released plan of
    # the latest one's cycle, the count of released reports; then the figures those reports hold.
    assessed_cycle = _released_assessment(Cycle.number, 0, page.c.id, page)
    plan_id = (select(Report.id).join(Cycle, Cycle.id == Report.cycle_id)
               .where(Cycle.factory_id == page.c.id, Cycle.number == assessed_cycle,
                      Report.kind == "improvement_plan", access.released_clause(now)).correlate(page).scalar_subquery())
    released = (select(func.count(Report.id)).join(Cycle, Cycle.id == Report.cycle_id)
                .where(Cycle.factory_id == page.c.id, access.released_clause(now)).correlate(page).scalar_subquery())
    avoided = select(OtherAudit.id).where(OtherAudit.factory_id == page.c.id, OtherAudit.avoided.is_(True))
    audits = avoided.with_only_columns(func.count(OtherAudit.id)).correlate(page).scalar_subquery()
    days = avoided.with_only_columns(func.coalesce(func.sum(OtherAudit.days), 0)).correlate(page).scalar_subquery()
    shown = (select(*page.c, _latest_cycle(Cycle.status, page.c.id, page).label("stage"),
                    assessed_cycle.label("assessed_cycle"),
                    _released_assessment(Report.id, 0, page.c.id, page).label("latest_id"),
                    _released_assessment(Report.id, 1, page.c.id, page).label("previous_id"),
                    plan_id.label("plan_id"), released.label("released"), audits.label("audits_avoided"),
                    days.label("days_saved"))
             .select_from(page).limit(_LIMIT).subquery("shown"))  # no more rows than the page: kept apart
    latest, previous = aliased(Report, name="latest"), aliased(Report, name="previous")
    plan, plan_content = aliased(Report, name="plan"), aliased(ReportContent, name="plan_content")
    return (select(shown.c.id, shown.c.name, shown.c.country, shown.c.city, shown.c.stage, shown.c.assessed_cycle,
                   latest.assessed_on.label("assessed_on"), latest.overall_rate.label("rate"),
                   previous.overall_rate.label("previous_rate"), shown.c.released,
                   plan.released_at.label("plan_released_at"), plan.submitted_at.label("plan_submitted_at"),
                   plan_content.data["actions"].label("plan_actions"),
                   (null() if sort.key == "name" else shown.c.sort_value).label("ordered_by"),
                   latest.cluster_rates.label("cluster_rates"), latest.zero_tolerance_found.label("zero_tolerance"),
                   latest.public_issue_found.label("public_issue"), shown.c.audits_avoided,
                   shown.c.days_saved.cast(Float).label("days_saved"))
            .select_from(shown)
            .outerjoin(latest, latest.id == shown.c.latest_id)
            .outerjoin(previous, previous.id == shown.c.previous_id)
            .outerjoin(plan, plan.id == shown.c.plan_id).outerjoin(plan_content, plan_content.report_id == plan.id)
            .order_by(*_ordering(_order_columns(sort, {"id": shown.c.id, "name": shown.c.name, "value": None if
                                                       sort.key == "name" else shown.c.sort_value}), backwards)))


def _rows(user, listing: Listing, limit: int, *, position: tuple | None = None, backwards: bool = False,
          offset: int = 0) -> list[Row]:
    sort = listing.sort
    kind = None
    params = {**access.viewer_params(user), "page_limit": limit, "page_offset": offset}
    if position is not None:
        params.update(cursor_name=position[0], cursor_id=position[1])
        kind = "value"
        if sort.key != "name":
            params["cursor_value"] = position[2]
            kind = "null" if position[2] is None else "value"
    if listing.country is not None:
        params["filter_country"] = listing.country
    if listing.stage is not None:
        params["filter_stage"] = listing.stage
    stmt = _page_stmt(access.role_of(user), sort, listing.country is not None, listing.stage is not None, kind,
                      backwards, listing.flagged)
    today = utcnow().date().isoformat()
    return [_row(row, today) for row in db.session.execute(stmt, params)]


def page(user, limit: int, *, after: str | None = None, before: str | None = None, offset: int = 0,
         last: bool = False, listing: Listing = Listing()) -> Page:
    """`limit` factories the user may see, in the listing's order and within its filters: the first ones, those
    after the cursor `after`, those just before the cursor `before` (the first page, full, once fewer are left before
    it), the `last` ones, or (slower on deep pages: the database reads past every skipped row) those after the first
    `offset`. BadCursor for a cursor this service did not make for this sort."""
    if before is not None or last:
        position = decode_cursor(before, listing.sort) if before is not None else None
        return _backwards(user, listing, limit, position) or page(user, limit, listing=listing)
    position = decode_cursor(after, listing.sort) if after is not None else None
    # One row more than the page tells whether another page follows, without counting.
    rows = _rows(user, listing, limit + 1, position=position, offset=offset)
    more, rows = len(rows) > limit, rows[:limit]
    sort = listing.sort
    return Page(rows, _cursor(rows[-1], sort) if rows and more else None,
                _cursor(rows[0], sort) if rows and (after is not None or offset) else None)


def _backwards(user, listing: Listing, limit: int, position: tuple | None) -> Page | None:
    """The `limit` rows before `position` (before none: the last rows), or None when fewer are left before it."""
    rows = _rows(user, listing, limit + 1, position=position, backwards=True)
    if position is not None and len(rows) <= limit:
        return None
    more, rows = len(rows) > limit, rows[:limit][::-1]
    sort = listing.sort
    return Page(rows, _cursor(rows[-1], sort) if rows and position is not None else None,
                _cursor(rows[0], sort) if more else None)


# --- counts ------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _counts_stmt(role: str | None, flags: bool):
    flagged = false()
    if flags:  # read only when a listing is narrowed to the flagged: one more subquery per factory
        flagged = func.coalesce(_released_assessment(
            or_(Report.zero_tolerance_found.is_(True), Report.public_issue_found.is_(True)), 0, Factory.id, Factory),
            false())
    each = access.visible_factories_stmt(role).order_by(None).with_only_columns(
        Factory.country, _latest_cycle(Cycle.status, Factory.id, Factory).label("stage"),
        flagged.label("flagged")).subquery("each")
    return (select(each.c.country, each.c.stage, each.c.flagged, func.count())
            .group_by(each.c.country, each.c.stage, each.c.flagged).order_by(each.c.country))


Counts = dict[tuple[str, str | None, bool], int]


def counts(user, flags: bool = False) -> Counts:
    """(country, stage, flagged) → how many factories of that country and stage, flagged or not, the user may see
    (`flagged` False for all unless `flags`: pass the listing's `flagged`). One query: the listing's total, the country
    filter's choices and whether any factory is listed at all come from it."""
    out: Counts = {}
    for country, stage, flagged, n in db.session.execute(_counts_stmt(access.role_of(user), flags),
                                                          access.viewer_params(user)):
        key = (country, stage, bool(flagged))
        out[key] = out.get(key, 0) + n
    return out


def countries(counted: Counts) -> list[str]:
    """The countries of the factories counted, in order."""
    return sorted({country for country, _, _ in counted})


def listed_total(counted: Counts, listing: Listing) -> int:
    """How many factories the listing holds, from counts() (with flags when the listing is narrowed to them)."""
    return sum(n for (country, stage, flagged), n in counted.items()
               if listing.country in (None, country) and listing.stage in (None, stage)
               and (flagged or not listing.flagged))
