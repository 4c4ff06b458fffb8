"""The details staff enter beside the assessment's answers."""
from wtforms import Form, StringField
from wtforms.validators import InputRequired, Length, Optional

from .questionnaire import Day


class AssessmentDetailsForm(Form):
    assessed_on = Day("Assessment date", validators=[InputRequired("Enter the date of the assessment.")],
                      message="Enter a date as YYYY-MM-DD, for example 2026-03-31.")
    assessors = StringField(
        "Assessors",
        validators=[Optional(), Length(max=300, message="Keep the assessors' names under 300 characters.")],
        description="The two assessors, separated by commas.",
    )
