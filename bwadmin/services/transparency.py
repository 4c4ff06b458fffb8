"""The public transparency page, and the one place its rule is kept: only released assessments, only the published
issues, approved responses only. The public views, the CSV and JSON downloads, the factory's portal page and the staff
views all ask this module; none of them reads these tables on its own.

Who appears. A country is published when staff publish at least one issue for it (an active TransparencyIssue). A
factory of that country appears when it has an assessment report whose release was carried out: `released_at` set and
not in the future (access.released_clause, the rule buyers are held to). Its latest such cycle is shown; its earlier
released cycles are its history. A cycle whose assessment is recorded but whose report is not released (the factory's
review month before the release: "under review"), or whose release is still ahead, is never read: a factory whose
only assessment is under review, or that has none, does not appear; a returning factory whose new assessment is under
review keeps showing its last released one until the new one is released.

What is shown of a factory: its name, the date of each released assessment, compliant / non-compliant on each
published issue, and its response as staff approved it. No consent rule applies (the programme's rule: every factory
is told so in its portal). Nothing else is read: the queries below select those columns alone, never the factory's
address, workers, buyers or the rest of the report.

Compliance per issue comes from the released report's scores (its data["scores"], made by scoring.score_values when it
was drafted or released): a compliance point is non-compliant when any of its questions was found non-compliant,
compliant when it was assessed and none was, not assessed when no question of it was scored. A question is non-compliant
when it is among the report's findings, compliant when its compliance point was assessed and it is not among them,
else not assessed.

The share of the country's factories non-compliant on an issue counts the factories assessed on that issue (their
latest released assessment) and is withheld when they are fewer than MIN_FACTORIES.

Caching. A country's table is built from a few queries and kept for CACHE_SECONDS (caches.transparency_tables); pages
rendered for anonymous readers are kept as long (caches.transparency_pages, filled by the views). A change made through
this module in this process (an approval, a rejection, a change to the issues) empties both at once (`forget`). What
happens elsewhere (a release by a worker, an approval in another web process) shows within CACHE_SECONDS: the public
page may be a minute behind, never ahead of what the rule allows, because a release is never undone.
"""
from __future__ import annotations

import re
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

import orjson
from cachetools import cached
from flask_babel import gettext as _
from sqlalchemy import Text, cast, event, func, select
from sqlalchemy.orm import aliased
from werkzeug.exceptions import NotFound

from .. import caches
from ..batches import chunked
from ..extensions import db
from ..input_bounds import as_id
from ..models import (Assessment, Cycle, Factory, Milestone, Question, Questionnaire, Report, ReportContent,
                      TransparencyIssue, TransparencyResponse, utcnow)
from ..models.transparency import ISSUE_KINDS, MAX_RESPONSE
from . import access, audit, report_figures, text_limits
from .errors import FieldError

MIN_FACTORIES = 5  # a share of fewer factories than this is withheld: it would point at the factories themselves
PER_PAGE = 100
MAX_SEARCH = 100  # characters of a factory name searched for
SORTS = ("name", "date", "noncompliance")
DIRECTIONS = ("asc", "desc")
CACHE_SECONDS = caches.TRANSPARENCY_SECONDS

# The states of a factory on an issue.
COMPLIANT, NONCOMPLIANT, NOT_ASSESSED = "compliant", "noncompliant", None


class SearchTooLong(FieldError):
    def __init__(self, field: str, message: str, query):
        super().__init__(field, message)
        self.query = query


# --- what the public reads ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    id: int
    kind: str
    code: str
    label: str


@dataclass(frozen=True)
class Share:
    """How many of the country's factories assessed on an issue were non-compliant; `rate` is None (withheld) when
    fewer than MIN_FACTORIES were assessed."""
    noncompliant: int
    assessed: int

    @property
    def rate(self) -> float | None:
        return self.noncompliant / self.assessed if self.assessed >= MIN_FACTORIES else None


class Row(NamedTuple):
    """One factory in its country's table: its latest released assessment."""
    factory_id: int
    name: str
    assessed_on: date
    states: tuple  # one per issue of the table, in its order: COMPLIANT, NONCOMPLIANT or NOT_ASSESSED
    noncompliant: int  # how many of them are NONCOMPLIANT
    sort_name: str


@dataclass(frozen=True)
class Country:
    name: str
    slug: str
    factories: int


