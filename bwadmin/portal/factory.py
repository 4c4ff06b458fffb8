"""/factory/: consent per buyer, share requests, the improvement plan, the progress report, early progress,
and the pre-release review of the draft assessment report."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Report, ReportFlag, ShareRequest, Sourcing, utcnow
from ..services import access, audit, improvement, portal, sharing
from . import role_required

bp = Blueprint("factory", __name__, url_prefix="/factory")


def _cycle():
    cycle = portal.current_cycle(current_user.factory_id)
    if cycle is None:
        raise NotFound()
    return cycle


@bp.get("/")
@role_required("factory")
def index():
    factory = access.factory_for(current_user, current_user.factory_id)
    cycle = portal.current_cycle(factory.id)
    links = db.session.scalars(select(Sourcing).where(Sourcing.factory_id == factory.id)
                               .options(selectinload(Sourcing.buyer)).order_by(Sourcing.id)).all()
    requests_ = db.session.scalars(select(ShareRequest).where(
        ShareRequest.factory_id == factory.id, ShareRequest.status == "pending")
        .options(selectinload(ShareRequest.buyer)).order_by(ShareRequest.requested_at)).all()
    reports = []
    if cycle is not None:
        reports = db.session.scalars(access.visible_reports(current_user).where(
            Report.cycle_id == cycle.id).order_by(Report.id)).all()
    return render_template("portal/factory_index.html", factory=factory, cycle=cycle, links=links,
                           requests=requests_, reports=reports, labels=portal.REPORT_LABELS)


@bp.post("/consent/<int:sourcing_id>/<any(grant, withdraw):change>")
@role_required("factory")
def consent(sourcing_id: int, change: str):
    link = (sharing.grant if change == "grant" else sharing.withdraw)(current_user, sourcing_id)
    db.session.commit()
    flash(f"{link.buyer} {'can now see' if change == 'grant' else 'no longer sees'} your released reports.")
    return redirect(url_for("factory.index"))


@bp.post("/requests/<int:request_id>/<any(accept, decline):decision>")
@role_required("factory")
def decide(request_id: int, decision: str):
    req = sharing.decide(current_user, request_id, decision == "accept")
    db.session.commit()
    flash(f"Request from {req.buyer} {req.status}.")
    return redirect(url_for("factory.index"))


@bp.post("/early-progress")
@role_required("factory")
def early_progress():
    cycle = _cycle()
    share = request.form.get("share") == "1"
    cycle.early_progress_shared_at = utcnow() if share else None
    audit.record("consent", cycle, summary=f"Early progress {'shared' if share else 'no longer shared'} for {cycle}")
    db.session.commit()
    flash("Your buyers now see your goals and early improvements." if share
          else "Your goals and early improvements are no longer shared.")
    return redirect(url_for("factory.index"))


@bp.get("/reports/<int:report_id>")
@role_required("factory")
def report(report_id: int):
    report = access.report_for(current_user, report_id)
    flags = db.session.scalars(select(ReportFlag).where(ReportFlag.report_id == report.id)
                               .order_by(ReportFlag.created_at)).all()
    return render_template("portal/factory_report.html", report=report, labels=portal.REPORT_LABELS, flags=flags,
                           can_flag=_reviewable(report), error=None, comment="",
                           download_url=url_for("factory.download", report_id=report.id), back=url_for("factory.index"))


def _reviewable(report) -> bool:
    """The draft assessment report during the month before its release."""
    return report.kind == "assessment" and report.released_at is None


@bp.post("/reports/<int:report_id>/flags")
@role_required("factory")
def flag(report_id: int):
    report = access.report_for(current_user, report_id)
    comment = (request.form.get("comment") or "").strip()
    error = None
    if not _reviewable(report):
        error = "This report is released; flags are taken only before the release."
    elif not comment:
        error = "Describe the factual error you found."
    elif len(comment) > 5000:
        error = "Keep the comment under 5,000 characters."
    if error:
        flags = db.session.scalars(select(ReportFlag).where(ReportFlag.report_id == report.id)).all()
        return render_template("portal/factory_report.html", report=report, labels=portal.REPORT_LABELS,
                               flags=flags, can_flag=_reviewable(report), error=error, comment=comment,
                               download_url=url_for("factory.download", report_id=report.id),
                               back=url_for("factory.index")), 400
    db.session.add(ReportFlag(report_id=report.id, user_id=current_user.id, comment=comment))
    audit.record("flag", report, summary=f"Factual error flagged in {report}")
    db.session.commit()
    flash("Thank you: programme staff will review your comment before the release.")
    return redirect(url_for("factory.report", report_id=report.id))


@bp.get("/reports/<int:report_id>.pdf")
@role_required("factory")
def download(report_id: int):
    report = access.report_for(current_user, report_id)
    path = access.report_file(report)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=f"report-{report.id}.pdf")


@bp.route("/improvement-plan", methods=["GET", "POST"])
@role_required("factory")
def plan():
    cycle = _cycle()
    errors, values = {}, {}
    if request.method == "POST":
        submit = request.form.get("action") == "submit"
        errors = improvement.save_plan(current_user, cycle, request.form, submit)
        db.session.commit()
        if not errors:
            flash("Improvement plan submitted to your buyers." if submit else "Draft saved.")
            return redirect(url_for("factory.plan"))
        values = request.form
    rows = improvement.actions(cycle)
    db.session.commit()
    report = db.session.scalar(select(Report).where(
        Report.cycle_id == cycle.id, Report.kind == "improvement_plan"))
    return render_template("portal/factory_plan.html", cycle=cycle, rows=rows, errors=errors, values=values,
                           report=report, statuses=improvement.STATUS_LABELS), (400 if errors else 200)


@bp.route("/progress-report", methods=["GET", "POST"])
@role_required("factory")
def progress():
    cycle = _cycle()
    errors = {}
    if request.method == "POST":
        submit = request.form.get("action") == "submit"
        errors = improvement.save_progress(current_user, cycle, request.form, submit)
        db.session.commit()
        if not errors:
            flash("Progress report submitted." if submit else "Draft saved.")
            return redirect(url_for("factory.progress"))
    report = improvement.progress_report(cycle)
    saved = (report.data or {}).get("sections", {}) if report else {}
    facts = improvement.progress_facts(cycle)
    sections = [{"key": key, "title": title, "text": request.form.get(key, saved.get(key, {}).get("text", "")),
                 "facts": facts.get(key, []), "error": errors.get(key)} for key, title in improvement.PROGRESS_SECTIONS]
    return render_template("portal/factory_progress.html", cycle=cycle, sections=sections, report=report,
                           errors=errors), (400 if errors else 200)
