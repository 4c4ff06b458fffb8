"""WTForms built at run time from a questionnaire version's Question rows.

One form class per (version, language), built once and cached for published versions (they never change).
The language chooses the bank's texts (questions, choices, sections); what the form itself says (Yes/No, the
fields' messages) is a lazy string, translated when shown into the language of whoever reads the page.
Field names are `q<question id>`; the class carries `sections` (cluster → compliance point → questions) for
rendering section by section, and `questions` (QuestionMeta, plain data: no database objects are cached).
Fields hold no "required" validator: a draft may be saved half-done; required answers are a submit rule
(bwadmin.services.responses.submit_check). Each field only checks what makes its value well-formed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from babel.numbers import format_decimal
from cachetools import cached
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict
from wtforms import DateField, FloatField, Form, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from bwadmin import caches
from bwadmin.services import thresholds as figures

from .numbers import LARGEST

TEXT_LIMIT = 5000

# What the fields say is translated when a page shows it, in the reader's language: the classes are cached per
# (version, bank language) and shared by every reader, so they hold lazy strings, never one language's text.
YES, NO, NOT_APPLICABLE = _l("Yes"), _l("No"), _l("Not applicable")
CHOOSE_ONE = _l("Choose one of the options shown.")
CHOOSE_AMONG = _l("Choose only among the options shown.")
ENTER_NUMBER = _l("Enter a number, for example 120.")
ENTER_DATE = _l("Enter a date as YYYY-MM-DD, for example 2026-03-31.")


def _shown_number(value) -> str:
    """A bound as the reader writes numbers (decimal sign), without grouping: 5000, 12.5 (12,5 in Spanish)."""
    return format_decimal(value, locale=get_locale() or "en", group_separator=False)


def _bounds_text(low, high) -> str:
    if low is not None and high is not None:
        return _("Enter a number between %(low)s and %(high)s.", low=_shown_number(low), high=_shown_number(high))
    if low is not None:
        return _("Enter a number of at least %(low)s.", low=_shown_number(low))
    return _("Enter a number of at most %(high)s.", high=_shown_number(high))


def _length_text(limit: int) -> str:
    return _("Keep this answer under %(limit)s characters.", limit=_shown_number(limit))


# --- fields whose messages speak the user's language ----------------------------------------------------
class ChoiceRadio(RadioField):
    def __init__(self, *args, message: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data is not None and self.data not in {c.value for c in self.choices}:
            raise ValidationError(self.message)


class ChoiceBoxes(SelectMultipleField):
    def __init__(self, *args, message: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def pre_validate(self, form):
        allowed = {c.value for c in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(self.message)


class Number(FloatField):
    def __init__(self, *args, message: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            number = float(valuelist[0].strip().replace(",", "."))
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None
        if not math.isfinite(number) or abs(number) > LARGEST:
            self.data = None
            raise ValueError(self.message)
        self.data = number


class Day(DateField):
    def __init__(self, *args, message: str = "", **kwargs):
        super().__init__(*args, format="%Y-%m-%d", **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([v.strip() for v in valuelist])
        except ValueError:
            raise ValueError(self.message) from None


class Bounds(NumberRange):
    """NumberRange that stays quiet when the value is not a number at all (that has its own message)."""

    def __call__(self, form, field):
        if field.data is not None:
            super().__call__(form, field)


# --- the form class ---------------------------------------------------------------------------------
@dataclass
class QuestionMeta:
    """What rendering, visibility and saving need to know of a question (no database object)."""

    id: int
    code: str
    name: str
    type: str
    cluster: str
    compliance_point: str
    text: str
    help: str | None
    required: bool
    committee: bool
    zero_tolerance: bool
    show_if: dict | None
    parent_name: str | None = None
    legal: str = ""  # the law and article the question checks, as its version cites them
    options: list = field(default_factory=list)  # [(value, label)] for choice questions


@dataclass
class Point:
    key: str
    label: str
    questions: list[QuestionMeta]


@dataclass
class Section:
    key: str
    label: str
    points: list[Point]

    @property
    def questions(self) -> list[QuestionMeta]:
        return [q for p in self.points for q in p.questions]


class QuestionnaireForm(Form):
    """Base of the built classes. CSRF is checked by Flask-WTF's CSRFProtect (the page carries the token)."""

    questionnaire_id: int = 0
    language: str = "en"
    questions: list[QuestionMeta] = []
    sections: list[Section] = []

    def field_of(self, meta: QuestionMeta):
        return self._fields[meta.name]

    def values(self) -> dict[int, object]:
        """The current valid values, question id → stored value (None when empty)."""
        result = {}
        for meta in self.questions:
            f = self._fields[meta.name]
            result[meta.id] = None if f.errors else to_value(meta, f.data)
        return result

    def answers(self) -> tuple[dict[int, object], dict[int, str]]:
        """(values, raw) to save: valid fields give values; a typed field that did not validate gives its raw
        text (its earlier valid value is kept); a choice field that did not validate is left out."""
        values: dict[int, object] = {}
        raw: dict[int, str] = {}
        for meta in self.questions:
            f = self._fields[meta.name]
            if not f.errors:
                values[meta.id] = to_value(meta, f.data)
            elif meta.type in ("number", "date", "text") and f.raw_data:
                raw[meta.id] = f.raw_data[0][: TEXT_LIMIT * 2]
        return values, raw

    def set_errors(self, by_id: dict[int, str]) -> None:
        for meta in self.questions:
            if meta.id in by_id:
                f = self._fields[meta.name]
                f.errors = list(f.errors) + [by_id[meta.id]]

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self._fields.values())


