"""The details staff enter beside the assessment's answers."""
from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField
from wtforms.validators import InputRequired, Length, Optional

from .questionnaire import Day


class AssessmentDetailsForm(Form):
    assessed_on = Day(_l("Assessment date"), validators=[InputRequired(_l("Enter the date of the assessment."))],
                      message=_l("Enter a date as YYYY-MM-DD, for example 2026-03-31."))
    assessors = StringField(
        _l("Assessors"),
        validators=[Optional(), Length(max=300, message=_l("Keep the assessors' names under 300 characters."))],
        description=_l("The two assessors, separated by commas."),
    )
