"""Answering a questionnaire: which questions are shown, saving drafts, and when a response may be submitted.

Values as stored in Answer.value (JSON): yes_no "yes" | "no" | "na"; single_choice the choice value;
multiple_choice a list of choice values; number an int or float; text a string; date "YYYY-MM-DD".
An answer that did not validate keeps what was typed in Answer.raw_input (value None), so nothing is lost.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

from cachetools import cached
from flask_babel import force_locale, format_decimal, format_percent, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import delete, insert, select, update

from .. import caches
from ..extensions import db
from ..models import Answer, Question, Response, utcnow
from . import questionnaires

SUBMIT_SHARE = 0.95  # share of the shown questions that must be answered before submitting
PROFILE_CLUSTER = "facility_profile"


class ResponseError(ValueError):
    pass


class ResponseLocked(ResponseError):
    """A submitted response is read-only."""


class NoQuestionnaire(ResponseError):
    """No published version of the kind exists yet."""


NO_QUESTIONNAIRE = {
    "self_diagnosis": _l("No self-diagnosis questionnaire is published yet."),
    "assessment": _l("No assessment questionnaire is published yet."),
    "committee_review": _l("No committee review questionnaire is published yet."),
    None: _l("No questionnaire is published yet."),
}


# --- which questions are shown ----------------------------------------------------------------------
def answered(value) -> bool:
    return value is not None and value != "" and value != []


def shown_ids(questions: list[Question], values: dict[int, object]) -> set[int]:
    """Ids of the questions shown for these answers. A question with a show_if rule is shown when its
    parent is shown and the parent's answer equals the rule's value; a hidden parent hides its children."""
    return shown_by(visibility(questions), values)


def visibility(questions) -> tuple[tuple[int, tuple[tuple[int, object], ...] | None], ...]:
    """The show_if rules compiled: per question, (id, the (parent id, value) pairs of its whole chain of parents,
    all of which must hold), or (id, None) when it can never be shown (a parent missing, a loop, or a chain
    deeper than 50). Depends only on the questions: callers may keep it for a published questionnaire."""
    by_code = {q.code: q for q in questions}
    compiled = []
    for q in questions:
        chain: list[tuple[int, object]] = []
        seen = {q.id}
        current, ok = q, True
        while current.show_if:
            parent = by_code.get(current.show_if.get("question"))
            if parent is None or parent.id in seen or len(chain) >= 50:
                ok = False
                break
            chain.append((parent.id, current.show_if.get("equals")))
            seen.add(parent.id)
            current = parent
        compiled.append((q.id, tuple(chain) if ok else None))
    return tuple(compiled)


def shown_by(rules, values: dict[int, object]) -> set[int]:
    """shown_ids from compiled rules (`visibility`)."""
    get = values.get
    return {qid for qid, chain in rules
            if chain is not None and all(get(parent) == equals for parent, equals in chain)}


@dataclass
class Progress:
    shown: int
    answered: int

    @property
    def share(self) -> float:
        return self.answered / self.shown if self.shown else 1.0

    @property
    def percent(self) -> int:
        return int(self.share * 100)

    def as_dict(self) -> dict:
        return {"shown": self.shown, "answered": self.answered, "percent": self.percent}


def progress(questions: list[Question], values: dict[int, object]) -> Progress:
    shown = shown_ids(questions, values)
    return Progress(len(shown), sum(1 for qid in shown if answered(values.get(qid))))


# --- responses --------------------------------------------------------------------------------------
def find(cycle_id: int, kind: str) -> Response | None:
    return db.session.scalar(select(Response).where(Response.cycle_id == cycle_id, Response.kind == kind))


def response_for(cycle, kind: str) -> Response:
    """The cycle's response of this kind; when there is none, a new draft on the version the factory's country
    answers (questionnaires.bank_for), keeping a copy of that version's thresholds."""
    response = find(cycle.id, kind)
    if response is not None:
        return response
    questionnaire = questionnaires.bank_for(kind, cycle.factory.country if cycle.factory is not None else None)
    if questionnaire is None:
        raise NoQuestionnaire(str(NO_QUESTIONNAIRE.get(kind, NO_QUESTIONNAIRE[None])))
    response = Response(cycle=cycle, questionnaire=questionnaire, kind=kind, status="draft",
                        thresholds=dict(questionnaire.thresholds or {}))
    db.session.add(response)
    db.session.flush()
    return response


def stored_answers(response: Response) -> dict[int, Answer]:
    if response.id is None:
        return {}
    return {a.question_id: a for a in db.session.scalars(select(Answer).where(Answer.response_id == response.id))}


def _stored_rows(response: Response) -> dict[int, tuple[int, object, str | None]]:
    """question id → (answer id, value, raw input): plain rows, no objects to build (saving is hot)."""
    if response.id is None:
        return {}
    rows = db.session.execute(
        select(Answer.question_id, Answer.id, Answer.value, Answer.raw_input).where(Answer.response_id == response.id)
    )
    return {qid: (aid, value, raw) for qid, aid, value, raw in rows}


def values_of(response: Response) -> dict[int, object]:
    return {qid: value for qid, (_aid, value, _raw) in _stored_rows(response).items() if value is not None}


def values_and_raw_inputs(response: Response) -> tuple[dict[int, object], dict[int, str]]:
    rows = _stored_rows(response)
    return ({qid: value for qid, (_aid, value, _raw) in rows.items() if value is not None},
            {qid: raw for qid, (_aid, _value, raw) in rows.items() if raw})


