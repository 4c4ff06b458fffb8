"""Staff forms of the advisory work: the committee, its elections, needs from findings, seminars."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from bwadmin.models.advisory import GENDERS, NEED_AREAS, SIDES

from .base import PageForm

# The labels of the stored values these forms offer; the values themselves are posted and stored as they are.
LABELS = {
    "worker": _l("Worker"), "management": _l("Management"),
    "female": _l("Female"), "male": _l("Male"), "other": _l("Other"),
    "labour_compliance": _l("Labour compliance"), "management_systems": _l("Management systems"),
    "training": _l("Training"),
}


def _choices(values, blank: str | None = None):
    items = [SelectChoice(v, LABELS.get(v) or v.replace("_", " ").capitalize()) for v in values]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


class SetupCommitteeForm(PageForm):
    established_on = DateField(_l("Established on"), validators=[Optional()])
    submit = SubmitField(_l("Set up committee"))


class MemberForm(PageForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the member's name.")), Length(max=200)])
    side = SelectField(_l("Side"), choices=_choices(SIDES), default="management")
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=120)])
    gender = SelectField(_l("Gender"), choices=_choices(GENDERS, blank="—"), validators=[Optional()])
    union_representative = BooleanField(_l("Trade-union representative"))
    term_start = DateField(_l("Term starts"), validators=[Optional()])
    term_end = DateField(_l("Term ends"), validators=[Optional()])
    submit = SubmitField(_l("Add member"))


class MeetingForm(PageForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired(_l("Enter the day of the meeting."))])
    attendance = IntegerField(_l("Members present"), validators=[
        Optional(), NumberRange(min=0, message=_l("Attendance cannot be negative."))])
    minutes = TextAreaField(_l("Minutes"), validators=[Optional()])
    submit = SubmitField(_l("Record meeting"))


class ElectionForm(PageForm):
    seats = IntegerField(_l("Worker seats to fill"), default=2,
                         validators=[InputRequired(_l("Enter the number of seats.")),
                                     NumberRange(min=1, message=_l("An election fills at least one seat."))])
    nominations_open_on = DateField(_l("Nominations open on"), validators=[Optional()])
    held_on = DateField(_l("Election day (planned)"), validators=[Optional()])
    submit = SubmitField(_l("Open an election"))


class CandidateForm(PageForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the candidate's name.")), Length(max=200)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=120)])
    gender = SelectField(_l("Gender"), choices=_choices(GENDERS, blank="—"), validators=[Optional()])
    submit = SubmitField(_l("Nominate"))


class BallotsForm(PageForm):
    held_on = DateField(_l("Election day"), validators=[InputRequired(_l("Enter the election day."))])
    eligible_voters = IntegerField(_l("Eligible voters"), validators=[
        InputRequired(_l("Enter the number of workers eligible to vote.")),
        NumberRange(min=1, message=_l("At least one worker is eligible to vote."))])
    ballots_cast = IntegerField(_l("Ballots cast"), validators=[
        InputRequired(_l("Enter the number of ballots cast.")),
        NumberRange(min=0, message=_l("Ballots cast cannot be negative."))])
    submit = SubmitField(_l("Save election day"))


def votes_form(candidates, data=None):
    """A form with one votes field per candidate, named votes_<candidate id>."""

    class VotesForm(PageForm):
        submit = SubmitField(_l("Save votes"))

    for candidate in candidates:
        setattr(VotesForm, f"votes_{candidate.id}", IntegerField(
            candidate.name, default=candidate.votes,
            validators=[InputRequired(_("Enter the votes for %(name)s (0 if none).", name=candidate.name)),
                        NumberRange(min=0, message=_l("Votes cannot be negative."))]))
    form = VotesForm(data=data) if data is not None else VotesForm()
    form.total_errors = []
    return form


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TieForm(PageForm):
    chosen = MultiCheckboxField(_l("Elected among the tied"), coerce=int)
    note = StringField(_l("How the tie was resolved"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Record the choice"))


class CertifyForm(PageForm):
    submit = SubmitField(_l("Certify the result"))


class NeedFromFindingForm(PageForm):
    question_id = HiddenField()
    source = HiddenField()
    area = SelectField(_l("Area"), choices=_choices(NEED_AREAS), default="labour_compliance")
    submit = SubmitField(_l("Add as need"))


class PlanSeminarsForm(PageForm):
    country = StringField(_l("Country"), validators=[DataRequired(_l("Enter the country.")), Length(max=80)])
    first_date = DateField(_l("First seminar on"),
                           validators=[InputRequired(_l("Enter the day of the first seminar."))])
    months_apart = IntegerField(_l("Months apart"), default=3, validators=[
        InputRequired(_l("Enter how many months apart.")),
        NumberRange(min=1, max=6, message=_l("Between 1 and 6 months."))])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Plan four seminars"))


class InviteForm(PageForm):
    submit = SubmitField(_l("Send invitations"))


class AttendanceForm(PageForm):
    cycle_id = HiddenField()
    attended = BooleanField(_l("Attended"))
    attendees = IntegerField(_l("People"), validators=[
        Optional(), NumberRange(min=0, message=_l("Attendees cannot be negative."))])
    submit = SubmitField(_l("Save"))
