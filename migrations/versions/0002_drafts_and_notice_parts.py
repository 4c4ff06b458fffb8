"""Drafted reports and notices composed at sending.

- report_content: a report's data and HTML body, apart from the report row that a release updates by the
  thousand (SQLite rewrites a whole row on update, body included);
- report.source_stamp: what a draft was made from, so the release publishes the draft as it is;
- notification.parts: what a notice's body is composed from when it is sent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN, not batch mode: on SQLite a batch copies the table and would lose its lower()
# expression indexes, which Alembic cannot reflect (SQLite has DROP COLUMN since 3.35).
def upgrade():
    op.create_table(
        "report_content",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name=op.f("fk_report_content_report_id_report"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_content")),
    )
    op.execute("INSERT INTO report_content (report_id, data, body_html) SELECT id, data, body_html FROM report "
               "WHERE data IS NOT NULL OR body_html IS NOT NULL")
    op.drop_column("report", "data")
    op.drop_column("report", "body_html")
    op.add_column("report", sa.Column("source_stamp", sa.String(length=40), nullable=True))
    op.add_column("notification", sa.Column("parts", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("notification", "parts")
    op.drop_column("report", "source_stamp")
    op.add_column("report", sa.Column("data", sa.JSON(), nullable=True))
    op.add_column("report", sa.Column("body_html", sa.Text(), nullable=True))
    op.execute("UPDATE report SET data = (SELECT c.data FROM report_content c WHERE c.report_id = report.id), "
               "body_html = (SELECT c.body_html FROM report_content c WHERE c.report_id = report.id)")
    op.drop_table("report_content")
