"""Remediation that is checked, and the factory's reports counted from the release.

- improvement_action: where its finding comes from (assessment or self-diagnosis), the committee's actions, the
  recurring finding, the evidence with the declaration, the worker representative's co-signature, the verification
  (by whom, how, a note) and the reopening (with its reason); the state "verified".
- milestone and schedule_offset: two kinds more, the improvement plan's due date and its reminder.
- The open cycles' dates: the plan's milestones are added, and the factory progress report (with its reminders) and
  the programme's report move to 30 days after the release of the assessment report (its milestone's day), where
  staff set no offset of their own. A date that would fall in the past is left where it was, and
  a plan's milestone whose date is past is added as done: the change itself tells nobody anything late.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_KINDS = ("cycle_start", "advisory_end", "assessment_due", "release", "factory_progress_reminder_14",
             "factory_progress_reminder_3", "factory_progress_report", "programme_progress_report", "differentiation")
NEW_KINDS = ("cycle_start", "advisory_end", "assessment_due", "release", "factory_progress_reminder_14",
             "improvement_plan_reminder_7", "factory_progress_reminder_3", "improvement_plan_due",
             "factory_progress_report", "programme_progress_report", "differentiation")
PLAN_KINDS = ("improvement_plan_reminder_7", "improvement_plan_due")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _kinds(kinds) -> None:
    # Batch mode: SQLite cannot alter a check constraint in place, only copy the table with the new one.
    with op.batch_alter_table("milestone") as batch:
        batch.drop_constraint(op.f("ck_milestone_kind_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_milestone_kind_valid"), _in("kind", kinds))
    with op.batch_alter_table("schedule_offset") as batch:
        batch.drop_constraint(op.f("ck_schedule_offset_kind_valid"), type_="check")
        batch.drop_constraint(op.f("ck_schedule_offset_base_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_schedule_offset_kind_valid"), _in("kind", kinds))
        batch.create_check_constraint(op.f("ck_schedule_offset_base_valid"),
                                      _in("base", ("signup", "assessment") + tuple(kinds)))


def upgrade():
    _kinds(NEW_KINDS)
    with op.batch_alter_table("improvement_action") as batch:
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="assessment"))
        batch.add_column(sa.Column("committee_action", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("recurring", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("evidence", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("declared_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("declared_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cosigned_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("cosigned_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verified_how", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("verify_note", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("reopened_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("reopen_reason", sa.String(length=1000), nullable=True))
        batch.create_foreign_key(op.f("fk_improvement_action_declared_by_id_user"), "user", ["declared_by_id"],
                                 ["id"], ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_improvement_action_verified_by_id_user"), "user", ["verified_by_id"],
                                 ["id"], ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_improvement_action_cosigned_by_id_committee_member"), "committee_member",
                                 ["cosigned_by_id"], ["id"], ondelete="SET NULL")
        batch.drop_constraint(op.f("ck_improvement_action_status_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_improvement_action_status_valid"),
                                      _in("status", ("planned", "in_progress", "done", "verified")))
        batch.create_check_constraint(op.f("ck_improvement_action_source_valid"),
                                      _in("source", ("assessment", "self_diagnosis")))
        batch.create_check_constraint(op.f("ck_improvement_action_verified_how_valid"),
                                      "verified_how IS NULL OR verified_how IN ('visit', 'evidence')")
        batch.create_check_constraint(op.f("ck_improvement_action_verified_stamped"),
                                      "status != 'verified' OR verified_at IS NOT NULL")
    _move_open_cycles()


def _move_open_cycles() -> None:
    """The open cycles' factory reports counted from the release (see the module's docstring)."""
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    overridden = set(bind.execute(sa.text("SELECT kind FROM schedule_offset")).scalars())
    rows = bind.execute(sa.text(
        "SELECT m.id, m.cycle_id, m.kind, m.due_at, m.done_at FROM milestone m JOIN cycle c ON c.id = m.cycle_id "
        "WHERE c.status != 'closed'")).all()
    cycles: dict[int, dict] = {}
    for row in rows:
        cycles.setdefault(row.cycle_id, {})[row.kind] = row
    milestone = sa.table("milestone", sa.column("cycle_id"), sa.column("kind"), sa.column("due_at"),
                         sa.column("done_at"), sa.column("outcome"))

    def as_moment(value):
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    for cycle_id, kinds in cycles.items():
        release = kinds.get("release")
        if release is None:
            continue
        base = datetime.combine(as_moment(release.due_at).date(), datetime.min.time())
        report = base + relativedelta(days=30)
        due = {"improvement_plan_due": report, "improvement_plan_reminder_7": report - relativedelta(days=7)}
        if "factory_progress_report" not in overridden:
            due["factory_progress_report"] = report
            if "factory_progress_reminder_14" not in overridden:
                due["factory_progress_reminder_14"] = report - relativedelta(days=14)
            if "factory_progress_reminder_3" not in overridden:
                due["factory_progress_reminder_3"] = report - relativedelta(days=3)
            if "programme_progress_report" not in overridden:
                due["programme_progress_report"] = report + relativedelta(months=6)
        for kind, due_at in due.items():
            row = kinds.get(kind)
            if kind in PLAN_KINDS and row is None:
                past = due_at <= now
                bind.execute(milestone.insert().values(
                    cycle_id=cycle_id, kind=kind, due_at=due_at, done_at=now if past else None,
                    outcome="skipped: added after its date" if past else None))
            elif row is not None and row.done_at is None and due_at > now and as_moment(row.due_at) != due_at:
                bind.execute(sa.text("UPDATE milestone SET due_at = :due WHERE id = :id"), {"due": due_at, "id": row.id})


def downgrade():
    # The factory reports keep the dates they have; the plan's milestones and the verified state go.
    op.execute("DELETE FROM milestone WHERE kind IN ('improvement_plan_reminder_7', 'improvement_plan_due')")
    op.execute("DELETE FROM schedule_offset WHERE kind IN ('improvement_plan_reminder_7', 'improvement_plan_due') "
               "OR base IN ('improvement_plan_reminder_7', 'improvement_plan_due')")
    op.execute("UPDATE improvement_action SET status = 'done' WHERE status = 'verified'")
    with op.batch_alter_table("improvement_action") as batch:
        batch.drop_constraint(op.f("ck_improvement_action_verified_stamped"), type_="check")
        batch.drop_constraint(op.f("ck_improvement_action_verified_how_valid"), type_="check")
        batch.drop_constraint(op.f("ck_improvement_action_source_valid"), type_="check")
        batch.drop_constraint(op.f("ck_improvement_action_status_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_improvement_action_status_valid"),
                                      _in("status", ("planned", "in_progress", "done")))
        batch.drop_constraint(op.f("fk_improvement_action_cosigned_by_id_committee_member"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_improvement_action_verified_by_id_user"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_improvement_action_declared_by_id_user"), type_="foreignkey")
        for column in ("reopen_reason", "reopened_at", "verify_note", "verified_how", "verified_by_id", "verified_at",
                       "cosigned_by_id", "cosigned_at", "declared_by_id", "declared_at", "evidence", "recurring",
                       "committee_action", "source"):
            batch.drop_column(column)
    _kinds(OLD_KINDS)
