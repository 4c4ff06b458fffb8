"""Consent to share: the factory grants or withdraws it per buyer; buyers ask, factories decide.

A buyer that sources from a factory that does not share may ask it to. One request is open at a time (asking again
while it is open changes nothing); the factory reads it in the inbox on its home page and by email, and accepts
(its consent to that buyer, given) or declines; the buyer is told either way, by email and on its pages. After a
decline the buyer may ask again ASK_AGAIN_AFTER later: often enough for a factory's mind to change, seldom enough
not to press it.

The factory may show its buyers its self-set goals and early improvements before the assessment only (after it,
the assessment's results speak); it may stop showing them at any time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date, gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Assessment, Buyer, Cycle, Factory, ShareRequest, Sourcing, utcnow
from ..models.reports import SHARE_MESSAGE_MAX
from . import access, audit, messages, person_notices, text_limits
from .errors import FieldError

ASK_AGAIN_AFTER = timedelta(days=30)
# Cycle statuses before the assessment's report is released (services/milestones.STATUS_ORDER).
BEFORE_RELEASE = ("advisory", "assessment")


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
    """The factory's inbox: the buyers' requests it has not decided yet, oldest first."""
    return db.session.scalars(select(ShareRequest).where(
        ShareRequest.factory_id == factory_id, ShareRequest.status == "pending")
        .options(selectinload(ShareRequest.buyer)).order_by(ShareRequest.requested_at, ShareRequest.id)).all()


# --- early progress ---------------------------------------------------------------------------------
def early_progress_open(cycle: Cycle, now: datetime | None = None) -> bool:
    """Whether the factory may start sharing early progress: before the assessment, that is while no assessment
    is completed nor has taken place, and the cycle's report is not out."""
    if cycle.status not in BEFORE_RELEASE:
        return False
    assessment = db.session.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
    if assessment is None:
        return True
    today = (now or utcnow()).date()
    return assessment.completed_at is None and assessment.assessed_on > today


class EarlyProgressClosed(ValueError):
    """Sharing early progress was asked for after the assessment."""


def share_early_progress(user, cycle: Cycle, share: bool) -> None:
    """The factory shows (or stops showing) its buyers the committee's goals and early improvements. Starting to show
    them after the assessment raises EarlyProgressClosed; stopping is always possible."""
    if not access.is_factory_user_of(user, cycle.factory_id):
        raise NotFound()
    if share and cycle.early_progress_shared_at is None and not early_progress_open(cycle):
        raise EarlyProgressClosed()
    if share and cycle.early_progress_shared_at is not None:
        return
    cycle.early_progress_shared_at = utcnow() if share else None
    audit.record("consent", cycle, user=user,
                 summary=f"Early progress {'shared' if share else 'no longer shared'} for {cycle}")


# --- consent ------------------------------------------------------------------------------------------
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


# --- requests to share --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestState:
    """Where a buyer's asking a factory stands: its latest request (None if it never asked), whether the factory's
    consent stands, and from when it may ask again (None: now, or a request is open)."""
    latest: ShareRequest | None
    shares: bool
    ask_again_at: datetime | None

    @property
    def open(self) -> bool:
        return self.latest is not None and self.latest.status == "pending"


def _state(latest: ShareRequest | None, shares: bool, now: datetime) -> RequestState:
    again = None
    if latest is not None and latest.status == "declined" and latest.decided_at + ASK_AGAIN_AFTER > now:
        again = latest.decided_at + ASK_AGAIN_AFTER
    return RequestState(latest, shares, again)


def states_for(buyer_id: int, links: dict[int, bool], now: datetime | None = None) -> dict[int, RequestState]:
    """factory id → RequestState of the buyer's asking, for the factories of `links` (factory id → consent stands).
    One query."""
    now = now or utcnow()
    latest: dict[int, ShareRequest] = {}
    if links:
        for req in db.session.scalars(select(ShareRequest).where(
                ShareRequest.buyer_id == buyer_id, ShareRequest.factory_id.in_(list(links)))
                .order_by(ShareRequest.requested_at, ShareRequest.id)):
            latest[req.factory_id] = req
    return {factory_id: _state(latest.get(factory_id), shares, now) for factory_id, shares in links.items()}


