"""AuditEvents: who changed what, when, with the values before and after."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import inspect

from ..extensions import db
from ..models import AuditEvent

SECRET_COLUMNS = {"password_hash", "token_hash"}


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj) -> dict:
    """Column values of a model instance, JSON-safe, without secrets."""
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in SECRET_COLUMNS
    }


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(action: str, obj=None, *, user=None, entity: str | None = None, entity_id=None,
           summary: str | None = None, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    if user is None and has_request_context():
        user = current_user if getattr(current_user, "is_authenticated", False) else None
    event = AuditEvent(
        user_id=getattr(user, "id", None),
        action=action,
        entity=entity or (obj.__tablename__ if obj is not None else "-"),
        entity_id=str(entity_id if entity_id is not None else getattr(obj, "id", "") or "") or None,
        summary=(summary or (str(obj) if obj is not None else None) or "")[:500] or None,
        before=before,
        after=after,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_many(action: str, entity: str, items: list[tuple[object, str]], user=None) -> None:
    """Many events of one action by one user (or the clock) in one statement: (entity id, summary) each."""
    if items:
        # Core, not the ORM's bulk insert: a batch of releases writes thousands the session never reads.
        db.session.execute(AuditEvent.__table__.insert(), [
            {"user_id": getattr(user, "id", None), "action": action, "entity": entity,
             "entity_id": str(entity_id) if entity_id is not None else None, "summary": (summary or "")[:500] or None,
             "ip": None}
            for entity_id, summary in items])
