"""The base of every form posted from one of the app's pages (the admin panel's, the portals', logging in)."""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto

from .numbers import check_numbers


class PageForm(FlaskForm):
    """A page's form: read from the form body only, with its numeric fields checked by check_numbers."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # Flask-WTF reads a JSON body as form data, and a JSON list or number fails inside WTForms. A page never
            # posts JSON: such a body counts as an empty form, and the page comes back saying what is missing.
            if formdata is _Auto and request.is_json:
                return None
            return super().wrap_formdata(form, formdata)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators=extra_validators)
        return check_numbers(self) and ok