def state_of(user, factory_id: int) -> RequestState:
    """Where this buyer's asking the factory stands; NotFound unless the buyer sources from it."""
    link = access.buyer_sources_from(user, factory_id)
    if link is None:
        raise NotFound()
    return states_for(user.buyer_id, {factory_id: link.consent_stands})[factory_id]


@dataclass(frozen=True)
class Asked:
    """What asking did: where the asking stands now, and whether a request was sent by it."""
    state: RequestState
    sent: bool


def request_share(user, factory_id: int, message: str | None = None) -> Asked:
    """A buyer that sources from the factory asks it to share: the factory's users are emailed. Asking while a
    request is open, or while the factory shares, changes nothing; FieldError("message") for a message too long or
    an ask too soon after a decline. NotFound for a factory the buyer does not source from. Commits."""
    state = state_of(user, factory_id)
    if state.shares or state.open:
        return Asked(state, False)
    if state.ask_again_at is not None:
        raise FieldError("message", _too_soon(state))
    text = text_limits.bounded("message", message, SHARE_MESSAGE_MAX)
    req = ShareRequest(buyer_id=user.buyer_id, factory_id=factory_id, message=text or None)
    try:
        with db.session.begin_nested():
            db.session.add(req)
    except IntegrityError:  # the same buyer's other request, a moment ago: that one is open
        return Asked(state_of(user, factory_id), False)
    audit.record("share_request", req, user=user, summary=f"Share request from buyer {user.buyer_id} to factory {factory_id}")
    factory, buyer = db.session.get(Factory, factory_id), db.session.get(Buyer, user.buyer_id)
    values = {"buyer": buyer.name, "factory": factory.name, "message": req.message or ""}
    extra = (messages.SHARE_REQUEST_MESSAGE,) if req.message else ()
    ids = person_notices.record([
        person_notices.row(f"share_request:{req.id}", person, "share_request_factory", "/factory/#requests",
                           req.requested_at or utcnow(), factory.country, extra, **values)
        for person in person_notices.factory_people(factory_id)])
    person_notices.commit_and_queue(ids)
    return Asked(_state(req, False, utcnow()), True)


def _too_soon(state: RequestState) -> str:
    return _("%(factory)s declined your last request on %(declined)s; you can ask again from %(again)s.",
             factory=state.latest.factory.name, declined=format_date(state.latest.decided_at, "medium"),
             again=format_date(state.ask_again_at, "medium"))


def decide(user, request_id: int, accept: bool) -> ShareRequest:
    """The factory accepts (its consent to the buyer, given) or declines an open request; the buyer's users are
    emailed. NotFound for another factory's request or one decided already. Commits."""
    req = db.session.get(ShareRequest, request_id)
    if req is None or not access.is_factory_user_of(user, req.factory_id) or req.status != "pending":
        raise NotFound()
    now = utcnow()
    # Claimed in one conditional UPDATE: of two answers at the same moment (two of the factory's users), one counts.
    claimed = db.session.execute(update(ShareRequest).where(ShareRequest.id == req.id, ShareRequest.status == "pending")
                                 .values(status="accepted" if accept else "declined", decided_at=now)
                                 .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise NotFound()
    db.session.refresh(req)
    audit.record("share_request", req, user=user, summary=f"Share request {req.status}")
    if accept:
        link = db.session.scalar(select(Sourcing).where(
            Sourcing.buyer_id == req.buyer_id, Sourcing.factory_id == req.factory_id))
        if link is not None:
            grant(user, link.id)
    buyer = req.buyer
    kind = "share_request_accepted_buyer" if accept else "share_request_declined_buyer"
    rows = []
    for person in person_notices.buyer_people(req.buyer_id):
        again = "" if accept else messages.local_day(now + ASK_AGAIN_AFTER, buyer.country, person.language or "en")
        rows.append(person_notices.row(f"share_request:{req.id}", person, kind, f"/buyer/factories/{req.factory_id}",
                                       now, buyer.country, factory=req.factory.name, again=again))
    person_notices.commit_and_queue(person_notices.record(rows))
    return req
