"""The buyer and factory portals."""
from __future__ import annotations

from functools import wraps

from flask import Flask, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound


def role_required(role: str):
    """Anonymous people go to the login page; other roles get 404, so nobody learns what exists."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role != role:
                raise NotFound()
            return view(*args, **kwargs)
        return wrapped
    return decorator


def init_app(app: Flask) -> None:
    from . import buyer, factory, self_diagnosis, share_links  # here, not at the top: they import role_required

    app.register_blueprint(buyer.bp)
    app.register_blueprint(factory.bp)
    app.register_blueprint(self_diagnosis.bp)
    app.register_blueprint(share_links.bp)
    app.register_blueprint(share_links.public)
