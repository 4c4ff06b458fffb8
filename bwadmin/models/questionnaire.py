"""Question banks (versioned), the responses that answer them, and the assessment."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import lower_index, one_of, utcnow

QUESTIONNAIRE_KINDS = ("assessment", "self_diagnosis", "committee_review")
QUESTION_TYPES = ("yes_no", "single_choice", "multiple_choice", "number", "text", "date")
RESPONSE_STATUSES = ("draft", "submitted")
# How a finding was established, as the programme's assessors say it.
EVIDENCE_METHODS = ("document_review", "observation", "management_interview", "worker_interview")
METHOD_LABELS = {
    "document_review": _l("Document review"),
    "observation": _l("Observation"),
    "management_interview": _l("Management interview"),
    "worker_interview": _l("Worker interview"),
}
FINDING_STATEMENT_MAX = 500  # one sentence of what was found
EVIDENCE_NOTES_MAX = 4000  # the assessor's notes on one answer
# entering (by its assessors, also after a return) → in_review → approved; returned goes back to entering work.
REVIEW_STATUSES = ("entering", "in_review", "returned", "approved")
REVIEW_DECISIONS = ("returned", "approved")
REVIEW_COMMENTS_MAX = 4000
# The clusters of the programme's compliance structure, keyed as the question banks key them (data/questionnaires).
# The banks name them in each language they carry; these names (in the reader's language) stand in where a bank
# has no name in that language.
CLUSTER_LABELS = {
    "child_labour": _l("Child labour"),
    "discrimination": _l("Discrimination"),
    "forced_labour": _l("Forced labour"),
    "freedom_of_association": _l("Freedom of association and collective bargaining"),
    "compensation": _l("Compensation"),
    "contracts_hr": _l("Contracts and human resources"),
    "osh": _l("Occupational safety and health"),
    "working_time": _l("Working time"),
}


class Questionnaire(db.Model):
    """One version of a question bank. Once published it never changes: editing makes a new version.

    A version belongs to a country (as factories name theirs, Factory.country, compared without regard to case) or,
    with no country, is the global template that countries without a version of their own answer. Versions are
    numbered per kind and country."""

    __tablename__ = "questionnaire"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(default=1)
    # The legal figures the questions read ({minimum_age} in a text): name → {"value", "unit", "currency", "period",
    # "sector", "source", "to_confirm"} (services/thresholds.py). Data, so that a changed figure is a new version.
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    title: Mapped[dict] = mapped_column(JSON, default=dict)  # {"en": ..., "es": ...}
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["en"])
    # Labels of clusters and compliance points, in display order (see the data files' format).
    structure: Mapped[dict] = mapped_column(JSON, default=dict)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire", cascade="all, delete-orphan", order_by="Question.position"
    )

    __table_args__ = (
        UniqueConstraint("kind", "country", "version"),
        # NULL countries never collide in a unique constraint: the global template's numbers get their own index.
        Index("uq_questionnaire_global_version", "kind", "version", unique=True,
              sqlite_where=text("country IS NULL"), postgresql_where=text("country IS NULL")),
        one_of("kind", QUESTIONNAIRE_KINDS),
    )

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def __str__(self) -> str:
        title = (self.title or {}).get("en", self.kind)
        where = f" ({self.country})" if self.country and self.country.lower() not in title.lower() else ""
        return f"{title}{where} v{self.version}"


class Question(db.Model):
    __tablename__ = "question"
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(40))
    cluster: Mapped[str] = mapped_column(String(40))
    compliance_point: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(20), default="yes_no")
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    help: Mapped[dict | None] = mapped_column(JSON)
    choices: Mapped[list | None] = mapped_column(JSON)
    required: Mapped[bool] = mapped_column(default=True)
    allow_na: Mapped[bool] = mapped_column(default=False)
    noncompliant_answer: Mapped[str | None] = mapped_column(String(8))
    zero_tolerance: Mapped[bool] = mapped_column(default=False)
    committee: Mapped[bool] = mapped_column(default=False)
    show_if: Mapped[dict | None] = mapped_column(JSON)  # {"question": CODE, "equals": VALUE}
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    # What the question checks in law, in this version: {"law": ..., "article": ..., "to_confirm": bool}.
    legal_reference: Mapped[dict | None] = mapped_column(JSON)
    # A self-diagnosis question: the codes of the assessment questions it anticipates (the gap compares them).
    anticipates: Mapped[list | None] = mapped_column(JSON)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")

    __table_args__ = (
        UniqueConstraint("questionnaire_id", "code"),
        one_of("type", QUESTION_TYPES),
        CheckConstraint(
            "noncompliant_answer IS NULL OR noncompliant_answer IN ('yes', 'no')", name="noncompliant_valid"
        ),
        CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="bounds_order"),
    )

    def text_in(self, language: str, thresholds: dict | None = None) -> str:
        """The question in `language` (else English), reading `thresholds` (a response's copy), else its version's."""
        from ..services.thresholds import render

        text = (self.text or {}).get(language) or (self.text or {}).get("en") or self.code
        if "{" in text and thresholds is None:
            thresholds = self.questionnaire.thresholds if self.questionnaire is not None else None
        return render(text, thresholds, language)

    def __str__(self) -> str:
        return f"{self.code}: {self.text_in('en')}"


class Response(db.Model):
    """A cycle's answers to one questionnaire version: a draft until submitted, then read-only."""

    __tablename__ = "response"
    str_loads = ("cycle",)  # what __str__ reads: the admin lists load it with the row
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The version's thresholds when the response was started, kept: the response reads with them for good.
    thresholds: Mapped[dict | None] = mapped_column(JSON)

    cycle: Mapped["Cycle"] = relationship()  # noqa: F821
    questionnaire: Mapped[Questionnaire] = relationship()
    submitted_by: Mapped["User | None"] = relationship()  # noqa: F821
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("cycle_id", "kind"),
        one_of("kind", QUESTIONNAIRE_KINDS),
        one_of("status", RESPONSE_STATUSES),
        CheckConstraint("status != 'submitted' OR submitted_at IS NOT NULL", name="submitted_stamped"),
    )

    def __str__(self) -> str:
        return f"{self.kind} of {self.cycle} ({self.status})"


