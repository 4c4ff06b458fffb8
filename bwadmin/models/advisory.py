"""The advisory work of a cycle: visits, the committee and its elections, needs, training, seminars."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import lower_index, one_of, utcnow

VISIT_FOCUSES = ("general", "committee", "self_diagnosis", "needs", "follow_up")
SIDES = ("worker", "management")
GENDERS = ("female", "male", "other")
ELECTION_STATUSES = ("planned", "nominating", "held", "certified")
NEED_AREAS = ("labour_compliance", "management_systems", "training")
NEED_STATUSES = ("open", "in_progress", "done", "dropped")
NEED_SOURCES = ("committee", "advisor", "assessment", "self_diagnosis")


class AdvisoryVisit(db.Model):
    __tablename__ = "advisory_visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    visited_on: Mapped[date] = mapped_column(index=True)
    focus: Mapped[str] = mapped_column(String(20), default="general")
    notes: Mapped[str | None] = mapped_column(Text)

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    advisor: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (one_of("focus", VISIT_FOCUSES),)

    def __str__(self) -> str:
        return f"Visit {self.visited_on}"


class Committee(db.Model):
    """The worker-management committee (PICC) of a factory; it outlives cycles."""

    __tablename__ = "committee"
    str_loads = ("factory",)  # what __str__ reads: the admin lists load it with the row
    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"), unique=True)
    established_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)

    factory: Mapped["Factory"] = relationship(back_populates="committee")  # noqa: F821
    members: Mapped[list[CommitteeMember]] = relationship(back_populates="committee", cascade="all, delete-orphan")
    elections: Mapped[list[Election]] = relationship(back_populates="committee", cascade="all, delete-orphan")
    meetings: Mapped[list[CommitteeMeeting]] = relationship(
        back_populates="committee", cascade="all, delete-orphan", order_by="CommitteeMeeting.held_on"
    )

    def __str__(self) -> str:
        return f"Committee of {self.factory}" if self.factory else "Committee"


class CommitteeMember(db.Model):
    __tablename__ = "committee_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    side: Mapped[str] = mapped_column(String(12))
    position: Mapped[str | None] = mapped_column(String(120))
    department: Mapped[str | None] = mapped_column(String(120))
    gender: Mapped[str | None] = mapped_column(String(8))
    union_representative: Mapped[bool] = mapped_column(default=False)
    election_id: Mapped[int | None] = mapped_column(ForeignKey("election.id", ondelete="SET NULL"))
    term_start: Mapped[date | None]
    term_end: Mapped[date | None]

    committee: Mapped[Committee] = relationship(back_populates="members")
    election: Mapped[Election | None] = relationship()

    __table_args__ = (
        one_of("side", SIDES),
        CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'other')", name="gender_valid"),
        CheckConstraint("term_end IS NULL OR term_start IS NULL OR term_end >= term_start", name="term_order"),
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.side})"


class CommitteeMeeting(db.Model):
    __tablename__ = "committee_meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    attendance: Mapped[int | None]
    minutes: Mapped[str | None] = mapped_column(Text)

    committee: Mapped[Committee] = relationship(back_populates="meetings")

    __table_args__ = (CheckConstraint("attendance IS NULL OR attendance >= 0", name="attendance_positive"),)

    def __str__(self) -> str:
        return f"Meeting {self.held_on}"


class Election(db.Model):
    """Election of the committee's worker representatives."""

    __tablename__ = "election"
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id", ondelete="SET NULL"), index=True)
    nominations_open_on: Mapped[date | None]
    held_on: Mapped[date | None]
    seats: Mapped[int] = mapped_column(default=1)
    eligible_voters: Mapped[int | None]
    ballots_cast: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default="planned")
    tie_resolution: Mapped[str | None] = mapped_column(Text)

    committee: Mapped[Committee] = relationship(back_populates="elections")
    cycle: Mapped["Cycle | None"] = relationship()  # noqa: F821
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="Candidate.name"
    )

    __table_args__ = (
        one_of("status", ELECTION_STATUSES),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("eligible_voters IS NULL OR eligible_voters >= 0", name="voters_positive"),
        CheckConstraint(
            "ballots_cast IS NULL OR (ballots_cast >= 0 AND (eligible_voters IS NULL OR ballots_cast <= eligible_voters))",
            name="ballots_within_voters",
        ),
    )

    def __str__(self) -> str:
        return f"Election {self.held_on or '(not held)'}"


class Candidate(db.Model):
    __tablename__ = "candidate"
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(120))
    gender: Mapped[str | None] = mapped_column(String(8))
    votes: Mapped[int | None]
    elected: Mapped[bool] = mapped_column(default=False)

    election: Mapped[Election] = relationship(back_populates="candidates")

    __table_args__ = (
        UniqueConstraint("election_id", "name"),
        CheckConstraint("votes IS NULL OR votes >= 0", name="votes_positive"),
        CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'other')", name="gender_valid"),
    )

    def __str__(self) -> str:
        return self.name


class Need(db.Model):
    """A need the committee or advisor identified, with its target."""

    __tablename__ = "need"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300))
    target: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="open")
    early_improvement: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16), default="committee")
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    question: Mapped["Question | None"] = relationship()  # noqa: F821

    __table_args__ = (
        one_of("area", NEED_AREAS),
        one_of("status", NEED_STATUSES),
        one_of("source", NEED_SOURCES),
    )

    def __str__(self) -> str:
        return self.title


class TrainingSession(db.Model):
    __tablename__ = "training_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date]
    days: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    participants: Mapped[int | None]

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    need: Mapped[Need | None] = relationship()

    __table_args__ = (
        CheckConstraint("days > 0", name="days_positive"),
        CheckConstraint("participants IS NULL OR participants >= 0", name="participants_positive"),
    )

    def __str__(self) -> str:
        return self.topic


class Seminar(db.Model):
    """A learning seminar: a group session for the factories of a country."""

    __tablename__ = "seminar"
    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(index=True)
    location: Mapped[str | None] = mapped_column(String(300))
    number: Mapped[int | None]

    attendances: Mapped[list[SeminarAttendance]] = relationship(
        back_populates="seminar", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("number IS NULL OR number BETWEEN 1 AND 4", name="number_1_to_4"),)

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class SeminarAttendance(db.Model):
    __tablename__ = "seminar_attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime | None]
    attended: Mapped[bool] = mapped_column(default=False)
    attendees: Mapped[int | None]

    seminar: Mapped[Seminar] = relationship(back_populates="attendances")
    cycle: Mapped["Cycle"] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("seminar_id", "cycle_id"),
        CheckConstraint("attendees IS NULL OR attendees >= 0", name="attendees_positive"),
    )


lower_index(CommitteeMember, "name")
lower_index(Candidate, "name")
lower_index(Need, "title")
lower_index(TrainingSession, "topic")
lower_index(Seminar, "title", "country")
