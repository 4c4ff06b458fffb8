"""Cycles, their milestones and the schedule offsets staff may change."""
from __future__ import annotations

from flask import flash
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import select
from wtforms.validators import Optional

from forms.advisory import NeedFromFindingForm, SetupCommitteeForm

from ..extensions import db
from ..models import CYCLE_STATUSES, MILESTONE_KINDS, MILESTONE_LABELS, Cycle, Factory, Milestone, User, utcnow
from ..services import activity, cycles, needs, schedule
from ..services.scoring import cycle_results
from .advisory import choices
from .base import AdminOnlyModelView, StaffModelView, redraft


def training_days(value) -> str:
    """Training days as the reader writes numbers, to the tenth of a day (4.0, 0.5; 4,0 in Spanish)."""
    return format_decimal(value, "#,##0.0")


def staff_users():
    return db.session.scalars(select(User).where(User.role.in_(("admin", "advisor")), User.active).order_by(User.name))


class CycleView(StaffModelView):
    column_list = ("factory", "number", "signed_up_on", "advisor", "status", "training_days_allotted", "high_performer")
    column_labels = {"factory.country": _l("Country")}
    prefix_search = [(Factory.name, Cycle.factory)]
    column_filters = ("status", "signed_up_on", "number", "high_performer", "factory.country")
    column_default_sort = ("signed_up_on", True)
    form_columns = ("factory", "number", "signed_up_on", "advisor", "training_days_allotted", "status")
    form_args = {
        "advisor": {"query_factory": staff_users},
        "number": {"description": _l("On a new cycle, leave empty to take the factory's next number."),
                   "validators": [Optional()]},
    }
    form_choices = {"status": choices(CYCLE_STATUSES)}
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

    def on_model_change(self, form, model, is_created) -> None:
        if not model.number:
            model.number = cycles.next_number(model.factory.id)
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
    column_list = ("kind", "base", "months", "days")
    column_descriptions = {"base": _l("What the offset counts from: sign-up, the assessment, or another milestone.")}
    form_choices = {
        "kind": [(k, MILESTONE_LABELS[k]) for k in MILESTONE_KINDS],
        "base": [("signup", _l("Sign-up day")), ("assessment", _l("Assessment (done, else due)"))]
        + [(k, MILESTONE_LABELS[k]) for k in MILESTONE_KINDS],
    }
    form_columns = ("kind", "base", "months", "days")

    def check(self, form, model) -> None:
        if form.kind.data == form.base.data:
            form.base.errors.append(_("A milestone cannot be counted from itself."))
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
        flash(ngettext("Milestones not yet done were moved in %(num)s running cycle.",
                       "Milestones not yet done were moved in %(num)s running cycles.", moved))

    def after_model_delete(self, model) -> None:
        schedule.resync_open_cycles()
        db.session.commit()