@dataclass(frozen=True)
class CountryTable:
    country: str
    slug: str
    issues: tuple[Issue, ...]
    rows: tuple[Row, ...]  # by name
    shares: tuple[Share, ...]  # one per issue
    built_at: datetime


@dataclass(frozen=True)
class TablePage:
    """A page of a country's table as asked: sorted, searched, paged."""
    table: CountryTable
    rows: list[Row]
    sort: str
    direction: str
    search: str
    page: int
    pages: int
    matched: int


@dataclass(frozen=True)
class Assessed:
    """One released assessment of a factory as published: its date, its states, its approved response."""
    assessed_on: date
    states: tuple
    response: str | None

    @property
    def noncompliant(self) -> int:
        return sum(1 for state in self.states if state == NONCOMPLIANT)


@dataclass(frozen=True)
class FactoryPage:
    factory_id: int
    name: str
    country: str
    slug: str
    issues: tuple[Issue, ...]
    latest: Assessed
    history: list[Assessed]  # earlier released assessments, newest first


def slug_of(country: str) -> str:
    """The country in a URL: lower case, words joined by '-' ("Sri Lanka" → "sri-lanka")."""
    return re.sub(r"[\W_]+", "-", (country or "").casefold()).strip("-")


def database() -> str:
    """The database, in cache keys: an app's pages are not another's (the tests, a CLI run against another database)."""
    return db.engine.url.render_as_string(hide_password=True)


# --- issues --------------------------------------------------------------------------------------------------------
def _active_issues() -> dict[str, list[tuple]]:
    """slug → its active issues (id, country, kind, code, label) in their order; kept with the tables, so a URL naming
    no published country is answered without a query and never takes a place in the cache."""
    return _cached_issues(database())


@cached(caches.transparency_tables, lock=caches.lock, key=lambda where: (where, "issues"))
def _cached_issues(where: str) -> dict[str, list[tuple]]:
    grouped: dict[str, list[tuple]] = {}
    rows = db.session.execute(
        select(TransparencyIssue.id, TransparencyIssue.country, TransparencyIssue.kind, TransparencyIssue.code,
               TransparencyIssue.label)
        .where(TransparencyIssue.active.is_(True))
        .order_by(TransparencyIssue.position, TransparencyIssue.id))
    for row in rows:
        slug = slug_of(row.country)
        if slug:
            grouped.setdefault(slug, []).append(tuple(row))
    return grouped


def _points_of_questions(codes) -> dict[str, str]:
    """question code → its compliance point in the assessment bank (the newest version naming it)."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    found: dict[str, str] = {}
    for code, point in db.session.execute(
            select(Question.code, Question.compliance_point).join(Questionnaire)
            .where(Questionnaire.kind == "assessment", Question.code.in_(codes))
            .order_by(Questionnaire.version.desc())):
        found.setdefault(code, point)
    return found


# --- reading released assessments ------------------------------------------------------------------------------------
def _released_assessments(now: datetime):
    """A SELECT of the released assessment reports with their cycle and factory (the caller narrows it): the one rule
    on what may be read, written once. It reads no report content: what a report says on the published issues comes
    from `_states_of`."""
    return (select(Factory.id.label("factory_id"), Factory.name, Cycle.id.label("cycle_id"), Cycle.number,
                   Report.id.label("report_id"), Assessment.assessed_on, Report.released_at)
            .select_from(Report)
            .join(Cycle, Cycle.id == Report.cycle_id)
            .join(Factory, Factory.id == Cycle.factory_id)
            .outerjoin(Assessment, Assessment.cycle_id == Cycle.id)
            .where(Report.kind == "assessment", access.released_clause(now)))


def _no_later_release(now: datetime):
    """No later cycle of the same factory has a released assessment report: this is the factory's latest one."""
    later_report, later_cycle = aliased(Report), aliased(Cycle)
    return ~(select(later_report.id).join(later_cycle, later_cycle.id == later_report.cycle_id)
             .where(later_cycle.factory_id == Cycle.factory_id, later_cycle.number > Cycle.number,
                    later_report.kind == "assessment", later_report.released_at.is_not(None),
                    later_report.released_at <= now)
             .exists())


