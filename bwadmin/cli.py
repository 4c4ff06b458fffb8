"""Command line: `flask --app app users create`, `flask --app app seed-demo`."""
from __future__ import annotations

import secrets

import click
from flask import Flask
from flask.cli import AppGroup

from . import clock_cli, demo
from .extensions import db
from .models import ROLES, Buyer, Factory
from .questionnaire_cli import questionnaires_cli
from .services import users as user_service

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default="")
@click.option("--factory", "factory_id", type=int, help="The factory a factory user belongs to.")
@click.option("--buyer", "buyer_id", type=int, help="The buyer a buyer user belongs to.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email, role, name, factory_id, buyer_id, password):
    """Create a user; prompts for the password unless --password is given."""
    if factory_id and db.session.get(Factory, factory_id) is None:
        raise click.BadParameter(f"no factory with id {factory_id}", param_hint="--factory")
    if buyer_id and db.session.get(Buyer, buyer_id) is None:
        raise click.BadParameter(f"no buyer with id {buyer_id}", param_hint="--buyer")
    try:
        user = user_service.create_user(email, role, password, name=name, factory_id=factory_id, buyer_id=buyer_id)
    except user_service.UserError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.field}" if exc.field else None) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("seed-demo")
@click.option("--password", default=None, help="Password for the four demo logins; generated when omitted.")
def seed_demo(password):
    """Fill an empty database with a believable programme."""
    if demo.already_seeded():
        click.echo("The database holds data already: seed-demo changed nothing.")
        return
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    summary = demo.seed(password)
    db.session.commit()
    click.echo(summary)
    click.echo("Demo logins: admin@example.org, advisor@example.org, factory@example.org, buyer@example.org")
    if generated:
        click.echo(f"Their password (shown once): {password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(questionnaires_cli)
    app.cli.add_command(seed_demo)
    clock_cli.init_app(app)
