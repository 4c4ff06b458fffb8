"""Consent to share: the factory grants or withdraws it per buyer; buyers ask, factories decide."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Cycle, ShareRequest, Sourcing, utcnow
from . import access, audit


def _own_sourcing(user, sourcing_id: int) -> Sourcing:
    link = db.session.get(Sourcing, sourcing_id)
    if link is None or not access.is_factory_user_of(user, link.factory_id):
        raise NotFound()
    return link


def links_of(factory_id: int) -> list[Sourcing]:
    """The factory's buyers, each with whether the factory's consent stands."""
    return db.session.scalars(select(Sourcing).where(Sourcing.factory_id == factory_id)
                              .options(selectinload(Sourcing.buyer)).order_by(Sourcing.id)).all()


def pending_requests(factory_id: int) -> list[ShareRequest]:
    """The buyers' requests the factory has not decided yet, oldest first."""
    return db.session.scalars(select(ShareRequest).where(
        ShareRequest.factory_id == factory_id, ShareRequest.status == "pending")
        .options(selectinload(ShareRequest.buyer)).order_by(ShareRequest.requested_at)).all()


def share_early_progress(user, cycle: Cycle, share: bool) -> None:
    """The factory shows (or stops showing) its buyers the committee's goals and early improvements."""
    if not access.is_factory_user_of(user, cycle.factory_id):
        raise NotFound()
    cycle.early_progress_shared_at = utcnow() if share else None
    audit.record("consent", cycle, user=user,
                 summary=f"Early progress {'shared' if share else 'no longer shared'} for {cycle}")


def grant(user, sourcing_id: int) -> Sourcing:
    link = _own_sourcing(user, sourcing_id)
    if not link.consent_stands:
        link.consent_given_at = utcnow()
        link.consent_withdrawn_at = None
        audit.record("consent", link, user=user, summary=f"Consent granted: {link}",
                     after={"consent": "granted", "buyer_id": link.buyer_id, "factory_id": link.factory_id})
    return link


def withdraw(user, sourcing_id: int) -> Sourcing:
    link = _own_sourcing(user, sourcing_id)
    if link.consent_stands:
        link.consent_withdrawn_at = utcnow()
        audit.record("consent", link, user=user, summary=f"Consent withdrawn: {link}",
                     after={"consent": "withdrawn", "buyer_id": link.buyer_id, "factory_id": link.factory_id})
    return link


def request_share(user, factory_id: int, message: str | None = None) -> ShareRequest:
    """A buyer that sources from the factory asks it to share. NotFound for any other factory."""
    link = access.buyer_sources_from(user, factory_id)
    if link is None:
        raise NotFound()
    pending = db.session.scalar(select(ShareRequest).where(
        ShareRequest.buyer_id == user.buyer_id, ShareRequest.factory_id == factory_id, ShareRequest.status == "pending"))
    if pending:
        return pending
    req = ShareRequest(buyer_id=user.buyer_id, factory_id=factory_id, message=(message or "").strip()[:2000] or None)
    db.session.add(req)
    db.session.flush()
    audit.record("share_request", req, user=user, summary=f"Share request from buyer {user.buyer_id} to factory {factory_id}")
    return req


def decide(user, request_id: int, accept: bool) -> ShareRequest:
    req = db.session.get(ShareRequest, request_id)
    if req is None or not access.is_factory_user_of(user, req.factory_id) or req.status != "pending":
        raise NotFound()
    req.status = "accepted" if accept else "declined"
    req.decided_at = utcnow()
    audit.record("share_request", req, user=user, summary=f"Share request {req.status}")
    if accept:
        link = db.session.scalar(select(Sourcing).where(
            Sourcing.buyer_id == req.buyer_id, Sourcing.factory_id == req.factory_id))
        if link is not None:
            grant(user, link.id)
    return req
