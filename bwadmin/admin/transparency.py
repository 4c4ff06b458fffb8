"""The public transparency page, for staff: the issues published per country (admins), and the factories' responses
to approve or reject (staff). The rules are services/transparency's."""
from __future__ import annotations

from flask import flash, g
from flask_admin.actions import action
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import inspect

from ..extensions import db
from ..models import Cycle, Factory, TransparencyIssue, TransparencyResponse
from ..models.transparency import MAX_RESPONSE
from ..services import report_figures, transparency
from .base import AdminOnlyModelView, StaffModelView

KIND_CHOICES = [("compliance_point", _l("Compliance point")), ("question", _l("Question"))]
STATUS_CHOICES = [("draft", _l("Draft")), ("submitted", _l("Submitted")), ("approved", _l("Approved")),
                  ("rejected", _l("Rejected"))]


class TransparencyIssueView(AdminOnlyModelView):
    column_list = ("country", "position", "label", "kind", "code", "active")
    column_filters = ("country", "kind", "active")
    column_default_sort = [("country", False), ("position", False)]
    prefix_search = [(TransparencyIssue.country, None), (TransparencyIssue.label, None), (TransparencyIssue.code, None)]
    column_choices = {"kind": KIND_CHOICES}
    form_choices = {"kind": KIND_CHOICES}
    form_columns = ("country", "kind", "code", "label", "position", "active")
    column_labels = {"country": _l("Country"), "position": _l("Position"), "label": _l("Label"),
                     "kind": _l("Publishes"), "code": _l("Code"), "active": _l("Published")}
    column_descriptions = {
        "country": _l("As the factories' records name it; the public page lists the factories of this country."),
        "code": _l("The key of a compliance point (for example overtime_wages) or the code of a question (for "
                   "example OS.EMP.01) in the assessment bank."),
        "label": _l("What the public page calls the issue."),
        "position": _l("The issues are shown in this order."),
        "active": _l("Untick to stop publishing the issue without losing it."),
    }

    def check(self, form, model) -> None:
        form.country.data = " ".join((form.country.data or "").split())
        form.code.data = (form.code.data or "").strip()
        for problem in transparency.check_issue(form.country.data, form.kind.data, form.code.data,
                                                model.id if model is not None else None):
            problem.put_on(form)

    def on_model_change(self, form, model, is_created) -> None:
        # The countries whose list this change touches, the one it leaves included: their reports' flags follow
        # (read before the flush below forgets what the country was).
        history = inspect(model).attrs.country.history
        g.issue_countries = {*(history.deleted or ()), model.country}
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created) -> None:
        transparency.forget()
        self._refresh_flags(g.pop("issue_countries", {model.country}))

    def after_model_delete(self, model) -> None:
        transparency.forget()
        self._refresh_flags({model.country})

    @staticmethod
    def _refresh_flags(countries) -> None:
        report_figures.refresh_public_flags(countries)
        db.session.commit()


def _excerpt(view, context, model, name):
    text = getattr(model, name) or ""
    return text if len(text) <= 120 else text[:119] + "…"


def _paragraphs(view, context, model, name):
    return Markup('<div style="white-space: pre-line">%s</div>') % (getattr(model, name) or "")


def _status(view, context, model, name):
    return dict(STATUS_CHOICES).get(model.status, model.status)


class TransparencyResponseView(StaffModelView):
    """Factories' responses: staff read them and approve (publish) or reject them, by the list's actions."""
    can_create = can_delete = False
    column_list = ("cycle", "status", "text", "submitted_at", "approved_at", "approved_by")
    column_details_list = ("cycle", "status", "text", "approved_text", "submitted_at", "submitted_by", "approved_at",
                           "approved_by", "review_note", "updated_at")
    column_filters = ("status", "submitted_at", "approved_at")
    column_default_sort = ("updated_at", True)
    prefix_search = [(Factory.name, [TransparencyResponse.cycle, Cycle.factory])]
    column_formatters = {"text": _excerpt, "status": _status}
    column_formatters_detail = {"status": _status, "text": _paragraphs, "approved_text": _paragraphs}
    column_labels = {"cycle": _l("Cycle"), "status": _l("Status"), "text": _l("Response"),
                     "approved_text": _l("Published text"), "submitted_at": _l("Submitted"),
                     "submitted_by": _l("Submitted by"), "approved_at": _l("Approved"),
                     "approved_by": _l("Approved by"),
                     "review_note": _l("Note to the factory"), "updated_at": _l("Updated")}
    column_descriptions = {"review_note": _l("Shown to the factory in its portal, never in public; write it before "
                                             "rejecting to say why.")}
    form_columns = ("review_note",)

    def check(self, form, model) -> None:
        if form.review_note.data and len(form.review_note.data) > MAX_RESPONSE:
            form.review_note.errors.append(_("Keep the note to %(num)s characters.", num=MAX_RESPONSE))

    @action("approve", _l("Approve and publish"),
            _l("Publish the selected responses on the public transparency page as they stand?"))
    def action_approve(self, ids):
        done = transparency.approve(self.chosen(ids), current_user)
        db.session.commit()
        self._tell(done, len(ids), ngettext("%(num)s response approved and published.",
                                            "%(num)s responses approved and published.", done))

    @action("reject", _l("Reject"),
            _l("Reject the selected responses? They are taken off the public page; the note you wrote on each is "
               "shown to its factory."))
    def action_reject(self, ids):
        done = transparency.reject(self.chosen(ids), current_user)
        db.session.commit()
        self._tell(done, len(ids), ngettext("%(num)s response rejected.", "%(num)s responses rejected.", done))

    @staticmethod
    def _tell(done: int, asked: int, message: str) -> None:
        flash(message, "success" if done else "info")
        if done < asked:
            flash(ngettext("%(num)s response left as it was: only submitted responses are approved, and only submitted "
                           "or approved ones rejected.",
                           "%(num)s responses left as they were: only submitted responses are approved, and only "
                           "submitted or approved ones rejected.", asked - done), "warning")


def init_transparency_views(admin) -> None:
    admin.add_view(TransparencyIssueView(TransparencyIssue, name=_l("Published issues"), category=_l("Transparency"),
                                         endpoint="transparency_issue"))
    admin.add_view(TransparencyResponseView(TransparencyResponse, name=_l("Factory responses"),
                                            category=_l("Transparency"), endpoint="transparency_response"))
