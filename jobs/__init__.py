"""RQ job functions and the sweep. They run in an app context of their own, never a request."""
from __future__ import annotations

from contextlib import contextmanager

from flask import current_app

from bwadmin import create_app

_app = None


def app():
    """The Flask app a worker process uses, built once per process."""
    global _app
    if _app is None:
        _app = create_app()
    return _app


@contextmanager
def app_context():
    try:
        current_app._get_current_object()
    except RuntimeError:
        with app().app_context():
            yield
        return
    yield  # already inside an app context (tests, `flask tick`)
