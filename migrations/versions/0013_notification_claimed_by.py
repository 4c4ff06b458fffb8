"""A notice being sent names the process that claimed it, so the sweep settles a batch whose process is gone even
when Redis lost its job.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("notification", sa.Column("claimed_by", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("claimed_by")
    # SQLite's copy of the table leaves out the index on lower(email) (the panel's search): made again.
    op.execute("CREATE INDEX IF NOT EXISTS ix_notification_lower_email ON notification (lower(email))")