class Answer(db.Model):
    __tablename__ = "answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    value: Mapped[object | None] = mapped_column(JSON)
    # What was typed when it did not validate (value stays the last valid one): kept so nothing is lost.
    raw_input: Mapped[str | None] = mapped_column(Text)
    # The evidence behind an assessment's answer: what was found (shown in reports instead of the question), how
    # (EVIDENCE_METHODS), the assessor's notes, and the attached files (Attachment).
    finding_statement: Mapped[str | None] = mapped_column(String(FINDING_STATEMENT_MAX))
    methods: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    notes: Mapped[str | None] = mapped_column(String(EVIDENCE_NOTES_MAX))

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821
        back_populates="answer", cascade="all, delete-orphan", order_by="Attachment.id")

    __table_args__ = (UniqueConstraint("response_id", "question_id"),)


class Assessment(db.Model):
    """The programme's unannounced assessment of a cycle: two assessors, two days. Its assessors submit it for
    review; a reviewer (another staff member) approves it, which completes it (completed_at), or returns it."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), unique=True)
    assessed_on: Mapped[date]
    assessors: Mapped[str | None] = mapped_column(String(300))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    first_assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    second_assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    days_on_site: Mapped[int | None]
    worker_sample: Mapped[int | None]  # workers interviewed
    review_status: Mapped[str] = mapped_column(String(12), default="entering", server_default="entering")
    submitted_for_review_at: Mapped[datetime | None]
    submitted_for_review_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    cycle: Mapped["Cycle"] = relationship(back_populates="assessment")  # noqa: F821
    response: Mapped[Response | None] = relationship()
    first_assessor: Mapped["User | None"] = relationship(foreign_keys=[first_assessor_id])  # noqa: F821
    second_assessor: Mapped["User | None"] = relationship(foreign_keys=[second_assessor_id])  # noqa: F821
    submitted_for_review_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[submitted_for_review_by_id])
    reviews: Mapped[list[AssessmentReview]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentReview.id")

    __table_args__ = (
        one_of("review_status", REVIEW_STATUSES),
        CheckConstraint("days_on_site IS NULL OR days_on_site BETWEEN 1 AND 30", name="days_on_site_range"),
        CheckConstraint("worker_sample IS NULL OR worker_sample >= 0", name="worker_sample_range"),
    )

    @property
    def assessor_ids(self) -> set[int]:
        return {i for i in (self.first_assessor_id, self.second_assessor_id) if i is not None}

    def __str__(self) -> str:
        return f"Assessment {self.assessed_on}"


class AssessmentReview(db.Model):
    """One decision of a reviewer on an assessment: approved, or returned with comments the assessors read."""

    __tablename__ = "assessment_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(10))
    comments: Mapped[str | None] = mapped_column(String(REVIEW_COMMENTS_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="reviews")
    reviewer: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (one_of("decision", REVIEW_DECISIONS),)

    def __str__(self) -> str:
        return f"{self.decision} {self.created_at:%Y-%m-%d}" if self.created_at else self.decision


lower_index(Question, "code", "cluster", "compliance_point")
