"""An assessment exported by another bwadmin instance ("bwadmin.assessment/1"), taken in here.

The file is checked against the format's JSON Schema first (a bad file is refused with the path that fails, e.g.
"answers[3].value: 'maybe' is not one of ['yes', 'no', 'na']"), then against this instance: every question code must
exist in the local bank of that kind and country. An import never overwrites: the same export twice (its id is kept
as the import's key), or a factory's cycle that already has an assessment, is refused. It makes the factory when it
is unknown here (by name and country), the cycle with its completed assessment and answers, and the released report
scored from them with the thresholds the file carries; the assessment is marked as imported and the import audited."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from sqlalchemy import func, select

from ..extensions import db
from ..models import Answer, Assessment, AssessmentImport, Cycle, Factory, Questionnaire, Report, Response
from . import audit, questionnaires, report_docs
from .assessment_export import FORMAT, schema

IMPORT_MAX_BYTES = 5 * 1024 * 1024  # an export of the largest bank with long notes is well under 1 MB


class ImportRefused(ValueError):
    """A file refused, with a message a person can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the file)"


def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(document) -> list[str]:
    """Every place the document breaks the schema, each as "path: what is wrong", the most telling first."""
    errors = list(_validator().iter_errors(document))
    if not errors:
        return []
    first = best_match(errors)
    rest = sorted((e for e in errors if e is not first), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_path(e.absolute_path)}: {e.message}" for e in [first, *rest]]