def raw_inputs_of(response: Response) -> dict[int, str]:
    return {qid: raw for qid, (_aid, _value, raw) in _stored_rows(response).items() if raw}


def question_ids(questionnaire) -> frozenset[int]:
    if questionnaire.published:
        return _published_question_ids(questionnaire.id, questionnaire.version, questionnaire.published_at)
    return _load_question_ids(questionnaire.id)


def _load_question_ids(questionnaire_id: int) -> frozenset[int]:
    return frozenset(db.session.scalars(select(Question.id).where(Question.questionnaire_id == questionnaire_id)))


# Version and publication time in the key too: ids are reused after rows are deleted.
@cached(caches.question_ids, lock=caches.lock)
def _published_question_ids(questionnaire_id: int, version, published_at) -> frozenset[int]:
    return _load_question_ids(questionnaire_id)


def save_draft(response: Response, values: dict[int, object], raw: dict[int, str] | None = None) -> int:
    """Store the answers given (question id → value, None clears); `raw` keeps what was typed in fields that
    did not validate, leaving their valid earlier value alone. Returns how many answers changed."""
    if response.status == "submitted":
        raise ResponseLocked(_("This response was submitted and can no longer be changed."))
    raw = raw or {}
    known = question_ids(response.questionnaire)
    existing = _stored_rows(response)
    inserts, updates, deletes = [], [], []
    for qid in known & (set(values) | set(raw)):
        row = existing.get(qid)
        if qid in raw:
            value, typed = (row[1] if row else None), raw[qid]
        else:
            value, typed = (values[qid] if answered(values[qid]) else None), None
        if row is None:
            if value is not None or typed is not None:
                inserts.append({"response_id": response.id, "question_id": qid, "value": value, "raw_input": typed})
        elif (row[1], row[2]) != (value, typed):
            if value is None and typed is None:
                deletes.append(row[0])
            else:
                updates.append({"id": row[0], "value": value, "raw_input": typed})
    if deletes and response.kind == "assessment":
        # An answer cleared keeps its row when it carries evidence (statement, methods, notes, files).
        from .evidence import carrying_evidence  # here: evidence imports this module

        kept = carrying_evidence(deletes)
        updates += [{"id": aid, "value": None, "raw_input": None} for aid in kept]
        deletes = [aid for aid in deletes if aid not in kept]
    if inserts:
        db.session.execute(insert(Answer), inserts)
    if updates:
        db.session.execute(update(Answer), updates)
    if deletes:
        db.session.execute(delete(Answer).where(Answer.id.in_(deletes)))
    changed = len(inserts) + len(updates) + len(deletes)
    if changed:
        response.updated_at = utcnow()
        db.session.expire(response, ["answers"])
    db.session.flush()
    return changed


# --- submitting -------------------------------------------------------------------------------------
@dataclass
class SubmitCheck:
    """Why a response cannot be submitted yet: per question (id → message) and overall."""

    fields: dict[int, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    progress: Progress | None = None

    @property
    def ok(self) -> bool:
        return not self.fields and not self.general


def submit_check(response: Response, language: str | None = None, share: float | None = None) -> SubmitCheck:
    """Every required shown question answered and no answer pending correction; for the factory's
    self-diagnosis also at least 95% of the shown questions answered and the facility profile complete.
    (Staff entries, the assessment and the committee review, need their required answers only.)
    The messages are in the page's language, or in `language` when one is given."""
    with force_locale(language) if language else nullcontext():
        return _submit_check(response, share)


def _submit_check(response: Response, share: float | None) -> SubmitCheck:
    if share is None:
        share = SUBMIT_SHARE if response.kind == "self_diagnosis" else 0.0
    questions = response.questionnaire.questions
    answers = stored_answers(response)
    values = {qid: a.value for qid, a in answers.items() if a.value is not None}
    shown = shown_ids(questions, values)
    result = SubmitCheck(progress=progress(questions, values))
    profile_open = False
    missing = 0
    for q in questions:
        if q.id not in shown:
            continue
        answer = answers.get(q.id)
        if answer is not None and answer.raw_input:
            result.fields[q.id] = _("Correct this answer before you submit.")
        elif not answered(values.get(q.id)):
            if q.required:
                result.fields[q.id] = _("This question needs an answer before you submit.")
                missing += 1
            if q.cluster == PROFILE_CLUSTER:
                profile_open = True
    if missing:
        result.general.append(ngettext("Answer every required question before you submit (%(count)s still open).",
                                       "Answer every required question before you submit (%(count)s still open).",
                                       missing, count=format_decimal(missing)))
    if result.progress.share < share:
        p = result.progress
        result.general.append(_("Answer at least %(need)s of the questions shown before you submit: %(answered)s of "
                                "%(shown)s (%(percent)s) are answered.",
                                need=format_percent(round(share * 100) / 100), answered=format_decimal(p.answered),
                                shown=format_decimal(p.shown), percent=format_percent(p.percent / 100)))
    if response.kind == "self_diagnosis" and profile_open:
        result.general.append(_("Complete the facility profile before you submit."))
    return result


def submit(response: Response, user, language: str | None = None, share: float | None = None) -> SubmitCheck:
    """Submit when the checks pass: the response becomes read-only, stamped with who and when."""
    if response.status == "submitted":
        raise ResponseLocked(_("This response was submitted already."))
    result = submit_check(response, language, share)
    if result.ok:
        response.status = "submitted"
        response.submitted_at = utcnow()
        response.submitted_by_id = getattr(user, "id", None)
        db.session.flush()
    return result
