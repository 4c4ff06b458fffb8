"""Questionnaires, responses, assessments, reports, differentiation, notices and the audit log."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask import current_app, flash, g, redirect, request, send_file, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import IntEqualFilter
from flask_babel import format_date, format_decimal, format_percent, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import FloatField, HiddenField
from wtforms.validators import Optional, ValidationError

from ..extensions import db
from ..i18n import current_language, moment
from ..models import (
    Answer,
    ApiToken,
    Assessment,
    AssessmentReview,
    Attachment,
    AuditEvent,
    Cycle,
    DifferentiationCriterion,
    DifferentiationResult,
    Factory,
    ImprovementAction,
    Notification,
    OtherAudit,
    Question,
    Questionnaire,
    Report,
    ReportFlag,
    Response,
    ShareRequest,
    User,
)
from ..models.questionnaire import QUESTION_TYPES, QUESTIONNAIRE_KINDS
from ..models.reports import ACTION_SOURCES, ACTION_STATUSES, CRITERION_KINDS, PDF_KINDS, REPORT_KINDS
from ..queue import send_soon
from ..input_bounds import as_id
from ..models import LANGUAGES
from ..services import account_mail, audit, differentiation, notify, remediation, report_pdf, schedule, thresholds
from ..services import questionnaires as bank
from ..services.questionnaires import PublishedVersionError, refuse_if_published
from .advisory import choices
from .base import AdminOnlyModelView, StaffModelView, no_such_record, redraft
from .labels import COLUMN_LABELS, CYCLES, FACTORIES_AND_BUYERS, PEOPLE, QUESTIONNAIRES, REPORTS_AND_NOTICES, value_label


def _title(view, context, model, name):
    return bank.title_in(model, current_language())


def _questions_link(view, context, model, name):
    """"179 questions", linking to the list of this version's questions (one count query for the page's rows)."""
    counts = g.get("bw_question_counts")
    if counts is None:
        counts = g.bw_question_counts = bank.question_counts(row.id for row in (context.get("data") or [model]))
    return Markup('<a href="{}">{}</a>').format(
        QuestionView.url_of_questionnaire(model.id),
        ngettext("%(num)s question", "%(num)s questions", counts.get(model.id, 0)))


def _country(view, context, model, name):
    return model.country or _("Global template")


def _copy_link(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(url_for("questionnaire.copy_view", id=model.id),
                                                _("Copy to a country"))


class QuestionnaireView(AdminOnlyModelView):
    column_list = ("kind", "version", "title", "country", "questions", "published_at", "created_at", "copy")
    column_labels = {"questions": _l("Questions"), "copy": _l("Copy")}
    column_sortable_list = ("kind", "country", "version", "published_at", "created_at")
    column_formatters = {"title": _title, "questions": _questions_link, "country": _country, "copy": _copy_link}
    column_formatters_detail = {"title": _title, "country": _country}
    column_filters = ("kind", "country", "published_at")
    form_choices = {"kind": choices(QUESTIONNAIRE_KINDS)}
    form_columns = ("kind", "country", "version", "title", "languages", "thresholds", "published_at")
    column_descriptions = {"published_at": _l("A published version never changes: use the “New version” action "
                                              "(select it in the list) to edit a copy."),
                           "title": _l("The title in each language: %(example)s", example='{"en": "...", "es": "..."}'),
                           "country": _l("The country whose factories answer this version, as factories name it; "
                                         "empty for the global template, which countries without a version answer."),
                           "languages": _l("The languages every question must have a text in: %(example)s",
                                           example='["en", "es"]'),
                           "thresholds": _l("The legal figures the questions read as {name}, each with its legal "
                                            "source: %(example)s",
                                            example='{"minimum_age": {"value": 15, "unit": "years", '
                                                    '"source": "Labour Law, art. 177"}}')}

    def check(self, form, model) -> None:
        try:
            refuse_if_published(model)
        except PublishedVersionError as exc:
            form.published_at.errors.append(str(exc))
            flash(str(exc), "error")
            return
        limits = form.thresholds.data if hasattr(form, "thresholds") else None
        if limits is not None and not (isinstance(limits, dict) and all(
                isinstance(entry, dict) for entry in limits.values())):
            form.thresholds.errors.append(_("Write the thresholds as an object of objects keyed by their name, such "
                                            "as %(example)s.",
                                            example='{"minimum_age": {"value": 15, "source": "..."}}'))
        country = (form.country.data or "").strip() if hasattr(form, "country") else ""
        if len(country) > bank.MAX_COUNTRY:
            form.country.errors.append(_("A country is a name of up to %(most)s characters.", most=bank.MAX_COUNTRY))
        languages = form.languages.data if hasattr(form, "languages") else None
        if languages is not None and not (isinstance(languages, list) and languages
                                          and all(language in LANGUAGES for language in languages)):
            form.languages.errors.append(_("List the languages among %(languages)s, such as %(example)s.",
                                           languages=", ".join(LANGUAGES), example='["en", "es"]'))

    def on_model_change(self, form, model, is_created) -> None:
        model.country = (model.country or "").strip() or None
        model.thresholds = model.thresholds or {}
        # A draft moved to another country (or kind) takes the next number there: numbers are per kind and country.
        clash = db.session.scalar(select(Questionnaire.id).where(
            Questionnaire.kind == model.kind, bank.same_country(model.country),
            Questionnaire.version == model.version, Questionnaire.id != (model.id or 0)).limit(1))
        if clash is not None:
            model.version = bank.next_version(model.kind, model.country)
        super().on_model_change(form, model, is_created)

    @expose("/copy/", methods=("GET", "POST"))
    def copy_view(self):
        """Copy a version to a country: a new unpublished draft there, to edit and publish."""
        source = db.session.get(Questionnaire, as_id(request.args.get("id")) or 0)
        if source is None:
            return redirect(no_such_record(self.get_url(".index_view"), request.args.get("id")))
        country = (request.form.get("country") or "").strip() if request.method == "POST" else (source.country or "")
        error = None
        if request.method == "POST":
            try:
                made = bank.copy_to_country(source, country)
            except bank.QuestionnaireError as exc:
                error = str(exc)
            else:
                audit.record("create", made, summary=f"Copied {source} to {made.country}")
                db.session.commit()
                flash(_("Made %(version)s, a draft for %(country)s: edit its thresholds and questions' legal "
                        "references, then publish it.", version=made, country=made.country), "info")
                return redirect(self.get_url(".edit_view", id=made.id))
        return self.render("admin/questionnaire_copy.html", source=source,
                               name=bank.version_name(source, current_language()), country=country, error=error,
                               countries=bank.known_countries(), limit=bank.MAX_COUNTRY)

    def on_model_delete(self, model) -> None:
        try:
            refuse_if_published(model)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        super().on_model_delete(model)

    @action("new_version", _l("New version"), _l("Copy each selected version into a new, unpublished version?"))
    def action_new_version(self, ids):
        made = [bank.new_version(questionnaire) for questionnaire in self.chosen(ids)]
        for questionnaire in made:
            audit.record("create", questionnaire, summary=f"New version {questionnaire}")
        db.session.commit()
        flash(_("Made %(versions)s: edit its questions, then publish it.", versions=", ".join(str(q) for q in made)),
              "info")

    @action("publish", _l("Publish"), _l("Publish the selected versions? A published version never changes."))
    def action_publish(self, ids):
        for questionnaire in self.chosen(ids):
            try:
                bank.publish(questionnaire)
            except bank.QuestionnaireError as exc:
                db.session.rollback()
                flash(_("%(questionnaire)s: %(problem)s", questionnaire=questionnaire, problem=exc), "error")
                return
            audit.record("publish", questionnaire)
        db.session.commit()
        flash(_("Published."), "info")


def _in_language(part):
    def formatter(view, context, model, name):
        return bank.label_in(model.questionnaire, part, getattr(model, name), current_language())
    return formatter


# Questions are read one questionnaire version at a time: this filter's link is on each version's row.
class _ReadEachTime:
    """Options Flask-Admin reads when it draws the filter, not once when the panel starts (versions come and go)."""

    def __init__(self, read):
        self.read = read

    def __iter__(self):
        return iter(self.read())

    def __bool__(self) -> bool:
        return True


class _QuestionnaireFilter(IntEqualFilter):
    def get_options(self, view):
        return _ReadEachTime(bank.choices_for_filter)


QUESTIONNAIRE_FILTER = _QuestionnaireFilter(Question.questionnaire_id, _l("Questionnaire"))


class QuestionView(AdminOnlyModelView):
    column_list = ("questionnaire", "code", "text", "legal_reference", "cluster", "compliance_point", "type",
                   "required", "committee", "zero_tolerance")
    column_sortable_list = ("code", "cluster", "compliance_point", "type", "required", "committee", "zero_tolerance")
    column_filters = (QUESTIONNAIRE_FILTER, "type", "cluster", "required", "committee", "zero_tolerance")
    column_formatters = {
        "questionnaire": lambda v, c, m, n: bank.version_name(m.questionnaire, current_language()),
        "text": lambda v, c, m, n: m.text_in(current_language()),
        "legal_reference": lambda v, c, m, n: thresholds.legal_reference_text(m.legal_reference),
        "cluster": _in_language("clusters"),
        "compliance_point": _in_language("compliance_points"),
    }
    prefix_search = [(Question.code, None), (Question.cluster, None), (Question.compliance_point, None)]
    column_default_sort = [("questionnaire_id", False), ("position", False)]  # one version after the other
    form_choices = {"type": choices(QUESTION_TYPES), "noncompliant_answer": [("yes", _l("Yes")), ("no", _l("No"))]}
    form_columns = ("questionnaire", "position", "code", "cluster", "compliance_point", "type", "text", "help",
                    "choices", "required", "allow_na", "noncompliant_answer", "zero_tolerance", "committee",
                    "show_if", "min_value", "max_value", "legal_reference", "anticipates")
    # The JSON examples stay as they are in every language: they are what the field holds.
    column_descriptions = {
        "text": _l("The question in each language: %(example)s", example='{"en": "...", "es": "..."}'),
        "choices": _l("For choice questions: %(example)s",
                      example='[{"value": "...", "en": "...", "es": "...", "score": 1}]'),
        "show_if": _l("Shown only when another answer has a value: %(example)s",
                      example='{"question": "CODE", "equals": "yes"}'),
        "legal_reference": _l("The law and article the question checks in this version: %(example)s",
                              example='{"law": "Labour Law 1997", "article": "art. 177"}'),
        "anticipates": _l("For a self-diagnosis question: the codes of the assessment questions it anticipates, "
                          "%(example)s", example='["CL.CHL.01", "CL.CHL.02"]'),
    }

    @staticmethod
    def url_of_questionnaire(questionnaire_id: int) -> str:
        """The list of one version's questions: its filter, by its place among the view's filters."""
        view = next(v for v in current_app.extensions["bwadmin.admin"]._views if isinstance(v, QuestionView))
        arg = view.get_filter_arg(view._filters.index(QUESTIONNAIRE_FILTER), QUESTIONNAIRE_FILTER)
        return url_for("question.index_view", **{f"flt0_{arg}": questionnaire_id})

    def check(self, form, model) -> None:
        try:
            refuse_if_published(model.questionnaire if model is not None else None)
            refuse_if_published(form.questionnaire.data)
        except PublishedVersionError as exc:
            form.questionnaire.errors.append(str(exc))
            flash(str(exc), "error")
            return
        reference = form.legal_reference.data if hasattr(form, "legal_reference") else None
        if reference is not None and not (isinstance(reference, dict) and str(reference.get("law") or "").strip()):
            form.legal_reference.errors.append(_("Write the legal reference as %(example)s.",
                                                 example='{"law": "Labour Law 1997", "article": "art. 177"}'))
        anticipated = form.anticipates.data if hasattr(form, "anticipates") else None
        if anticipated is not None and not (isinstance(anticipated, list)
                                            and all(isinstance(code, str) for code in anticipated)):
            form.anticipates.errors.append(_("Write the codes as a list, such as %(example)s.",
                                             example='["CL.CHL.01"]'))

    def on_model_delete(self, model) -> None:
        try:
            refuse_if_published(model.questionnaire)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        super().on_model_delete(model)


class ResponseView(StaffModelView):
    can_create = False
    column_list = ("cycle", "kind", "status", "updated_at", "submitted_at", "submitted_by")
    column_filters = ("kind", "status", "submitted_at")
    prefix_search = [(Factory.name, [Response.cycle, Cycle.factory])]
    form_columns = ("status",)


class AnswerView(StaffModelView):
    can_create = can_edit = can_delete = False
    simple_list_pager = True  # tens of millions of rows: no count of them all on every page (README, Retention)
    column_list = ("response", "question", "value")


class AssessmentView(StaffModelView):
    column_list = ("cycle", "assessed_on", "assessors", "review_status", "completed_at")
    column_filters = ("assessed_on", "review_status", "completed_at")
    column_formatters = {"review_status": lambda view, context, model, name: value_label(model.review_status)}
    column_default_sort = ("assessed_on", True)
    prefix_search = [(Factory.name, [Assessment.cycle, Cycle.factory])]
    form_columns = ("cycle", "assessed_on", "assessors", "notes")

    def on_model_change(self, form, model, is_created) -> None:
        # The release counts from the assessment date: move it with the assessment.
        schedule.sync_milestones(model.cycle)
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created) -> None:
        redraft([model.cycle_id])


def _attachment_link(view, context, model, name):
    # Through the guarded route, like every other way to the file.
    return Markup('<a href="{}">{}</a>').format(url_for("attachments.open_attachment", attachment_id=model.id),
                                                model.filename)


class AttachmentView(StaffModelView):
    """The evidence files, for staff to find; they are added and removed on each answer's evidence page."""

    can_create = can_edit = can_delete = False
    column_list = ("filename", "kind", "size", "uploaded_by", "created_at")
    column_details_list = ("filename", "kind", "size", "uploaded_by", "created_at")
    column_formatters = column_formatters_detail = {"filename": _attachment_link}
    column_filters = ("kind", "created_at")
    column_default_sort = ("created_at", True)
    prefix_search = [(Attachment.filename, None)]


