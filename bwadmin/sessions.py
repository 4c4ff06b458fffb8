"""Sessions that end on the server: logging out, an idle time and a longest life.

The signed session cookie carries a random session id; Redis holds the ids of live sessions, each expiring
after the idle time (renewed as the person works). Logging out deletes the id, so a copied cookie opens
nothing afterwards; a session started longer ago than the longest life is ended whatever its activity.
A password change or deactivation still ends every session at once (the user's session version)."""
from __future__ import annotations

import secrets
import time

from flask import session

from .config import settings
from .queue import get_redis

PREFIX = "bwadmin-session:"


def start(user_id: int) -> None:
    """A new session for this user in the current cookie (a new id: nothing of an earlier one carries over)."""
    sid = secrets.token_urlsafe(24)
    get_redis().set(PREFIX + sid, str(user_id), ex=settings().session_idle)
    session["sid"], session["started"] = sid, int(time.time())
    session.permanent = True


def alive(user_id: int) -> bool:
    """The current cookie's session is live for this user; renews its idle time."""
    sid, started = session.get("sid"), session.get("started")
    if not isinstance(sid, str) or not isinstance(started, int):
        return False
    if time.time() - started > settings().session_longest.total_seconds():
        return False
    key = PREFIX + sid
    with get_redis().pipeline() as pipe:
        owner, _ = pipe.get(key).expire(key, settings().session_idle).execute()
    return owner is not None and owner.decode() == str(user_id)


def end() -> None:
    sid = session.pop("sid", None)
    session.pop("started", None)
    if isinstance(sid, str):
        get_redis().delete(PREFIX + sid)


def init_app(app) -> None:
    # The cookie may live as long as the longest session; Redis decides when it ends before that.
    app.config["PERMANENT_SESSION_LIFETIME"] = settings(app).session_longest