def _states_of(rows, issues: tuple[Issue, ...]) -> dict[int, tuple]:
    """report id → its states on the issues, for released rows of `_released_assessments`.

    A released report never changes (a new release sets a new released_at), so what it says on a list of issues is
    kept (caches.transparency_states) and only reports not met before are read: a country's table is rebuilt every
    minute from ids alone. Their scores are read in one query per 500 reports."""
    points_of = _points_of_questions(i.code for i in issues if i.kind == "question")
    # The list of issues as a short text: hashed once here, not once per report looked up.
    issues_key = hashlib.sha1(repr((database(), [(i.kind, i.code) for i in issues], sorted(points_of.items())))
                              .encode(), usedforsecurity=False).hexdigest()
    found: dict[int, tuple] = {}
    missing: dict[int, object] = {}
    with caches.lock:
        for row in rows:
            states = caches.transparency_states.get((issues_key, row.report_id, row.released_at))
            if states is None:
                missing[row.report_id] = row.released_at
            else:
                found[row.report_id] = states
    if missing:
        ids = sorted(missing)
        read: dict[int, tuple] = {}
        for chunk in chunked(ids):
            for report_id, data in db.session.execute(
                    select(ReportContent.report_id, cast(ReportContent.data, Text))
                    .where(ReportContent.report_id.in_(chunk))):
                read[report_id] = _states(data, issues, points_of)
        empty = _states(None, issues, points_of)
        with caches.lock:
            for report_id in ids:
                states = found[report_id] = read.get(report_id, empty)
                caches.transparency_states[(issues_key, report_id, missing[report_id])] = states
    return found


def _states(data_text: str | None, issues: tuple[Issue, ...], points_of: dict[str, str]) -> tuple:
    """Each issue's state in one released report's scores (see the module's docstring)."""
    try:
        data = orjson.loads(data_text) if data_text else None
    except orjson.JSONDecodeError:
        data = None
    return states_in(data.get("scores") if isinstance(data, dict) else None, issues, points_of)


def states_in(scores: dict | None, issues: tuple[Issue, ...], points_of: dict[str, str]) -> tuple:
    """Each issue's state in a report's scores (its "points" and "findings" are all that is read), as the public
    page states it: COMPLIANT, NONCOMPLIANT or NOT_ASSESSED per issue, in their order."""
    scores = scores if isinstance(scores, dict) else {}
    points = scores.get("points") if isinstance(scores.get("points"), dict) else {}
    findings = scores.get("findings") if isinstance(scores.get("findings"), list) else []
    found = {f.get("code") for f in findings if isinstance(f, dict)}
    assessed = {key for key, entry in points.items()
                if isinstance(entry, dict) and isinstance(entry.get("questions"), int) and entry["questions"] > 0}
    states = []
    for issue in issues:
        if issue.kind == "compliance_point":
            if issue.code not in assessed:
                states.append(NOT_ASSESSED)
            else:
                noncompliant = points[issue.code].get("noncompliant")
                states.append(NONCOMPLIANT if isinstance(noncompliant, int) and noncompliant > 0 else COMPLIANT)
        elif issue.code in found:
            states.append(NONCOMPLIANT)
        else:
            states.append(COMPLIANT if points_of.get(issue.code) in assessed else NOT_ASSESSED)
    return tuple(states)


class Published(NamedTuple):
    """What a country publishes: its issues in their order, and the compliance point of each published question."""
    issues: tuple[Issue, ...]
    points_of: dict[str, str]

    @property
    def has_questions(self) -> bool:
        return any(issue.kind == "question" for issue in self.issues)


def published_issues(country: str | None) -> Published:
    """The issues the public page publishes for `country` (none when it publishes none), kept with the tables."""
    found = _issues_of(slug_of(country or ""))
    if found is None:
        return Published((), {})
    issues = found[1]
    return Published(issues, _cached_points(database(), tuple(sorted(i.code for i in issues if i.kind == "question"))))


@cached(caches.transparency_tables, lock=caches.lock, key=lambda where, codes: (where, "points", codes))
def _cached_points(where: str, codes: tuple[str, ...]) -> dict[str, str]:
    return _points_of_questions(codes)


def _day(assessed_on, released_at) -> date:
    """The assessment's date; the release's day for a released report without an Assessment row."""
    return assessed_on or released_at.date()


# --- the country's table ---------------------------------------------------------------------------------------------
def countries() -> list[Country]:
    """The published countries with at least one factory on their page, by name."""
    return _cached_countries(database())