class AssessmentReviewView(StaffModelView):
    """The reviewers' decisions, kept; made on an assessment's review page."""

    can_create = can_edit = can_delete = False
    column_list = ("assessment", "reviewer", "decision", "comments", "created_at")
    column_formatters = {"decision": lambda view, context, model, name: value_label(model.decision)}
    column_filters = ("decision", "created_at")
    column_default_sort = ("created_at", True)


def _title_and_draft_pdf(view, context, model, name):
    """The report's title; a report of a kind the programme prints, not released yet, links to its draft's PDF."""
    if model.released_at is not None or model.kind not in PDF_KINDS:
        return model.title
    return Markup('{} · <a href="{}">{}</a>').format(model.title, view.get_url(".draft_pdf", report_id=model.id),
                                                    _("PDF (draft)"))


class ReportView(StaffModelView):
    can_create = False
    column_list = ("cycle", "kind", "title", "release_at", "released_at")
    column_details_list = ("cycle", "kind", "title", "submitted_at", "release_at", "released_at", "created_at")
    column_formatters = column_formatters_detail = {"title": _title_and_draft_pdf}
    column_filters = ("kind", "release_at", "released_at")
    column_default_sort = ("release_at", True)
    prefix_search = [(Factory.name, [Report.cycle, Cycle.factory])]
    form_choices = {"kind": choices(REPORT_KINDS)}
    form_columns = ("title", "release_at")

    @expose("/draft-pdf/<int:report_id>")
    def draft_pdf(self, report_id: int):
        """The draft's PDF as it stands, in the staff member's language, marked "Draft". Made in this request, not
        by a job: a draft is one report (a fraction of a second to lay out), staff want what it says now while they
        edit it, and nothing is kept (it changes until the release, which makes the PDF the readers get)."""
        report = self.get_one(str(report_id))
        if report is None:
            return no_such_record(self.get_url(".index_view"), report_id)
        pdf = report_pdf.draft_pdf(report, current_language())
        if pdf is None:
            flash(_("This report has no draft to print: it is released, of a kind without PDF, or not written "
                    "yet."), "error")
            return redirect(self.get_url(".details_view", id=report.id))
        return send_file(BytesIO(pdf), mimetype="application/pdf",
                         download_name=f"report-{report.id}-draft-{current_language()}.pdf")


