"""Invitation and password-reset emails with signed, single-use links that expire within an hour.

A link carries the user's id and a fingerprint of the account's session version and password hash: setting
a password changes both, so a used link stops working; asking for one never says whether an account exists."""
from __future__ import annotations

import hashlib

from flask import current_app, render_template, url_for
from flask_mail import Message
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db, mail
from ..models import User
from . import users

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


def link_for(user: User, purpose: str) -> str:
    base = current_app.config.get("BWADMIN_BASE_URL", "").rstrip("/")
    return base + url_for("account.set_password", purpose=purpose, token=make_token(user, purpose))


def _send(user: User, purpose: str) -> None:
    link = link_for(user, purpose)
    subject = "Your bwadmin account: set your password" if purpose == "invite" else "Reset your bwadmin password"
    context = {"user": user, "link": link, "purpose": purpose, "minutes": LINK_MAX_AGE // 60}
    mail.send(Message(subject=subject, recipients=[user.email],
                      body=render_template("email/account.txt", **context),
                      html=render_template("email/account.html", **context)))


def send_invitation(user: User) -> None:
    """Staff created this user: email a link to set a first password."""
    _send(user, "invite")


def send_reset(email: str) -> None:
    """Anyone may ask; an email goes out only for an active account, and the caller learns nothing either way."""
    user = users.by_email(email)
    if user is None or not user.active:
        return
    try:
        _send(user, "reset")
    except OSError:
        current_app.logger.exception("Could not send the reset email")
