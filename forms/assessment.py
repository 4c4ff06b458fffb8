"""The details staff enter beside the assessment's answers, the evidence of one answer, and the reviewer's decision."""
from flask_babel import lazy_gettext as _l
from wtforms import FileField, Form, IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from bwadmin.models import EVIDENCE_METHODS, METHOD_LABELS
from bwadmin.models.questionnaire import EVIDENCE_NOTES_MAX, FINDING_STATEMENT_MAX, REVIEW_COMMENTS_MAX

from .questionnaire import Day

WHOLE_NUMBER = _l("Enter a whole number, for example 30.")


def _person(value):
    return int(value) if value not in (None, "", "None") else None


class AssessmentDetailsForm(Form):
    assessed_on = Day(_l("First day on site"), validators=[InputRequired(_l("Enter the date of the assessment."))],
                      message=_l("Enter a date as YYYY-MM-DD, for example 2026-03-31."),
                      description=_l("The release counts from this date once the assessment is approved."))
    first_assessor = SelectField(_l("First assessor"), coerce=_person, validators=[Optional()], validate_choice=False)
    second_assessor = SelectField(_l("Second assessor"), coerce=_person, validators=[Optional()],
                                  validate_choice=False)
    days_on_site = IntegerField(
        _l("Days on site"), validators=[Optional(), NumberRange(1, 30, _l("Enter between 1 and 30 days."))],
        description=_l("Usually two."))
    worker_sample = IntegerField(
        _l("Workers interviewed"),
        validators=[Optional(), NumberRange(0, 100_000, _l("Enter a number between 0 and 100,000."))],
        description=_l("The worker-interview sample size."))

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(None, "—")] + [(person.id, person.name or person.email) for person in staff]
        self.first_assessor.choices = self.second_assessor.choices = choices
        self._staff = {person.id for person in staff}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in (self.days_on_site, self.worker_sample):
            if field.raw_data and field.raw_data[0].strip() and field.data is None:
                field.errors = [str(WHOLE_NUMBER)]
                ok = False
        for field in (self.first_assessor, self.second_assessor):
            if field.data is not None and field.data not in self._staff:
                field.errors = list(field.errors) + [str(_l("Choose a member of the programme's staff."))]
                ok = False
        if (self.first_assessor.data is not None and self.first_assessor.data == self.second_assessor.data):
            self.second_assessor.errors = list(self.second_assessor.errors) + [
                str(_l("The two assessors are two different people."))]
            ok = False
        return ok


class MethodsField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EvidenceForm(Form):
    statement = TextAreaField(
        _l("Finding statement"),
        description=_l("What was found, as one sentence; reports show it instead of the question. Up to "
                       "%(limit)s characters.", limit=FINDING_STATEMENT_MAX))
    methods = MethodsField(_l("How it was found"), choices=[(m, METHOD_LABELS[m]) for m in EVIDENCE_METHODS],
                           validate_choice=False)
    notes = TextAreaField(_l("Notes"), description=_l("Up to %(limit)s characters.", limit=EVIDENCE_NOTES_MAX))


class AttachmentForm(Form):
    file = FileField(_l("Attach a file"),
                     description=_l("A photo (JPEG, PNG, WebP), a PDF or a spreadsheet (XLSX, CSV)."))


class ReviewForm(Form):
    comments = TextAreaField(
        _l("Comments for the assessors"),
        description=_l("Required to return it; kept with the assessment. Up to %(limit)s characters.",
                       limit=REVIEW_COMMENTS_MAX))