class ReportFlagView(StaffModelView):
    can_create = False
    column_list = ("report", "user", "comment", "created_at", "resolved_at")
    column_filters = ("resolved_at",)
    form_columns = ("resolution", "resolved_at")


class ImprovementActionView(StaffModelView):
    """The plans' rows. Their state moves only through services/remediation (the Remediation page: verify or
    reopen), never by editing the row here."""
    can_create = False
    column_list = ("cycle", "source", "finding", "action", "owner", "due_on", "status", "recurring",
                   "committee_action")
    column_filters = ("status", "source", "recurring", "committee_action", "due_on")
    column_choices = {"status": choices(ACTION_STATUSES), "source": choices(ACTION_SOURCES)}
    form_columns = ("finding", "action", "owner", "due_on")
    column_formatters = {"status": lambda view, context, model, name: Markup(
        '<a href="{}">{}</a>').format(url_for("remediation.action", action_id=model.id),
                                      value_label(model.status))}

    def after_model_change(self, form, model, is_created) -> None:
        remediation.refresh_plan(model.cycle_id)
        db.session.commit()


# The kinds whose threshold is a share (0 to 1), written as one on the list.
SHARE_KINDS = ("max_noncompliance_rate", "sustained_noncompliance_rate", "min_needs_closed_share",
               "min_verified_actions_share")


