"""The evidence behind each answer of an assessment: a finding statement, the methods, notes and attached files;
and who may open an attached file.

A file is shown to staff and to the factory's own users; to a buyer only as part of the cycle's assessment report,
under the very rule that report is under (access.can_buyer_see); to anyone else it does not exist (404)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.exceptions import NotFound

from ..batches import chunked
from ..extensions import db
from ..models import (EVIDENCE_METHODS, STAFF_ROLES, Answer, Attachment, Cycle, Question, Report, Response,
                      utcnow)
from ..models.evidence import ATTACHMENT_NAME_MAX
from ..models.questionnaire import EVIDENCE_NOTES_MAX, FINDING_STATEMENT_MAX
from . import access, evidence_files, finding_statements, text_limits
from .errors import FieldError
from .responses import ResponseLocked


@dataclass
class Evidence:
    """What an answer carries besides its value, as the entry page shows it."""

    statement: str | None
    default_statement: str | None
    methods: list[str]
    notes: str | None
    attachments: list[Attachment]


def default_statement(question: Question) -> str | None:
    """The finding said as a sentence, turned round from the question (English): what a statement starts from."""
    return finding_statements.statement(question.text_in("en"), question.noncompliant_answer)


def _editable(response: Response) -> None:
    if response.kind != "assessment":
        raise NotFound()
    if response.status != "draft":
        raise ResponseLocked(_("This assessment is with its reviewer or approved: its evidence can no longer be "
                               "changed."))


def answer_row(response: Response, question: Question) -> Answer | None:
    return db.session.scalar(select(Answer).where(Answer.response_id == response.id,
                                                  Answer.question_id == question.id))


def _answer_row_for_change(response: Response, question: Question) -> Answer:
    """The answer to carry the evidence; a row without a value yet when the question is not answered (saving the
    answers keeps such a row: see responses.save_draft)."""
    answer = answer_row(response, question)
    if answer is None:
        answer = Answer(response_id=response.id, question_id=question.id, value=None)
        db.session.add(answer)
        db.session.flush()
    return answer


def evidence_of(response: Response, question: Question) -> Evidence:
    answer = answer_row(response, question)
    return Evidence(
        statement=answer.finding_statement if answer else None,
        default_statement=default_statement(question),
        methods=list(answer.methods or []) if answer else [],
        notes=answer.notes if answer else None,
        attachments=list(answer.attachments) if answer else [],
    )


def save_evidence(response: Response, question: Question, statement: str | None, methods, notes: str | None) -> Answer:
    """Keep the finding statement, methods and notes of one answer; FieldError beside the field that is refused.
    A statement left as the default sentence is not stored: the default (from the question) stands for it."""
    _editable(response)
    statement = text_limits.bounded("statement", statement, FINDING_STATEMENT_MAX) or None
    notes = text_limits.bounded("notes", notes, EVIDENCE_NOTES_MAX) or None
    methods = list(dict.fromkeys(methods or []))
    if any(m not in EVIDENCE_METHODS for m in methods):
        raise FieldError("methods", _("Choose the methods from the list."))
    if statement is not None and statement == default_statement(question):
        statement = None
    answer = _answer_row_for_change(response, question)
    answer.finding_statement, answer.methods, answer.notes = statement, methods or None, notes
    _touch(response)
    return answer


def attach(response: Response, question: Question, upload, user) -> Attachment:
    """Check the uploaded file (size, then kind by content) and keep it with the answer. Refused: FieldError beside
    the file field, and nothing kept. The same content twice on one answer is one attachment; on two answers, two
    rows naming one file."""
    _editable(response)
    data = evidence_files.read_upload(upload)
    kind = evidence_files.checked_kind(data, upload.filename)
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or kind
    name = name[:ATTACHMENT_NAME_MAX]
    answer = _answer_row_for_change(response, question)
    sha = evidence_files.digest(data)
    same = db.session.scalar(select(Attachment).where(Attachment.answer_id == answer.id, Attachment.sha256 == sha))
    if same is not None:
        return same
    sha, written = evidence_files.store(data)
    try:
        with db.session.begin_nested():
            attachment = Attachment(answer=answer, sha256=sha, kind=kind, size=len(data), filename=name,
                                    uploaded_by_id=getattr(user, "id", None))
            db.session.add(attachment)
            db.session.flush()
    except Exception:
        if written:  # no row names the file: it goes with the failure
            evidence_files.discard(sha)
        raise
    _touch(response)
    return attachment


def detach(response: Response, attachment: Attachment) -> str:
    """Remove an attachment's row; returns its content's SHA-256, for discard_if_unused once committed."""
    _editable(response)
    if attachment.answer.response_id != response.id:
        raise NotFound()
    sha = attachment.sha256
    db.session.delete(attachment)
    _touch(response)
    return sha


def discard_if_unused(sha256: str) -> bool:
    """Remove the file of this content when no attachment names it any longer (after the commit that removed the
    last one: a failed commit leaves the row and its file)."""
    if db.session.scalar(select(Attachment.id).where(Attachment.sha256 == sha256).limit(1)) is not None:
        return False
    evidence_files.discard(sha256)
    return True


def _touch(response: Response) -> None:
    # The report's stamp includes the response's time of change: evidence changed, the draft report is made again.
    response.updated_at = utcnow()
    db.session.flush()


def carrying_evidence(answer_ids) -> set[int]:
    """Of these answers, those that carry evidence (kept when their value is cleared)."""
    ids = list(answer_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Answer.id).where(Answer.id.in_(ids), or_(
        Answer.finding_statement.is_not(None), Answer.notes.is_not(None), Answer.methods.is_not(None),
        Answer.attachments.any()))))


def evidence_by_question(response_id: int) -> dict[int, dict]:
    """question id → {"statement", "methods", "attachments": [{"id", "name", "kind"}]} of the answers of one
    response that carry evidence (two queries): what a report shows beside each finding."""
    answers = db.session.execute(select(Answer.id, Answer.question_id, Answer.finding_statement, Answer.methods)
                                 .where(Answer.response_id == response_id)).all()
    files: dict[int, list[dict]] = {}
    for row in db.session.execute(select(Attachment.id, Attachment.answer_id, Attachment.filename, Attachment.kind)
                                  .join(Answer).where(Answer.response_id == response_id).order_by(Attachment.id)):
        files.setdefault(row.answer_id, []).append({"id": row.id, "name": row.filename, "kind": row.kind})
    return {row.question_id: {"statement": row.finding_statement, "methods": list(row.methods or []),
                              "attachments": files.get(row.id, [])}
            for row in answers if row.finding_statement or row.methods or row.id in files}


# --- who may open a file -------------------------------------------------------------------------------------------
def attachment_for(user, attachment_id: int) -> Attachment:
    """The attachment if this user may open it, else NotFound: staff always; a factory user of its factory; a buyer
    when the buyer may see the cycle's assessment report (access.can_buyer_see: sourcing, consent, released)."""
    row = db.session.execute(
        select(Attachment, Response.kind, Response.cycle_id, Cycle.factory_id)
        .join(Answer, Answer.id == Attachment.answer_id).join(Response, Response.id == Answer.response_id)
        .join(Cycle, Cycle.id == Response.cycle_id).where(Attachment.id == attachment_id)).first()
    if row is None:
        raise NotFound()
    attachment, kind, cycle_id, factory_id = row
    role = access.role_of(user)
    if role in STAFF_ROLES:
        return attachment
    if role == "factory" and access.is_factory_user_of(user, factory_id):
        return attachment
    if role == "buyer" and kind == "assessment":
        report = db.session.scalar(select(Report).where(Report.cycle_id == cycle_id, Report.kind == "assessment"))
        if access.can_buyer_see(report, user):
            return attachment
    raise NotFound()