@cached(caches.transparency_tables, lock=caches.lock, key=lambda where: (where, "countries"))
def _cached_countries(where: str) -> list[Country]:
    issues = _active_issues()
    names = {slug: rows[0][1] for slug, rows in issues.items()}
    lowered = sorted({row[1].lower() for rows in issues.values() for row in rows})
    if not lowered:
        return []
    now = utcnow()
    counts: dict[str, int] = {}
    for country, count in db.session.execute(
            select(func.lower(Factory.country), func.count(func.distinct(Factory.id)))
            .join(Cycle, Cycle.factory_id == Factory.id).join(Report, Report.cycle_id == Cycle.id)
            .where(func.lower(Factory.country).in_(lowered), Report.kind == "assessment",
                   access.released_clause(now))
            .group_by(func.lower(Factory.country))):
        slug = slug_of(country)
        counts[slug] = counts.get(slug, 0) + count
    return sorted((Country(names[slug], slug, count) for slug, count in counts.items() if slug in names and count),
                  key=lambda c: c.name.casefold())


def country_table(slug: str) -> CountryTable:
    """The country's whole table, from cache when built in the last CACHE_SECONDS; NotFound for a country that is not
    published."""
    if slug not in _active_issues():
        raise NotFound()
    table = _cached_table(database(), slug)
    if table is None:  # its issues went since the list above was read
        raise NotFound()
    return table


@cached(caches.transparency_tables, lock=caches.lock, key=lambda where, slug: (where, "table", slug))
def _cached_table(where: str, slug: str) -> CountryTable | None:
    return build_table(slug)


def _issues_of(slug: str) -> tuple[str, tuple[Issue, ...], list[str]] | None:
    rows = _active_issues().get(slug)
    if not rows:
        return None
    issues = tuple(Issue(id, kind, code, label) for id, _, kind, code, label in rows)
    return rows[0][1], issues, sorted({row[1].lower() for row in rows})


def states_for(country: str, scores: dict | None) -> list[tuple[str, str, str, str | None]]:
    """The issues the country's page publishes, each with a factory's state in `scores` (an assessment's, as scored):
    (kind, code, label, COMPLIANT / NONCOMPLIANT / NOT_ASSESSED), for the factory's own progress report. Nothing for a
    country that publishes none."""
    found = _issues_of(slug_of(country))
    if found is None:
        return []
    issues = found[1]
    points_of = _points_of_questions(i.code for i in issues if i.kind == "question")
    states = _states(orjson.dumps({"scores": scores}).decode() if scores else None, issues, points_of)
    return [(i.kind, i.code, i.label, state) for i, state in zip(issues, states)]


def build_table(slug: str) -> CountryTable | None:
    """The country's table, read now: a fixed number of queries whatever the number of factories (one more per 500
    reports not met before)."""
    found = _issues_of(slug)
    if found is None:
        return None
    name, issues, lowered = found
    now = utcnow()
    rows = db.session.execute(
        _released_assessments(now).where(func.lower(Factory.country).in_(lowered), _no_later_release(now))).all()
    states = _states_of(rows, issues)
    table_rows = [Row(r.factory_id, r.name, _day(r.assessed_on, r.released_at), states[r.report_id],
                      states[r.report_id].count(NONCOMPLIANT), r.name.casefold()) for r in rows]
    table_rows.sort(key=lambda r: (r.sort_name, r.factory_id))
    columns = list(zip(*(r.states for r in table_rows))) or [()] * len(issues)
    shares = [Share(column.count(NONCOMPLIANT), len(column) - column.count(NOT_ASSESSED)) for column in columns]
    return CountryTable(name, slug, issues, tuple(table_rows), tuple(shares), now)


@dataclass(frozen=True)
class TableQuery:
    """What a reader asks of a country's table: its order, a search, a page."""
    sort: str = "name"
    direction: str = "asc"
    search: str = ""
    page: int = 1


def table_query(sort: str | None = None, direction: str | None = None, search: str | None = None,
                page: str | None = None) -> TableQuery:
    """The query string read: NotFound for a sort, direction or page that is none of ours; SearchTooLong (a message
    for the search field, carrying the query without the search) for a search past MAX_SEARCH characters."""
    sort = sort or "name"
    direction = direction or ("desc" if sort == "noncompliance" else "asc")
    if sort not in SORTS or direction not in DIRECTIONS:
        raise NotFound()
    number = 1 if page is None or page == "" else as_id(page)
    if number is None:
        raise NotFound()
    search = " ".join((search or "").split())
    if len(search) > MAX_SEARCH:
        raise SearchTooLong("q", _("Search for at most %(count)d characters of a factory's name.", count=MAX_SEARCH),
                            TableQuery(sort, direction))
    return TableQuery(sort, direction, search, number)


