"""/buyer/: the factories a buyer sources from that consent to share, and their released reports."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..services import access, audit, improvement, portal, progress_over_cycles, sharing, supplier_overview
from ..services.errors import FieldError
from . import role_required
from .report_downloads import send_report_pdf

bp = Blueprint("buyer", __name__, url_prefix="/buyer")


@bp.get("/")
@role_required("buyer")
def index():
    return _home()


def _home(asking: int | None = None, error: str | None = None, message: str = ""):
    """The buyer home; `asking`, `error` and `message`: the factory whose request to share was refused, why, and the
    message typed, shown beside its field."""
    args = request.args
    home = portal.buyer_home(current_user, after=args.get("after"), before=args.get("before"), sort=args.get("sort"),
                             country=args.get("country"), stage=args.get("stage"))
    return render_template("portal/buyer_index.html", home=home, asking=asking, error=error, message=message,
                           message_limit=sharing.SHARE_MESSAGE_MAX, ask_again_days=sharing.ASK_AGAIN_AFTER.days,
                           stages=portal.stage_names())


@bp.get("/overview")
@role_required("buyer")
def overview():
    """The compliance officer's view: every factory sharing with the buyer, with its figures, flags and audits
    avoided, a page at a time; the exports carry the whole of it."""
    shown = supplier_overview.overview(current_user, request.args)
    return render_template("portal/buyer_overview.html", overview=shown, stages=portal.stage_names(),
                           clusters=supplier_overview.clusters(), headings=supplier_overview.headings(),
                           flag_labels=supplier_overview.flag_labels)


@bp.get("/overview.csv")
@role_required("buyer")
def overview_csv():
    listing, _refused = supplier_overview.parse(request.args)  # a refused part falls back, as on the page
    audit.record("export", entity="factory", summary="Supplier overview exported as CSV")
    db.session.commit()
    return send_file(supplier_overview.csv_file(current_user, listing), as_attachment=True, mimetype="text/csv",
                     download_name=supplier_overview.file_name("csv"))


@bp.get("/overview.xlsx")
@role_required("buyer")
def overview_xlsx():
    listing, _refused = supplier_overview.parse(request.args)
    audit.record("export", entity="factory", summary="Supplier overview exported as Excel")
    db.session.commit()
    return send_file(supplier_overview.xlsx_file(current_user, listing), as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=supplier_overview.file_name("xlsx"))


@bp.get("/factories/<int:factory_id>")
@role_required("buyer")
def factory(factory_id: int):
    page = portal.buyer_factory_page(current_user, factory_id)
    return render_template("portal/buyer_factory.html", page=page, labels=portal.REPORT_LABELS,
                           statuses=improvement.STATUS_LABELS, need_statuses=portal.NEED_STATUS_LABELS,
                           stages=portal.stage_names(),
                           trend=progress_over_cycles.chart_for(current_user, factory_id, page.factory.country))


@bp.post("/factories/<int:factory_id>/ask")
@role_required("buyer")
def ask(factory_id: int):
    message = request.form.get("message") or ""
    try:
        asked = sharing.request_share(current_user, factory_id, message)
    except FieldError as exc:
        return _home(factory_id, exc.message, message), 400
    if asked.sent:
        flash(_("Your request to share was sent to the factory. You will be told of its answer by email and here."))
    elif asked.state.shares:
        flash(_("This factory already shares its results with you."))
    else:
        flash(_("Your request is still open: the factory has not answered yet."))
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

    def record():
        audit.record("download", report, summary=f"PDF of {report} downloaded")
        db.session.commit()

    return send_report_pdf(report, url_for("buyer.report", report_id=report.id), record)
