"""A factory hands a buyer a link to one released report: whoever holds the link reads that report, read-only and
without an account, for 30 days, until the factory revokes it.

The link carries a random token signed with the app's secret key (a salt of its own): a token altered by one
character is refused before the database is asked. Only the SHA-256 of the token is stored, so the link cannot be
read back from the database, the notice log or an admin page: it is shown once, to the factory user who made it.
The row makes it revocable and says when it was last opened."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Cycle, Report, ShareLink, utcnow
from ..models.travel import SHARE_LINK_LABEL_MAX
from . import access, audit, text_limits

SALT = "bwadmin-share-link"
LINK_DAYS = 30


class LinkGone(Exception):
    """A genuine link that no longer opens its report: expired or revoked (the page says which)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired" or "revoked"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def shareable_reports(user) -> list[Report]:
    """The factory's released reports (released and their time passed), the newest first."""
    if access.role_of(user) != "factory":
        return []
    now = utcnow()
    return list(db.session.scalars(
        access.visible_reports(user).where(Report.released_at.is_not(None), Report.released_at <= now)
        .order_by(Report.released_at.desc(), Report.id.desc())))


def make(user, report_id: int, label: str | None) -> tuple[ShareLink, str]:
    """A new link to one of the factory's released reports: the row and the link's token (shown once). NotFound for
    a report that is not the user's factory's, or not released; FieldError beside the label when it is too long."""
    report = access.report_for(user, report_id)
    if access.role_of(user) != "factory" or report.released_at is None or report.released_at > utcnow():
        raise NotFound()
    label = text_limits.bounded("label", label, SHARE_LINK_LABEL_MAX) or None
    token = _serializer().dumps(secrets.token_urlsafe(24))
    now = utcnow()
    link = ShareLink(report=report, token_hash=_hash(token), label=label, created_by_id=user.id, created_at=now,
                     expires_at=now + timedelta(days=LINK_DAYS))
    db.session.add(link)
    db.session.flush()
    audit.record("share_link", link, user=user, summary=f"Share link {link.id} made to {report}")
    return link, token


def url_of(token: str) -> str:
    return url_for("shared.report", token=token, _external=True)


def links_of(user) -> list[ShareLink]:
    """The links of the user's factory, the newest first (their tokens are not kept: never shown again)."""
    if access.role_of(user) != "factory" or user.factory_id is None:
        return []
    return list(db.session.scalars(
        select(ShareLink).join(Report, Report.id == ShareLink.report_id).join(Cycle, Cycle.id == Report.cycle_id)
        .where(Cycle.factory_id == user.factory_id).order_by(ShareLink.created_at.desc(), ShareLink.id.desc())))


def revoke(user, link_id: int) -> ShareLink:
    """The factory revokes one of its links; NotFound for another factory's."""
    link = db.session.get(ShareLink, link_id)
    if link is None or not access.is_factory_user_of(user, link.report.cycle.factory_id):
        raise NotFound()
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record("share_link_revoked", link, user=user, summary=f"Share link {link.id} revoked")
    return link


def state(link: ShareLink, now=None) -> str:
    now = now or utcnow()
    return "revoked" if link.revoked_at is not None else "expired" if link.expires_at <= now else "active"


def report_for(token: str) -> Report:
    """The report a link opens: NotFound for a token this app did not sign (or altered) or does not know; LinkGone
    for one expired or revoked."""
    try:
        _serializer().loads(token, max_age=LINK_DAYS * 86400)
    except SignatureExpired:
        raise LinkGone("expired") from None
    except BadSignature:
        raise NotFound() from None
    link = db.session.scalar(select(ShareLink).where(ShareLink.token_hash == _hash(token)))
    if link is None:
        raise NotFound()
    now = utcnow()
    if state(link, now) != "active":
        raise LinkGone(state(link, now))
    report = link.report
    if report.released_at is None or report.released_at > now:  # a release undone since: nothing to read
        raise NotFound()
    link.last_opened_at = now
    return report


def gone_message(reason: str) -> str:
    if reason == "revoked":
        return _("The factory revoked this link: ask it for a new one if you still need the report.")
    return _("This link has expired (links last %(days)s days): ask the factory for a new one.", days=LINK_DAYS)
