"""The evidence behind an assessment's answers (finding statement, methods, notes, attached files) and the review of
an assessment (its two assessors, days on site, worker-interview sample, submission, and each reviewer's decision).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("finding_statement", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("methods", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("notes", sa.String(length=4000), nullable=True))
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("first_assessor_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("second_assessor_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("days_on_site", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("worker_sample", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("review_status", sa.String(length=12), server_default="entering", nullable=False))
        batch.add_column(sa.Column("submitted_for_review_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("submitted_for_review_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_assessment_first_assessor_id_user"), "user", ["first_assessor_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_assessment_second_assessor_id_user"), "user", ["second_assessor_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_assessment_submitted_for_review_by_id_user"), "user",
                                 ["submitted_for_review_by_id"], ["id"], ondelete="SET NULL")
        batch.create_check_constraint(op.f("ck_assessment_review_status_valid"),
                                      "review_status IN ('entering', 'in_review', 'returned', 'approved')")
        batch.create_check_constraint(op.f("ck_assessment_days_on_site_range"), "days_on_site IS NULL OR days_on_site BETWEEN 1 AND 30")
        batch.create_check_constraint(op.f("ck_assessment_worker_sample_range"), "worker_sample IS NULL OR worker_sample >= 0")
    # Assessments completed before the review existed were complete: they count as approved.
    op.execute("UPDATE assessment SET review_status = 'approved' WHERE completed_at IS NOT NULL")

    op.create_table(
        "assessment_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("comments", sa.String(length=4000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision IN ('returned', 'approved')", name=op.f("ck_assessment_review_decision_valid")),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE",
                                name=op.f("fk_assessment_review_assessment_id_assessment")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user.id"], ondelete="SET NULL",
                                name=op.f("fk_assessment_review_reviewer_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_review")),
    )
    op.create_index(op.f("ix_assessment_review_assessment_id"), "assessment_review", ["assessment_id"])

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('jpeg', 'png', 'webp', 'pdf', 'xlsx', 'csv')",
                           name=op.f("ck_attachment_kind_valid")),
        sa.CheckConstraint("size > 0", name=op.f("ck_attachment_size_positive")),
        sa.ForeignKeyConstraint(["answer_id"], ["answer.id"], ondelete="CASCADE",
                                name=op.f("fk_attachment_answer_id_answer")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], ondelete="SET NULL",
                                name=op.f("fk_attachment_uploaded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("answer_id", "sha256", name=op.f("uq_attachment_answer_id_sha256")),
    )
    op.create_index(op.f("ix_attachment_answer_id"), "attachment", ["answer_id"])
    op.create_index(op.f("ix_attachment_sha256"), "attachment", ["sha256"])


def downgrade():
    op.drop_index(op.f("ix_attachment_sha256"), table_name="attachment")
    op.drop_index(op.f("ix_attachment_answer_id"), table_name="attachment")
    op.drop_table("attachment")
    op.drop_index(op.f("ix_assessment_review_assessment_id"), table_name="assessment_review")
    op.drop_table("assessment_review")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint(op.f("ck_assessment_worker_sample_range"), type_="check")
        batch.drop_constraint(op.f("ck_assessment_days_on_site_range"), type_="check")
        batch.drop_constraint(op.f("ck_assessment_review_status_valid"), type_="check")
        batch.drop_constraint(op.f("fk_assessment_submitted_for_review_by_id_user"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_assessment_second_assessor_id_user"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_assessment_first_assessor_id_user"), type_="foreignkey")
        for column in ("submitted_for_review_by_id", "submitted_for_review_at", "review_status", "worker_sample",
                       "days_on_site", "second_assessor_id", "first_assessor_id"):
            batch.drop_column(column)
    with op.batch_alter_table("answer") as batch:
        for column in ("notes", "methods", "finding_statement"):
            batch.drop_column(column)
