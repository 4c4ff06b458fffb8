"""Question banks per country: a version belongs to a country (none: the global template) and carries its thresholds;
a question its legal reference and, in the self-diagnosis, the assessment questions it anticipates; a response keeps
the thresholds it was answered with.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GLOBAL = "country IS NULL"


def upgrade():
    with op.batch_alter_table("questionnaire") as batch:
        batch.add_column(sa.Column("country", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("thresholds", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch.drop_constraint("uq_questionnaire_kind_version", type_="unique")
        batch.create_unique_constraint(batch.f("uq_questionnaire_kind_country_version"), ["kind", "country", "version"])
        batch.create_index(batch.f("ix_questionnaire_country"), ["country"], unique=False)
    # Existing versions are all global: their numbers stay unique among the global ones.
    op.create_index("uq_questionnaire_global_version", "questionnaire", ["kind", "version"], unique=True,
                    sqlite_where=sa.text(GLOBAL), postgresql_where=sa.text(GLOBAL))
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("legal_reference", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("anticipates", sa.JSON(), nullable=True))
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("thresholds", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("response") as batch:
        batch.drop_column("thresholds")
    with op.batch_alter_table("question") as batch:
        batch.drop_column("anticipates")
        batch.drop_column("legal_reference")
    # SQLite's copy of the table leaves out the indexes on lower(column) (the panel's prefix search): made again.
    for column in ("code", "cluster", "compliance_point"):
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_question_lower_{column} ON question (lower({column}))")
    op.drop_index("uq_questionnaire_global_version", table_name="questionnaire")
    # Country versions share numbers with the global ones: they move after every number in use (ids are distinct).
    op.execute("UPDATE questionnaire SET version = id + (SELECT MAX(q.version) FROM questionnaire q) "
               "WHERE country IS NOT NULL")
    with op.batch_alter_table("questionnaire") as batch:
        batch.drop_index(batch.f("ix_questionnaire_country"))
        batch.drop_constraint("uq_questionnaire_kind_country_version", type_="unique")
        batch.create_unique_constraint(batch.f("uq_questionnaire_kind_version"), ["kind", "version"])
        batch.drop_column("thresholds")
        batch.drop_column("country")
