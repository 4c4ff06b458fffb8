"""The clock on the command line: `flask --app app tick [--at ISO] [--run]` and `flask --app app simulate`."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import UTC, datetime

import click
from flask import Flask


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


def parse_moment(value: str | None) -> datetime | None:
    """ISO date or date-time; an aware one is turned to naive UTC (what the database stores)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date-time such as 2027-03-01T09:00", param_hint="--at") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def tick_once(moment: datetime | None, run: bool, cycle_id: int | None = None):
    from jobs.sweep import run_sweep
    from jobs.worker import work_until_empty

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


@click.command("tick")
@click.option("--at", "at", metavar="ISO-DATETIME", help="Sweep as of this moment (UTC) instead of now.")
@click.option("--run", is_flag=True, help="Also work the queue to empty here and print what was done.")
def tick(at, run):
    """Queue the milestones due (and notices pending); with --run, do them now."""
    tick_once(parse_moment(at), run)


@click.command("simulate")
@click.option("--seed", default=None, type=int, help="Seed of the random assessment answers.")
def simulate(seed):
    """Take a fresh demo factory from sign-up to month 16 in seconds, emails caught by a local SMTP sink."""
    from .simulation import simulate as run

    run(seed=seed)


def init_app(app: Flask) -> None:
    app.cli.add_command(tick)
    app.cli.add_command(simulate)
