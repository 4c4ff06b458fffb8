"""A small self-diagnosis with one question of every type, a show_if chain, and hand-checkable scoring."""
from __future__ import annotations

import copy

from bwadmin.services import questionnaires as bank


def q(code, point, type_="yes_no", noncompliant=None, **kw):
    base = {"code": code, "compliance_point": point, "type": type_, "text": {"en": f"Question {code}?", "es": f"¿Pregunta {code}?"},
            "help": None, "required": True, "allow_na": False, "noncompliant_answer": noncompliant,
            "zero_tolerance": False, "committee": False, "show_if": None, "choices": None, "min": None, "max": None}
    if noncompliant is not None:  # an assessment question that can be a finding cites the law it checks
        base["legal_reference"] = {"law": "Sample Labour Law", "article": f"art. {code}"}
    base.update(kw)
    return base


SAMPLE = {
    "kind": "self_diagnosis",
    "version": 1,
    "title": {"en": "Sample self-diagnosis", "es": "Autodiagnóstico de ejemplo"},
    "languages": ["en", "es"],
    "clusters": {"facility_profile": {"en": "Facility profile", "es": "Perfil"},
                 "child_labour": {"en": "Child labour", "es": "Trabajo infantil"},
                 "working_time": {"en": "Working time", "es": "Tiempo de trabajo"}},
    "compliance_points": {
        "general": {"cluster": "facility_profile", "en": "General information", "es": "Información general"},
        "child_labourers": {"cluster": "child_labour", "en": "Child labourers", "es": "Menores"},
        "young_workers": {"cluster": "child_labour", "en": "Young workers", "es": "Jóvenes"},
        "overtime": {"cluster": "working_time", "en": "Overtime", "es": "Horas extra"},
    },
    "questions": [
        q("FP.01", "general", "date"),
        q("FP.02", "general", "number", min=1, max=5000),
        q("FP.03", "general", "single_choice", choices=[{"value": "local", "en": "Local", "es": "Nacional", "score": None},
                                                       {"value": "foreign", "en": "Foreign", "es": "Extranjera", "score": None}]),
        q("FP.04", "general", "multiple_choice", choices=[{"value": "union", "en": "Union", "es": "Sindicato", "score": None},
                                                         {"value": "committee", "en": "Committee", "es": "Comité", "score": None}]),
        q("FP.05", "general", "text", required=False),
        q("CL.01", "child_labourers", noncompliant="yes", zero_tolerance=True),
        q("CL.02", "child_labourers", noncompliant="no", allow_na=True, committee=True),
        q("CL.03", "young_workers", noncompliant=None),  # a fact, never a non-compliance: the parent of a chain
        q("CL.04", "young_workers", noncompliant="no", show_if={"question": "CL.03", "equals": "yes"}),
        q("CL.05", "young_workers", noncompliant="no", show_if={"question": "CL.04", "equals": "yes"}),
        q("WT.01", "overtime", noncompliant="no"),
        q("WT.02", "overtime", noncompliant="yes"),
        q("WT.03", "overtime", noncompliant="no", required=False),
    ],
}


def sample(**changes) -> dict:
    data = copy.deepcopy(SAMPLE)
    data.update(changes)
    return data


def load_sample(publish: bool = True, **changes):
    return bank.load(sample(**changes), publish_now=publish)


def ids(questionnaire) -> dict[str, int]:
    return {question.code: question.id for question in questionnaire.questions}


def field(questionnaire, code: str) -> str:
    return f"q{ids(questionnaire)[code]}"


def full_answers(questionnaire, **overrides) -> dict:
    """Form data answering every shown question of the sample."""
    values = {"FP.01": "2026-03-02", "FP.02": "850", "FP.03": "local", "FP.04": ["union", "committee"],
              "FP.05": "Two shifts", "CL.01": "no", "CL.02": "yes", "CL.03": "no", "WT.01": "yes", "WT.02": "no",
              "WT.03": "yes"}
    values.update(overrides)
    return {field(questionnaire, code): value for code, value in values.items() if value is not None}
