"""/buyer/: the factories a buyer sources from that consent to share, and their released reports."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..services import access, audit, improvement, portal, sharing
from . import role_required

bp = Blueprint("buyer", __name__, url_prefix="/buyer")


@bp.get("/")
@role_required("buyer")
def index():
    home = portal.buyer_home(current_user, after=request.args.get("after"), before=request.args.get("before"))
    return render_template("portal/buyer_index.html", home=home)


@bp.get("/factories/<int:factory_id>")
@role_required("buyer")
def factory(factory_id: int):
    page = portal.buyer_factory_page(current_user, factory_id)
    return render_template("portal/buyer_factory.html", page=page, labels=portal.REPORT_LABELS,
                           statuses=improvement.STATUS_LABELS, need_statuses=portal.NEED_STATUS_LABELS)


@bp.post("/factories/<int:factory_id>/ask")
@role_required("buyer")
def ask(factory_id: int):
    sharing.request_share(current_user, factory_id, request.form.get("message"))
    db.session.commit()
    flash(_("Your request to share was sent to the factory."))
    return redirect(url_for("buyer.index"))


@bp.get("/reports/<int:report_id>")
@role_required("buyer")
def report(report_id: int):
    report = portal.report_view(current_user, report_id)
    return render_template("portal/report.html", report=report, labels=portal.REPORT_LABELS,
                           plan=portal.plan_rows(report.data), statuses=improvement.STATUS_LABELS,
                           section_titles=improvement.section_titles(),
                           download_url=url_for("buyer.download", report_id=report.id), back=url_for(
                               "buyer.factory", factory_id=report.factory_id))


@bp.get("/reports/<int:report_id>.pdf")
@role_required("buyer")
def download(report_id: int):
    report = access.report_for(current_user, report_id)
    path = access.report_file(report)
    audit.record("download", report, summary=f"PDF of {report} downloaded")
    db.session.commit()
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=f"report-{report.id}.pdf")
