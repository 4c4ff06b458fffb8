"""What factories and buyers write in the portals has a length the columns hold: a buyer's message with its request
to share, a flag's comment and staff's answer, a plan's action; and one open request to share per buyer and factory.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# table, column, longest text, nullable
LIMITS = (
    ("share_request", "message", 1000, True),
    ("report_flag", "comment", 5000, False),
    ("report_flag", "resolution", 2000, True),
    ("improvement_action", "action", 2000, True),
)
OPEN = "status = 'pending'"


def upgrade():
    for table, column, limit, _ in LIMITS:
        # Older rows longer than the limit keep its first characters: PostgreSQL refuses to narrow the column else.
        op.execute(f"UPDATE {table} SET {column} = substr({column}, 1, {limit}) WHERE length({column}) > {limit}")
    for table, column, limit, nullable in LIMITS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=limit),
                               existing_nullable=nullable)
    # Two open requests of a buyer to a factory (a double click) are one: the older stays, the copies go.
    op.execute("DELETE FROM share_request WHERE status = 'pending' "
               "AND EXISTS (SELECT 1 FROM share_request older WHERE older.status = 'pending' "
               "AND older.buyer_id = share_request.buyer_id AND older.factory_id = share_request.factory_id "
               "AND older.id < share_request.id)")
    op.create_index("uq_share_request_open", "share_request", ["buyer_id", "factory_id"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.drop_index("uq_share_request_open", table_name="share_request")
    for table, column, limit, nullable in LIMITS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.String(length=limit), type_=sa.Text(),
                               existing_nullable=nullable)
