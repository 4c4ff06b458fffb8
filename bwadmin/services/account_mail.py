"""Invitation and password-reset emails with signed, single-use links that expire within an hour.

A link carries the user's id and a fingerprint of the account's session version and password hash: setting
a password changes both, so a used link stops working; asking for one never says whether an account exists."""
from __future__ import annotations

import hashlib

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import User
from . import notify, users

LINK_MAX_AGE = 3600  # seconds
PURPOSES = ("invite", "reset")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"bwadmin-account-{purpose}")


def _fingerprint(user: User) -> str:
    raw = f"{user.session_version}:{user.password_hash or ''}:{user.active}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_token(token: str, purpose: str, max_age: int = LINK_MAX_AGE) -> User | None:
    """The user the link was made for, if it is genuine, unexpired and unused; else None."""
    if purpose not in PURPOSES:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def _send(user: User, purpose: str) -> None:
    """Queue the email like every notice (the workers send it, with retries); commits. The request does no SMTP,
    so answering takes as long whether or not the address has an account."""
    token = make_token(user, purpose)
    link = current_app.config.get("BWADMIN_BASE_URL", "").rstrip("/") + url_for(
        "account.set_password", purpose=purpose, token=token)
    subject = "Your bwadmin account: set your password" if purpose == "invite" else "Reset your bwadmin password"
    context = {"user": user, "link": link, "purpose": purpose, "minutes": LINK_MAX_AGE // 60}
    key = f"account:{purpose}:{user.id}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"
    row = notify.record(key, user.email, f"account_{purpose}", subject, render_template("emails/account.txt", **context),
                        render_template("emails/account.html", **context), user=user, language=user.language or "en")
    db.session.commit()
    from jobs import notices as notice_jobs  # the queue is the workers' side: imported when used

    notice_jobs.enqueue([row.id])


def send_invitation(user: User) -> None:
    """Staff created this user: email a link to set a first password."""
    _send(user, "invite")


def send_reset(email: str) -> None:
    """Anyone may ask; an email goes out only for an active account, and the caller learns nothing either way."""
    user = users.by_email(email)
    if user is not None and user.active:
        _send(user, "reset")
