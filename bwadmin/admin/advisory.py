"""Advisory visits, the committee and its elections, needs, training and seminars."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..extensions import db
from ..input_bounds import as_id
from ..models import (
    AdvisoryVisit,
    Candidate,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Cycle,
    Election,
    Factory,
    Need,
    Seminar,
    SeminarAttendance,
    TrainingSession,
    utcnow,
)
from ..models.advisory import (
    ELECTION_STATUSES,
    GENDERS,
    NEED_AREAS,
    NEED_SOURCES,
    NEED_STATUSES,
    SIDES,
    VISIT_FOCUSES,
)
from ..services import training
from .base import StaffModelView
from .labels import COMMITTEE, CYCLES, value_label
from .pickers import ADVISOR_ARGS, NEED_ARGS, AdvisorField, NeedField, offer_needs


def _prefill_cycle(form):
    """`?cycle=<id>` on a create form (links from the dashboard and the cycle page) picks the cycle."""
    cycle_id = as_id(request.args.get("cycle") or "")
    if request.method == "GET" and cycle_id is not None and hasattr(form, "cycle"):
        form.cycle.data = db.session.get(Cycle, cycle_id)
    return form


def choices(values):
    """A stored value and its label in the reader's language."""
    return [(v, value_label(v)) for v in values]


class AdvisoryVisitView(StaffModelView):
    column_list = ("cycle", "visited_on", "focus", "advisor")
    column_filters = ("visited_on", "focus")
    column_default_sort = ("visited_on", True)
    prefix_search = [(Factory.name, [AdvisoryVisit.cycle, Cycle.factory])]
    form_choices = {"focus": choices(VISIT_FOCUSES)}
    form_columns = ("cycle", "visited_on", "focus", "advisor", "notes")
    form_overrides = {"advisor": AdvisorField}
    form_args = {"advisor": ADVISOR_ARGS}

    def create_form(self, obj=None):
        form = _prefill_cycle(super().create_form(obj))
        if request.method == "GET":
            form.visited_on.data = form.visited_on.data or utcnow().date()
            if current_user.is_authenticated and current_user.role == "advisor":
                form.advisor.data = current_user
            elif form.cycle.data is not None and form.cycle.data.advisor is not None:
                form.advisor.data = form.cycle.data.advisor
            if form.cycle.data is not None and form.cycle.data.returning:
                form.focus.data = "self_diagnosis"
        return form

    def check(self, form, model) -> None:
        day, cycle = form.visited_on.data, form.cycle.data
        if day and day > utcnow().date():
            form.visited_on.errors.append(_("A visit is recorded once made: this day is in the future."))
        elif day and cycle is not None and day < cycle.signed_up_on:
            form.visited_on.errors.append(_("The cycle started on %(day)s: the visit cannot be before it.",
                                            day=format_date(cycle.signed_up_on, "medium")))


