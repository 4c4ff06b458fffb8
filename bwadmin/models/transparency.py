"""The public transparency page: the issues published per country, and each factory's response to its results."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import one_of, utcnow

# What an issue publishes: a whole compliance point of the assessment bank, or one of its questions.
ISSUE_KINDS = ("compliance_point", "question")
RESPONSE_STATUSES = ("draft", "submitted", "approved", "rejected")
MAX_RESPONSE = 2000  # characters: a response is a paragraph or two beside the results, not a report


class TransparencyIssue(db.Model):
    """One issue of a country's published list: a compliance point or a question code, under a label staff chose."""

    __tablename__ = "transparency_issue"
    id: Mapped[int] = mapped_column(primary_key=True)
    # As factories name it (Factory.country), compared without regard to case.
    country: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20), default="compliance_point")
    code: Mapped[str] = mapped_column(String(60))  # a compliance point's key or a question's code
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("country", "kind", "code"),
        one_of("kind", ISSUE_KINDS),
    )

    def __str__(self) -> str:
        return f"{self.country}: {self.label}"


class TransparencyResponse(db.Model):
    """The factory's response to the published results of one cycle's assessment.

    One per cycle, not per issue: it answers the results of one assessment as a whole, it is read beside them, and
    earlier cycles keep theirs in the history. `text` is what the factory writes; `approved_text` is the version
    staff approved last, the only one the public page ever shows (a later edit waits for its own approval)."""

    __tablename__ = "transparency_response"
    str_loads = ("cycle",)  # what __str__ reads: the admin lists load it with the row
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_text: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    # What staff tell the factory with a rejection (shown in the factory's portal, never in public).
    review_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    approved_by: Mapped["User | None"] = relationship(foreign_keys=[approved_by_id])  # noqa: F821

    __table_args__ = (
        one_of("status", RESPONSE_STATUSES),
        CheckConstraint(f"length(text) <= {MAX_RESPONSE}", name="text_length"),
        CheckConstraint(f"approved_text IS NULL OR length(approved_text) <= {MAX_RESPONSE}",
                        name="approved_text_length"),
        CheckConstraint("status != 'approved' OR (approved_text IS NOT NULL AND approved_at IS NOT NULL)",
                        name="approved_stamped"),
    )

    def __str__(self) -> str:
        return f"Response of {self.cycle}" if self.cycle is not None else f"Response {self.id}"
