"""Pickers of the panel's forms: they offer what fits (services/pickers) and the server refuses anything else beside
the field, saying why."""
from __future__ import annotations

from functools import partial

from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.validators import ValidationError

from ..extensions import db
from ..input_bounds import as_id
from ..models import Cycle, Need, User
from ..services import pickers


NOT_OFFERED = "Not a valid choice"  # WTForms' own words, translated by its catalog (as the picker said before)


class PickerField(QuerySelectField):
    """A select of records offered by `query_factory` (or `query`). A posted id the list does not hold is still read
    from the table, so `refuse(record, form)` can say why it does not fit; a record saved before that no longer fits
    is shown (not silently replaced by the first choice) and refused when saved. `option_attrs(record)` adds
    attributes to its <option>."""

    def __init__(self, *args, model=None, refuse=None, option_attrs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model, self.refuse, self.option_attrs = model, refuse, option_attrs

    def _get_data(self):
        if self._formdata is not None:
            found = next((obj for pk, obj in self._get_object_list() if pk == self._formdata), None)
            if found is None and self.model is not None:
                key = as_id(self._formdata)
                found = db.session.get(self.model, key) if key is not None else None
            if found is not None:
                self._set_data(found)
        return self._data

    data = property(_get_data, QuerySelectField._set_data)

    def _get_object_list(self):
        if self._object_list is None:  # an empty `query` offers nothing (the parent would fall back to all rows)
            rows = self.query if self.query is not None else self.query_factory()
            self._object_list = [(str(self.get_pk(obj)), obj) for obj in rows]
        return self._object_list

    def offered(self, obj) -> bool:
        return any(obj == candidate for _pk, candidate in self._get_object_list())

    def iter_choices(self):
        current = self.data
        if self.allow_blank:
            yield ("__None", self.blank_text, current is None, {})
        if current is not None and not self.offered(current):
            yield (str(self.get_pk(current)), self.get_label(current), True, self._attrs(current))
        for pk, obj in self._get_object_list():
            yield (pk, self.get_label(obj), obj == current, self._attrs(obj))

    def _attrs(self, obj) -> dict:
        return self.option_attrs(obj) if self.option_attrs else {}

    def pre_validate(self, form) -> None:
        data = self.data
        if data is None:
            if self._formdata not in (None, "", "__None"):
                raise ValidationError(_("No such record: choose one from the list."))
            if not self.allow_blank:
                raise ValidationError(self.gettext(NOT_OFFERED))
            return
        problem = self.refuse(data, form) if self.refuse else None
        if problem:
            raise ValidationError(problem)
        if self.refuse is None and not self.offered(data):
            raise ValidationError(self.gettext(NOT_OFFERED))


# --- the pickers of the panel ------------------------------------------------------------------------------
def _advisor_refusal(user, form):
    return pickers.advisor_problem(user)


AdvisorField = partial(PickerField, model=User, refuse=_advisor_refusal)
ADVISOR_ARGS = {"query_factory": pickers.advisors}


def _cycles():
    return pickers.cycles_for(current_user if current_user.is_authenticated else None)


# Every form with a cycle picker offers running cycles first (an advisor's own first), a closed one saying so.
CYCLE_ARGS = {"query_factory": _cycles, "get_label": pickers.cycle_label}


def _need_refusal(need, form):
    cycle = form.cycle.data if hasattr(form, "cycle") else None
    return pickers.need_problem(need, cycle if isinstance(cycle, Cycle) else None)


NeedField = partial(PickerField, model=Need, refuse=_need_refusal,
                    option_attrs=lambda need: {"data-cycle": str(need.cycle_id)})
NEED_ARGS = {"query_factory": pickers.needs_of_running_cycles}  # until offer_needs narrows it to the form's cycle


def offer_needs(form) -> None:
    """A training session's need picker offers the needs of its cycle only; while no cycle is chosen, those of the
    running cycles, each marked with its cycle (the page's script keeps the chosen cycle's)."""
    cycle = form.cycle.data
    form.need.query = (pickers.needs_of([cycle.id]) if isinstance(cycle, Cycle)
                       else pickers.needs_of_running_cycles())
    form.need._object_list = None
