"""Security headers on every response, and login rate limits (Flask-Limiter on the app's Redis)."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .services.users import normalise_email

limiter = Limiter(key_func=get_remote_address)

LIMIT_MESSAGE = "Too many login attempts. Wait 15 minutes and try again, or ask for a password reset link."

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
       "script-src 'self'{admin_scripts}; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


STATIC_ENDPOINTS = ("static", "admin.static")


def storage_uri(app: Flask) -> str:
    """The app's Redis, in the form `limits` expects (redis+unix:// for a socket).

    Without REDIS_URL the app runs outside `make run` (a CLI command, a script): it counts in memory rather
    than start an embedded redis-server just to build the app. `make run` and the tests always pass REDIS_URL.
    """
    url = app.config.get("REDIS_URL")
    if not url:
        return "memory://"
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://"):]
    return url


def account_key() -> str:
    # A probe's body may be any JSON (a number, a list, an object whose email is not text): it counts as no email.
    body = request.get_json(silent=True)
    email = request.form.get("email") or (body.get("email") if isinstance(body, dict) else None)
    return "account:" + normalise_email(email if isinstance(email, str) else "")


def _failed(response) -> bool:
    """Count only failed attempts against an account: a success is a redirect (login) or 201 (token)."""
    return response.status_code not in (201, 302)


def login_limits(view):
    """Per account (failed attempts) and per address; the limits come from the app's config."""
    view = limiter.limit(lambda: current_app.config["BWADMIN_LOGIN_LIMIT_ACCOUNT"], key_func=account_key,
                         methods=["POST"], deduct_when=_failed, scope="login-account")(view)
    view = limiter.limit(lambda: current_app.config["BWADMIN_LOGIN_LIMIT_ADDRESS"], methods=["POST"],
                         scope="login-address")(view)
    return view


def security_headers(app: Flask, admin: bool) -> tuple[tuple[str, str], ...]:
    """The headers every response carries (the admin panel's pages allow its inline scripts)."""
    headers = (("Content-Security-Policy", CSP.format(admin_scripts=" 'unsafe-inline'" if admin else "")),
               ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
               ("Referrer-Policy", "strict-origin-when-cross-origin"))
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers += (("Strict-Transport-Security", "max-age=31536000"),)
    return headers


def add_headers(response):
    headers = response.headers
    for name, value in current_app.extensions["bwadmin.headers"][request.path.startswith("/admin/")]:
        headers.setdefault(name, value)
    # What a logged-in person or an API token reads stays out of browser and proxy caches (a shared computer's
    # back button, a proxy between buyer and server). Static files are the same for everyone and stay cacheable.
    # The session's user id is enough to tell: no user is loaded from the database for it.
    if request.endpoint not in STATIC_ENDPOINTS and (
            "_user_id" in session or request.headers.get("Authorization", "").lower().startswith("bearer ")):
        headers["Cache-Control"] = "no-store"
    return response


def too_many(exc):
    if request.path.startswith("/api/"):
        return jsonify(message="Too many attempts. Wait 15 minutes and try again."), 429
    if request.endpoint == "auth.login":
        from forms.auth import LoginForm

        form = LoginForm()
        form.validate()
        form.password.errors = [LIMIT_MESSAGE]
        return render_template("auth/login.html", form=form, next_url=None, limited=LIMIT_MESSAGE), 429
    return render_template("auth/message.html", title="Too many attempts", message=LIMIT_MESSAGE), 429


def init_app(app: Flask) -> None:
    app.config.setdefault("BWADMIN_LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes")
    app.config.setdefault("BWADMIN_LOGIN_LIMIT_ADDRESS", "50 per 15 minutes")
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "bwadmin-limit")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    # The app sets no default or blueprint limits: each limited view checks its own limits when called (the
    # decorator does), so the check Flask-Limiter adds before every request finds nothing on every other page.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    app.extensions["bwadmin.headers"] = {admin: security_headers(app, admin) for admin in (False, True)}
    app.after_request(add_headers)
    app.register_error_handler(429, too_many)
