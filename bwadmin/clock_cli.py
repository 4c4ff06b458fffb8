"""The clock on the command line: `flask --app app tick [--at ISO] [--run]` and `flask --app app simulate`."""
from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask

from .clock import tick_once
from .simulation import simulate as run_simulation


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
    run_simulation(seed=seed)


def init_app(app: Flask) -> None:
    app.cli.add_command(tick)
    app.cli.add_command(simulate)
