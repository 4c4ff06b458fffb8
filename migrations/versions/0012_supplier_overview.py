"""The buyer's supplier overview and audits avoided: an assessment report keeps its figures on its row (the day
assessed, the overall and per-cluster non-compliance rates, whether a zero-tolerance issue or a non-compliance on a
published transparency issue was found), filled here for the reports already written; and the other audits buyers ask
of a factory, as the factory records them.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

FIGURES = (("assessed_on", sa.Date()), ("overall_rate", sa.Double()), ("cluster_rates", sa.JSON()),
           ("zero_tolerance_found", sa.Boolean()), ("public_issue_found", sa.Boolean()))
CHUNK = 500


def upgrade():
    with op.batch_alter_table("report") as batch:
        for name, type_ in FIGURES:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_table(
        "other_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("audited_on", sa.Date(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=True),
        sa.Column("scheme", sa.String(length=200), nullable=False),
        sa.Column("days", sa.Numeric(precision=4, scale=1, asdecimal=False), nullable=False),
        sa.Column("avoided", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("days >= 0.5 AND days <= 30", name=op.f("ck_other_audit_days_in_range")),
        sa.ForeignKeyConstraint(["buyer_id"], ["buyer.id"], name=op.f("fk_other_audit_buyer_id_buyer"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_other_audit_created_by_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"], name=op.f("fk_other_audit_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_other_audit")),
    )
    op.create_index("ix_other_audit_factory", "other_audit", ["factory_id", "audited_on"], unique=False)
    _fill_figures()


def _fill_figures():
    """The figures of the assessment reports already written, from their data, as the release writes them."""
    # The rule itself (a pure function of a report's data and its country's published issues), not a copy of it.
    from bwadmin.services.report_figures import Issues, figures

    bind = op.get_bind()
    grouped = {}
    for country, kind, code in bind.execute(sa.text(
            "SELECT lower(country), kind, code FROM transparency_issue WHERE active = :yes"), {"yes": True}):
        points, questions = grouped.setdefault(country, (set(), set()))
        (points if kind == "compliance_point" else questions).add(code)
    issues = {country: Issues(frozenset(p), frozenset(q)) for country, (p, q) in grouped.items()}
    report = sa.table("report", sa.column("id", sa.Integer), *(sa.column(name, type_) for name, type_ in FIGURES))
    update = sa.update(report).where(report.c.id == sa.bindparam("report_id"))
    ids = [row[0] for row in bind.execute(sa.text(
        "SELECT id FROM report WHERE kind = 'assessment' ORDER BY id"))]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = bind.execute(sa.text(
            "SELECT report.id, factory.country, report_content.data FROM report "
            "JOIN cycle ON cycle.id = report.cycle_id JOIN factory ON factory.id = cycle.factory_id "
            "LEFT JOIN report_content ON report_content.report_id = report.id WHERE report.id IN :ids")
            .bindparams(sa.bindparam("ids", expanding=True)), {"ids": chunk}).all()
        values = []
        for report_id, country, data in rows:
            if isinstance(data, str):
                try:
                    data = json.loads(data)
                except ValueError:
                    data = None
            values.append({"report_id": report_id, **figures(data, issues.get((country or "").lower()))})
        if values:
            bind.execute(update, values)


def downgrade():
    op.drop_index("ix_other_audit_factory", table_name="other_audit")
    op.drop_table("other_audit")
    with op.batch_alter_table("report") as batch:
        for name, _ in reversed(FIGURES):
            batch.drop_column(name)
