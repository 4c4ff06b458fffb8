"""Staff enter the assessment and the committee review of a cycle through the questionnaire engine:
/admin/assessment-entry/<cycle_id> and /admin/committee-review/<cycle_id>."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from forms.assessment import AssessmentDetailsForm, AttachmentForm, EvidenceForm, ReviewForm
from forms.questionnaire import NO, NOT_APPLICABLE, YES, form_for, shown_names

from ..extensions import db
from ..models import Cycle
from ..queue import queue_drafts
from ..services import assessments, audit, evidence, responses, scoring
from ..services.errors import FieldError
from .base import no_such_record, refuse, staff_only

ANSWER_WORDS = {"yes": YES, "no": NO, "na": NOT_APPLICABLE}
# The states of an assessment's review, as its pages say them.
REVIEW_LABELS = {
    "entering": _l("Being entered by its assessors"),
    "in_review": _l("Submitted: waiting for review"),
    "returned": _l("Returned to its assessors with comments"),
    "approved": _l("Approved: complete"),
}


class QuestionnaireEntryView(BaseView):
    kind = ""
    heading = ""  # the page's title, in the reader's language
    audit_name = ""  # the audit log's words, in English like the rest of the log
    audit_action, audit_done = "complete", "completed"
    complete_label = ""  # the button that completes it
    completed_message = ""
    locked_message = _l("This was completed already and can no longer be changed.")

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
                flash(str(self.locked_message), "warning")
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
        audit.record(self.audit_action, response, summary=f"{self.audit_name} {self.audit_done}: {cycle}")
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
                           result=result, committee_score=cycle.committee_review_score,
                           **self.extra_context(cycle, response))

    def extra_context(self, cycle, response) -> dict:
        return {}


class AssessmentEntryView(QuestionnaireEntryView):
    """The assessors enter the assessment (answers, details, the evidence of each answer) and submit it for review;
    a reviewer approves it or returns it with comments on its review page."""

    kind = "assessment"
    heading = _l("Assessment")
    audit_name = "Assessment"
    audit_action, audit_done = "submit", "submitted for review"
    complete_label = _l("Submit for review")
    completed_message = _l("Submitted for review. A staff member who is not one of its assessors reviews it.")
    locked_message = _l("This assessment is with its reviewer or approved: it can no longer be changed.")

    def details_form(self, cycle, formdata=None):
        staff = assessments.staff_people()
        if formdata is not None:
            return AssessmentDetailsForm(formdata=formdata, prefix="a-", staff=staff)
        a = cycle.assessment
        data = {"assessed_on": a.assessed_on, "first_assessor": a.first_assessor_id,
                "second_assessor": a.second_assessor_id, "days_on_site": a.days_on_site,
                "worker_sample": a.worker_sample} if a else {}
        return AssessmentDetailsForm(data=data, prefix="a-", staff=staff)

    def save_details(self, cycle, response, details) -> None:
        people = {p.id: p for p in assessments.staff_people()}
        assessments.record_details(cycle, response, details.assessed_on.data,
                                   people.get(details.first_assessor.data), people.get(details.second_assessor.data),
                                   details.days_on_site.data, details.worker_sample.data)

    def complete(self, cycle, response, details):
        try:
            check = assessments.submit_for_review(cycle, current_user)
        except assessments.ReviewError as exc:
            return responses.SubmitCheck(general=[str(exc)])
        if not check.ok and cycle.assessment is not None:
            for name, message in assessments.details_problems(cycle.assessment).items():
                details[name].errors = list(details[name].errors) + [message]
        return check

    def extra_context(self, cycle, response) -> dict:
        files, noted = evidence.entry_marks(response)
        assessment = cycle.assessment
        return {"assessment": assessment, "review_labels": REVIEW_LABELS,
                "can_review": assessments.can_review(assessment, current_user),
                "evidence": {"url": url_for(".evidence_page", cycle_id=cycle.id, question_id=0)[:-1],
                             "files": files, "noted": noted}}

    def _cycle_and_response(self, cycle_id: int):
        cycle = db.session.get(Cycle, cycle_id)
        if cycle is None:
            abort(no_such_record(url_for("cycle.index_view"), cycle_id))
        response = responses.find(cycle.id, self.kind)
        if response is None:
            flash(_("Enter the assessment's answers first."), "warning")
            abort(redirect(url_for(".entry", cycle_id=cycle.id)))
        return cycle, response

    # --- the evidence of one answer -------------------------------------------------------------------------
    @expose("/<int:cycle_id>/evidence/<int:question_id>", methods=("GET", "POST"))
    def evidence_page(self, cycle_id: int, question_id: int):
        cycle, response = self._cycle_and_response(cycle_id)
        question = evidence.question_of(response, question_id)
        form = EvidenceForm(request.form if request.method == "POST" else None)
        upload = AttachmentForm(request.files if request.method == "POST" else None)
        if request.method == "POST":
            try:
                if request.form.get("action") == "upload":
                    attachment = evidence.attach(response, question, request.files.get("file"), current_user)
                    audit.record("attach", attachment, summary=f"Evidence attached: {attachment.filename}, {cycle}")
                    db.session.commit()
                    flash(_("The file is attached."), "info")
                else:
                    evidence.save_evidence(response, question, form.statement.data, form.methods.data,
                                           form.notes.data)
                    db.session.commit()
                    flash(_("The evidence is saved."), "info")
                return redirect(request.url)
            except FieldError as exc:
                db.session.rollback()
                exc.put_on(upload if exc.field == "file" else form)
                flash(_("Nothing was saved: see the message beside the field."), "error")
            except responses.ResponseLocked as exc:
                db.session.rollback()
                flash(str(exc), "warning")
            return self._evidence(cycle, response, question, form, upload)
        return self._evidence(cycle, response, question, None, upload)

    @expose("/<int:cycle_id>/evidence/<int:question_id>/remove/<int:attachment_id>", methods=("POST",))
    def remove_attachment(self, cycle_id: int, question_id: int, attachment_id: int):
        cycle, response = self._cycle_and_response(cycle_id)
        attachment = evidence.attachment_for(current_user, attachment_id)
        try:
            name = attachment.filename
            sha = evidence.detach(response, attachment)
            audit.record("detach", response, summary=f"Evidence removed: {name}, {cycle}")
            db.session.commit()
            evidence.discard_if_unused(sha)  # once the row is surely gone
            flash(_("The file is removed."), "info")
        except responses.ResponseLocked as exc:
            db.session.rollback()
            flash(str(exc), "warning")
        return redirect(url_for(".evidence_page", cycle_id=cycle.id, question_id=question_id))

    def _evidence(self, cycle, response, question, form, upload):
        found = evidence.evidence_of(response, question)
        if form is None:
            form = EvidenceForm(data={"statement": found.statement or found.default_statement or "",
                                      "methods": found.methods, "notes": found.notes or ""})
        answer = evidence.answer_row(response, question)
        return self.render("admin/assessment_evidence.html", cycle=cycle, response=response, question=question,
                           language=current_user.language, found=found, form=form, upload=upload,
                           value=answer.value if answer else None, answer_words=ANSWER_WORDS,
                           editable=response.status == "draft")

    # --- the review ---------------------------------------------------------------------------------------------
    @expose("/<int:cycle_id>/review", methods=("GET", "POST"))
    def review(self, cycle_id: int):
        cycle, response = self._cycle_and_response(cycle_id)
        assessment = cycle.assessment
        form = ReviewForm(request.form if request.method == "POST" else None)
        if request.method == "POST":
            decision = request.form.get("action")
            try:
                if decision == "approve":
                    assessments.approve(cycle, current_user, form.comments.data)
                    audit.record("approve", response, summary=f"Assessment approved: {cycle}")
                    db.session.commit()
                    queue_drafts([cycle.id])  # the draft report the factory reviews before the release
                    flash(_("Assessment approved: it is complete, and its report is released one month after the "
                            "assessment date."), "info")
                    return redirect(url_for("cycle.details_view", id=cycle.id))
                if decision == "return":
                    assessments.return_to_assessors(cycle, current_user, form.comments.data)
                    audit.record("return", response, summary=f"Assessment returned to its assessors: {cycle}")
                    db.session.commit()
                    flash(_("Returned to the assessors with your comments."), "info")
                    return redirect(url_for(".review", cycle_id=cycle.id))
            except FieldError as exc:
                db.session.rollback()
                exc.put_on(form)
            except assessments.ReviewError as exc:
                db.session.rollback()
                flash(str(exc), "error")
        return self.render("admin/assessment_review.html", cycle=cycle, response=response, assessment=assessment,
                           form=form, review_labels=REVIEW_LABELS, result=scoring.score(response),
                           can_review=assessments.can_review(assessment, current_user))


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
