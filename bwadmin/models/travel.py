"""Assessment data that travels: assessments imported from another bwadmin instance, and the links a factory hands
a buyer to read one released report without an account."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import utcnow

SHARE_LINK_LABEL_MAX = 200  # whom the factory gave the link to, in its own words


class AssessmentImport(db.Model):
    """Where an imported assessment came from. `key` is the export's id: the same export imported twice is refused
    by the unique key, and the assessment is marked as imported (not assessed here) by having this row."""

    __tablename__ = "assessment_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), unique=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(String(200))  # the instance that exported it
    file_sha256: Mapped[str] = mapped_column(String(64))
    # What the file said that has no row here: its evidence references (the files stayed with the source) and its
    # signatures (the assessors and reviewers are people of the other instance).
    evidence: Mapped[list | None] = mapped_column(JSON)
    signatures: Mapped[dict | None] = mapped_column(JSON)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped["Assessment"] = relationship()  # noqa: F821
    imported_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"Imported from {self.source or 'another instance'}"


class ShareLink(db.Model):
    """A factory's link to one released report, good until `expires_at` unless revoked. Only the SHA-256 of the
    link's token is kept: the link itself is shown once, to the factory user who made it."""

    __tablename__ = "share_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(SHARE_LINK_LABEL_MAX))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_opened_at: Mapped[datetime | None]

    report: Mapped["Report"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"Share link {self.id}"
