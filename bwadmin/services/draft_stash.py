"""Answers typed before a session expired: stashed server-side when the post arrives from a logged-out
browser, restored into the draft once the same user logs in again.

The form carries a signed draft token naming the user and the response it was issued for. A post without a
valid token is not stashed, and a stash is only restored for the user the token names: nobody can push
answers into someone else's draft by making their browser post while logged out.
"""
from __future__ import annotations

import json
import secrets

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from ..queue import get_redis

SALT = "questionnaire-draft"
TOKEN_AGE = 30 * 24 * 3600  # a form left open for a month still stashes
STASH_AGE = 7 * 24 * 3600
SESSION_KEY = "draft_stash"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def draft_token(user_id: int, response_id: int) -> str:
    return _serializer().dumps({"u": user_id, "r": response_id})


def read_token(token: str | None) -> dict | None:
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=TOKEN_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and {"u", "r"} <= data.keys() else None


def _redis():
    return get_redis()


def stash(token: str | None, form: MultiDict, prefix: str = "q") -> bool:
    """Keep the posted answers (fields named q<id>) for the user the token names. False when the token is
    missing or forged, or nothing was posted."""
    owner = read_token(token)
    fields = [(k, v) for k, v in form.items(multi=True) if k.startswith(prefix) and k[len(prefix):].isdigit()]
    if owner is None or not fields:
        return False
    key = f"draft-stash:{secrets.token_urlsafe(16)}"
    payload = json.dumps({"u": owner["u"], "r": owner["r"], "form": fields})
    _redis().set(key, payload, ex=STASH_AGE)
    keys = [k for k in session.get(SESSION_KEY, []) if k != key][-4:]
    session[SESSION_KEY] = keys + [key]
    return True


def take(user_id: int, response_id: int) -> MultiDict | None:
    """The newest stash this browser holds for this user and response, removed once taken."""
    keys = list(session.get(SESSION_KEY, []))
    if not keys:
        return None
    found = None
    conn = _redis()
    for key in reversed(keys):
        raw = conn.get(key)
        if raw is None:
            keys.remove(key)
            continue
        data = json.loads(raw)
        if data.get("u") == user_id and data.get("r") == response_id:
            if found is None:
                found = MultiDict(data["form"])
            conn.delete(key)
            keys.remove(key)
    session[SESSION_KEY] = keys
    return found