class CriterionView(AdminOnlyModelView):
    """The criteria differentiation measures a cycle against at month 16 (services/differentiation): staff edit the
    thresholds, switch criteria off and on, add their own; the next measurement reads them."""

    column_list = ("code", "name", "kind", "threshold", "active")
    form_choices = {"kind": choices(CRITERION_KINDS)}
    form_columns = ("code", "name", "kind", "threshold", "active")
    # Flask-Admin makes no field of a Double column: the threshold, the number staff edit most, gets one.
    form_overrides = {"threshold": FloatField}
    form_args = {"threshold": {"validators": [Optional()]}}
    column_formatters = {
        "name": lambda v, c, m, p: differentiation.criterion_name(m),
        "kind": lambda v, c, m, p: value_label(m.kind),
        "threshold": lambda v, c, m, p: "" if m.threshold is None else (
            format_percent(m.threshold) if m.kind in SHARE_KINDS else format_decimal(m.threshold)),
    }
    column_descriptions = {"threshold": _l(
        "Rates and shares as fractions (0.25 is 25%); the committee review score from 0 to 100; meetings as a count. "
        "Empty: the kind's default.")}

    @expose("/")
    def index_view(self):
        # The defaults are rows from the start, for staff to edit before the first measurement.
        if db.session.scalar(select(func.count()).select_from(DifferentiationCriterion)) == 0:
            differentiation.ensure_default_criteria()
            db.session.commit()
        return super().index_view()

    def check(self, form, model) -> None:
        threshold = form.threshold.data
        if threshold is None:
            return
        if threshold < 0:
            form.threshold.errors.append(_("A threshold cannot be negative."))
        elif form.kind.data in SHARE_KINDS and threshold > 1:
            form.threshold.errors.append(_("A rate or a share is a fraction from 0 to 1: 0.25 is 25%."))
        elif form.kind.data == "min_committee_score" and threshold > 100:
            form.threshold.errors.append(_("The committee review score goes from 0 to 100."))


