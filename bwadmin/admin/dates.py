"""Dates in the panel's forms as the browser's own date and time inputs.

Flask-Admin's date picker rewrote typed input (`2026-11-22` became `0002-01-01026-11-22`) and read a pasted
`14/07/2026` as 2014-07-20. The browser's `<input type="date">` takes typing, pasting and its own calendar,
always sends ISO dates, and the server refuses anything else beside the field instead of guessing."""
from __future__ import annotations

from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model.form import converts
from wtforms import fields
from wtforms.widgets import DateInput, DateTimeLocalInput

# The first is what the input shows and sends; the others are what the panel sent before (a saved form, a test).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


class NativeDateConverter(AdminModelConverter):
    @converts("Date")
    def convert_date(self, field_args, **extra):
        field_args.setdefault("widget", DateInput())
        return fields.DateField(**field_args)

    @converts("DateTime")  # includes TIMESTAMP
    def convert_datetime(self, field_args, **extra):
        field_args.setdefault("widget", DateTimeLocalInput())
        return fields.DateTimeLocalField(format=DATETIME_FORMATS, **field_args)
