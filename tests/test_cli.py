from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import Buyer, Cycle, Election, Factory, Milestone, Need, Sourcing, User
from bwadmin.services import users

from .factories import make_factory


def test_users_create_with_a_password_for_scripts(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "New@Example.org", "--role", "advisor", "--password", "twelve chars ok"])
    assert result.exit_code == 0, result.output
    user = users.by_email("new@example.org")
    assert user.role == "advisor" and users.check_password(user, "twelve chars ok")


def test_users_create_prompts_for_the_password(app, runner):
    factory = make_factory()
    db.session.commit()
    result = runner.invoke(args=["users", "create", "--email", "f@example.org", "--role", "factory", "--factory", str(factory.id)],
                           input="prompted password\nprompted password\n")
    assert result.exit_code == 0, result.output
    assert users.by_email("f@example.org").factory_id == factory.id


def test_users_create_says_what_is_wrong(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "f@example.org", "--role", "factory", "--password", "twelve chars ok"])
    assert result.exit_code != 0 and "A factory user needs the factory it belongs to." in result.output
    result = runner.invoke(args=["users", "create", "--email", "b@example.org", "--role", "buyer", "--buyer", "999", "--password", "twelve chars ok"])
    assert result.exit_code != 0 and "no buyer with id 999" in result.output
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "admin", "--password", "short"])
    assert result.exit_code != 0 and "at least 12 characters" in result.output


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_fills_an_empty_database_and_a_second_run_changes_nothing(app, runner):
    result = runner.invoke(args=["seed-demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    assert count(Factory) == 20 and count(Buyer) == 5
    assert len(set(db.session.scalars(select(Factory.country)))) >= 3
    consent = [s.consent_stands for s in db.session.scalars(select(Sourcing))]
    assert any(consent) and not all(consent)
    numbers = set(db.session.scalars(select(Cycle.number)))
    assert numbers == {1, 2, 3}  # new and returning factories, one with two earlier cycles (progress over cycles)
    assert count(Election) >= 1 and count(Need) >= 1
    for email in ["admin@example.org", "advisor@example.org", "factory@example.org", "buyer@example.org"]:
        assert users.check_password(users.by_email(email), "demo-password"), email
    # Cycles at every stage: some milestones done by time, some still ahead.
    kinds_past = set(db.session.scalars(select(Milestone.kind).where(Milestone.due_at < func.current_timestamp())))
    assert {"cycle_start", "release", "differentiation"} <= kinds_past
    before = (count(Factory), count(User), count(Cycle))
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "changed nothing" in again.output
    assert (count(Factory), count(User), count(Cycle)) == before


def test_seed_demo_prints_a_generated_password_once(app, runner):
    result = runner.invoke(args=["seed-demo"])
    line = next(line for line in result.output.splitlines() if line.startswith("Their password"))
    password = line.split(": ", 1)[1]
    assert users.check_password(users.by_email("admin@example.org"), password)
