"""/transparency/: the public page (no login). What it shows and the rule it keeps are services/transparency's; these
views only render, download and cache.

Pages for anonymous readers are cached as their rendered body (caches.transparency_pages), not as whole pages: the
page around the body carries the reader's own CSRF token (the language form) and is rendered for each request in a
millisecond. A search is not cached (every term would take a place). Logged-in readers get a body rendered afresh
from the same cached table."""
from __future__ import annotations

import csv
import io

import orjson
from flask import Blueprint, Flask, Response, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from . import caches
from .admin.base import escape_csv_cell
from .i18n import current_language
from .services import transparency

bp = Blueprint("transparency", __name__, url_prefix="/transparency")

CSV_STATES = {transparency.COMPLIANT: "compliant", transparency.NONCOMPLIANT: "non-compliant",
              transparency.NOT_ASSESSED: ""}


def _cached(key: tuple, make, anonymous_only: bool = True):
    """What `make()` returns, kept for CACHE_SECONDS, keyed by database and what was asked: a page for anonymous
    readers (in their language; made afresh for a logged-in one), or with `anonymous_only` False what is the same for
    everyone (the downloads). `make` may raise NotFound: nothing is kept then."""
    if anonymous_only and current_user.is_authenticated:
        return make()
    key = (transparency.database(), current_language() if anonymous_only else None) + key
    with caches.lock:
        value = caches.transparency_pages.get(key)
    if value is None:
        value = make()
        with caches.lock:
            try:
                caches.transparency_pages[key] = value
            except ValueError:  # larger than the whole cache: served, not kept
                pass
    return value


@bp.get("/")
def index():
    body = _cached(("index",), lambda: render_template("transparency/_index.html", countries=transparency.countries()))
    return render_template("transparency/page.html", body=Markup(body), title=None)


@bp.get("/<country>/")
def country(country: str):
    args = request.args
    try:
        query = transparency.table_query(args.get("sort"), args.get("dir"), args.get("q"), args.get("page"))
    except transparency.SearchTooLong as exc:  # the whole table again, the message beside the search field
        page = transparency.table_page(country, exc.query)
        body = Markup(_country_body(page, args.get("q"), exc.message))
        return render_template("transparency/page.html", body=body, title=page.table.country), 400

    def render() -> tuple[str, str]:
        page = transparency.table_page(country, query)
        return page.table.country, _country_body(page, page.search, None)

    if query.search:  # not cached: every term would take a place
        title, body = render()
    else:
        title, body = _cached(("country", country, query), render)
    return render_template("transparency/page.html", body=Markup(body), title=title)


def _country_body(page, typed: str | None, error: str | None) -> str:
    return render_template("transparency/_country.html", page=page, typed=typed, error=error,
                           max_search=transparency.MAX_SEARCH, min_factories=transparency.MIN_FACTORIES)


@bp.get("/<country>/factories/<int:factory_id>")
def factory(country: str, factory_id: int):
    def render() -> tuple[str, str]:
        page = transparency.factory_page(country, factory_id)
        return page.name, render_template("transparency/_factory.html", page=page)

    title, body = _cached(("factory", country, factory_id), render)
    return render_template("transparency/page.html", body=Markup(body), title=title)


def _download(country: str, kind: str, make) -> Response:
    data = _cached((kind, country), make, anonymous_only=False)  # the same bytes for everyone
    response = Response(data, mimetype="text/csv" if kind == "csv" else "application/json")
    if kind == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="transparency-{country}.csv"'
    response.headers["Cache-Control"] = f"public, max-age={transparency.CACHE_SECONDS}"  # no-store when logged in
    return response


@bp.get("/<country>.csv")
def country_csv(country: str):
    def make() -> bytes:
        table, rows = transparency.export_rows(country)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["factory_id", "factory", "last_assessment", "noncompliant_issues"]
                        + [escape_csv_cell(issue.label) for issue in table.issues])
        for row in rows:
            states = [CSV_STATES[row["issues"][issue.id]] for issue in table.issues]
            writer.writerow([row["id"], escape_csv_cell(row["name"]), row["last_assessment"],
                             row["noncompliant_issues"]] + states)
        return out.getvalue().encode()

    return _download(country, "csv", make)


@bp.get("/<country>.json")
def country_json(country: str):
    def make() -> bytes:
        table, rows = transparency.export_rows(country)
        issues = []
        for issue, share in zip(table.issues, table.shares, strict=True):
            entry = {"id": issue.id, "label": issue.label, "kind": issue.kind, "code": issue.code,
                     "share_noncompliant": share.rate}
            if share.rate is not None:  # counts of fewer factories would give the share withheld
                entry |= {"factories_assessed": share.assessed, "factories_noncompliant": share.noncompliant}
            issues.append(entry)
        page = url_for(".country", country=table.slug) + "factories/"  # once: url_for costs more than the row
        factories = [row | {"issues": {str(issue_id): state for issue_id, state in row["issues"].items()},
                            "url": f"{page}{row['id']}"} for row in rows]
        return orjson.dumps({"country": table.country, "generated_at": table.built_at.isoformat(timespec="seconds"),
                             "share_withheld_below": transparency.MIN_FACTORIES, "issues": issues,
                             "factories": factories})

    return _download(country, "json", make)


def init_app(app: Flask) -> None:
    from .portal.transparency import bp as portal_bp  # the factory's own page, beside its portal

    app.register_blueprint(bp)
    app.register_blueprint(portal_bp)
