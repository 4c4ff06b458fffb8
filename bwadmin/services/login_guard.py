"""Slowing down password guessing: attempts counted on the app's Redis (the embedded one when REDIS_URL is unset),
so every web process shares the counts, with the `limits` library's moving windows.

- Failed attempts per account and address, across the login page and the API's token requests together.
- Failed attempts per account from anywhere, a higher limit that does not apply to a device the account has
  logged in from before: whoever locks an account out cannot lock its owner out of their own computer.
- Every attempt per address (login, token, password reset), whatever the account.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app
from flask_babel import ngettext
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from ..config import settings
from ..models import User
from ..queue import get_redis
from . import users
from .users import normalise_email


def _limiter(app: Flask) -> MovingWindowRateLimiter:
    limiter = app.extensions.get("bwadmin.login_guard")
    if limiter is None:
        storage = RedisStorage("redis://", connection_pool=get_redis(app).connection_pool, key_prefix="bwadmin-login")
        limiter = app.extensions["bwadmin.login_guard"] = MovingWindowRateLimiter(storage)
    return limiter


def _limit(name: str):
    """A limit of the settings: "account", "account_wide" or "address"."""
    return parse(getattr(settings(), f"login_limit_{name}"))


def _minutes_until(reset_at: float) -> int:
    return max(1, math.ceil((reset_at - time.time()) / 60))


def _address_wait(limiter, address: str) -> float | None:
    item = _limit("address")
    return None if limiter.hit(item, "address", address) else limiter.get_window_stats(item, "address", address).reset_time


def address_refused(address: str | None) -> int | None:
    """Count an attempt from this address (a reset request); the minutes to wait when refused, else None."""
    wait = _address_wait(_limiter(current_app._get_current_object()), address or "-")
    return _minutes_until(wait) if wait else None


def refused(email: str, address: str | None, known_device: bool = False) -> int | None:
    """Count a login attempt; the minutes to wait when it is refused, else None."""
    limiter, email, address = _limiter(current_app._get_current_object()), normalise_email(email), address or "-"
    waits = [_address_wait(limiter, address)]
    checks = [(_limit("account"), ("account", email, address))]
    if not known_device:
        checks.append((_limit("account_wide"), ("account", email)))
    for item, identifiers in checks:
        if not limiter.test(item, *identifiers):
            waits.append(limiter.get_window_stats(item, *identifiers).reset_time)
    waits = [wait for wait in waits if wait]
    return _minutes_until(max(waits)) if waits else None


def failed(email: str, address: str | None) -> None:
    limiter, email, address = _limiter(current_app._get_current_object()), normalise_email(email), address or "-"
    limiter.hit(_limit("account"), "account", email, address)
    limiter.hit(_limit("account_wide"), "account", email)


def succeeded(email: str, address: str | None) -> None:
    """The owner is in: this device's failures are forgiven (the account-wide count stays)."""
    _limiter(current_app._get_current_object()).clear(
        _limit("account"), "account", normalise_email(email), address or "-")


class Refused(Exception):
    """Too many attempts: the person waits this many minutes."""

    def __init__(self, minutes: int):
        super().__init__(message(minutes))
        self.minutes = minutes


def log_in(email: str, password: str, address: str | None, known_device: bool = False) -> User | None:
    """The account for this email and password, counted against guessing: the login page and the API's token
    requests both ask here. Raises Refused while the limits hold, whatever the password."""
    wait = refused(email, address, known_device)
    if wait:
        raise Refused(wait)
    user = users.authenticate(email, password)
    if user is None:
        failed(email, address)
    else:
        succeeded(email, address)
    return user


def message(minutes: int) -> str:
    return ngettext("Too many attempts. Try again in %(num)d minute, or ask for a password reset link.",
                    "Too many attempts. Try again in %(num)d minutes, or ask for a password reset link.", minutes)
