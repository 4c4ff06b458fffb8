"""Factory pages go by (name, id): one index on both, in place of the index on name alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""
from alembic import op

revision = "0003"
down_revision = "0002"
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
