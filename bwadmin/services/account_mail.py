"""Invitation and password-reset emails.

The notice is recorded without its link: the worker makes the link as it writes the email (account_links),
and the log keeps the email with the link left out. Asking for a reset answers the same whatever the address:
the request only queues the asking, and the worker looks the account up."""
from __future__ import annotations

import secrets

from flask_babel import force_locale, lazy_gettext as _l

from ..extensions import db
from ..models import User
from ..queue import enqueue_reset, send_soon
from . import notify, users
from .account_links import LINK_MAX_AGE, make_link

NOTICE_KINDS = ("account_invite", "account_reset")
SUBJECTS = {"invite": _l("Your bwadmin account: set your password"), "reset": _l("Reset your bwadmin password")}


def record(user: User, purpose: str) -> int:
    """Record the email to `user` (not sent yet; no link in it); returns the notice's id."""
    # A random key: two requests in the same second are two emails, never a clash.
    key = f"account:{purpose}:{user.id}:{secrets.token_hex(8)}"
    parts = {"template": "account", "purpose": purpose, "user_id": user.id}
    language = user.language or "en"
    # The subject is stored with the notice, so it is written now, in the recipient's language (the body later).
    with force_locale(language):
        subject = str(SUBJECTS[purpose])
    ids = notify.record_many([notify.row(key, user.email, f"account_{purpose}", subject, None,
                                         user=user, language=language, parts=parts)])
    return ids[key]


def email_context(parts: dict, for_log: bool) -> dict:
    """What the account email says: the person's name and, unless it is the log's copy, a fresh link."""
    user = db.session.get(User, parts["user_id"])
    link = None if for_log or user is None else make_link(user, parts["purpose"])
    return {"name": (user.name or user.email) if user else "", "link": link, "purpose": parts["purpose"],
            "minutes": LINK_MAX_AGE // 60}


def _send(user: User, purpose: str) -> None:
    notice_id = record(user, purpose)
    db.session.commit()
    send_soon([notice_id])


def send_invitation(user: User) -> None:
    """Staff created this user: email a link to set a first password."""
    _send(user, "invite")


def send_reset(email: str) -> None:
    """An email goes out only for an active account; the caller learns nothing either way."""
    user = users.by_email(email)
    if user is not None and user.active:
        _send(user, "reset")


def request_reset(email: str) -> None:
    """What the forgot-password form does: queue the asking, so the answer takes as long for any address. With
    the queue unreachable, look the account up now rather than lose the request."""
    try:
        enqueue_reset(users.normalise_email(email))
    except Exception:  # noqa: BLE001 - Redis down: the notice row is kept and the sweep sends it later
        send_reset(email)
