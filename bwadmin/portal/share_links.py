"""/factory/share-links: the factory makes, lists and revokes links to its released reports; /shared/<token>: the
report a link opens, read-only and without login (services/share_links holds the rule)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..input_bounds import as_id
from ..models.travel import SHARE_LINK_LABEL_MAX
from ..services import findings, improvement, portal, report_docs, share_links
from ..services.errors import FieldError
from . import role_required

bp = Blueprint("share_links", __name__, url_prefix="/factory/share-links")
public = Blueprint("shared", __name__, url_prefix="/shared")


def _page(made_url: str | None = None, error: str | None = None, label: str = "", status: int = 200):
    return render_template("portal/factory_share_links.html", links=share_links.links_of(current_user),
                           reports=share_links.shareable_reports(current_user), labels=portal.REPORT_LABELS,
                           state=share_links.state, made_url=made_url, error=error, label=label,
                           label_limit=SHARE_LINK_LABEL_MAX, days=share_links.LINK_DAYS), status


@bp.get("/")
@role_required("factory")
def index():
    return _page()


@bp.post("/")
@role_required("factory")
def make():
    label = request.form.get("label") or ""
    report_id = as_id(request.form.get("report_id"))
    if report_id is None:
        return _page(error=_("Choose a released report to share."), label=label, status=400)
    try:
        link, token = share_links.make(current_user, report_id, label)
    except FieldError as exc:
        return _page(error=exc.message, label=label.strip(), status=400)
    db.session.commit()
    # Shown on this page only, never flashed (the session cookie) nor stored: the row keeps the token's hash.
    return _page(made_url=share_links.url_of(token))


@bp.post("/<int:link_id>/revoke")
@role_required("factory")
def revoke(link_id: int):
    link = share_links.revoke(current_user, link_id)
    db.session.commit()
    flash(_("Link revoked: it no longer opens the report."))
    return redirect(url_for("share_links.index", _anchor=f"link-{link.id}"))


@public.get("/<token>")
def report(token: str):
    try:
        report = share_links.report_for(token)
    except share_links.LinkGone as gone:
        db.session.rollback()
        response = render_template("portal/share_link_gone.html", message=share_links.gone_message(gone.reason))
        return _private(response, 410)
    db.session.commit()  # when it was last opened, for the factory's list
    page = render_template("portal/shared_report.html", report=report, labels=portal.REPORT_LABELS,
                           body_html=report_docs.body_for(report.kind, report.data, report.body_html),
                           plan=portal.plan_rows(report.data), statuses=improvement.STATUS_LABELS,
                           section_titles=improvement.section_titles(), findings=findings.of_report(report),
                           factory=report.cycle.factory, days=share_links.LINK_DAYS, download_url=None,
                           back=None)
    return _private(page, 200)


def _private(body: str, status: int):
    from flask import make_response

    response = make_response(body, status)
    # The token is the key to the report: no cache keeps the page, no Referer carries the address on, no search
    # engine lists it.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
