"""Turning the clock in this process: a sweep, then, if asked, the queues worked to empty while what the jobs do
is printed. `flask tick` and `flask simulate` both use it."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime

import click

from jobs.sweep import SweepResult, run_sweep
from jobs.worker import work_until_empty


class _Echo(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"  {self.format(record)}")


@contextmanager
def echo_clock():
    """Print what the jobs do (milestones, releases, emails) as they do it."""
    logger = logging.getLogger("bwadmin.clock")
    handler = _Echo(logging.INFO)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def tick_once(moment: datetime | None, run: bool, cycle_id: int | None = None) -> SweepResult:
    result = run_sweep(moment, cycle_id)
    if result.skipped:
        click.echo("Another sweep is running; this one did nothing.")
    when = moment.isoformat(sep=" ", timespec="minutes") if moment else "now"
    click.echo(f"Sweep as of {when}: {len(result.due)} milestone(s) due and not done; "
               f"{len(result.milestone_jobs)} milestone job(s) and {len(result.notice_jobs)} notice job(s) queued.")
    if run:
        with echo_clock():
            work_until_empty()
    return result
