"""The engagement cycle, its milestones and the schedule offsets that place them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import one_of, utcnow

CYCLE_STATUSES = ("advisory", "assessment", "reporting", "measured", "closed")

# In the order of the timeline; DESIGN.md's table.
MILESTONE_KINDS = (
    "cycle_start",
    "advisory_end",
    "assessment_due",
    "release",
    "factory_progress_reminder_14",
    "improvement_plan_reminder_7",
    "factory_progress_reminder_3",
    "improvement_plan_due",
    "factory_progress_report",
    "programme_progress_report",
    "differentiation",
)
MILESTONE_LABELS = {
    "cycle_start": _l("Cycle starts, advisory period begins"),
    "advisory_end": _l("Advisory period ends"),
    "assessment_due": _l("Assessment due"),
    "release": _l("Assessment report released"),
    "factory_progress_reminder_14": _l("Reminder: factory progress report in 14 days"),
    "improvement_plan_reminder_7": _l("Reminder: improvement plan due in 7 days"),
    "factory_progress_reminder_3": _l("Reminder: factory progress report in 3 days"),
    "improvement_plan_due": _l("Improvement plan due"),
    "factory_progress_report": _l("Factory progress report released"),
    "programme_progress_report": _l("Programme progress report released"),
    "differentiation": _l("Performance measured against differentiation criteria"),
}
# What an offset counts from: the sign-up day, the assessment (done or due), or another milestone.
OFFSET_BASES = ("signup", "assessment") + MILESTONE_KINDS

# The programme's service packages: a cycle starts with the standard one, a high performer's next cycle with the
# advanced one (fewer advisory visits, led by the factory's own self-assessment).
SERVICE_PACKAGES = ("standard", "advanced")
SERVICE_PACKAGE_LABELS = {"standard": _l("Standard services"), "advanced": _l("Advanced services")}


class ScheduleOffset(db.Model):
    """Where a milestone falls: `months` calendar months plus `days` days after its base."""

    __tablename__ = "schedule_offset"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), unique=True)
    base: Mapped[str] = mapped_column(String(40))
    months: Mapped[int] = mapped_column(default=0)
    days: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        one_of("kind", MILESTONE_KINDS),
        one_of("base", OFFSET_BASES),
        CheckConstraint("kind != base", name="not_own_base"),
    )

    def __str__(self) -> str:
        return f"{self.kind}: {self.base} + {self.months} months + {self.days} days"


class Cycle(db.Model):
    __tablename__ = "cycle"
    str_loads = ("factory",)  # what __str__ reads: the admin lists load it with the row
    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    signed_up_on: Mapped[date] = mapped_column(index=True)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    training_days_allotted: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(16), default="advisory", index=True)
    committee_review_score: Mapped[float | None]
    high_performer: Mapped[bool | None]
    # When the factory shared its self-set goals and early improvements with its buyers (before the assessment).
    early_progress_shared_at: Mapped[datetime | None]
    # The service package the cycle started with, and what it set then (services/service_packages): the advisory
    # visits expected and the advisory period's length in days (None: the schedule's offsets). Kept on the cycle, so
    # a later change to a package moves no running cycle.
    service_package: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    planned_visits: Mapped[int | None]
    advisory_days: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    factory: Mapped["Factory"] = relationship(back_populates="cycles")  # noqa: F821
    advisor: Mapped["User | None"] = relationship()  # noqa: F821
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="Milestone.due_at"
    )
    assessment: Mapped["Assessment | None"] = relationship(back_populates="cycle", uselist=False)  # noqa: F821

    __table_args__ = (
        UniqueConstraint("factory_id", "number"),
        # A search by factory name picks the page's cycles (newest first) from this index alone.
        Index("ix_cycle_factory_signed_up", "factory_id", "signed_up_on"),
        one_of("status", CYCLE_STATUSES),
        one_of("service_package", SERVICE_PACKAGES),
        CheckConstraint("planned_visits IS NULL OR planned_visits >= 0", name="planned_visits_positive"),
        CheckConstraint("advisory_days IS NULL OR advisory_days >= 1", name="advisory_days_positive"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("training_days_allotted >= 0", name="training_days_positive"),
    )

    @property
    def returning(self) -> bool:
        """A factory's second and later cycles are returning ones."""
        return self.number > 1

    @property
    def expected_visits(self) -> int:
        """The advisory visits of the advisory period: as the cycle's package set them, else the programme's rule."""
        if self.planned_visits is not None:
            return self.planned_visits
        return 1 if self.returning else 3

    def milestone(self, kind: str) -> Milestone | None:
        return next((m for m in self.milestones if m.kind == kind), None)

    def __str__(self) -> str:
        name = self.factory.name if self.factory else f"factory {self.factory_id}"
        return f"{name}, cycle {self.number}"


class Milestone(db.Model):
    __tablename__ = "milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    # What the job found when it ran: "done", "overdue" (for example no factory report submitted), "skipped".
    outcome: Mapped[str | None] = mapped_column(String(200))

    cycle: Mapped[Cycle] = relationship(back_populates="milestones")

    __table_args__ = (
        UniqueConstraint("cycle_id", "kind"),
        one_of("kind", MILESTONE_KINDS),
        # The sweep asks for "not done and due before now".
        Index("ix_milestone_pending", "done_at", "due_at"),
        # The panel's list goes by due day: its first page read from the index, not by sorting every milestone.
        Index("ix_milestone_due_at", "due_at"),
    )

    @property
    def label(self) -> str:
        return MILESTONE_LABELS.get(self.kind, self.kind)

    def is_overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at < now

    def __str__(self) -> str:
        return f"{self.label} ({self.due_at:%Y-%m-%d})"


class ServicePackage(db.Model):
    """What a service package gives a cycle that starts with it; staff edit the numbers in the admin panel."""

    __tablename__ = "service_package"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    first_cycle_visits: Mapped[int] = mapped_column(default=3)  # a factory new to the programme
    returning_visits: Mapped[int] = mapped_column(default=1)
    # The advisory period's length in days (advisory end and assessment due, from sign-up); None: the schedule's.
    advisory_days: Mapped[int | None]

    __table_args__ = (
        one_of("code", SERVICE_PACKAGES),
        CheckConstraint("first_cycle_visits >= 0 AND returning_visits >= 0", name="visits_positive"),
        CheckConstraint("advisory_days IS NULL OR advisory_days >= 1", name="advisory_days_positive"),
    )

    @property
    def label(self) -> str:
        return str(SERVICE_PACKAGE_LABELS.get(self.code, self.code))

    def __str__(self) -> str:
        return self.label
