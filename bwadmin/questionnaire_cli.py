"""`flask --app app questionnaires load FILE [--publish]`, `... export ID [--out F]`, `... wording [FILE…]`,
`... countries` (the shipped country versions not loaded yet)."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from .extensions import db
from .models import Questionnaire
from .services import questionnaires as bank

questionnaires_cli = AppGroup("questionnaires", help="Load, publish and export questionnaire versions.")


@questionnaires_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish the new version at once.")
def load_command(path, publish):
    """Load a data file as a new version of its kind."""
    try:
        questionnaire = bank.load(path, publish_now=publish)
    except bank.QuestionnaireError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    state = "published" if questionnaire.published else "unpublished (publish it in the admin panel or load with --publish)"
    where = f" for {questionnaire.country}" if questionnaire.country else ""
    click.echo(f"Loaded {questionnaire.kind}{where} version {questionnaire.version} (id {questionnaire.id}), "
               f"{len(questionnaire.questions)} questions, {state}.")


@questionnaires_cli.command("countries")
def countries_command():
    """Load and publish each shipped country version (data/questionnaires/countries) whose country has none yet."""
    try:
        loaded = bank.ensure_country_versions()
    except bank.QuestionnaireError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for questionnaire in loaded:
        click.echo(f"Loaded and published {questionnaire}, {len(questionnaire.questions)} questions.")
    if not loaded:
        click.echo("Every shipped country has a version already.")


@questionnaires_cli.command("wording")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def wording_command(paths):
    """Take translations added or corrected in data files (the shipped ones when no file is named) into the
    versions that say the same in English. Restart the web processes afterwards: they keep built forms."""
    try:
        changed = ([q for path in paths for q in bank.update_wording(path)] if paths
                   else bank.update_shipped_wording())
    except bank.QuestionnaireError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for questionnaire in changed:
        click.echo(f"Updated the wording of {questionnaire} ({', '.join(questionnaire.languages)}).")
    if not changed:
        click.echo("No version needed its wording updated.")


@questionnaires_cli.command("publish")
@click.argument("questionnaire_id", type=int)
def publish_command(questionnaire_id):
    """Publish a version: from then on it never changes."""
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire with id {questionnaire_id}")
    try:
        bank.publish(questionnaire)
    except bank.QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Published {questionnaire}.")


@questionnaires_cli.command("export")
@click.argument("questionnaire_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of the screen.")
def export_command(questionnaire_id, out):
    """Write a version in the data files' format."""
    try:
        data = bank.export(questionnaire_id)
    except bank.QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from exc
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"Wrote {data['kind']} version {data['version']} to {out}.")
    else:
        click.echo(text, nl=False)
