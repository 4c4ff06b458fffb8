"""Entry point for `flask --app app ...` and for gunicorn (`app:create_app()`)."""
from bwadmin import create_app

__all__ = ["create_app"]
