"""Cycles, their milestones and the schedule offsets staff may change."""
from __future__ import annotations

from flask import flash
from sqlalchemy import select
from wtforms.validators import Optional

from forms.advisory import NeedFromFindingForm, SetupCommitteeForm

from ..extensions import db
from ..models import CYCLE_STATUSES, MILESTONE_KINDS, MILESTONE_LABELS, Cycle, Factory, Milestone, User, utcnow
from ..services import activity, cycles, needs, schedule
from ..services.scoring import cycle_results
from .advisory import choices
from .base import AdminOnlyModelView, StaffModelView, redraft


def staff_users():
    return db.session.scalars(select(User).where(User.role.in_(("admin", "advisor")), User.active).order_by(User.name))


class CycleView(StaffModelView):
    column_list = ("factory", "number", "signed_up_on", "advisor", "status", "training_days_allotted", "high_performer")
    column_labels = {"signed_up_on": "Signed up", "training_days_allotted": "Training days"}
    prefix_search = [(Factory.name, Cycle.factory)]
    column_filters = ("status", "signed_up_on", "number", "high_performer", "factory.country")
    column_default_sort = ("signed_up_on", True)
    form_columns = ("factory", "number", "signed_up_on", "advisor", "training_days_allotted", "status")
    form_args = {
        "advisor": {"query_factory": staff_users},
        "number": {"description": "On a new cycle, leave empty to take the factory's next number.",
                   "validators": [Optional()]},
    }
    form_choices = {"status": choices(CYCLE_STATUSES)}
    details_template = "admin/cycle_details.html"

    def check(self, form, model) -> None:
        if model is not None and form.number.data is None:
            form.number.errors.append(f"A cycle keeps its number: enter it ({model.number}) or another free one.")
        if form.number.data is not None and form.number.data < 1:
            form.number.errors.append("A cycle number starts at 1.")
        factory = form.factory.data
        if factory and form.number.data:
            clash = db.session.scalar(
                select(Cycle).where(Cycle.factory_id == factory.id, Cycle.number == form.number.data)
            )
            if clash and (model is None or clash.id != model.id):
                form.number.errors.append(f"{factory.name} already has a cycle {form.number.data}.")
        if form.training_days_allotted.data is not None and form.training_days_allotted.data < 0:
            form.training_days_allotted.errors.append("Training days cannot be negative.")

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
    column_descriptions = {"base": "What the offset counts from: sign-up, the assessment, or another milestone."}
    form_choices = {
        "kind": [(k, MILESTONE_LABELS[k]) for k in MILESTONE_KINDS],
        "base": [("signup", "Sign-up day"), ("assessment", "Assessment (done, else due)")]
        + [(k, MILESTONE_LABELS[k]) for k in MILESTONE_KINDS],
    }
    form_columns = ("kind", "base", "months", "days")

    def check(self, form, model) -> None:
        if form.kind.data == form.base.data:
            form.base.errors.append("A milestone cannot be counted from itself.")
            return
        table = schedule.offsets()
        table[form.kind.data] = (form.base.data, form.months.data or 0, form.days.data or 0)
        try:
            schedule.due_dates(utcnow().date(), None, table)
        except schedule.ScheduleError as exc:
            form.base.errors.append(f"This would make a loop: {exc}.")

    def after_model_change(self, form, model, is_created) -> None:
        moved = schedule.resync_open_cycles()
        db.session.commit()
        flash(f"Milestones not yet done were moved in {moved} running cycles.")

    def after_model_delete(self, model) -> None:
        schedule.resync_open_cycles()
        db.session.commit()
