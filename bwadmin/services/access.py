"""Who may see what: the one place the portals, downloads, the API, admin links and emails ask.

A buyer sees a factory's report only when it sources from the factory, the factory's consent to that
buyer stands, and the report's release was carried out and its time has passed. A factory user sees
only its own factory. Staff see all. Everything else is NotFound (404), never 403. Each check is one query.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import Select, and_, bindparam, false, or_, select
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.exceptions import NotFound

from ..config import settings
from ..extensions import db
from ..models import Cycle, Factory, Report, Sourcing, User, utcnow

# The factory's own unreleased reports it may read: the draft assessment (pre-release review),
# its self-diagnosis results and the reports it writes itself.
FACTORY_DRAFT_KINDS = ("assessment", "self_diagnosis", "improvement_plan", "factory_progress")


# Bind parameter names the statements below take (viewer_params fills them for one user).
BUYER_ID, FACTORY_ID, NOW = "access_buyer_id", "access_factory_id", "access_now"


def consent_clause():
    """SQL form of Sourcing.consent_stands."""
    return and_(
        Sourcing.consent_given_at.is_not(None),
        or_(Sourcing.consent_withdrawn_at.is_(None), Sourcing.consent_withdrawn_at < Sourcing.consent_given_at),
    )


def released_clause(now=None):
    """Released and its time has passed; `now` may be a bind parameter (the statements built once below)."""
    now = utcnow() if now is None else now
    return and_(Report.released_at.is_not(None), Report.released_at <= now)


def role_of(user) -> str | None:
    """The role the access rules apply: None for nobody logged in (an anonymous user has no role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def viewer_params(user) -> dict:
    """The values of the bind parameters in the statements for this user, as of now."""
    return {BUYER_ID: getattr(user, "buyer_id", None), FACTORY_ID: getattr(user, "factory_id", None), NOW: utcnow()}


def buyer_sharing_clause(user: User):
    """Factories whose consent to this user's buyer stands (the caller joins Sourcing)."""
    return and_(Sourcing.buyer_id == user.buyer_id, Sourcing.factory_id == Factory.id, consent_clause())


# The rules, each written once: SELECTs built once per role with bind parameters (building and hashing a
# statement costs more than running it), executed with viewer_params(user).
@lru_cache(maxsize=None)
def visible_factories_stmt(role: str | None) -> Select:
    """A SELECT of the factories a user of this role may see, ordered by name (parameters: viewer_params)."""
    query = select(Factory).order_by(Factory.name, Factory.id)
    if role in ("admin", "advisor"):
        return query
    if role == "factory":
        return query.where(Factory.id == bindparam(FACTORY_ID))
    if role == "buyer":
        return query.join(Sourcing, Sourcing.factory_id == Factory.id).where(
            Sourcing.buyer_id == bindparam(BUYER_ID), consent_clause()
        )
    return query.where(false())


@lru_cache(maxsize=None)
def visible_reports_stmt(role: str | None) -> Select:
    """A SELECT of the reports a user of this role may see, joined to their cycle (parameters: viewer_params)."""
    query = select(Report).join(Cycle, Cycle.id == Report.cycle_id)
    now = bindparam(NOW)
    if role in ("admin", "advisor"):
        return query
    if role == "factory":
        return query.where(
            Cycle.factory_id == bindparam(FACTORY_ID),
            or_(released_clause(now), Report.kind.in_(FACTORY_DRAFT_KINDS)),
        )
    if role == "buyer":
        return query.join(Sourcing, Sourcing.factory_id == Cycle.factory_id).where(
            Sourcing.buyer_id == bindparam(BUYER_ID), consent_clause(), released_clause(now)
        )
    return query.where(false())


def visible_factories(user) -> Select:
    """A SELECT of the factories the user may see, ordered by name."""
    return visible_factories_stmt(role_of(user)).params(viewer_params(user))


def visible_reports(user) -> Select:
    """A SELECT of the reports the user may see (joined to their cycle)."""
    return visible_reports_stmt(role_of(user)).params(viewer_params(user))


def visible_cycle_reports(user, cycle_id: int) -> list[Report]:
    """The reports of one cycle the user may see, in the order they were made."""
    return db.session.scalars(visible_reports(user).where(Report.cycle_id == cycle_id).order_by(Report.id)).all()


def can_buyer_see(report: Report, user) -> bool:
    """One query: the buyer sources from the report's factory, consent stands, the report is released."""
    if role_of(user) != "buyer" or report is None:
        return False
    return can_see_report(user, report.id)


@lru_cache(maxsize=None)
def _report_id_stmt(role: str | None) -> Select:
    return visible_reports_stmt(role).with_only_columns(Report.id).where(Report.id == bindparam("access_report_id"))


@lru_cache(maxsize=None)
def _report_stmt(role: str | None) -> Select:
    # The cycle and the content come in the same row (the pages need its factory and the body): no more queries.
    return visible_reports_stmt(role).where(Report.id == bindparam("access_report_id")).options(
        contains_eager(Report.cycle), joinedload(Report.content))


@lru_cache(maxsize=None)
def _factory_stmt(role: str | None) -> Select:
    return visible_factories_stmt(role).where(Factory.id == bindparam("access_factory"))


def can_see_report(user, report_id: int) -> bool:
    return db.session.scalar(_report_id_stmt(role_of(user)),
                             {**viewer_params(user), "access_report_id": report_id}) is not None


def report_for(user, report_id: int) -> Report:
    """The report (with its cycle) if this user may see it, else NotFound."""
    report = db.session.scalar(_report_stmt(role_of(user)), {**viewer_params(user), "access_report_id": report_id})
    if report is None:
        raise NotFound()
    return report


def factory_for(user, factory_id: int) -> Factory:
    """The factory if this user may see it, else NotFound."""
    factory = db.session.scalar(_factory_stmt(role_of(user)), {**viewer_params(user), "access_factory": factory_id})
    if factory is None:
        raise NotFound()
    return factory


def buyer_sources_from(user, factory_id: int) -> Sourcing | None:
    """The buyer's sourcing link to a factory, consent or not (to ask it to share)."""
    if role_of(user) != "buyer":
        return None
    return db.session.scalar(
        select(Sourcing).where(Sourcing.buyer_id == user.buyer_id, Sourcing.factory_id == factory_id)
    )


def report_file(report: Report, language: str | None = None) -> Path | None:
    """The report's PDF on disk in the reader's `language` (default: the language it was written in) for what the
    report says now, only inside the reports directory; None while it can still be made (the caller queues it and
    says it is being prepared); NotFound when the report has no PDF to give (not released, a kind without one)."""
    from . import report_pdf  # here: report_pdf reaches the report templates, which this module's importers need not

    path = report_pdf.reader_file(report, language)
    if path is None and not report_pdf.makes_pdf(report):
        raise NotFound()
    return path


def is_factory_user_of(user, factory_id: int | None) -> bool:
    """A factory user belongs to one factory and acts for that one alone."""
    return role_of(user) == "factory" and factory_id is not None and user.factory_id == factory_id


def own_cycles(user) -> list[Cycle]:
    """A factory user's cycles, the latest first; none for anyone else."""
    if role_of(user) != "factory" or user.factory_id is None:
        return []
    return db.session.scalars(select(Cycle).where(Cycle.factory_id == user.factory_id)
                              .order_by(Cycle.number.desc())).all()


def cycle_for_factory_user(user, cycle_id: int) -> Cycle:
    """The cycle when it belongs to the user's own factory; NotFound otherwise (another factory's cycle, a
    missing one, or a user who is not a factory user)."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or not is_factory_user_of(user, cycle.factory_id):
        raise NotFound()
    return cycle
