"""The public transparency page: the issues published per country, and each factory's response to its results.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "transparency_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('compliance_point', 'question')", name=op.f("ck_transparency_issue_kind_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transparency_issue")),
        sa.UniqueConstraint("country", "kind", "code", name=op.f("uq_transparency_issue_country_kind_code")),
    )
    op.create_table(
        "transparency_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_text", sa.Text(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status != 'approved' OR (approved_text IS NOT NULL AND approved_at IS NOT NULL)",
                           name=op.f("ck_transparency_response_approved_stamped")),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected')",
                           name=op.f("ck_transparency_response_status_valid")),
        sa.CheckConstraint("approved_text IS NULL OR length(approved_text) <= 2000",
                           name=op.f("ck_transparency_response_approved_text_length")),
        sa.CheckConstraint("length(text) <= 2000", name=op.f("ck_transparency_response_text_length")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user.id"],
                                name=op.f("fk_transparency_response_approved_by_id_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_transparency_response_cycle_id_cycle"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user.id"],
                                name=op.f("fk_transparency_response_submitted_by_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transparency_response")),
        sa.UniqueConstraint("cycle_id", name=op.f("uq_transparency_response_cycle_id")),
    )
    op.create_index(op.f("ix_transparency_response_status"), "transparency_response", ["status"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_transparency_response_status"), table_name="transparency_response")
    op.drop_table("transparency_response")
    op.drop_table("transparency_issue")
