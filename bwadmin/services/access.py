"""Who may see what: the one place the portals, downloads, the API, admin links and emails ask.

A buyer sees a factory's report only when it sources from the factory, the factory's consent to that
buyer stands, and the report's release was carried out and its time has passed. A factory user sees
only its own factory. Staff see all. Everything else is NotFound (404), never 403. Each check is one query.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Cycle, Factory, Report, Sourcing, User, utcnow

# The factory's own unreleased reports it may read: the draft assessment (pre-release review),
# its self-diagnosis results and the reports it writes itself.
FACTORY_DRAFT_KINDS = ("assessment", "self_diagnosis", "improvement_plan", "factory_progress")


def consent_clause():
    """SQL form of Sourcing.consent_stands."""
    return and_(
        Sourcing.consent_given_at.is_not(None),
        or_(Sourcing.consent_withdrawn_at.is_(None), Sourcing.consent_withdrawn_at < Sourcing.consent_given_at),
    )


def released_clause(now=None):
    now = now or utcnow()
    return and_(Report.released_at.is_not(None), Report.released_at <= now)


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def buyer_sharing_clause(user: User):
    """Factories whose consent to this user's buyer stands (the caller joins Sourcing)."""
    return and_(Sourcing.buyer_id == user.buyer_id, Sourcing.factory_id == Factory.id, consent_clause())


def visible_factories(user) -> "select":
    """A SELECT of the factories the user may see, ordered by name."""
    query = select(Factory).order_by(Factory.name, Factory.id)
    role = _role(user)
    if role in ("admin", "advisor"):
        return query
    if role == "factory":
        return query.where(Factory.id == user.factory_id)
    if role == "buyer":
        return query.join(Sourcing, Sourcing.factory_id == Factory.id).where(
            Sourcing.buyer_id == user.buyer_id, consent_clause()
        )
    return query.where(False)


def visible_reports(user) -> "select":
    """A SELECT of the reports the user may see (joined to their cycle)."""
    query = select(Report).join(Cycle, Cycle.id == Report.cycle_id)
    role = _role(user)
    if role in ("admin", "advisor"):
        return query
    if role == "factory":
        return query.where(
            Cycle.factory_id == user.factory_id,
            or_(released_clause(), Report.kind.in_(FACTORY_DRAFT_KINDS)),
        )
    if role == "buyer":
        return query.join(Sourcing, Sourcing.factory_id == Cycle.factory_id).where(
            Sourcing.buyer_id == user.buyer_id, consent_clause(), released_clause()
        )
    return query.where(False)


def can_buyer_see(report: Report, user) -> bool:
    """One query: the buyer sources from the report's factory, consent stands, the report is released."""
    if _role(user) != "buyer" or report is None:
        return False
    found = db.session.scalar(
        select(Report.id)
        .join(Cycle, Cycle.id == Report.cycle_id)
        .join(Sourcing, Sourcing.factory_id == Cycle.factory_id)
        .where(Report.id == report.id, Sourcing.buyer_id == user.buyer_id, consent_clause(), released_clause())
    )
    return found is not None


def can_see_report(user, report_id: int) -> bool:
    return db.session.scalar(visible_reports(user).with_only_columns(Report.id).where(Report.id == report_id)) is not None


def report_for(user, report_id: int) -> Report:
    """The report if this user may see it, else NotFound."""
    report = db.session.scalar(visible_reports(user).where(Report.id == report_id))
    if report is None:
        raise NotFound()
    return report


def factory_for(user, factory_id: int) -> Factory:
    """The factory if this user may see it, else NotFound."""
    factory = db.session.scalar(visible_factories(user).where(Factory.id == factory_id))
    if factory is None:
        raise NotFound()
    return factory


def buyer_sources_from(user, factory_id: int) -> Sourcing | None:
    """The buyer's sourcing link to a factory, consent or not (to ask it to share)."""
    if _role(user) != "buyer":
        return None
    return db.session.scalar(
        select(Sourcing).where(Sourcing.buyer_id == user.buyer_id, Sourcing.factory_id == factory_id)
    )


def reports_dir() -> Path:
    configured = current_app.config.get("BWADMIN_REPORTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "reports"


def report_file(report: Report) -> Path:
    """The report's PDF on disk, only inside the reports directory; NotFound when missing."""
    if not report.file_path:
        raise NotFound()
    base = reports_dir().resolve()
    path = (base / report.file_path).resolve()
    if base not in path.parents or not path.is_file():
        raise NotFound()
    return path


def cycle_for_factory_user(user, cycle_id: int) -> Cycle:
    """The cycle when it belongs to the user's own factory; NotFound otherwise (another factory's cycle, a
    missing one, or a user who is not a factory user)."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or _role(user) != "factory" or user.factory_id != cycle.factory_id:
        raise NotFound()
    return cycle
