"""/api/v1/: JSON for buyers (and factory users and staff) with bearer tokens. CSRF-exempt: no cookies are read.

Everything a caller may not see is 404, exactly as for a thing that does not exist."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, Flask, Response, g, jsonify, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, NotFound

from .. import logs
from ..extensions import csrf, db
from ..models import LANGUAGES, Cycle, Report
from ..services import access, assessment_export, audit, country_shares, factory_pages, login_guard, portal, tokens
from ..services import report_pdf as report_pdfs  # the view report_pdf takes the name
from ..input_bounds import MAX_ID, whole_number
from .openapi import DEFAULT_LIMIT, MAX_LIMIT, SPEC

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class Unauthorized(HTTPException):
    code = 401
    description = _l("Send a valid bearer token: POST /api/v1/tokens with your email and password.")


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        raw = header[7:].strip() if header.lower().startswith("bearer ") else None
        user = tokens.authenticate(raw)
        if user is None:
            raise Unauthorized()
        g.api_user = user
        logs.note_user(user.id)
        return view(*args, **kwargs)
    return wrapped


def _factory_json(factory) -> dict:
    return {"id": factory.id, "name": factory.name, "country": factory.country, "city": factory.city,
            "url": url_for("api.factory", factory_id=factory.id)}


def _iso(value):
    return value.isoformat() + "Z" if value else None


def _report_json(report: Report, full: bool = False) -> dict:
    out = {"id": report.id, "kind": report.kind, "title": report.title or portal.REPORT_LABELS.get(report.kind),
           "cycle_id": report.cycle_id, "released_at": _iso(report.released_at),
           "url": url_for("api.report", report_id=report.id),
           "pdf_url": url_for("api.report_pdf", report_id=report.id) if report.file_path else None,
           "pdf_pending": report.pdf_pending}
    if full:
        out["factory_id"] = report.cycle.factory_id
        out["scores"] = {"clusters": {key: {"label": label, "rate": rate}
                                      for key, (label, rate) in portal.cluster_rates(report).items()}}
        if report.kind == "improvement_plan":  # each action with its state as it stands (services/remediation)
            out["actions"] = [{key: action.get(key) for key in PLAN_ACTION_KEYS}
                              for action in (report.data or {}).get("actions") or [] if isinstance(action, dict)]
        if report.kind == "assessment" and ((report.data or {}).get("scores") or {}).get("points"):
            out["scores"]["points"], out["country_shares"] = _points_json(report)
    return out


PLAN_ACTION_KEYS = ("finding", "source", "action", "owner", "due_on", "status", "recurring", "awaiting_cosignature",
                    "declared_at", "cosigned_at", "verified_at", "verified_how", "reopened_at")


def _points_json(report: Report) -> tuple[dict, dict]:
    """Each compliance point of the assessment beside the share of the country's factories non-compliant on it, as the
    report's page and PDF give it (country_shares): the share null, with the reason in the reader's language, when
    fewer than five factories were assessed on it; and what the shares count (the country, their day)."""
    # The report names its country; one made before reports did is read with its factory's.
    country = (report.data or {}).get("country") or report.cycle.factory.country
    shares = country_shares.for_report(report.data, country)
    points = {}
    for row in country_shares.point_rows((report.data or {}).get("scores"), shares):
        figure = {"share": row.share.rate, "factories": row.share.factories} if row.share else {
            "share": None, "factories": None, "note": str(country_shares.NOT_SHOWN)}
        points[row.key] = {"label": row.label, "cluster": row.cluster, "noncompliant": row.noncompliant,
                           "questions": row.questions, "rate": row.rate, "country": figure}
    return points, {"country": shares.country, "as_of": _iso(shares.as_of),
                    "min_factories": country_shares.MIN_FACTORIES}


@bp.post("/tokens")
def create_token():
    body = request.get_json(silent=True) if request.is_json else request.form
    if body is not None and not isinstance(body, dict):  # a form is a dict too (MultiDict)
        return jsonify(message=_("Send a JSON object with email and password.")), 400
    body = body or {}
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        return jsonify(message=_("Send email and password, each as text.")), 400
    try:
        user = login_guard.log_in(email, password, request.remote_addr)
    except login_guard.Refused as refused:
        return jsonify(message=str(refused)), 429
    if user is None:
        return jsonify(message=_("That email and password do not match an active account.")), 401
    raw = tokens.issue(user)
    db.session.commit()
    return jsonify(token=raw, token_type="Bearer"), 201


@bp.get("/factories")
@token_required
def factories():
    limit = whole_number(request.args.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = whole_number(request.args.get("offset"), 0, 0, MAX_ID)
    if limit is None or offset is None:
        return jsonify(message=_("limit must be a whole number from 1 to %(most)s, offset one from 0 to %(last)s.",
                                 most=MAX_LIMIT, last=MAX_ID)), 400
    cursor = request.args.get("cursor")
    if cursor is not None and offset:
        return jsonify(message=_("Send cursor or offset, not both.")), 400
    listing, refused = factory_pages.Listing.parse(request.args.get("sort"), request.args.get("country"),
                                                   request.args.get("stage"), request.args.get("flagged"))
    if refused:
        return jsonify(message=" ".join(exc.message for exc in refused)), 400
    try:
        shown = factory_pages.page(g.api_user, limit, after=cursor, offset=offset, listing=listing)
    except factory_pages.BadCursor:
        return jsonify(message=_("cursor is not one this list gave: send next_cursor as it came.")), 400
    base = url_for("api.factories") + "/"  # one URL build, not one per row
    return jsonify(factories=[_factory_row_json(row, base) for row in shown.rows],
                   limit=limit, offset=None if cursor is not None else offset, next_cursor=shown.next_cursor,
                   total=factory_pages.listed_total(factory_pages.counts(g.api_user, listing.flagged), listing))


def _factory_row_json(row: factory_pages.Row, base: str) -> dict:
    """A factory of the list with its figures, all from released reports (factory_pages.Row)."""
    plan = None
    if row.plan_released_at is not None:
        states: dict[str, int] = {}
        for action in row.actions:
            states[str(action.get("status"))] = states.get(str(action.get("status")), 0) + 1
        plan = {"cycle": row.assessed_cycle, "released_at": _iso(row.plan_released_at),
                "submitted_at": _iso(row.plan_submitted_at), "actions": row.action_count,
                "open_actions": row.open_actions, "overdue_actions": row.overdue_actions,
                "actions_by_status": states}
    day = row.assessed_day
    return {"id": row.id, "name": row.name, "country": row.country, "city": row.city, "url": f"{base}{row.id}",
            "stage": row.stage, "released_reports": row.released, "last_assessment_cycle": row.assessed_cycle,
            "last_assessed_on": day.isoformat() if day else None, "noncompliance_rate": row.rate,
            "previous_noncompliance_rate": row.previous_rate,
            "noncompliance_change": None if row.change is None else round(row.change, 6),
            "cluster_rates": row.cluster_rates if row.rate is not None else None,
            "flags": None if row.zero_tolerance is None else {"zero_tolerance": row.zero_tolerance,
                                                              "published_issue": bool(row.public_issue)},
            "audits_avoided": {"audits": row.audits_avoided, "days_saved": row.days_saved},
            "improvement_plan": plan}


@bp.get("/factories/<int:factory_id>")
@token_required
def factory(factory_id: int):
    factory = access.factory_for(g.api_user, factory_id)
    cycle = portal.current_cycle(factory.id)
    out = _factory_json(factory)
    out["reports_url"] = url_for("api.factory_reports", factory_id=factory.id)
    out["current_cycle"] = None if cycle is None else {
        "number": cycle.number, "signed_up_on": cycle.signed_up_on.isoformat(), "status": cycle.status,
        "milestones": [{"kind": m.kind, "label": m.label, "due_at": _iso(m.due_at), "done_at": _iso(m.done_at)}
                       for m in portal.timeline_of(cycle.milestones)]}
    return jsonify(out)


@bp.get("/factories/<int:factory_id>/reports")
@token_required
def factory_reports(factory_id: int):
    access.factory_for(g.api_user, factory_id)
    rows = db.session.scalars(access.visible_reports(g.api_user).where(Cycle.factory_id == factory_id)
                              .order_by(Report.id)).all()
    return jsonify(reports=[_report_json(r) for r in rows])


@bp.get("/reports/<int:report_id>")
@token_required
def report(report_id: int):
    return jsonify(_report_json(access.report_for(g.api_user, report_id), full=True))


@bp.get("/reports/<int:report_id>.pdf")
@token_required
def report_pdf(report_id: int):
    """The PDF in the caller's language (?language=, else Accept-Language, else the one the report was written in):
    200 with the file once made for what the report says now; else 202 with a JSON message and Retry-After, its job
    queued: ask again then. 404 for a report without PDF."""
    report = access.report_for(g.api_user, report_id)
    asked = request.args.get("language")
    if asked is not None and asked not in LANGUAGES:
        return jsonify(message=_("language must be one of %(languages)s.", languages=", ".join(LANGUAGES))), 400
    language = asked or request.accept_languages.best_match(LANGUAGES) or report_pdfs.written_in(report)
    path = access.report_file(report, language)
    if path is None:
        report_pdfs.ask_for(report, language)
        answer = jsonify(message=_("The PDF in this language is being prepared: ask again in a minute."),
                         language=language, retry_after=PDF_RETRY_AFTER)
        answer.headers["Retry-After"] = str(PDF_RETRY_AFTER)
        return answer, 202
    audit.record("download", report, user=g.api_user, summary=f"PDF of {report} downloaded through the API")
    db.session.commit()
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"report-{report.id}-{language}.pdf")


PDF_RETRY_AFTER = 60  # seconds: a PDF job takes about one, behind the release's own


@bp.get("/reports/<int:report_id>/assessment.json")
@token_required
def report_export(report_id: int):
    """The released assessment in the travelling format: only a report the access rule lets the caller see."""
    report = access.report_for(g.api_user, report_id)
    if not assessment_export.exportable(report):
        raise NotFound()
    body = assessment_export.dumps(assessment_export.build(report))
    audit.record("download", report, user=g.api_user, summary=f"Assessment export of {report} through the API")
    db.session.commit()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{assessment_export.file_name(report)}"'})


@bp.get("/schemas/assessment-1.json")
def assessment_schema():
    return Response(assessment_export.SCHEMA_PATH.read_bytes(), mimetype="application/schema+json")


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


def _json_error(exc: HTTPException):
    # API callers read English unless their Accept-Language asks for one of ours (i18n.select_locale).
    message = {404: _("Not found."), 405: _("Method not allowed."),
               503: _("The service is busy. Try again in a minute.")}.get(exc.code, exc.description)
    response = jsonify(message=str(message))
    response.status_code = exc.code or 500
    if exc.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="bwadmin"'
    if exc.code == 405 and getattr(exc, "valid_methods", None):  # HTTP requires it, and the HTML answer has it
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return _json_error(exc)
        return exc


__all__ = ["bp", "init_app", "NotFound", "select"]
