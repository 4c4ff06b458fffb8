"""Seven languages a person may choose: English, Spanish, Vietnamese, Khmer, Indonesian, Bangla and Arabic.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEVEN = "'en', 'es', 'vi', 'km', 'id', 'bn', 'ar'"


def _replace(values: str) -> None:
    # Batch mode: SQLite cannot alter a check constraint in place, only copy the table with the new one.
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint(op.f("ck_user_language_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_user_language_valid"), f"language IN ({values})")
    if op.get_bind().dialect.name == "sqlite":
        # The copy leaves out the lower() indexes of the admin's search, which Alembic cannot reflect.
        for column in ("email", "name"):
            op.create_index(f"ix_user_lower_{column}", "user", [sa.text(f"lower({column})")])


def upgrade():
    _replace(SEVEN)


def downgrade():
    # Who chose a language the older schema does not know reads English again.
    op.execute("UPDATE \"user\" SET language = 'en' WHERE language NOT IN ('en', 'es')")
    _replace("'en', 'es'")
