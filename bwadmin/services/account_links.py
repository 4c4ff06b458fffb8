"""Signed, single-use links to set a password, valid for an hour from the moment the email is written.

A link carries the user's id and a fingerprint of the account's session version and password hash: setting a
password changes both, so a used link stops working. Links are made by the worker as it writes the email and
never stored: the notice log keeps the email with the link left out."""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..config import settings
from ..extensions import db
from ..models import User

LINK_MAX_AGE = 3600  # seconds
PURPOSES = ("invite", "reset")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"bwadmin-account-{purpose}")


def _fingerprint(user: User) -> str:
    raw = f"{user.session_version}:{user.password_hash or ''}:{user.active}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def make_link(user: User, purpose: str) -> str:
    """The absolute link to set a password; built without a request (the worker writes the email)."""
    path = current_app.url_map.bind("").build(
        "account.set_password", {"purpose": purpose, "token": make_token(user, purpose)})
    return settings().base_url.rstrip("/") + path


def user_for_token(token: str, purpose: str, max_age: int = LINK_MAX_AGE) -> User | None:
    """The user the link was made for, if it is genuine, unexpired and unused; else None."""
    if purpose not in PURPOSES:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    uid = data.get("u") if isinstance(data, dict) else None
    user = db.session.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user
