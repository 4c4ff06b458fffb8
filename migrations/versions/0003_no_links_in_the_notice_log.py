"""Account emails recorded before links were left out of the notice log: their bodies lose the link.

One not yet sent cannot be sent without it: it is marked failed, and its owner asks for a new link.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LEFT_OUT = "(The link is left out of the log: it works only for the person it was sent to.)"


def upgrade():
    notification = sa.table("notification", sa.column("kind", sa.String), sa.column("status", sa.String),
                            sa.column("body_text", sa.Text), sa.column("body_html", sa.Text),
                            sa.column("last_error", sa.Text))
    account = notification.c.kind.in_(["account_invite", "account_reset"]) & notification.c.body_text.is_not(None)
    op.execute(notification.update().where(account, notification.c.status != "sent").values(
        status="failed", last_error="Recorded with its link in the log; ask for a new link instead."))
    op.execute(notification.update().where(account).values(body_text=LEFT_OUT, body_html=None))


def downgrade():
    pass  # the links are gone for good, as they should be
