"""Reports released on the clock, the factory's own plan, and differentiation."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import one_of, utcnow

REPORT_KINDS = (
    "assessment",
    "self_diagnosis",
    "improvement_plan",
    "factory_progress",
    "programme_progress",
    "differentiation",
)
# In the reader's language wherever they are shown; a report's stored title (Report.title) keeps the English one.
REPORT_LABELS = {
    "assessment": _l("Assessment report"),
    "self_diagnosis": _l("Self-diagnosis results"),
    "improvement_plan": _l("Improvement plan"),
    "factory_progress": _l("Factory progress report"),
    "programme_progress": _l("Programme progress report"),
    "differentiation": _l("Differentiation results"),
}
# The kinds whose PDF the programme makes, each by a job of its own after the release: every kind, each written from
# its template (services/report_docs.RENDERED_KINDS).
PDF_KINDS = ("assessment", "self_diagnosis", "programme_progress", "factory_progress", "differentiation",
             "improvement_plan")


def pdf_pending(released_at, kind: str, file_path: str | None) -> bool:
    """Released, of a kind that has a PDF, and its PDF not made yet (its job is queued or running)."""
    return released_at is not None and kind in PDF_KINDS and not file_path


# An action of the plan: planned → in progress → done (declared by the factory, with its evidence) → verified by the
# programme's staff; staff may reopen a done or verified action (with a reason): it is in progress again.
ACTION_STATUSES = ("planned", "in_progress", "done", "verified")
# Where the finding an action answers comes from: the assessment, or the factory's own self-diagnosis.
ACTION_SOURCES = ("assessment", "self_diagnosis")
# How staff verified that an action is done: seen on a visit, or from the evidence the factory gave.
VERIFY_METHODS = ("visit", "evidence")

# The longest text a person may write in each field of the portals (and the staff's answer to a flag): the services
# refuse longer with a message beside the field, and the columns hold exactly this much.
SHARE_MESSAGE_MAX = 1000  # a buyer's note to a factory with its request to share
FLAG_COMMENT_MAX = 5000  # a flag names an error, it is not a second report
FLAG_ANSWER_MAX = 2000  # staff's answer to a flag
ACTION_TEXT_MAX = 2000  # what the factory does about one finding
ACTION_OWNER_MAX = 200  # who is responsible for it
ACTION_EVIDENCE_MAX = 2000  # what shows an action is done: the factory's note with its declaration
ACTION_NOTE_MAX = 1000  # staff's reason to reopen an action, or their note with a verification

CRITERION_KINDS = (
    "no_zero_tolerance",
    "max_noncompliance_rate",
    "sustained_noncompliance_rate",  # this cycle's and the previous cycle's assessment, each under the threshold
    "min_committee_score",
    "min_committee_meetings",  # committee meetings held from the cycle's sign-up to the measurement
    "min_needs_closed_share",
    "min_verified_actions_share",  # the improvement plan's actions verified by the advisor
    "progress_reports_on_time",
)


class Report(db.Model):
    __tablename__ = "report"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300), default="")
    # What the body was made from (answers, assessment details, factory header), hashed: a release publishes the
    # draft the factory reviewed as it is while this still matches, and makes it again when it does not.
    source_stamp: Mapped[str | None] = mapped_column(String(40))
    file_path: Mapped[str | None] = mapped_column(String(500))  # PDF, relative to instance/reports
    submitted_at: Mapped[datetime | None]  # for the factory's own reports
    release_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An assessment's figures, kept beside its data when the data is written (services/report_figures): the lists
    # sort and filter by them without reading the data. None on other kinds and before the assessment is scored.
    assessed_on: Mapped[date | None]
    overall_rate: Mapped[float | None]  # non-compliance, 0 to 1
    cluster_rates: Mapped[dict | None] = mapped_column(JSON)  # cluster key → rate, the clusters assessed
    zero_tolerance_found: Mapped[bool | None]
    public_issue_found: Mapped[bool | None]  # a finding on an issue the country's transparency page publishes

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    content: Mapped["ReportContent | None"] = relationship(
        back_populates="report", cascade="all, delete-orphan")

    # The report's data and body live in report_content: a release flips released_at on thousands of reports at
    # once, and a row that carried its 20 kB body would be written whole each time (SQLite rewrites the row).
    data = association_proxy("content", "data", creator=lambda value: ReportContent(data=value))
    body_html = association_proxy("content", "body_html", creator=lambda value: ReportContent(body_html=value))

    __table_args__ = (
        UniqueConstraint("cycle_id", "kind"),
        one_of("kind", REPORT_KINDS),
        Index("ix_report_released", "released_at"),
    )

    @property
    def released(self) -> bool:
        return self.released_at is not None

    @property
    def pdf_pending(self) -> bool:
        return pdf_pending(self.released_at, self.kind, self.file_path)

    def __str__(self) -> str:
        return self.title or f"{self.kind} report"


class ReportContent(db.Model):
    """What a report says: the data it was made from (scores, sections) and its HTML body. One per report."""

    __tablename__ = "report_content"
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict | None] = mapped_column(JSON)
    body_html: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="content")


class ReportFlag(db.Model):
    """A factual error the factory flags in the draft report before release."""

    __tablename__ = "report_flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(String(FLAG_COMMENT_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Staff's answer to the flag, which the factory reads beside it, and when it was given.
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(FLAG_ANSWER_MAX))

    report: Mapped[Report] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821


class ImprovementAction(db.Model):
    """One row of the factory's improvement plan: a finding (of the assessment or of the self-diagnosis) and what the
    factory does about it, with its way to verified (services/remediation holds the rule of each step)."""

    __tablename__ = "improvement_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="assessment")
    finding: Mapped[str] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(ACTION_TEXT_MAX))
    owner: Mapped[str | None] = mapped_column(String(ACTION_OWNER_MAX))
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="planned")
    # An action on the committee's own issues: its "done" needs a worker representative's co-signature.
    committee_action: Mapped[bool] = mapped_column(default=False)
    # The finding returned at this assessment after the action on it was verified in the cycle before.
    recurring: Mapped[bool] = mapped_column(default=False)
    evidence: Mapped[str | None] = mapped_column(String(ACTION_EVIDENCE_MAX))
    declared_at: Mapped[datetime | None]  # when the factory declared it done
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cosigned_at: Mapped[datetime | None]
    cosigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    verified_how: Mapped[str | None] = mapped_column(String(12))
    verify_note: Mapped[str | None] = mapped_column(String(ACTION_NOTE_MAX))
    reopened_at: Mapped[datetime | None]
    reopen_reason: Mapped[str | None] = mapped_column(String(ACTION_NOTE_MAX))

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    question: Mapped["Question | None"] = relationship()  # noqa: F821
    declared_by: Mapped["User | None"] = relationship(foreign_keys=[declared_by_id])  # noqa: F821
    verified_by: Mapped["User | None"] = relationship(foreign_keys=[verified_by_id])  # noqa: F821
    cosigned_by: Mapped["CommitteeMember | None"] = relationship()  # noqa: F821

    __table_args__ = (
        one_of("status", ACTION_STATUSES),
        one_of("source", ACTION_SOURCES),
        CheckConstraint("verified_how IS NULL OR verified_how IN ('visit', 'evidence')", name="verified_how_valid"),
        CheckConstraint("status != 'verified' OR verified_at IS NOT NULL", name="verified_stamped"),
    )

    def __str__(self) -> str:
        return (self.finding or "")[:80]


class DifferentiationCriterion(db.Model):
    __tablename__ = "differentiation_criterion"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[float | None]
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (one_of("kind", CRITERION_KINDS),)

    def __str__(self) -> str:
        return self.name


class DifferentiationResult(db.Model):
    __tablename__ = "differentiation_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("differentiation_criterion.id", ondelete="CASCADE"))
    passed: Mapped[bool]
    value: Mapped[float | None]
    measured_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    criterion: Mapped[DifferentiationCriterion] = relationship()

    __table_args__ = (UniqueConstraint("cycle_id", "criterion_id"),)


class ShareRequest(db.Model):
    """A buyer asks a factory to share its results; the factory accepts or declines."""

    __tablename__ = "share_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyer.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    message: Mapped[str | None] = mapped_column(String(SHARE_MESSAGE_MAX))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    buyer: Mapped["Buyer"] = relationship()  # noqa: F821
    factory: Mapped["Factory"] = relationship()  # noqa: F821

    __table_args__ = (
        one_of("status", ("pending", "accepted", "declined")),
        CheckConstraint("status = 'pending' OR decided_at IS NOT NULL", name="decided_stamped"),
        # One open request per buyer and factory, even when the buyer asks twice at the same moment.
        Index("uq_share_request_open", "buyer_id", "factory_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )
