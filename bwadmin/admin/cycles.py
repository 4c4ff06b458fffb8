"""Cycles, their milestones and the schedule offsets staff may change."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.validators import Unique
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import func, inspect, select
from wtforms.validators import Optional

from forms.advisory import NeedFromFindingForm, SetupCommitteeForm
from forms.base import PageForm

from ..extensions import db
from ..models import (CYCLE_STATUSES, MILESTONE_KINDS, MILESTONE_LABELS, SERVICE_PACKAGES, Cycle, Factory, Milestone,
                      ScheduleOffset, ServicePackage, utcnow)
from ..services import activity, assessment_export, assessment_import, cycles, needs, schedule, service_packages
from ..services.scoring import cycle_results
from .advisory import choices
from .base import AdminOnlyModelView, StaffModelView, redraft
from .labels import value_label
from .pickers import ADVISOR_ARGS, AdvisorField


def training_days(value) -> str:
    """Training days as the reader writes numbers, to the tenth of a day (4.0, 0.5; 4,0 in Spanish)."""
    return format_decimal(value, "#,##0.0")


class CycleView(StaffModelView):
    column_list = ("factory", "number", "signed_up_on", "advisor", "status", "training_days_allotted", "high_performer",
                   "service_package")
    column_labels = {"factory.country": _l("Country")}
    prefix_search = [(Factory.name, Cycle.factory)]
    column_filters = ("status", "signed_up_on", "number", "high_performer", "service_package", "factory.country")
    column_default_sort = ("signed_up_on", True)
    column_formatters = {"service_package": lambda v, c, m, p: value_label(m.service_package)}
    form_columns = ("factory", "number", "signed_up_on", "advisor", "training_days_allotted", "status",
                    "service_package", "planned_visits", "advisory_days")
    form_overrides = {"advisor": AdvisorField}
    form_args = {
        "advisor": ADVISOR_ARGS,
        "number": {"description": _l("On a new cycle, leave empty to take the factory's next number."),
                   "validators": [Optional()]},
        "service_package": {"description": _l(
            "A new cycle starts with the advanced package when the factory's previous cycle was a high performer, "
            "else the standard one. Choosing another package sets its visits and advisory period.")},
        "planned_visits": {"description": _l("Set by the package; change it for this cycle alone.")},
        "advisory_days": {"description": _l("Set by the package; empty: the schedule's offsets.")},
    }
    form_choices = {"status": choices(CYCLE_STATUSES),
                    "service_package": [("", _l("As the factory earned it"))] + choices(SERVICE_PACKAGES)}
    details_template = "admin/cycle_details.html"

    def check(self, form, model) -> None:
        if model is not None and form.number.data is None:
            form.number.errors.append(_("A cycle keeps its number: enter it (%(number)s) or another free one.",
                                        number=model.number))
        if form.number.data is not None and form.number.data < 1:
            form.number.errors.append(_("A cycle number starts at 1."))
        factory = form.factory.data
        if factory and form.number.data:
            clash = db.session.scalar(
                select(Cycle).where(Cycle.factory_id == factory.id, Cycle.number == form.number.data)
            )
            if clash and (model is None or clash.id != model.id):
                form.number.errors.append(_("%(factory)s already has a cycle %(number)s.", factory=factory.name,
                                            number=form.number.data))
        if form.training_days_allotted.data is not None and form.training_days_allotted.data < 0:
            form.training_days_allotted.errors.append(_("Training days cannot be negative."))
        if form.planned_visits.data is not None and form.planned_visits.data < 0:
            form.planned_visits.errors.append(_("Advisory visits cannot be negative."))
        if form.advisory_days.data is not None and form.advisory_days.data < 1:
            form.advisory_days.errors.append(_("An advisory period lasts at least a day; leave it empty for the "
                                               "schedule's."))

    def on_model_change(self, form, model, is_created) -> None:
        if not model.number:
            model.number = cycles.next_number(model.factory.id)
        # A new cycle gets its package (the one it earned, unless staff chose one) and what it sets; a cycle whose
        # package staff change gets what the new one sets; else staff's own numbers stand.
        chosen = model.service_package or None
        if is_created or chosen is None or inspect(model).attrs.service_package.history.has_changes():
            service_packages.apply(model, chosen)
        schedule.sync_milestones(model)
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created) -> None:
        if not is_created:
            redraft([model.id])

    def render(self, template, **kwargs):
        model = kwargs.get("model")
        if template == self.details_template and model is not None:
            kwargs["timeline"] = [(m, m.is_overdue(utcnow())) for m in model.milestones]
            kwargs["activity"] = activity.cycle_activity(model)
            kwargs["findings"] = needs.findings(model)
            kwargs["finding_form"] = NeedFromFindingForm(formdata=None)
            kwargs["setup_form"] = SetupCommitteeForm(formdata=None)
            kwargs["results"] = cycle_results(model)
            kwargs["days"] = training_days
            kwargs["exportable_report"] = assessment_export.released_report_of(model.id)
            kwargs["imported"] = assessment_import.imported(model.assessment.id) if model.assessment else None
        return super().render(template, **kwargs)


class MilestoneView(StaffModelView):
    can_create = False
    column_list = ("cycle", "kind", "due_at", "done_at", "outcome")
    column_filters = ("kind", "due_at", "done_at")
    column_default_sort = "due_at"
    column_formatters = {"kind": lambda v, c, m, p: MILESTONE_LABELS.get(m.kind, m.kind)}
    prefix_search = [(Factory.name, [Milestone.cycle, Cycle.factory])]
    form_columns = ("due_at", "done_at", "outcome")


class ScheduleOffsetView(AdminOnlyModelView):
    """Every milestone with the offset in force (the default, or staff's change), in words; a change is a
    ScheduleOffset row, and going back to the default deletes it."""

    can_view_details = False
    can_export = False
    column_list = ("kind", "base", "months", "days")
    column_descriptions = {"base": _l("What the offset counts from: sign-up, the assessment, or another milestone.")}
    form_choices = {
        "kind": [(k, MILESTONE_LABELS[k]) for k in MILESTONE_KINDS],
        "base": [("signup", _l("Sign-up day")), ("assessment", _l("Assessment (done, else due)"))]
        + [(k, MILESTONE_LABELS[k]) for k in MILESTONE_KINDS],
    }
    form_columns = ("kind", "base", "months", "days")

    @expose("/")
    def index_view(self):
        return self.render("admin/schedule_offsets.html", rows=schedule.offsets_in_force(),
                           reset_form=PageForm(formdata=None))

    @expose("/reset/<kind>", methods=("POST",))
    def reset(self, kind: str):
        row = db.session.scalar(select(ScheduleOffset).where(ScheduleOffset.kind == kind))
        if not PageForm().validate_on_submit():
            flash(_("The form expired: open the page again."), "error")
        elif row is not None:
            self.on_model_delete(row)
            db.session.delete(row)
            moved = schedule.resync_open_cycles()
            db.session.commit()
            flash(_("“%(milestone)s” is back to its default: %(offset)s.", milestone=MILESTONE_LABELS[kind],
                    offset=schedule.describe(*schedule.DEFAULT_OFFSETS[kind])))
            flash(_moved(moved))
        return redirect(url_for(".index_view"))

    def create_form(self, obj=None):
        # "Change" on a milestone still at its default opens the form with that default filled in.
        form = _said_when_taken(super().create_form(obj))
        kind = request.args.get("kind")
        if request.method == "GET" and kind in schedule.DEFAULT_OFFSETS:
            form.kind.data = kind
            form.base.data, form.months.data, form.days.data = schedule.offsets()[kind]
        return form

    def edit_form(self, obj=None):
        return _said_when_taken(super().edit_form(obj))

    def check(self, form, model) -> None:
        if form.kind.data == form.base.data:
            form.base.errors.append(_("A milestone cannot be counted from itself."))
            return
        taken = db.session.scalar(select(ScheduleOffset).where(ScheduleOffset.kind == form.kind.data))
        if taken is not None and (model is None or taken.id != model.id):
            form.kind.errors.append(str(OFFSET_TAKEN))
            return
        table = schedule.offsets()
        table[form.kind.data] = (form.base.data, form.months.data or 0, form.days.data or 0)
        try:
            schedule.due_dates(utcnow().date(), None, table)
        except schedule.ScheduleError as exc:
            form.base.errors.append(_("This would make a loop: %(problem)s.", problem=exc))

    def after_model_change(self, form, model, is_created) -> None:
        moved = schedule.resync_open_cycles()
        db.session.commit()
        flash(_moved(moved))

    def after_model_delete(self, model) -> None:
        schedule.resync_open_cycles()
        db.session.commit()


class ServicePackageView(AdminOnlyModelView):
    """What each service package gives a cycle that starts with it (services/service_packages). Two packages, always:
    staff edit their numbers; a change applies to cycles created afterwards, not to running ones."""

    can_create = can_delete = can_view_details = False
    can_export = False
    column_list = ("code", "first_cycle_visits", "returning_visits", "advisory_days")
    column_labels = {"code": _l("Service package")}
    column_formatters = {"code": lambda v, c, m, p: m.label,
                         "advisory_days": lambda v, c, m, p: m.advisory_days or _("the schedule's")}
    form_columns = ("first_cycle_visits", "returning_visits", "advisory_days")
    form_args = {"advisory_days": {"description": _l(
        "The advisory period's length: the advisory end and the assessment due, counted from sign-up. Empty: the "
        "schedule's offsets.")}}

    @expose("/")
    def index_view(self):
        if db.session.scalar(select(func.count()).select_from(ServicePackage)) < len(SERVICE_PACKAGES):
            service_packages.ensure_defaults()
            db.session.commit()
        return super().index_view()

    def check(self, form, model) -> None:
        for field in (form.first_cycle_visits, form.returning_visits):
            if field.data is None or field.data < 0:
                field.errors.append(_("Enter a number of visits, 0 or more."))
        if form.advisory_days.data is not None and form.advisory_days.data < 1:
            form.advisory_days.errors.append(_("An advisory period lasts at least a day; leave it empty for the "
                                               "schedule's."))


OFFSET_TAKEN = _l("This milestone's offset is changed already: change it from the list.")


def _said_when_taken(form):
    """Flask-Admin's own check of a unique column says "Already exists."; this one says what to do instead."""
    for validator in form.kind.validators:
        if isinstance(validator, Unique):
            validator.message = OFFSET_TAKEN
    return form


def _moved(count: int) -> str:
    return ngettext("Milestones not yet done were moved in %(num)s running cycle.",
                    "Milestones not yet done were moved in %(num)s running cycles.", count)
