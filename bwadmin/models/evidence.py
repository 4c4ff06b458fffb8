"""Files attached to an assessment's answers as evidence."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import one_of, utcnow

# The kinds of file kept, as their content shows them (services.evidence_files checks it).
ATTACHMENT_KINDS = ("jpeg", "png", "webp", "pdf", "xlsx", "csv")
ATTACHMENT_NAME_MAX = 200


class Attachment(db.Model):
    """One file behind an answer. The bytes live once per content (named by their SHA-256) in the attachments
    folder; the row says which answer they support, the name they were uploaded under and their checked kind."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int]
    filename: Mapped[str] = mapped_column(String(ATTACHMENT_NAME_MAX))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    answer: Mapped["Answer"] = relationship(back_populates="attachments")  # noqa: F821
    uploaded_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("answer_id", "sha256"),
        one_of("kind", ATTACHMENT_KINDS),
        CheckConstraint("size > 0", name="size_positive"),
    )

    def __str__(self) -> str:
        return self.filename