class ResultView(StaffModelView):
    can_create = can_edit = False
    column_list = ("cycle", "criterion", "passed", "value", "measured_at")
    column_filters = ("passed", "measured_at")


class ShareRequestView(StaffModelView):
    column_list = ("buyer", "factory", "status", "requested_at", "decided_at")
    column_filters = ("status",)
    form_columns = ("buyer", "factory", "status", "message")


# A notice's status as the list shows it, in lower case beside "may have been sent".
NOTICE_STATUSES = {"pending": _l("pending"), "sending": _l("sending"), "sent": _l("sent"), "failed": _l("failed")}


class NotificationView(StaffModelView):
    # The log of what was told to whom: kept, never edited or deleted from the panel.
    can_create = can_edit = can_delete = False
    simple_list_pager = True  # grows without bound: no count of every row on every page (README, Retention)
    column_list = ("created_at", "kind", "email", "subject", "status", "attempts", "sent_at", "last_error")
    column_filters = ("status", "kind", "language", "email", "created_at", "sent_at", "attempts")
    column_default_sort = ("created_at", True)
    prefix_search = [(Notification.email, None)]
    column_exclude_list = ("body_text", "body_html")

    # Account emails (invitations, resets) are for admins' eyes only: an advisor sees none of them, in the list,
    # a details page, an export or a count. Flask-Admin's get_one ignores get_query, so it is filtered too.
    def _visible(self, query):
        if current_user.is_admin:
            return query
        return query.filter(Notification.kind.notin_(account_mail.NOTICE_KINDS))

    def get_query(self):
        return self._visible(super().get_query())

    def get_count_query(self):
        return self._visible(super().get_count_query())

    def get_one(self, id):
        notice = super().get_one(id)
        if notice is not None and not current_user.is_admin and notice.kind in account_mail.NOTICE_KINDS:
            return None
        return notice

    def get_action_form(self):
        """The action form carries a Flask-WTF token, which the app-wide CSRFProtect accepts (SecureForm's is not)."""
        class ActionForm(FlaskForm):
            action = HiddenField()
            url = HiddenField()

        return ActionForm

    @staticmethod
    def _status(view, context, model, name):
        return _("may have been sent") if notify.in_doubt(model) else NOTICE_STATUSES.get(model.status, model.status)

    column_formatters = {"status": _status}

    @action("retry", _l("Retry"), _l("Send the selected failed notices again?"))
    def action_retry(self, ids):
        self._retry(ids, even_if_maybe_sent=False)

    @action("retry_maybe_sent", _l("Retry, even though it may have been sent"),
            _l("These notices may already have reached their recipients: a worker stopped while the mail server was "
               "taking them. Send them again anyway?"))
    def action_retry_maybe_sent(self, ids):
        self._retry(ids, even_if_maybe_sent=True)

    def _retry(self, ids, even_if_maybe_sent: bool) -> None:
        rows = self.chosen(ids)
        maybe_sent = [row for row in rows if notify.in_doubt(row)]
        retried = [row for row in rows if notify.retry(row, even_if_maybe_sent=even_if_maybe_sent)]
        for row in retried:
            audit.record("retry", row, summary=f"Retry notice to {row.email}: {row.subject}")
        db.session.commit()
        skipped = len(rows) - len(retried)
        # The English reads "notice(s)" in both forms (as before); the catalogs give each language its plurals.
        if retried:
            if send_soon([row.id for row in retried]):
                flash(ngettext("%(num)s notice(s) queued to be sent again.",
                               "%(num)s notice(s) queued to be sent again.", len(retried)), "success")
            else:
                flash(ngettext("%(num)s notice(s) marked pending; the queue is unreachable, the sweep will send them.",
                               "%(num)s notice(s) marked pending; the queue is unreachable, the sweep will send them.",
                               len(retried)), "warning")
        if maybe_sent and not even_if_maybe_sent:
            flash(ngettext("%(num)s notice(s) not sent again: they may have been sent already. Check with the "
                           "recipient, then use “Retry, even though it may have been sent”.",
                           "%(num)s notice(s) not sent again: they may have been sent already. Check with the "
                           "recipient, then use “Retry, even though it may have been sent”.", len(maybe_sent)),
                  "warning")
            skipped -= len(maybe_sent)
        if skipped:
            flash(ngettext("%(num)s notice(s) skipped: only failed notices can be retried.",
                           "%(num)s notice(s) skipped: only failed notices can be retried.", skipped), "warning")


