"""The panel's milestone and notification lists read their first page from an index on the column they are sorted
by (due_at, created_at), not by sorting the whole table: bench/scale.py's plans showed a sequential scan of each.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# Plain CREATE / DROP INDEX, not batch mode: on SQLite a batch copies the table and would lose its lower()
# expression indexes, which Alembic cannot reflect.
def upgrade():
    op.create_index("ix_milestone_due_at", "milestone", ["due_at"], unique=False)
    op.create_index("ix_notification_created_at", "notification", ["created_at"], unique=False)


def downgrade():
    op.drop_index("ix_notification_created_at", table_name="notification")
    op.drop_index("ix_milestone_due_at", table_name="milestone")
