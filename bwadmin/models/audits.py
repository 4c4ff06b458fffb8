"""The other audits buyers ask of a factory, as the factory records them: the programme's report accepted instead is
an audit avoided, and its days on site are days saved."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import utcnow

AUDIT_BUYER_MAX = 200  # a buyer's name as the factory writes it (Buyer.name's length)
AUDIT_SCHEME_MAX = 200  # the scheme or standard the audit followed
AUDIT_DAYS_MIN, AUDIT_DAYS_MAX = 0.5, 30  # half a day on site at least; a month at most is still one audit


class OtherAudit(db.Model):
    __tablename__ = "other_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    audited_on: Mapped[date]
    # One of the factory's buyers, or a buyer the programme does not know by name (buyer_name): one of the two.
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyer.id", ondelete="SET NULL"))
    buyer_name: Mapped[str | None] = mapped_column(String(AUDIT_BUYER_MAX))
    scheme: Mapped[str] = mapped_column(String(AUDIT_SCHEME_MAX))
    days: Mapped[float] = mapped_column(Numeric(4, 1, asdecimal=False))
    avoided: Mapped[bool] = mapped_column(default=False)  # the buyer accepted the programme's report instead
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    factory: Mapped["Factory"] = relationship()  # noqa: F821
    buyer: Mapped["Buyer | None"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(f"days >= {AUDIT_DAYS_MIN} AND days <= {AUDIT_DAYS_MAX}", name="days_in_range"),
        Index("ix_other_audit_factory", "factory_id", "audited_on"),
    )

    @property
    def buyer_label(self) -> str:
        return self.buyer.name if self.buyer is not None else (self.buyer_name or "")

    def __str__(self) -> str:
        return f"{self.scheme} audit of {self.audited_on.isoformat()}"
