"""Staff enter the assessment and the committee review of a cycle through the questionnaire engine:
/admin/assessment-entry/<cycle_id> and /admin/committee-review/<cycle_id>."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from forms.assessment import AssessmentDetailsForm
from forms.questionnaire import form_for, shown_names

from ..extensions import db
from ..models import Cycle
from ..queue import queue_drafts
from ..services import assessments, audit, responses, scoring
from .base import no_such_record, refuse, staff_only


class QuestionnaireEntryView(BaseView):
    kind = ""
    heading = ""  # the page's title, in the reader's language
    audit_name = ""  # the audit log's words, in English like the rest of the log
    complete_label = ""  # the button that completes it
    completed_message = ""

    def is_accessible(self) -> bool:
        return staff_only()

    def inaccessible_callback(self, name, **kwargs):
        return refuse()

    def is_visible(self) -> bool:
        return False  # opened from a cycle's page

    @expose("/")
    def index(self):
        return redirect(url_for("cycle.index_view"))

    def details_form(self, cycle, formdata=None):
        return None

    def complete(self, cycle, response, details):
        raise NotImplementedError

    def save_details(self, cycle, response, details) -> None:
        """Keep the entered details with the draft."""

    @expose("/<int:cycle_id>", methods=("GET", "POST"))
    def entry(self, cycle_id: int):
        cycle = db.session.get(Cycle, cycle_id)
        if cycle is None:
            abort(no_such_record(url_for("cycle.index_view"), cycle_id))
        try:
            response = responses.response_for(cycle, self.kind)
        except responses.NoQuestionnaire as exc:
            flash(_("%(problem)s An admin can load and publish one.", problem=exc), "error")
            return redirect(url_for("cycle.details_view", id=cycle.id))
        details = self.details_form(cycle, request.form if request.method == "POST" else None)
        if request.method == "GET" or response.status == "submitted":
            if request.method == "POST":
                flash(_("This was completed already and can no longer be changed."), "warning")
            db.session.commit()
            return self._page(cycle, response, form_for(response, current_user.language), details)

        form = form_for(response, current_user.language, request.form)
        responses.save_draft(response, *form.answers())
        details_ok = details is None or details.validate()
        if details_ok:
            self.save_details(cycle, response, details)
        if request.form.get("action") != "complete":
            db.session.commit()
            if form.has_errors or not details_ok:
                flash(_("The draft is saved. Some answers need correcting: see the messages beside them."), "warning")
                return self._page(cycle, response, form, details)
            flash(_("The draft is saved."), "info")
            return redirect(request.url)
        if form.has_errors or not details_ok:
            db.session.commit()
            flash(_("The draft is saved. Correct the answers marked below, then complete it again."), "error")
            return self._page(cycle, response, form, details)
        check = self.complete(cycle, response, details)
        if not check.ok:
            db.session.commit()
            form.set_errors(check.fields)
            for message in check.general:
                flash(message, "error")
            return self._page(cycle, response, form, details)
        audit.record("complete", response, summary=f"{self.audit_name} completed: {cycle}")
        db.session.commit()
        self.after_complete(cycle)
        flash(str(self.completed_message), "info")
        return redirect(url_for("cycle.details_view", id=cycle.id))

    def after_complete(self, cycle) -> None:
        """Work for the workers once the completion is committed."""

    def _page(self, cycle, response, form, details):
        progress = responses.progress(form.questions, form.values())
        result = scoring.score(response)
        return self.render("admin/questionnaire_entry.html", cycle=cycle, response=response, form=form,
                           shown=shown_names(form), progress=progress, details=details, heading=self.heading,
                           complete_label=self.complete_label,
                           result=result, committee_score=cycle.committee_review_score)


class AssessmentEntryView(QuestionnaireEntryView):
    kind = "assessment"
    heading = _l("Assessment")
    audit_name = "Assessment"
    complete_label = _l("Complete assessment")
    completed_message = _l("Assessment completed.")

    def details_form(self, cycle, formdata=None):
        if formdata is not None:
            return AssessmentDetailsForm(formdata=formdata, prefix="a-")
        assessment = cycle.assessment
        return AssessmentDetailsForm(data={"assessed_on": assessment.assessed_on if assessment else None,
                                           "assessors": assessment.assessors if assessment else None}, prefix="a-")

    def save_details(self, cycle, response, details) -> None:
        assessments.record_details(cycle, response, details.assessed_on.data, details.assessors.data)

    def after_complete(self, cycle) -> None:
        queue_drafts([cycle.id])  # the draft report the factory reviews before the release

    def complete(self, cycle, response, details):
        return assessments.complete_assessment(cycle, response, details.assessed_on.data, details.assessors.data,
                                               current_user)


class CommitteeReviewView(QuestionnaireEntryView):
    kind = "committee_review"
    heading = _l("Committee review")
    audit_name = "Committee review"
    complete_label = _l("Complete committee review")
    completed_message = _l("Committee review completed.")

    def complete(self, cycle, response, details):
        return assessments.complete_committee_review(cycle, response, current_user)


def init_entry_views(admin) -> None:
    admin.add_view(AssessmentEntryView(name=_l("Assessment entry"), endpoint="assessment_entry",
                                       url="assessment-entry"))
    admin.add_view(CommitteeReviewView(name=_l("Committee review"), endpoint="committee_review",
                                       url="committee-review"))