def table_page(slug: str, query: TableQuery) -> TablePage:
    """A page of the country's table, as asked. NotFound for an unknown country or a page past the last."""
    table = country_table(slug)
    rows = list(table.rows)  # by name
    if query.search:
        term = query.search.casefold()
        rows = [r for r in rows if term in r.sort_name]
    descending = query.direction == "desc"
    if query.sort == "date":  # a stable sort: by name within a day, either way
        rows.sort(key=lambda r: r.assessed_on, reverse=descending)
    elif query.sort == "noncompliance":
        rows.sort(key=lambda r: r.noncompliant, reverse=descending)
    elif descending:
        rows.reverse()
    pages = max(1, -(-len(rows) // PER_PAGE))
    if query.page > pages:
        raise NotFound()
    start = (query.page - 1) * PER_PAGE
    return TablePage(table, rows[start:start + PER_PAGE], query.sort, query.direction, query.search, query.page, pages,
                     len(rows))


def factory_page(slug: str, factory_id: int) -> FactoryPage:
    """One factory's published results: its latest released assessment and the earlier ones, each with its approved
    response. NotFound unless the factory is on its country's page."""
    found = _issues_of(slug)
    if found is None:
        raise NotFound()
    name, issues, lowered = found
    now = utcnow()
    rows = db.session.execute(
        _released_assessments(now).where(Factory.id == factory_id, func.lower(Factory.country).in_(lowered))
        .order_by(Cycle.number.desc())).all()
    if not rows:
        raise NotFound()
    states = _states_of(rows, issues)
    responses = approved_responses([r.cycle_id for r in rows])
    assessed = [Assessed(_day(r.assessed_on, r.released_at), states[r.report_id], responses.get(r.cycle_id))
                for r in rows]
    return FactoryPage(factory_id, rows[0].name, name, slug, issues, assessed[0], assessed[1:])


def approved_responses(cycle_ids: list[int]) -> dict[int, str]:
    """cycle id → the response text staff approved last (never a draft, a submitted or a rejected text)."""
    if not cycle_ids:
        return {}
    return dict(db.session.execute(
        select(TransparencyResponse.cycle_id, TransparencyResponse.approved_text)
        .where(TransparencyResponse.cycle_id.in_(cycle_ids), TransparencyResponse.approved_text.is_not(None),
               TransparencyResponse.status != "rejected")).all())


def export_rows(slug: str) -> tuple[CountryTable, list[dict]]:
    """The country's whole table as plain values (the CSV and JSON downloads), by name."""
    table = country_table(slug)
    return table, [{"id": r.factory_id, "name": r.name, "last_assessment": r.assessed_on.isoformat(),
                    "noncompliant_issues": r.noncompliant,
                    "issues": {issue.id: state for issue, state in zip(table.issues, r.states, strict=True)}}
                   for r in table.rows]


def forget() -> None:
    """Empty the page's caches in this process: after a change made here (see the module's docstring)."""
    with caches.lock:
        caches.transparency_tables.clear()
        caches.transparency_pages.clear()


def _forget_when_committed() -> None:
    """forget() once the session's change is committed: emptied before, a reader in between would put back what the
    database still held."""
    event.listen(db.session(), "after_commit", lambda session: forget(), once=True)


# --- the factory's own page in its portal -----------------------------------------------------------------------------
@dataclass
class PortalView:
    """What a factory user reads of the transparency page: its country's published issues, whether and since when
    its results are public, the cycle its response answers, and that response."""
    factory: Factory
    issues: list[str]  # labels
    published_country: bool
    public_since: date | None  # the assessment date shown now, None when the factory is not on the page
    slug: str
    cycle: Cycle | None  # the latest cycle with an assessment recorded: what the response answers
    released: bool  # that cycle's assessment report is released
    release_due: datetime | None  # when its release is due (the report's release time or the milestone's)
    response: TransparencyResponse | None


def portal_view(user) -> PortalView:
    factory = access.factory_for(user, user.factory_id)
    slug = slug_of(factory.country)
    found = _issues_of(slug)
    issues = [i.label for i in found[1]] if found else []
    now = utcnow()
    latest = db.session.execute(
        _released_assessments(now).with_only_columns(Assessment.assessed_on, Report.released_at)
        .where(Factory.id == factory.id).order_by(Cycle.number.desc()).limit(1)).first()
    cycle = _responding_cycle(factory.id)
    released, due, response = False, None, None
    if cycle is not None:
        report = db.session.execute(select(Report.release_at, Report.released_at).where(
            Report.cycle_id == cycle.id, Report.kind == "assessment")).first()
        released = report is not None and report.released_at is not None and report.released_at <= now
        milestone = db.session.scalar(select(Milestone.due_at).where(Milestone.cycle_id == cycle.id,
                                                                     Milestone.kind == "release"))
        due = (report.released_at or report.release_at) if report is not None else None
        due = due or milestone
        response = db.session.scalar(select(TransparencyResponse).where(TransparencyResponse.cycle_id == cycle.id))
    return PortalView(factory, issues, bool(found), _day(*latest) if latest and found else None, slug, cycle, released,
                      due, response)


def _responding_cycle(factory_id: int) -> Cycle | None:
    """The factory's latest cycle with an assessment recorded: the results its response answers (released, or in the
    review month and published at the release)."""
    return db.session.scalar(select(Cycle).join(Assessment, Assessment.cycle_id == Cycle.id)
                             .where(Cycle.factory_id == factory_id).order_by(Cycle.number.desc()).limit(1))


def save_response(user, text: str | None, submit: bool) -> TransparencyResponse:
    """The factory's response saved as a draft, or submitted for staff's approval. FieldError("text") when refused;
    the caller shows the text again beside the message, so nothing typed is lost."""
    if not access.is_factory_user_of(user, getattr(user, "factory_id", None)):
        raise NotFound()
    cycle = _responding_cycle(user.factory_id)
    if cycle is None:
        raise FieldError("text", _("You can write your response once your assessment has taken place."))
    text = text_limits.bounded("text", text, MAX_RESPONSE)
    if submit and not text:
        raise FieldError("text", _("Write your response before submitting it."))
    response = db.session.scalar(select(TransparencyResponse).where(TransparencyResponse.cycle_id == cycle.id))
    if response is None:
        response = TransparencyResponse(cycle=cycle)
        db.session.add(response)
    response.text = text
    response.review_note = None
    if submit:
        response.status, response.submitted_at, response.submitted_by_id = "submitted", utcnow(), user.id
    else:
        response.status = "draft"
    db.session.flush()
    audit.record("submit" if submit else "update", response,
                 summary=f"Transparency response {'submitted' if submit else 'saved'}: {cycle}")
    return response


# --- staff ------------------------------------------------------------------------------------------------------------
def approve(responses, user) -> int:
    """Publish each submitted (or earlier rejected) response as it stands; returns how many were approved."""
    done = 0
    now = utcnow()
    for response in responses:
        if response.status not in ("submitted", "rejected") or not response.text:
            continue
        response.status, response.approved_text = "approved", response.text
        response.approved_by_id, response.approved_at, response.review_note = user.id, now, None
        audit.record("approve", response, summary=f"Transparency response approved: {response}", user=user)
        done += 1
    _forget_when_committed()
    return done


def reject(responses, user, note: str | None = None) -> int:
    """Take each submitted or approved response off the public page; returns how many were rejected. Who rejected it
    is in the audit log (approved_by and approved_at describe the approval in force, and there is none)."""
    done = 0
    for response in responses:
        if response.status not in ("submitted", "approved"):
            continue
        response.status, response.approved_text, response.approved_at, response.approved_by_id = (
            "rejected", None, None, None)
        if note:
            response.review_note = note[:MAX_RESPONSE]
        audit.record("reject", response, summary=f"Transparency response rejected: {response}", user=user)
        done += 1
    _forget_when_committed()
    return done


def check_issue(country: str, kind: str, code: str, issue_id: int | None = None) -> list[FieldError]:
    """What is wrong with an issue staff are saving: a code the assessment bank does not have, or one the country
    publishes already."""
    problems = []
    if kind not in ISSUE_KINDS:
        problems.append(FieldError("kind", _("Choose a compliance point or a question.")))
        return problems
    column = Question.compliance_point if kind == "compliance_point" else Question.code
    known = db.session.scalar(select(column).join(Questionnaire).where(
        Questionnaire.kind == "assessment", column == code).limit(1))
    if known is None:
        problems.append(FieldError("code", _("The assessment bank has no compliance point “%(code)s”.", code=code)
                                   if kind == "compliance_point" else
                                   _("The assessment bank has no question “%(code)s”.", code=code)))
    duplicate = select(TransparencyIssue.id).where(
        func.lower(TransparencyIssue.country) == country.lower(), TransparencyIssue.kind == kind,
        TransparencyIssue.code == code)
    if issue_id is not None:
        duplicate = duplicate.where(TransparencyIssue.id != issue_id)
    if db.session.scalar(duplicate.limit(1)) is not None:
        problems.append(FieldError("code", _("%(country)s publishes this issue already.", country=country)))
    return problems


# --- the default list --------------------------------------------------------------------------------------------
# About 26 issues, as the programme publishes per country: the core labour standards in full, then the working
# conditions that matter most to workers' pay, contracts and safety, some as one question of their compliance point.
DEFAULT_ISSUES = [
    ("compliance_point", "child_labourers", "Child labour"),
    ("compliance_point", "unconditional_worst_forms", "Worst forms of child labour"),
    ("compliance_point", "hazardous_work_and_other_worst_forms", "Hazardous work by young workers"),
    ("compliance_point", "coercion", "Coercion"),
    ("compliance_point", "bonded_labour", "Bonded labour"),
    ("question", "FL.FOT.01", "Voluntary overtime"),
    ("compliance_point", "race_and_origin", "Discrimination by race or origin"),
    ("compliance_point", "religion_and_political_opinion", "Discrimination by religion or political opinion"),
    ("compliance_point", "gender", "Discrimination by gender"),
    ("compliance_point", "union_operations", "Freedom to form and join a union"),
    ("compliance_point", "interference_and_discrimination", "Union interference and discrimination"),
    ("compliance_point", "collective_bargaining", "Collective bargaining"),
    ("compliance_point", "strikes", "Strikes"),
    ("compliance_point", "minimum_wages", "Minimum wage"),
    ("question", "CO.OTW.01", "Overtime paid at the legal rate"),
    ("question", "WT.OVT.03", "Unpaid work off the clock"),
    ("compliance_point", "paid_leave", "Paid leave"),
    ("compliance_point", "social_security_and_other_benefits", "Social security"),
    ("question", "CO.MOP.01", "Wages paid on time"),
    ("question", "CH.ECT.01", "Written employment contracts"),
    ("compliance_point", "termination", "Termination"),
    ("question", "CH.DDD.02", "Physical punishment or verbal abuse"),
    ("compliance_point", "chemicals_and_hazardous_substances", "Chemicals and hazardous substances"),
    ("question", "OS.EMP.01", "Emergency exits unlocked and unobstructed"),
    ("question", "OS.EMP.03", "Fire alarm"),
    ("question", "OS.OMS.05", "Building, fire and electrical permits"),
    ("question", "WT.OVT.01", "Overtime within legal limits"),
]


def publish_default_issues(country: str) -> int:
    """Add the default list to a country's published issues (those it lacks); returns how many were added."""
    have = {(kind, code) for kind, code in db.session.execute(
        select(TransparencyIssue.kind, TransparencyIssue.code)
        .where(func.lower(TransparencyIssue.country) == country.lower()))}
    added = [{"country": country, "kind": kind, "code": code, "label": label, "position": position, "active": True}
             for position, (kind, code, label) in enumerate(DEFAULT_ISSUES, start=1) if (kind, code) not in have]
    if added:
        db.session.execute(TransparencyIssue.__table__.insert(), [a | {"created_at": utcnow()} for a in added])
        report_figures.refresh_public_flags([country])  # the buyers' flags follow the list
        _forget_when_committed()
    return len(added)


__all__ = ["COMPLIANT", "NONCOMPLIANT", "NOT_ASSESSED", "MIN_FACTORIES", "MAX_RESPONSE", "Country", "CountryTable",
           "FactoryPage", "Issue", "Published", "Row", "SearchTooLong", "Share", "TablePage", "TableQuery", "approve",
           "approved_responses", "check_issue", "countries", "country_table", "database", "export_rows", "factory_page",
           "forget", "portal_view", "publish_default_issues", "published_issues", "reject", "save_response", "slug_of",
           "states_in", "table_page", "table_query"]