def parse(raw: bytes) -> dict:
    """The file's document, checked against the schema; ImportRefused naming the first failing path."""
    raw = raw or b""
    if len(raw) > IMPORT_MAX_BYTES:
        raise ImportRefused(_("The file is larger than %(mb)s MB: it is not an assessment export.",
                              mb=IMPORT_MAX_BYTES // (1024 * 1024)))
    if not raw.strip():
        raise ImportRefused(_("The file is empty. Choose an assessment exported by bwadmin (a .json file)."))
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ImportRefused(_("The file is not valid JSON%(where)s.", where=where)) from None
    if isinstance(document, dict) and document.get("format") not in (None, FORMAT):
        raise ImportRefused(_("format: %(found)r is not a format this instance reads (it reads %(ours)r).",
                              found=document.get("format"), ours=FORMAT))
    found = problems(document)
    if found:
        raise ImportRefused(found[0])
    return document


def _bank(kind: str, country: str | None, version: int, factory_country: str) -> Questionnaire | None:
    """The local version with the file's number for the bank's kind and country, else the version a cycle of a
    factory of that country answers here."""
    same = db.session.scalar(select(Questionnaire).where(
        Questionnaire.kind == kind, questionnaires.same_country(country), Questionnaire.version == version,
        Questionnaire.published_at.is_not(None)))
    return same or questionnaires.bank_for(kind, factory_country)


def _day(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ImportRefused(_("%(path)s: %(value)r is not a date.", path=where, value=text)) from None


def _moment(text: str | None, where: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ImportRefused(_("%(path)s: %(value)r is not a date and time.", path=where, value=text)) from None
    if value.tzinfo is not None:  # stored as naive UTC, as every timestamp here
        value = (value - value.utcoffset()).replace(tzinfo=None)
    return value


def _checked_answers(document: dict, bank: Questionnaire) -> list[tuple]:
    """(question, answer entry) for each answer; ImportRefused naming the answer's path when its code is unknown
    to the local bank, its type differs, or a choice is not one of the local question's."""
    by_code = {q.code: q for q in bank.questions}
    seen, out = set(), []
    for index, entry in enumerate(document["answers"]):
        question = by_code.get(entry["code"])
        if question is None:
            raise ImportRefused(_("answers[%(i)s].code: %(code)r is not a question of the local %(bank)s.",
                                  i=index, code=entry["code"], bank=questionnaires.version_name(bank, "en")))
        if entry["code"] in seen:
            raise ImportRefused(_("answers[%(i)s].code: %(code)r is answered twice.", i=index, code=entry["code"]))
        seen.add(entry["code"])
        if entry["type"] != question.type:
            raise ImportRefused(_("answers[%(i)s].type: %(found)r, but the local question %(code)s is %(ours)r.",
                                  i=index, found=entry["type"], code=question.code, ours=question.type))
        value = entry["value"]
        allowed = [c.get("value") for c in question.choices or [] if isinstance(c, dict)]
        given = value if isinstance(value, list) else [value] if question.type == "single_choice" else []
        for item in given:
            if item is not None and item not in allowed:
                raise ImportRefused(_("answers[%(i)s].value: %(value)r is not one of %(allowed)s",
                                      i=index, value=item, allowed=allowed))
        out.append((question, entry))
    return out


def _factory(entry: dict) -> Factory:
    name, country = entry["name"].strip(), entry["country"].strip()
    found = db.session.scalar(select(Factory).where(func.lower(Factory.name) == name.lower(),
                                                    func.lower(Factory.country) == country.lower())
                              .order_by(Factory.id).limit(1))
    if found is not None:
        return found
    factory = Factory(name=name, country=country, city=(entry.get("city") or None))
    db.session.add(factory)
    db.session.flush()
    return factory


def import_file(raw: bytes, user=None) -> Assessment:
    """Take in one export (the file's bytes): the new assessment, its released report made. Flushes, does not
    commit; ImportRefused with a message when the file is bad or would overwrite something."""
    document = parse(raw)
    key = document["id"]
    if db.session.scalar(select(AssessmentImport.id).where(AssessmentImport.key == key)) is not None:
        raise ImportRefused(_("This export was imported already (id %(key)s): an import never overwrites.",
                              key=key[:12]))
    bank_entry = document["bank"]
    bank = _bank(bank_entry["kind"], bank_entry.get("country"), bank_entry["version"], document["factory"]["country"])
    if bank is None:
        raise ImportRefused(_("bank: this instance has no published %(kind)s question bank to match the answers to.",
                              kind=bank_entry["kind"]))
    answers = _checked_answers(document, bank)
    assessed_on = _day(document["assessment"]["assessed_on"], "assessment.assessed_on")
    signed_up_on = _day(document["cycle"]["signed_up_on"], "cycle.signed_up_on")
    released_at = _moment(document["assessment"]["released_at"], "assessment.released_at")
    completed_at = _moment(document["assessment"].get("completed_at"), "assessment.completed_at") or released_at
    number = document["cycle"]["number"]

    factory = _factory(document["factory"])
    cycle = db.session.scalar(select(Cycle).where(Cycle.factory_id == factory.id, Cycle.number == number))
    if cycle is not None:
        # Held here already: with an assessment it would be overwritten, and without one it is a cycle run here
        # (its milestones, its own answers to come) that the file's cycle of the same number is not.
        raise ImportRefused(
            _("%(factory)s already has an assessment for cycle %(number)s: an import never overwrites.",
              factory=factory.name, number=number) if cycle.assessment is not None else
            _("%(factory)s already has a cycle %(number)s here: an import never overwrites it.",
              factory=factory.name, number=number))
    # No milestones: the cycle ran elsewhere, and the clock must not send its reminders again here.
    cycle = Cycle(factory=factory, number=number, signed_up_on=signed_up_on, status="closed")
    db.session.add(cycle)
    response = Response(cycle=cycle, questionnaire=bank, kind="assessment", status="submitted",
                        submitted_at=completed_at, thresholds=dict(document["thresholds"]))
    db.session.add(response)
    for question, entry in answers:
        response.answers.append(Answer(question_id=question.id, value=entry["value"],
                                       finding_statement=entry.get("finding_statement"),
                                       methods=entry.get("methods") or None, notes=entry.get("notes")))
    signatures = document["signatures"]
    details = document["assessment"]
    assessment = Assessment(cycle=cycle, assessed_on=assessed_on, response=response, completed_at=completed_at,
                            assessors=", ".join(signatures["assessors"])[:300] or None,
                            days_on_site=details.get("days_on_site"), worker_sample=details.get("worker_sample"),
                            review_status="approved",
                            submitted_for_review_at=_moment(signatures.get("submitted_for_review_at"),
                                                            "signatures.submitted_for_review_at"))
    db.session.add(assessment)
    db.session.add(AssessmentImport(assessment=assessment, key=key, source=document.get("source") or None,
                                    file_sha256=hashlib.sha256(raw).hexdigest(),
                                    imported_by_id=getattr(user, "id", None),
                                    evidence=document["evidence"], signatures=signatures))
    db.session.flush()
    report_docs.release_scored_many([cycle], "assessment", released_at)
    audit.record("import", assessment, user=user, entity="assessment",
                 summary=f"Assessment of {factory.name}, cycle {number}, imported from "
                         f"{document.get('source') or 'another instance'}")
    db.session.flush()
    return assessment


def imported(assessment_id: int) -> AssessmentImport | None:
    return db.session.scalar(select(AssessmentImport).where(AssessmentImport.assessment_id == assessment_id))


def report_of(assessment: Assessment) -> Report | None:
    return db.session.scalar(select(Report).where(Report.cycle_id == assessment.cycle_id, Report.kind == "assessment"))