def to_value(meta: QuestionMeta, data):
    if data is None or data == "" or data == []:
        return None
    if meta.type == "multiple_choice":
        return list(data)
    if meta.type == "number":
        return int(data) if float(data).is_integer() else data
    if meta.type == "date":
        return data.isoformat()
    if meta.type == "text":
        return data.strip() or None
    return data


def _number_text(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def formdata_for(form_class: type[QuestionnaireForm], values: dict[int, object],
                 raw: dict[int, str] | None = None) -> MultiDict:
    """Stored answers as the form data a browser would post, so the form shows (and checks) them again."""
    raw = raw or {}
    data = MultiDict()
    for meta in form_class.questions:
        if meta.id in raw:
            data.add(meta.name, raw[meta.id])
            continue
        value = values.get(meta.id)
        if value is None:
            continue
        if isinstance(value, list):
            for item in value:
                data.add(meta.name, str(item))
        elif meta.type == "number":
            data.add(meta.name, _number_text(value))
        else:
            data.add(meta.name, str(value))
    return data


def _field_for(q, meta: QuestionMeta):
    label, description = meta.text, meta.help or ""
    choices = [SelectChoice(value, shown_label) for value, shown_label in meta.options]
    if q.type in ("yes_no", "single_choice"):
        return ChoiceRadio(label, choices=choices, validators=[Optional()], description=description,
                           message=CHOOSE_ONE)
    if q.type == "multiple_choice":
        return ChoiceBoxes(label, choices=choices, description=description, message=CHOOSE_AMONG)
    if q.type == "number":
        low, high = q.min_value, q.max_value
        validators = [Optional()]
        if low is not None or high is not None:
            validators.append(Bounds(min=low, max=high, message=LazyString(_bounds_text, low, high)))
        return Number(label, validators=validators, description=description, message=ENTER_NUMBER)
    if q.type == "date":
        return Day(label, validators=[Optional()], description=description, message=ENTER_DATE)
    return TextAreaField(label, validators=[Optional(), Length(max=TEXT_LIMIT, message=LazyString(_length_text,
                                                                                                 TEXT_LIMIT))],
                         description=description)


def _options(q, language: str) -> list:
    if q.type == "yes_no":
        options = [("yes", YES), ("no", NO)]
        return options + ([("na", NOT_APPLICABLE)] if q.allow_na else [])
    return [(c["value"], c.get(language) or c.get("en") or c["value"]) for c in (q.choices or [])]


def build(questionnaire, language: str = "en", limits: dict | None = None) -> type[QuestionnaireForm]:
    """A new form class for this version and language (uncached; see form_class_for). Texts read their thresholds
    from `limits` (a response's kept copy), else from the version's."""
    limits = questionnaire.thresholds if limits is None else limits
    structure = questionnaire.structure or {}
    cluster_labels = structure.get("clusters", {})
    point_labels = structure.get("compliance_points", {})

    def label(labels, key):
        entry = labels.get(key) or {}
        return entry.get(language) or entry.get("en") or key

    attrs: dict = {}
    metas: list[QuestionMeta] = []
    names = {q.code: f"q{q.id}" for q in questionnaire.questions}
    sections: dict[str, Section] = {}
    points: dict[str, Point] = {}
    for q in questionnaire.questions:
        help_text = (q.help or {}).get(language) or (q.help or {}).get("en") if q.help else None
        meta = QuestionMeta(
            id=q.id, code=q.code, name=names[q.code], type=q.type, cluster=q.cluster,
            compliance_point=q.compliance_point, text=figures.text_of(q.text, language, limits, q.code),
            help=figures.render(help_text, limits, language) if help_text else None,
            required=q.required, committee=q.committee, zero_tolerance=q.zero_tolerance,
            show_if=dict(q.show_if) if q.show_if else None,
            parent_name=names.get((q.show_if or {}).get("question")),
            legal=figures.legal_reference_text(q.legal_reference),
        )
        meta.options = _options(q, language)
        attrs[meta.name] = _field_for(q, meta)
        metas.append(meta)
        section = sections.get(q.cluster)
        if section is None:
            section = sections[q.cluster] = Section(q.cluster, label(cluster_labels, q.cluster), [])
        point = points.get(q.compliance_point)
        if point is None:
            point = points[q.compliance_point] = Point(q.compliance_point, label(point_labels, q.compliance_point), [])
            section.points.append(point)
        point.questions.append(meta)
    # Sections in the order the structure lists its clusters; any other after them.
    order = {key: n for n, key in enumerate(cluster_labels)}
    attrs.update(
        questionnaire_id=questionnaire.id,
        language=language,
        questions=metas,
        sections=sorted(sections.values(), key=lambda s: order.get(s.key, len(order))),
    )
    return type(f"Questionnaire{questionnaire.id}{language.capitalize()}Form", (QuestionnaireForm,), attrs)


def form_class_for(questionnaire, language: str = "en", limits: dict | None = None) -> type[QuestionnaireForm]:
    """The form class of a version in a language (its texts reading `limits`, else the version's thresholds): built
    once for a published version, then cached. An unpublished version may still change, so its class is built
    afresh each time."""
    language = language if language in (questionnaire.languages or ["en"]) else "en"
    limits = questionnaire.thresholds if limits is None else limits
    if not questionnaire.published:
        return build(questionnaire, language, limits)
    return _published_form_class(questionnaire, language, _Frozen(limits or {}))


class _Frozen(dict):
    """Thresholds that can be part of a cache key (a response's copy usually equals its version's: one class)."""

    def __hash__(self):
        return hash(repr(sorted(self.items())))


# The id alone is not enough: ids are reused after rows are deleted (tests, a restored database). One thread
# builds a class while the others asking for it wait, so every request gets the same class.
@cached(caches.questionnaire_forms, condition=caches.lock,
        key=lambda q, language, limits: (q.id, q.kind, q.version, q.published_at, language, limits))
def _published_form_class(questionnaire, language: str, limits) -> type[QuestionnaireForm]:
    return build(questionnaire, language, dict(limits))


# --- a response's form ------------------------------------------------------------------------------
def form_for(response, language: str = "en", formdata: MultiDict | None = None) -> QuestionnaireForm:
    """The response's form in a language, filled from `formdata` (a post, a stash) or else from the stored
    answers, and checked, so a stored answer that did not validate shows its message beside the field."""
    from bwadmin.services.responses import values_and_raw_inputs

    cls = form_class_for(response.questionnaire, language, figures.of_response(response))
    check = True
    if formdata is None:
        values, raw = values_and_raw_inputs(response)
        formdata = formdata_for(cls, values, raw)
        check = bool(raw)  # stored values are valid; only kept raw input needs its message again
    form = cls(formdata=formdata)
    if check:
        form.validate()
    return form


def shown_names(form: QuestionnaireForm) -> set[str]:
    """Field names of the questions shown for the form's current valid values."""
    from bwadmin.services.responses import shown_ids

    ids = shown_ids(form.questions, form.values())
    return {meta.name for meta in form.questions if meta.id in ids}
