"""Logging in and out; loading the user from the session with its session version checked."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from forms.auth import LoginForm

from . import logs, sessions
from .extensions import db, login_manager
from .security import known_device, remember_device
from .models import User, utcnow
from .services import audit, login_guard

bp = Blueprint("auth", __name__)


# With the user's factory or buyer: its country sets the time zone the pages write dates in (bwadmin.i18n), read in
# the same query rather than one more per page.
_USER_BY_ID = select(User).options(joinedload(User.factory), joinedload(User.buyer)).where(User.id == bindparam("uid"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The id carries the session version: a password change or deactivation ends older sessions.
    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    # One indexed query per request, on a statement built once (session.get would build one each time).
    user = db.session.scalar(_USER_BY_ID, {"uid": uid})
    if user is None or not user.active or user.session_version != version or not sessions.alive(uid):
        return None
    logs.note_user(user.id)
    return user


def safe_next(target: str | None) -> str | None:
    """Only local paths: never an absolute URL or a scheme-relative one."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def home_for(user: User) -> str:
    if user.is_staff:
        return "/admin/"
    if user.role == "factory":
        return "/factory/"
    return "/buyer/"


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.args.get("next") or request.form.get("next"))
    if form.validate_on_submit():
        email = form.email.data
        try:
            user = login_guard.log_in(email, form.password.data, request.remote_addr, known_device(email))
        except login_guard.Refused as refused:
            return render_template("auth/login.html", form=form, next_url=next_url, limited=str(refused)), 429
        if user is not None:
            login_user(user)
            sessions.start(user.id)
            user.last_login_at = utcnow()
            audit.record("login", user, user=user)
            db.session.commit()
            return remember_device(redirect(next_url or home_for(user)), user.email)
        form.password.errors = list(form.password.errors) + [_("That email and password do not match an active account.")]
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.get("/")
def start():
    """Everyone starts at the login page, or at home once logged in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_for(current_user))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    sessions.end()
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    sessions.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    app.register_blueprint(bp)

    @app.before_request
    def load_user_afresh():
        # A request inside an app context pushed by a caller (tests, scripts) shares its `g`;
        # never let one request's user or CSRF token stand for the next.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)


__all__ = ["bp", "home_for", "safe_next"]
