"""bwadmin: the factory-engagement cycle of a labour-standards programme."""
from pathlib import Path

from flask import Flask

from . import config
from .extensions import csrf, db, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)

    from . import auth, cli, queue
    from .admin import init_admin

    queue.init_app(app)
    auth.init_app(app)
    init_admin(app)
    cli.init_app(app)
    from .portal import self_diagnosis

    app.register_blueprint(self_diagnosis.bp)

    @app.get("/")
    def index():
        from flask import redirect, url_for
        from flask_login import current_user

        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        if current_user.is_staff:
            return redirect("/admin/")
        return redirect(url_for("auth.login"))

    return app
