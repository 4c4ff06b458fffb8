"""Differentiation as the programme measures it, and the service package a cycle starts with.

- service_package: what the standard and the advanced package give a cycle (advisory visits, the advisory period's
  length), rows staff edit; seeded with the defaults.
- cycle: the package it started with and what that set (planned_visits, advisory_days); earlier cycles are standard,
  with the programme's rule for visits (planned_visits NULL) and the schedule's advisory period (advisory_days NULL).
- differentiation_criterion: three more kinds (sustained results over two cycles, committee meetings during the
  cycle, verified remediation); where the criteria are seeded already, the new default criteria are added to them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD_KINDS = ("no_zero_tolerance", "max_noncompliance_rate", "min_committee_score", "min_needs_closed_share",
             "progress_reports_on_time")
NEW_KINDS = ("no_zero_tolerance", "max_noncompliance_rate", "sustained_noncompliance_rate", "min_committee_score",
             "min_committee_meetings", "min_needs_closed_share", "min_verified_actions_share",
             "progress_reports_on_time")
# code, English name, kind, threshold: the defaults (services/differentiation.DEFAULT_CRITERIA) this revision adds.
NEW_CRITERIA = (
    ("sustained_rate", "Overall non-compliance under 25% in this cycle's and the previous cycle's assessment",
     "sustained_noncompliance_rate", 0.25),
    ("committee_meetings", "At least 4 committee meetings held during the cycle", "min_committee_meetings", 4.0),
    ("verified_remediation", "At least 80% of the improvement plan's actions verified", "min_verified_actions_share",
     0.8),
)


def _kinds(values) -> str:
    return "kind IN ({})".format(", ".join(f"'{v}'" for v in values))


def _criterion_kinds(values) -> None:
    # Batch mode: SQLite cannot alter a check constraint in place, only copy the table with the new one.
    with op.batch_alter_table("differentiation_criterion") as batch:
        batch.drop_constraint(op.f("ck_differentiation_criterion_kind_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_differentiation_criterion_kind_valid"), _kinds(values))


def upgrade():
    packages = op.create_table(
        "service_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("first_cycle_visits", sa.Integer(), nullable=False),
        sa.Column("returning_visits", sa.Integer(), nullable=False),
        sa.Column("advisory_days", sa.Integer(), nullable=True),
        sa.CheckConstraint("code IN ('standard', 'advanced')", name=op.f("ck_service_package_code_valid")),
        sa.CheckConstraint("first_cycle_visits >= 0 AND returning_visits >= 0",
                           name=op.f("ck_service_package_visits_positive")),
        sa.CheckConstraint("advisory_days IS NULL OR advisory_days >= 1",
                           name=op.f("ck_service_package_advisory_days_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_package")),
        sa.UniqueConstraint("code", name=op.f("uq_service_package_code")),
    )
    op.bulk_insert(packages, [
        {"code": "standard", "first_cycle_visits": 3, "returning_visits": 1, "advisory_days": None},
        {"code": "advanced", "first_cycle_visits": 1, "returning_visits": 0, "advisory_days": 60},
    ])
    with op.batch_alter_table("cycle") as batch:
        batch.add_column(sa.Column("service_package", sa.String(length=16), nullable=False,
                                   server_default="standard"))
        batch.add_column(sa.Column("planned_visits", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("advisory_days", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_cycle_service_package_valid"),
                                      "service_package IN ('standard', 'advanced')")
        batch.create_check_constraint(op.f("ck_cycle_planned_visits_positive"),
                                      "planned_visits IS NULL OR planned_visits >= 0")
        batch.create_check_constraint(op.f("ck_cycle_advisory_days_positive"),
                                      "advisory_days IS NULL OR advisory_days >= 1")
    _criterion_kinds(NEW_KINDS)
    # Criteria seeded already (the first measurement seeds them) get the new defaults beside staff's own; an empty
    # table is seeded whole at the first measurement.
    criteria = sa.table("differentiation_criterion", sa.column("code", sa.String), sa.column("name", sa.String),
                        sa.column("kind", sa.String), sa.column("threshold", sa.Float),
                        sa.column("active", sa.Boolean))
    bind = op.get_bind()
    codes = set(bind.execute(sa.select(criteria.c.code)).scalars())
    if codes:
        op.bulk_insert(criteria, [{"code": code, "name": name, "kind": kind, "threshold": threshold, "active": True}
                                  for code, name, kind, threshold in NEW_CRITERIA if code not in codes])


def downgrade():
    op.execute("DELETE FROM differentiation_criterion WHERE kind IN "
               "('sustained_noncompliance_rate', 'min_committee_meetings', 'min_verified_actions_share')")
    _criterion_kinds(OLD_KINDS)
    with op.batch_alter_table("cycle") as batch:
        batch.drop_constraint(op.f("ck_cycle_advisory_days_positive"), type_="check")
        batch.drop_constraint(op.f("ck_cycle_planned_visits_positive"), type_="check")
        batch.drop_constraint(op.f("ck_cycle_service_package_valid"), type_="check")
        batch.drop_column("advisory_days")
        batch.drop_column("planned_visits")
        batch.drop_column("service_package")
    op.drop_table("service_package")
