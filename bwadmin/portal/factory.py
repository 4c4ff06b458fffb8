"""/factory/: consent per buyer, share requests, the improvement plan, the progress report, early progress,
and the pre-release review of the draft assessment report."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..services import (access, findings, improvement, other_audits, portal, progress_over_cycles, remediation,
                        report_docs, report_review, sharing)
from ..services.errors import FieldError
from . import role_required
from .report_downloads import send_report_pdf

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
    reports = access.visible_cycle_reports(current_user, cycle.id) if cycle is not None else []
    return render_template("portal/factory_index.html", factory=factory, cycle=cycle,
                           timeline=portal.timeline_of(cycle.milestones) if cycle is not None else [],
                           early_open=cycle is not None and sharing.early_progress_open(cycle),
                           links=sharing.links_of(factory.id), requests=sharing.pending_requests(factory.id),
                           reports=reports, labels=portal.REPORT_LABELS,
                           trend=progress_over_cycles.chart_for(current_user, factory.id, factory.country))


@bp.post("/consent/<int:sourcing_id>/<any(grant, withdraw):change>")
@role_required("factory")
def consent(sourcing_id: int, change: str):
    link = (sharing.grant if change == "grant" else sharing.withdraw)(current_user, sourcing_id)
    db.session.commit()
    flash(_("%(buyer)s can now see your released reports.", buyer=link.buyer.name) if change == "grant"
          else _("%(buyer)s no longer sees your released reports.", buyer=link.buyer.name))
    return redirect(url_for("factory.index"))


@bp.post("/requests/<int:request_id>/<any(accept, decline):decision>")
@role_required("factory")
def decide(request_id: int, decision: str):
    req = sharing.decide(current_user, request_id, decision == "accept")
    flash(_("Request from %(buyer)s accepted: it can now read your released reports.", buyer=req.buyer.name)
          if req.status == "accepted" else _("Request from %(buyer)s declined; it has been told.", buyer=req.buyer.name))
    return redirect(url_for("factory.index"))


@bp.post("/early-progress")
@role_required("factory")
def early_progress():
    share = request.form.get("share") == "1"
    try:
        sharing.share_early_progress(current_user, _cycle(), share)
    except sharing.EarlyProgressClosed:
        flash(_("Early progress can be shared only before the assessment; your buyers now read its results."),
              "warning")
        return redirect(url_for("factory.index"))
    db.session.commit()
    flash(_("Your buyers now see your goals and early improvements.") if share
          else _("Your goals and early improvements are no longer shared."))
    return redirect(url_for("factory.index"))


def _report_page(report, error: str | None = None, comment: str = ""):
    return render_template("portal/factory_report.html", report=report, labels=portal.REPORT_LABELS,
                           body_html=report_docs.body_for(report.kind, report.data, report.body_html),
                           plan=portal.plan_rows(report.data), statuses=improvement.STATUS_LABELS,
                           section_titles=improvement.section_titles(), findings=findings.of_report(report),
                           flags=report_review.flags(report), can_flag=report_review.reviewable(report),
                           window=report_review.window(report), error=error, comment=comment,
                           comment_limit=report_review.MAX_COMMENT,
                           download_url=url_for("factory.download", report_id=report.id), back=url_for("factory.index"))


@bp.get("/reports/<int:report_id>")
@role_required("factory")
def report(report_id: int):
    return _report_page(access.report_for(current_user, report_id))


@bp.post("/reports/<int:report_id>/flags")
@role_required("factory")
def flag(report_id: int):
    report = access.report_for(current_user, report_id)
    comment = request.form.get("comment") or ""
    try:
        report_review.flag(current_user, report, comment)
    except FieldError as exc:
        return _report_page(report, exc.message, comment.strip()), 400
    flash(_("Thank you: programme staff will answer your flag before the release; the answer will show beside it."))
    return redirect(url_for("factory.report", report_id=report.id))


@bp.get("/reports/<int:report_id>.pdf")
@role_required("factory")
def download(report_id: int):
    report = access.report_for(current_user, report_id)
    return send_report_pdf(report, url_for("factory.report", report_id=report.id))


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
            if not submit:
                flash(_("Draft saved."))
            elif improvement.plan_report(cycle).released_at is not None:
                flash(_("Improvement plan submitted: the buyers you share with can read it now."))
            else:
                flash(_("Improvement plan submitted: it goes to the buyers you share with when your assessment "
                        "report is released."))
            return redirect(url_for("factory.plan"))
        values = request.form
    return _plan_page(cycle, errors, values)


def _plan_page(cycle, errors: dict, values):
    rows = improvement.actions(cycle)
    db.session.commit()
    return render_template("portal/factory_plan.html", cycle=cycle, rows=rows, errors=errors, values=values,
                           found=findings.for_actions(rows, cycle.id), limits=improvement.PLAN_LIMITS,
                           report=improvement.plan_report(cycle), sources=improvement.SOURCE_LABELS,
                           statuses={k: improvement.STATUS_LABELS[k] for k in remediation.FACTORY_STATES},
                           labels=remediation.STATE_LABELS, how=remediation.HOW_LABELS,
                           awaiting={row.id for row in rows if remediation.awaiting_cosignature(row)},
                           representatives=remediation.serving_worker_representatives(cycle.factory_id)), \
        (400 if errors else 200)


@bp.post("/improvement-plan/<int:action_id>/cosign")
@role_required("factory")
def cosign(action_id: int):
    cycle = _cycle()
    action = remediation.action_for(current_user, action_id)
    if action.cycle_id != cycle.id:
        raise NotFound()
    try:
        remediation.cosign(current_user, action, request.form.get("member"))
    except remediation.RemediationError as exc:
        db.session.rollback()
        return _plan_page(cycle, {f"{exc.field}-{action.id}": exc.message}, {})
    db.session.commit()
    flash(_("Co-signature recorded: programme staff can now verify the action."))
    return redirect(url_for("factory.plan"))


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
            flash(_("Progress report submitted.") if submit else _("Draft saved."))
            return redirect(url_for("factory.progress"))
    report = improvement.progress_report(cycle)
    saved = (report.data or {}).get("sections", {}) if report else {}
    facts = improvement.progress_facts(cycle)
    sections = [{"key": key, "title": _(title), "text": request.form.get(key, saved.get(key, {}).get("text", "")),
                 "facts": facts.get(key, []), "error": errors.get(key)} for key, title in improvement.PROGRESS_SECTIONS]
    return render_template("portal/factory_progress.html", cycle=cycle, sections=sections, report=report,
                           errors=errors, limit=improvement.SECTION_MAX), (400 if errors else 200)


# --- other audits buyers asked of the factory ---------------------------------------------------------------------
def _audits_page(editing=None, errors=None, values=None, status: int = 200):
    return render_template("portal/factory_audits.html", audits=other_audits.of_factory(current_user),
                           buyers=other_audits.buyers_of(current_user), editing=editing, errors=errors or {},
                           values=values or {}, other=other_audits.OTHER_BUYER,
                           limits={"buyer_name": other_audits.AUDIT_BUYER_MAX, "scheme": other_audits.AUDIT_SCHEME_MAX,
                                   "low": other_audits.AUDIT_DAYS_MIN, "high": other_audits.AUDIT_DAYS_MAX}), status


@bp.route("/audits", methods=["GET", "POST"])
@role_required("factory")
def audits():
    """The other audits the factory's buyers asked of it, and a form to record one."""
    if request.method == "POST":
        row, errors = other_audits.save(current_user, request.form)
        if errors:
            db.session.rollback()
            return _audits_page(errors=errors, values=request.form, status=400)
        db.session.commit()
        flash(_("Audit recorded."))
        return redirect(url_for("factory.audits"))
    return _audits_page()


@bp.route("/audits/<int:audit_id>", methods=["GET", "POST"])
@role_required("factory")
def audit_edit(audit_id: int):
    row = other_audits.one_of_factory(current_user, audit_id)
    if request.method == "POST":
        _saved, errors = other_audits.save(current_user, request.form, row)
        if errors:
            db.session.rollback()
            return _audits_page(row, errors, request.form, 400)
        db.session.commit()
        flash(_("Audit changed."))
        return redirect(url_for("factory.audits"))
    return _audits_page(row, values=other_audits.form_values(row))


@bp.post("/audits/<int:audit_id>/delete")
@role_required("factory")
def audit_delete(audit_id: int):
    other_audits.delete(current_user, other_audits.one_of_factory(current_user, audit_id))
    db.session.commit()
    flash(_("Audit deleted."))
    return redirect(url_for("factory.audits"))
