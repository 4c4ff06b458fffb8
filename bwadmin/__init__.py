"""bwadmin: the factory-engagement cycle of a labour-standards programme."""
import os
from pathlib import Path

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import ServiceUnavailable

from . import config, database, health, logs
from .input_bounds import IdConverter
from .extensions import csrf, db, login_manager, mail, migrate
from .json_provider import OrjsonProvider

ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> str:
    """instance/ in the project, or BWADMIN_INSTANCE (tests and several checkouts side by side)."""
    return os.environ.get("BWADMIN_INSTANCE") or str(ROOT / "instance")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.json = OrjsonProvider(app)
    # Before any route is added: every `<int:...>` in the app and the admin panel is bounded by the id columns.
    app.url_map.converters["int"] = IdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)

    config.init_app(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)

    # Here, not at the top: the CLI reaches `jobs`, whose package imports create_app from this one (a cycle), and
    # whatever imports bwadmin.models alone need not load every view.
    from . import account, api, auth, cli, i18n, portal, queue, security
    from .admin import init_admin
    from . import attachments, transparency
    from .services import progress_over_cycles

    logs.init_app(app)
    health.init_app(app)
    i18n.init_app(app)
    progress_over_cycles.init_app(app)
    queue.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    init_admin(app)
    cli.init_app(app)
    portal.init_app(app)
    api.init_app(app)
    account.init_app(app)
    transparency.init_app(app)
    attachments.init_app(app)
    register_error_pages(app)
    # Browsers ask for /favicon.ico on every page without a link to an icon (a PDF, the JSON API).
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))
    return app


def register_error_pages(app: Flask) -> None:
    pages = {
        403: (_l("Not allowed"), _l("Your account cannot open this page.")),
        404: (_l("Not found"), _l("There is nothing here, or it is not shared with you.")),
        500: (_l("Something went wrong"), _l("The error was logged. Try again in a moment.")),
        503: (_l("Busy"), _l("The service is busy or its database does not answer. Try again in a minute.")),
    }

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_template("errors/csrf.html"), 400

    def page(exc):
        code = getattr(exc, "code", 500) or 500
        title, message = pages.get(code, (_l("Error"), str(exc)))
        if request.path.startswith("/api/"):
            from .api import _json_error  # here, not at the top: see create_app

            return _json_error(exc)
        return render_template("errors/error.html", code=code, title=title, message=message), code

    for code in pages:
        app.register_error_handler(code, page)

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        # A statement cancelled by the statement timeout, or a database that went away after the pool's check: the
        # request is refused as busy, with what happened in the log, and the session is left usable.
        app.logger.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig else exc, exc_info=exc)
        db.session.rollback()
        response = page(ServiceUnavailable())
        response = app.make_response(response)
        response.headers["Retry-After"] = "60"
        return response
