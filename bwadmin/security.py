"""Security headers on every response, and the device cookie that tells login throttling a known device."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .services.users import normalise_email

DEVICE_COOKIE = "bw_device"
DEVICE_MAX_AGE = 180 * 24 * 3600

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
       "script-src 'self'{admin_scripts}; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


STATIC_ENDPOINTS = ("static", "admin.static")


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="bwadmin-device")


def known_device(email: str) -> bool:
    """This browser logged in to this account before (a signed cookie set at that login)."""
    try:
        return _device_serializer().loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_MAX_AGE) == \
            normalise_email(email)
    except BadSignature:
        return False


def remember_device(response, email: str):
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(normalise_email(email)), max_age=DEVICE_MAX_AGE,
                        httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


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


def init_app(app: Flask) -> None:
    app.extensions["bwadmin.headers"] = {admin: security_headers(app, admin) for admin in (False, True)}
    app.after_request(add_headers)
