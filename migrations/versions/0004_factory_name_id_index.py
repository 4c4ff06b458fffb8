"""Factory pages go by (name, id): one index on both, in place of the index on name alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain CREATE / DROP INDEX, not batch mode: on SQLite a batch copies the table and would lose its lower()
# expression indexes, which Alembic cannot reflect.
def upgrade():
    op.create_index("ix_factory_name_id", "factory", ["name", "id"], unique=False)
    op.drop_index("ix_factory_name", table_name="factory")


def downgrade():
    op.create_index("ix_factory_name", "factory", ["name"], unique=False)
    op.drop_index("ix_factory_name_id", table_name="factory")
