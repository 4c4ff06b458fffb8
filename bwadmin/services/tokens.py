"""API bearer tokens: only a hash is stored; each carries the user's session version when issued,
so a password change or deactivation ends it at once; staff can revoke one in the admin panel; each expires
BWADMIN_TOKEN_DAYS after it was issued, so a token copied once does not work for ever."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, select, update

from ..config import settings
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


class ApiUser(NamedTuple):
    """The user an API request acts for, read as columns: the API only reads, and needs of its user no more than
    who it is and what it may see (services.access takes it as it takes a logged-in user)."""
    id: int
    email: str
    role: str
    buyer_id: int | None
    factory_id: int | None
    is_authenticated: bool = True


# Built once: one indexed query by hash per request.
_BY_HASH = select(ApiToken.id, ApiToken.last_used_at, User.id, User.email, User.role, User.buyer_id,
                  User.factory_id).join(User, User.id == ApiToken.user_id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True),
    ApiToken.session_version == User.session_version, ApiToken.created_at > bindparam("issued_after"))


def authenticate(raw: str | None) -> ApiUser | None:
    """One query: the token's user if the token is known, not revoked, not expired, and its user active on the same
    version."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    now = utcnow()
    row = db.session.execute(_BY_HASH, {"token_hash": digest(raw),
                                        "issued_after": now - settings().token_lifetime}).first()
    if row is None:
        return None
    token_id, last_used_at, *user = row
    if last_used_at is None or now - last_used_at > timedelta(minutes=5):
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    return ApiUser(*user)


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