def file_of(attachment: Attachment):
    """The attachment's bytes on disk; NotFound when missing."""
    path = evidence_files.path_of(attachment.sha256)
    if not path.is_file():
        raise NotFound()
    return path


# --- what the entry pages show ---------------------------------------------------------------------------------
def question_of(response: Response, question_id: int) -> Question:
    """A question of the response's questionnaire, else NotFound."""
    question = db.session.get(Question, question_id)
    if question is None or question.questionnaire_id != response.questionnaire_id:
        raise NotFound()
    return question


def entry_marks(response: Response) -> tuple[dict[int, int], set[int]]:
    """(question id → how many files its answer carries, the question ids whose answer has a statement, methods
    or notes): the marks beside each question on the entry page. Two queries."""
    files = dict(db.session.execute(
        select(Answer.question_id, func.count(Attachment.id)).join(Attachment, Attachment.answer_id == Answer.id)
        .where(Answer.response_id == response.id).group_by(Answer.question_id)).all())
    noted = set(db.session.scalars(select(Answer.question_id).where(
        Answer.response_id == response.id,
        or_(Answer.finding_statement.is_not(None), Answer.notes.is_not(None), Answer.methods.is_not(None)))))
    return files, noted


# --- what the reports show ---------------------------------------------------------------------------------------
def report_evidence(response_ids) -> dict[int, dict[str, dict]]:
    """response id → {question id (as text, the report's JSON keys) → {"statement", "methods", "attachments":
    [{"id", "name", "kind"}]}} for the answers that carry evidence; a few queries for a whole batch of releases."""
    found: dict[int, dict[str, dict]] = {}
    ids = sorted(set(response_ids))
    for chunk in chunked(ids):
        rows = db.session.execute(
            select(Answer.id, Answer.response_id, Answer.question_id, Answer.finding_statement, Answer.methods)
            .where(Answer.response_id.in_(chunk), or_(Answer.finding_statement.is_not(None),
                                                      Answer.methods.is_not(None), Answer.attachments.any()))).all()
        files: dict[int, list[dict]] = {}
        answer_ids = [row.id for row in rows]
        for part in chunked(answer_ids):
            for a in db.session.execute(select(Attachment.id, Attachment.answer_id, Attachment.filename,
                                               Attachment.kind).where(Attachment.answer_id.in_(part))
                                        .order_by(Attachment.id)):
                files.setdefault(a.answer_id, []).append({"id": a.id, "name": a.filename, "kind": a.kind})
        for row in rows:
            found.setdefault(row.response_id, {})[str(row.question_id)] = {
                "statement": row.finding_statement, "methods": list(row.methods or []),
                "attachments": files.get(row.id, [])}
    return found


def suggested_statements(question_ids) -> dict[str, str]:
    """question id (as text) → the statement turned round from the question (English), where it can be."""
    ids = sorted(set(question_ids))
    suggested = {}
    for chunk in chunked(ids):
        for qid, text, noncompliant in db.session.execute(
                select(Question.id, Question.text, Question.noncompliant_answer).where(Question.id.in_(chunk))):
            sentence = _suggested((text or {}).get("en") or "", noncompliant)
            if sentence:
                suggested[str(qid)] = sentence
    return suggested


@lru_cache(maxsize=8192)
def _suggested(text: str, noncompliant: str | None) -> str | None:
    return finding_statements.statement(text, noncompliant) if text else None