def _committee_work_link(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(url_for("committee_work.committee", committee_id=model.id),
                                                _("%(factory)s: members, meetings, elections", factory=model.factory))


class CommitteeView(StaffModelView):
    column_list = ("factory", "established_on")
    column_formatters = {"factory": _committee_work_link}
    column_formatters_detail = {"factory": _committee_work_link}
    prefix_search = [(Factory.name, Committee.factory)]
    form_columns = ("factory", "established_on", "notes")


class CommitteeMemberView(StaffModelView):
    column_list = ("committee", "name", "side", "department", "gender", "union_representative", "term_start", "term_end")
    column_filters = ("side", "gender", "union_representative")
    prefix_search = [(CommitteeMember.name, None)]
    form_choices = {"side": choices(SIDES), "gender": choices(GENDERS)}
    form_columns = ("committee", "name", "side", "position", "department", "gender", "union_representative",
                    "election", "term_start", "term_end")

    def check(self, form, model) -> None:
        if form.term_start.data and form.term_end.data and form.term_end.data < form.term_start.data:
            form.term_end.errors.append(_("The term cannot end before it starts."))


class CommitteeMeetingView(StaffModelView):
    column_list = ("committee", "held_on", "attendance")
    column_filters = ("held_on",)
    column_default_sort = ("held_on", True)
    form_columns = ("committee", "held_on", "attendance", "minutes")


class ElectionView(StaffModelView):
    column_list = ("committee", "cycle", "held_on", "seats", "eligible_voters", "ballots_cast", "status")
    column_filters = ("status", "held_on")
    column_default_sort = ("held_on", True)
    form_choices = {"status": choices(ELECTION_STATUSES)}
    form_columns = ("committee", "cycle", "nominations_open_on", "held_on", "seats", "eligible_voters",
                    "ballots_cast", "status", "tie_resolution")

    def check(self, form, model) -> None:
        voters, ballots = form.eligible_voters.data, form.ballots_cast.data
        if form.seats.data is not None and form.seats.data < 1:
            form.seats.errors.append(_("An election fills at least one seat."))
        if ballots is not None and ballots < 0:
            form.ballots_cast.errors.append(_("Ballots cast cannot be negative."))
        if voters is not None and ballots is not None and ballots > voters:
            form.ballots_cast.errors.append(_("Ballots cast (%(ballots)s) cannot exceed the eligible voters "
                                              "(%(voters)s).", ballots=ballots, voters=voters))


class CandidateView(StaffModelView):
    column_list = ("election", "name", "department", "gender", "votes", "elected")
    column_filters = ("elected", "gender")
    prefix_search = [(Candidate.name, None)]
    form_choices = {"gender": choices(GENDERS)}
    form_columns = ("election", "name", "department", "gender", "votes", "elected")

    def check(self, form, model) -> None:
        if form.votes.data is not None and form.votes.data < 0:
            form.votes.errors.append(_("Votes cannot be negative."))


class NeedView(StaffModelView):
    column_list = ("cycle", "area", "title", "owner", "due_on", "status", "early_improvement")
    column_filters = ("area", "status", "early_improvement", "due_on", "source")
    prefix_search = [(Need.title, None), (Factory.name, [Need.cycle, Cycle.factory])]
    form_choices = {"area": choices(NEED_AREAS), "status": choices(NEED_STATUSES), "source": choices(NEED_SOURCES)}
    form_columns = ("cycle", "area", "title", "target", "owner", "due_on", "status", "early_improvement", "source")


class TrainingSessionView(StaffModelView):
    column_list = ("cycle", "topic", "held_on", "days", "participants", "need")
    column_filters = ("held_on",)
    column_default_sort = ("held_on", True)
    prefix_search = [(TrainingSession.topic, None)]
    form_columns = ("cycle", "need", "topic", "held_on", "days", "participants")
    form_overrides = {"need": NeedField}
    form_args = {"need": NEED_ARGS}
    column_descriptions = {"days": _l("Spent from the training days allotted to the cycle; the cycle page shows the "
                                      "days left."),
                           "need": _l("The needs of the session's cycle.")}
    # The need picker keeps the chosen cycle's needs while the cycle is changed (templates/admin/_needs_by_cycle.html).
    create_template = "admin/training_create.html"
    edit_template = "admin/training_edit.html"

    def create_form(self, obj=None):
        form = _prefill_cycle(super().create_form(obj))
        offer_needs(form)
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        offer_needs(form)
        return form

    def check(self, form, model) -> None:
        cycle = form.cycle.data
        if form.days.data is not None and form.days.data <= 0:
            form.days.errors.append(_("Training days must be more than zero."))
        elif cycle is not None and form.days.data is not None:
            error = training.check_days(cycle, form.days.data, model.id if model is not None else None)
            if error is not None:
                form.days.errors.append(error.message)
        if form.participants.data is not None and form.participants.data < 0:
            form.participants.errors.append(_("Participants cannot be negative."))


class SeminarView(StaffModelView):
    column_list = ("country", "number", "title", "held_on", "location")
    column_filters = ("country", "held_on")
    column_default_sort = ("held_on", True)
    prefix_search = [(Seminar.title, None), (Seminar.country, None)]
    form_columns = ("country", "number", "title", "held_on", "location")

    def check(self, form, model) -> None:
        if form.number.data is not None and not 1 <= form.number.data <= 4:
            form.number.errors.append(_("A cycle has four learning seminars: number 1 to 4."))


class SeminarAttendanceView(StaffModelView):
    column_list = ("seminar", "cycle", "invited_at", "attended", "attendees")
    column_filters = ("attended",)
    form_columns = ("seminar", "cycle", "attended", "attendees")


VIEWS = [
    (AdvisoryVisitView, AdvisoryVisit, _l("Advisory visits"), CYCLES),
    (NeedView, Need, _l("Needs"), CYCLES),
    (TrainingSessionView, TrainingSession, _l("Training sessions"), CYCLES),
    (CommitteeView, Committee, _l("Committees"), COMMITTEE),
    (CommitteeMemberView, CommitteeMember, _l("Members"), COMMITTEE),
    (CommitteeMeetingView, CommitteeMeeting, _l("Meetings"), COMMITTEE),
    (ElectionView, Election, _l("Elections"), COMMITTEE),
    (CandidateView, Candidate, _l("Candidates"), COMMITTEE),
    (SeminarView, Seminar, _l("Learning seminars"), CYCLES),
    (SeminarAttendanceView, SeminarAttendance, _l("Seminar attendance"), CYCLES),
]
