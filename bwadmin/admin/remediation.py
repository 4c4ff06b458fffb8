"""Staff verify the actions factories declared done, or reopen them with a reason (services/remediation holds the
rule: the same `move` the factory's plan page calls)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models.reports import ACTION_NOTE_MAX, VERIFY_METHODS
from ..services import remediation
from .base import StaffPage, no_such_record


class RemediationView(StaffPage):
    @expose("/")
    def index(self):
        return self.render("admin/remediation.html", rows=remediation.to_verify(current_user))

    @expose("/<int:action_id>", methods=("GET", "POST"))
    def action(self, action_id: int):
        try:
            action = remediation.action_for(current_user, action_id)
        except NotFound:
            return no_such_record(url_for(".index"), action_id)
        errors, form = {}, request.form
        if request.method == "POST":
            step = form.get("step")
            try:
                if step == "verify":
                    remediation.move(current_user, action, "verified", how=form.get("how"), note=form.get("note"))
                elif step == "reopen":
                    remediation.move(current_user, action, "reopened", reason=form.get("reason"))
                elif step == "committee":
                    remediation.mark_committee_action(current_user, action, form.get("committee_action") == "1")
                else:
                    raise remediation.RemediationError("step", _("Choose to verify or to reopen the action."))
            except remediation.RemediationError as exc:
                db.session.rollback()
                errors[exc.field] = exc.message
            else:
                db.session.commit()
                flash({"verify": _("Action verified."), "reopen": _("Action reopened: the factory reads your reason."),
                       "committee": _("Saved.")}[step], "success")
                return redirect(url_for(".action", action_id=action.id))
        page = self.render("admin/remediation_action.html", action=action, errors=errors, form=form,
                           labels=remediation.STATE_LABELS, how=remediation.HOW_LABELS, methods=VERIFY_METHODS,
                           awaiting=remediation.awaiting_cosignature(action), limit=ACTION_NOTE_MAX)
        return page, (400 if errors else 200)
