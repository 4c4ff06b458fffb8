"""A batch of emails being sent when Redis lost its job: the sweep settles it at once when the process that claimed it
is gone from this machine, leaves it to a live one, and waits for the timeout when it ran on another machine."""
from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import update

from bwadmin.extensions import db
from bwadmin.models import Notification, utcnow
from bwadmin.queueing import this_process
from bwadmin.services import notify
from jobs.sweep import run_sweep


def claimed_batch(prefix: str, claimed_by: str, minutes_ago: float = 1) -> list[int]:
    ids = [notify.record(f"{prefix}-{i}", f"{prefix}{i}@example.org", "test", f"Notice {i}", "Text").id
           for i in range(3)]
    db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(
        status="sending", claimed_by=claimed_by, attempted_at=utcnow() - timedelta(minutes=minutes_ago)))
    db.session.commit()
    return ids


def statuses(ids: list[int]) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Notification, i).status for i in ids]


def gone_process() -> str:
    """host:pid of a process of this machine that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return f"{socket.gethostname()}:{proc.stdout.strip()}"


def test_a_batch_whose_process_is_gone_is_settled_by_the_next_sweep(app):
    dead = claimed_batch("dead", gone_process())
    alive = claimed_batch("alive", this_process())
    elsewhere = claimed_batch("far", "another-machine:4242")
    run_sweep()
    # The first may have reached the mail server (staff decide); the others were never handed over: pending again.
    assert statuses(dead) == ["failed", "pending", "pending"]
    assert notify.in_doubt(db.session.get(Notification, dead[0]))
    assert statuses(alive) == ["sending"] * 3  # still being sent by a live process: sending them again would double
    assert statuses(elsewhere) == ["sending"] * 3  # not known to be gone: after the timeout


def test_a_batch_claimed_on_another_machine_is_settled_after_the_timeout(app):
    far = claimed_batch("far", "another-machine:4242", minutes_ago=notify.STALE_SENDING.total_seconds() / 60 + 1)
    run_sweep()
    assert statuses(far) == ["failed", "pending", "pending"]
