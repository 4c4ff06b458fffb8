"""Which language a page is written in: Flask-Babel with the catalogs in bwadmin/translations.

The person's saved choice wins; before logging in, the choice made on the login page (kept in the session);
else the best of the browser's Accept-Language among the languages we have; else English, which is also what a
worker composing an email outside a request gets unless it forces the recipient's language."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, refresh
from flask_login import current_user

from .models import LANGUAGE_NAMES, LANGUAGES, RTL_LANGUAGES

SESSION_KEY = "language"
babel = Babel()


def select_locale() -> str | None:
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_locale="en",
                   default_translation_directories=str(Path(__file__).resolve().parent / "translations"))

    @app.before_request
    def choose_afresh():
        # A test or script may push one app context for several requests, and Flask-Babel keeps the locale on `g`:
        # never let one request's language stand for the next.
        refresh()

    @app.context_processor
    def language_context():
        language = current_language()
        return {"language_names": LANGUAGE_NAMES, "locale": language,
                "text_direction": "rtl" if language in RTL_LANGUAGES else "ltr"}