def _readable(value):
    """A value of an audit snapshot as staff read it: an ISO time to the minute (never with microseconds)."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment_ = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment(moment_) if "T" in value or " " in value else format_date(moment_.date(), "medium")
    return "" if value is None else str(value)


def _changes(view, context, model, name):
    """A snapshot ({"column": value}) as a list of "column: value" lines."""
    values = getattr(model, name) or {}
    if not isinstance(values, dict):
        return str(values)
    return Markup("<ul class=\"list-unstyled mb-0\">{}</ul>").format(Markup("").join(
        Markup("<li><strong>{}</strong>: {}</li>").format(COLUMN_LABELS.get(key, key), _readable(value))
        for key, value in values.items()))


class AuditEventView(StaffModelView):
    can_create = can_edit = can_delete = False
    simple_list_pager = True  # grows without bound: no count of every row on every page (README, Retention)
    column_formatters_detail = {"before": _changes, "after": _changes}
    column_list = ("at", "user", "action", "entity", "entity_id", "summary")
    column_filters = ("action", "entity", "at")
    column_default_sort = ("at", True)
    prefix_search = [(AuditEvent.entity, None), (AuditEvent.summary, None)]


class ApiTokenView(AdminOnlyModelView):
    can_create = False
    column_list = ("user", "created_at", "last_used_at", "revoked_at")
    column_exclude_list = ("token_hash",)
    form_columns = ("revoked_at",)
    prefix_search = [(User.email, ApiToken.user)]


class OtherAuditView(StaffModelView):
    """The other audits factories record in their portal (the dashboard counts the avoided ones): staff read them;
    the factory keeps them."""
    can_create = False
    can_edit = False
    column_list = ("factory", "audited_on", "buyer", "buyer_name", "scheme", "days", "avoided")
    column_filters = ("avoided", "audited_on")
    column_default_sort = ("audited_on", True)
    prefix_search = [(Factory.name, OtherAudit.factory)]


VIEWS = [
    (AssessmentView, Assessment, _l("Assessments"), CYCLES),
    (AssessmentReviewView, AssessmentReview, _l("Assessment reviews"), CYCLES),
    (AttachmentView, Attachment, _l("Evidence files"), QUESTIONNAIRES),
    (ResponseView, Response, _l("Responses"), QUESTIONNAIRES),
    (AnswerView, Answer, _l("Answers"), QUESTIONNAIRES),
    (QuestionnaireView, Questionnaire, _l("Questionnaires"), QUESTIONNAIRES),
    (QuestionView, Question, _l("Questions"), QUESTIONNAIRES),
    (ReportView, Report, _l("Reports"), REPORTS_AND_NOTICES),
    (ReportFlagView, ReportFlag, _l("Report flags"), REPORTS_AND_NOTICES),
    (ImprovementActionView, ImprovementAction, _l("Improvement plans"), REPORTS_AND_NOTICES),
    (CriterionView, DifferentiationCriterion, _l("Differentiation criteria"), REPORTS_AND_NOTICES),
    (ResultView, DifferentiationResult, _l("Differentiation results"), REPORTS_AND_NOTICES),
    (NotificationView, Notification, _l("Notifications"), REPORTS_AND_NOTICES),
    (ShareRequestView, ShareRequest, _l("Share requests"), FACTORIES_AND_BUYERS),
    (OtherAuditView, OtherAudit, _l("Other audits"), FACTORIES_AND_BUYERS),
    (AuditEventView, AuditEvent, _l("Audit log"), PEOPLE),
    (ApiTokenView, ApiToken, _l("API tokens"), PEOPLE),
]
