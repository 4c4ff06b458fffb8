"""Plain-language messages for the database constraints, so a refused row says why."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..extensions import db

MESSAGES = {
    "uq_cycle_factory_id": _l("This factory already has a cycle with that number."),
    "uq_sourcing_buyer_id": _l("This buyer already sources from this factory."),
    "uq_user_email": _l("A user with this email exists already."),
    "uq_buyer_name": _l("A buyer with this name exists already."),
    "uq_committee_factory_id": _l("This factory has a committee already."),
    "uq_candidate_election_id": _l("This election already has a candidate with that name."),
    "uq_questionnaire_kind": _l("That version of this questionnaire exists already."),
    "uq_question_questionnaire_id": _l("That question code is used already in this questionnaire."),
    "uq_schedule_offset_kind": _l("That milestone has an offset already."),
    "uq_seminar_attendance_seminar_id": _l("This cycle is recorded for that seminar already."),
    "uq_milestone_cycle_id": _l("This cycle has that milestone already."),
    "uq_response_cycle_id": _l("This cycle has a response to that questionnaire already."),
    "uq_report_cycle_id": _l("This cycle has a report of that kind already."),
    "ck_user_factory_user_has_factory": _l("A factory user needs the factory it belongs to."),
    "ck_user_buyer_user_has_buyer": _l("A buyer user needs the buyer it belongs to."),
    "ck_committee_member_side_valid": _l("A committee member is on the worker or the management side."),
    "ck_need_area_valid": _l("A need's area is labour compliance, management systems or training."),
    "ck_training_session_days_positive": _l("Training days must be more than zero."),
    "ck_election_ballots_within_voters": _l("Ballots cast cannot exceed the eligible voters."),
    "ck_cycle_number_positive": _l("A cycle number starts at 1."),
    "ck_schedule_offset_not_own_base": _l("A milestone cannot be counted from itself."),
}


def _sqlite_unique_text(name: str) -> str | None:
    """SQLite reports a UNIQUE failure by its columns ("cycle.factory_id, cycle.number"), not its name."""
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            if constraint.name and constraint.name.startswith(name):
                return ", ".join(f"{table.name}.{column.name}" for column in constraint.columns)
    return None


def message_for(exc: IntegrityError) -> str:
    text = str(exc.orig)
    for name, message in MESSAGES.items():
        if name in text:
            return str(message)
        if name.startswith("uq_"):
            columns = _sqlite_unique_text(name)
            if columns and text.rstrip().endswith(columns):
                return str(message)
    # SQLite names the columns rather than the constraint for UNIQUE failures.
    if "UNIQUE constraint failed" in text:
        return _("A record with these values exists already.")
    if "FOREIGN KEY" in text or "foreign key" in text:
        return _("This record is still used elsewhere, or refers to one that does not exist.")
    if "CHECK constraint failed" in text or "check constraint" in text:
        return _("A value is outside what is allowed: %(detail)s", detail=text.split(":")[-1].strip())
    if "NOT NULL" in text or "not-null" in text:
        return _("A required value is missing.")
    return _("The database refused this change.")
