"""Assessment data that travels: the record of an imported assessment (its export's id, so it is imported once),
and the factory's revocable share links (only the hash of each link's token is stored).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assessment_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("signatures", sa.JSON(), nullable=True),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE",
                                name=op.f("fk_assessment_import_assessment_id_assessment")),
        sa.ForeignKeyConstraint(["imported_by_id"], ["user.id"], ondelete="SET NULL",
                                name=op.f("fk_assessment_import_imported_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_import")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_assessment_import_assessment_id")),
        sa.UniqueConstraint("key", name=op.f("uq_assessment_import_key")),
    )
    op.create_table(
        "share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_opened_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE",
                                name=op.f("fk_share_link_report_id_report")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="SET NULL",
                                name=op.f("fk_share_link_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_link_token_hash")),
    )
    op.create_index(op.f("ix_share_link_report_id"), "share_link", ["report_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_share_link_report_id"), table_name="share_link")
    op.drop_table("share_link")
    op.drop_table("assessment_import")
