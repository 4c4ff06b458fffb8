"""Staff forms of the advisory work: the committee, its elections, needs from findings, seminars."""
from __future__ import annotations

from .base import PageForm
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


def _choices(values, blank: str | None = None):
    items = [SelectChoice(v, v.replace("_", " ").capitalize()) for v in values]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


class SetupCommitteeForm(PageForm):
    established_on = DateField("Established on", validators=[Optional()])
    submit = SubmitField("Set up committee")


class MemberForm(PageForm):
    name = StringField("Name", validators=[DataRequired("Enter the member's name."), Length(max=200)])
    side = SelectField("Side", choices=_choices(SIDES), default="management")
    position = StringField("Position", validators=[Optional(), Length(max=120)])
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    gender = SelectField("Gender", choices=_choices(GENDERS, blank="—"), validators=[Optional()])
    union_representative = BooleanField("Trade-union representative")
    term_start = DateField("Term starts", validators=[Optional()])
    term_end = DateField("Term ends", validators=[Optional()])
    submit = SubmitField("Add member")


class MeetingForm(PageForm):
    held_on = DateField("Held on", validators=[InputRequired("Enter the day of the meeting.")])
    attendance = IntegerField("Members present", validators=[Optional(), NumberRange(min=0, message="Attendance cannot be negative.")])
    minutes = TextAreaField("Minutes", validators=[Optional()])
    submit = SubmitField("Record meeting")


class ElectionForm(PageForm):
    seats = IntegerField("Worker seats to fill", default=2,
                         validators=[InputRequired("Enter the number of seats."), NumberRange(min=1, message="An election fills at least one seat.")])
    nominations_open_on = DateField("Nominations open on", validators=[Optional()])
    held_on = DateField("Election day (planned)", validators=[Optional()])
    submit = SubmitField("Open an election")


class CandidateForm(PageForm):
    name = StringField("Name", validators=[DataRequired("Enter the candidate's name."), Length(max=200)])
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    gender = SelectField("Gender", choices=_choices(GENDERS, blank="—"), validators=[Optional()])
    submit = SubmitField("Nominate")


class BallotsForm(PageForm):
    held_on = DateField("Election day", validators=[InputRequired("Enter the election day.")])
    eligible_voters = IntegerField("Eligible voters", validators=[
        InputRequired("Enter the number of workers eligible to vote."),
        NumberRange(min=1, message="At least one worker is eligible to vote.")])
    ballots_cast = IntegerField("Ballots cast", validators=[
        InputRequired("Enter the number of ballots cast."), NumberRange(min=0, message="Ballots cast cannot be negative.")])
    submit = SubmitField("Save election day")


def votes_form(candidates, data=None):
    """A form with one votes field per candidate, named votes_<candidate id>."""

    class VotesForm(PageForm):
        submit = SubmitField("Save votes")

    for candidate in candidates:
        setattr(VotesForm, f"votes_{candidate.id}", IntegerField(
            candidate.name, default=candidate.votes,
            validators=[InputRequired(f"Enter the votes for {candidate.name} (0 if none)."),
                        NumberRange(min=0, message="Votes cannot be negative.")]))
    form = VotesForm(data=data) if data is not None else VotesForm()
    form.total_errors = []
    return form


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TieForm(PageForm):
    chosen = MultiCheckboxField("Elected among the tied", coerce=int)
    note = StringField("How the tie was resolved", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Record the choice")


class CertifyForm(PageForm):
    submit = SubmitField("Certify the result")


class NeedFromFindingForm(PageForm):
    question_id = HiddenField()
    source = HiddenField()
    area = SelectField("Area", choices=_choices(NEED_AREAS), default="labour_compliance")
    submit = SubmitField("Add as need")


class PlanSeminarsForm(PageForm):
    country = StringField("Country", validators=[DataRequired("Enter the country."), Length(max=80)])
    first_date = DateField("First seminar on", validators=[InputRequired("Enter the day of the first seminar.")])
    months_apart = IntegerField("Months apart", default=3, validators=[
        InputRequired("Enter how many months apart."), NumberRange(min=1, max=6, message="Between 1 and 6 months.")])
    location = StringField("Location", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Plan four seminars")


class InviteForm(PageForm):
    submit = SubmitField("Send invitations")


class AttendanceForm(PageForm):
    cycle_id = HiddenField()
    attended = BooleanField("Attended")
    attendees = IntegerField("People", validators=[Optional(), NumberRange(min=0, message="Attendees cannot be negative.")])
    submit = SubmitField("Save")
