"""API bearer tokens: only a hash is stored; each carries the user's session version when issued,
so a password change or deactivation ends it at once; staff can revoke one in the admin panel."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import ApiToken, User, utcnow
from . import audit

PREFIX = "bw_"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User) -> str:
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=digest(raw), session_version=user.session_version)
    db.session.add(token)
    db.session.flush()
    audit.record("token", token, user=user, summary=f"API token issued to {user.email}")
    return raw


# Built once: one indexed query by hash per request.
_BY_HASH = select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True),
    ApiToken.session_version == User.session_version)


def authenticate(raw: str | None) -> User | None:
    """One query: the token's user if the token is known, not revoked, and its user active on the same version."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    row = db.session.execute(_BY_HASH, {"token_hash": digest(raw)}).first()
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return user


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
