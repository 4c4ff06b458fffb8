"""Which language a page is written in: Flask-Babel with the catalogs in bwadmin/translations.

The person's saved choice wins; before logging in, the choice made on the login page (kept in the session);
else the best of the browser's Accept-Language among the languages we have; else English, which is also what a
worker composing an email outside a request gets unless it forces the recipient's language."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import (Babel, format_date, format_datetime, format_decimal, format_percent, format_time,
                         get_locale, refresh)
from flask_login import current_user

from .models import LANGUAGE_NAMES, LANGUAGES, RTL_LANGUAGES

SESSION_KEY = "language"
babel = Babel()


def select_locale() -> str | None:
    if not has_request_context():
        return None
    if request.blueprint == "api":  # a bearer token, no session: the caller's Accept-Language alone
        return request.accept_languages.best_match(LANGUAGES)
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES)


# The programme's countries and their time zones: a date a factory reads is its own day, not UTC's.
COUNTRY_TIME_ZONES = {
    "bangladesh": "Asia/Dhaka", "cambodia": "Asia/Phnom_Penh", "vietnam": "Asia/Ho_Chi_Minh",
    "viet nam": "Asia/Ho_Chi_Minh", "indonesia": "Asia/Jakarta", "jordan": "Asia/Amman", "egypt": "Africa/Cairo",
    "ethiopia": "Africa/Addis_Ababa", "pakistan": "Asia/Karachi", "sri lanka": "Asia/Colombo",
    "nicaragua": "America/Managua", "haiti": "America/Port-au-Prince", "lesotho": "Africa/Maseru",
}


def time_zone_of(country: str | None) -> str:
    return COUNTRY_TIME_ZONES.get((country or "").strip().lower(), "UTC")


def select_time_zone() -> str:
    """A factory user reads times in the factory's zone, a buyer in the buyer's; staff and the public in UTC."""
    if not has_request_context() or not (current_user and current_user.is_authenticated):
        return "UTC"
    place = current_user.factory if current_user.factory_id else current_user.buyer if current_user.buyer_id else None
    return time_zone_of(place.country if place else None)


def moment(value) -> str:
    """A date and time to the minute in the reader's zone, saying which zone."""
    if not value:
        return ""
    return f"{format_date(value, 'medium')} {format_time(value, 'short')} ({format_datetime(value, 'zzz')})"


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone, default_locale="en",
                   default_translation_directories=str(Path(__file__).resolve().parent / "translations"))

    @app.before_request
    def choose_afresh():
        # A test or script may push one app context for several requests, and Flask-Babel keeps the locale on `g`:
        # never let one request's language stand for the next.
        refresh()

    # Templates format what a person reads for their language and zone: {{ when|day }}, {{ when|moment }},
    # {{ share|percent }}, {{ count|number }}. A datetime is stored naive in UTC.
    app.add_template_filter(lambda value: format_date(value, "medium") if value else "", "day")
    app.add_template_filter(moment, "moment")
    app.add_template_filter(lambda value: format_percent(value) if value is not None else "", "percent")
    app.add_template_filter(lambda value: format_decimal(value) if value is not None else "", "number")
    # For templates rendered without a request's context (the reports, imported macros such as the chart).
    app.add_template_global(lambda: current_language() in RTL_LANGUAGES, "reads_right_to_left")

    @app.context_processor
    def language_context():
        language = current_language()
        return {"language_names": LANGUAGE_NAMES, "locale": language,
                "text_direction": "rtl" if language in RTL_LANGUAGES else "ltr"}
