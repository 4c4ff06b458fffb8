"""Notices that a person's action sends to others (a buyer's request to share, a factory's flag on its draft report,
and their answers): one Notification row per recipient, in the recipient's language, with what it says from
messages.NOTICES. The request that acted commits them and queues them (commit_and_queue); with the queue
unreachable the sweep sends them later."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..config import settings
from ..extensions import db
from ..models import User
from ..queue import send_soon
from . import messages, notify


def factory_people(factory_id: int) -> list[User]:
    """The factory's active users."""
    return db.session.scalars(select(User).where(User.factory_id == factory_id, User.role == "factory", User.active)
                              .order_by(User.id)).all()


def buyer_people(buyer_id: int) -> list[User]:
    """The buyer's active users."""
    return db.session.scalars(select(User).where(User.buyer_id == buyer_id, User.role == "buyer", User.active)
                              .order_by(User.id)).all()


def staff_of(cycle) -> list[User]:
    """Who answers for the cycle: its advisor; the admins while it has no active advisor, so nothing goes unread."""
    if cycle.advisor is not None and cycle.advisor.active:
        return [cycle.advisor]
    return db.session.scalars(select(User).where(User.role == "admin", User.active).order_by(User.id)).all()


def row(about: str, user: User, kind: str, path: str, now: datetime, country: str | None,
        extra: tuple = (), **values) -> dict:
    """The notice of `kind` telling `user` about `about` (e.g. "share_request:12"), once: its key is made of both.
    `path` is the page the email links to; `country` counts the day %(date)s is; `extra` are more (subject-free)
    sentences of messages, each with the same values."""
    language = user.language or "en"
    values["date"] = messages.local_day(now, country, language)
    subject, lines = messages.message(kind, language, **values)
    lines += [messages.in_language(language, line, **values) for line in extra]
    parts = {"template": "notice", "lines": lines, "link": settings().base_url + path,
             "greeting": messages.in_language(language, messages.GREETING, name=user.name or user.email)}
    return notify.row(f"{about}:{kind}:{user.id}", user.email, kind, subject, None, None, user=user,
                      language=language, parts=parts)


def record(rows: list[dict]) -> list[int]:
    """Record the notices (a key recorded before adds nothing); the ids of those added."""
    return list(notify.record_many(rows).values())


def commit_and_queue(ids: list[int]) -> None:
    """Commit what the request did with its notices, then queue them for a worker."""
    db.session.commit()
    if ids:
        send_soon(ids)
