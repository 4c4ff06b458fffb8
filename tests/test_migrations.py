"""The migrations build the schema the models describe, and go down and up again over real data."""
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:autogenerate skipping", "ignore:Skipped unsupported reflection")
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, inspect, select, text

from bwadmin import create_app
from bwadmin.extensions import db
from bwadmin.models import Factory

SCHEMA = "migration_check"


@pytest.fixture
def migration_app(database_url, redis_url, tmp_path):
    """An app on an empty database of its own: a SQLite file, or a PostgreSQL schema."""
    if database_url.startswith("postgres"):
        base = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        with create_engine(base).begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{SCHEMA}"
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "TESTING": True})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_migration_head_matches_the_models(migration_app):
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), db.metadata)
    assert diff == [], f"models and migrations differ; run `flask --app app db migrate`: {diff}"
    assert "ix_factory_lower_name" in index_names()  # the search index autogenerate cannot see


def index_names() -> set[str]:
    if db.engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return set(db.session.scalars(text(sql)))


def test_upgrade_downgrade_and_upgrade_again_over_real_data(migration_app):
    upgrade()
    result = migration_app.test_cli_runner().invoke(args=["seed-demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Factory)) == 20
    db.session.commit()
    db.session.remove()
    downgrade(revision="base")
    assert "factory" not in inspect(db.engine).get_table_names()
    upgrade()
    assert db.session.scalar(select(func.count()).select_from(Factory)) == 0
