"""What was told to whom, and what was changed by whom."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import lower_index, one_of, utcnow

# "sending": claimed by a worker that is talking to the SMTP server; never sent again automatically.
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed")


class Notification(db.Model):
    """One email to one person about one event. Its unique key is the guard against sending twice."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # e.g. "milestone:12:release:buyer@x.org"
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="en")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # The pieces of a notice whose body is composed when it is sent (milestone notices): a release records
    # thousands at once, and the body is written here once it has gone out.
    parts: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Indexed: the panel's list shows the newest first, and the retention job (README) reads the oldest.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    attempted_at: Mapped[datetime | None]  # when a worker last claimed it for sending
    # Which process claimed it (host:pid): if Redis lost the job that sends it, the sweep still knows the sending
    # stopped when that process is gone (notify.fail_stale_sending).
    claimed_by: Mapped[str | None] = mapped_column(String(120))

    milestone: Mapped["Milestone | None"] = relationship()  # noqa: F821
    user: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (one_of("status", NOTIFICATION_STATUSES),)

    def __str__(self) -> str:
        return f"{self.kind} → {self.email} ({self.status})"


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)  # create, update, delete, consent, release, download…
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str | None] = mapped_column(String(500))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    def __str__(self) -> str:
        return f"{self.action} {self.entity} {self.entity_id or ''}"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped["User"] = relationship()  # noqa: F821


lower_index(Notification, "email")
lower_index(AuditEvent, "entity", "summary")
