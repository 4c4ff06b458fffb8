"""Remediation that is checked: the way of each action of the improvement plan, and who may move it.

planned → in progress → done (declared by the factory, with a note of its evidence) → verified (by programme staff,
on a visit or from the evidence); staff may also reopen a done or verified action, with a reason: it is in progress
again. Factory users move their own actions between planned, in progress and done (and take a declaration back
before it is verified); only staff verify or reopen. `move` holds the rule: the factory's plan page, the staff's
panel and any API route call it, and every change is audited.

Co-signature by a worker representative. The self-diagnosis is filled by the committee's management and worker
representatives together (DESIGN.md: the programme's online self-assessment), so its findings are the committee's
own issues: the actions on them are committee actions. Staff may mark any other action a committee action too (an
issue the worker side raised in the committee). A committee action declared done needs a serving worker-side member
of the factory's committee to co-sign it; until then it is "awaiting worker representative", and staff cannot
verify it. A new declaration needs a new co-signature.

Buyers read each action's state (declared, co-signed, verified, reopened, with dates) in the released plan: every
change refreshes the states in the plan report's data (`refresh_plan`), which the buyer pages and the API read under
the access rule of the report (services/access)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import STAFF_ROLES, Committee, CommitteeMember, Cycle, ImprovementAction, Report, utcnow
from ..models.reports import ACTION_EVIDENCE_MAX, ACTION_NOTE_MAX, VERIFY_METHODS
from . import audit, text_limits
from .errors import FieldError

# The states a factory user may choose on the plan page.
FACTORY_STATES = ("planned", "in_progress", "done")
# (from, to) → who may make the move: "factory" (its own users) or "staff".
MOVES = {
    ("planned", "in_progress"): "factory",
    ("planned", "done"): "factory",
    ("in_progress", "planned"): "factory",
    ("in_progress", "done"): "factory",
    ("done", "in_progress"): "factory",  # a declaration taken back before it is verified
    ("done", "verified"): "staff",
}
REOPENABLE = ("done", "verified")

STATE_LABELS = {"planned": _l("Planned"), "in_progress": _l("In progress"), "done": _l("Done"),
                "verified": _l("Verified")}
HOW_LABELS = {"visit": _l("on a visit"), "evidence": _l("from the evidence")}


class RemediationError(FieldError):
    """A move refused: `field` is the form field the message belongs beside (status, evidence, how, reason,
    member)."""


def _side(user) -> str | None:
    role = getattr(user, "role", None)
    if role in STAFF_ROLES:
        return "staff"
    return "factory" if role == "factory" else None


def _own(user, action: ImprovementAction) -> None:
    """Staff act on every factory's actions; a factory user on its own factory's only (404 otherwise, as
    everywhere a record of another tenant is asked for)."""
    side = _side(user)
    if side is None or side == "factory" and action.cycle.factory_id != user.factory_id:
        raise NotFound()


def action_for(user, action_id: int) -> ImprovementAction:
    """The action, if `user` may act on it (404 otherwise)."""
    action = db.session.get(ImprovementAction, action_id)
    if action is None:
        raise NotFound()
    _own(user, action)
    return action


def to_verify(user=None, limit: int = 200) -> list[ImprovementAction]:
    """The actions declared done and not verified yet, oldest declaration first, with their cycle and factory (one
    query): an advisor's of the cycles they advise, every one for an admin."""
    query = (select(ImprovementAction).join(Cycle, Cycle.id == ImprovementAction.cycle_id)
             .where(ImprovementAction.status == "done")
             .options(joinedload(ImprovementAction.cycle).joinedload(Cycle.factory))
             .order_by(ImprovementAction.declared_at, ImprovementAction.id).limit(limit))
    if getattr(user, "role", None) == "advisor":
        query = query.where(Cycle.advisor_id == user.id)
    return list(db.session.scalars(query))


def may_move(user, action: ImprovementAction, to: str) -> bool:
    """Whether `user` may move `action` to `to` (reopening is `to="reopened"`)."""
    side = _side(user)
    if side is None:
        return False
    if side == "factory" and action.cycle.factory_id != user.factory_id:
        return False
    if to == "reopened":
        return side == "staff" and action.status in REOPENABLE
    return MOVES.get((action.status, to)) == side


def awaiting_cosignature(action: ImprovementAction) -> bool:
    return action.committee_action and action.status == "done" and action.cosigned_at is None


def move(user, action: ImprovementAction, to: str, *, evidence: str | None = None, how: str | None = None,
         note: str | None = None, reason: str | None = None, now: datetime | None = None) -> ImprovementAction:
    """Move `action` to `to` ("planned", "in_progress", "done", "verified", or "reopened" for a reopening), as `user`.
    Done needs `evidence` (or the evidence already noted); verified needs `how` (VERIFY_METHODS) and, for a
    committee action, the co-signature; reopened needs a `reason`. Raises RemediationError (nothing changed) or
    NotFound for another factory's action."""
    _own(user, action)
    if to == action.status:
        return action
    if to not in STATE_LABELS and to != "reopened":
        raise RemediationError("status", _("Choose planned, in progress or done."))
    if not may_move(user, action, to):
        raise RemediationError("status", _refusal(user, action, to))
    now = now or utcnow()
    before = audit.snapshot(action)
    verb = "reopen" if to == "reopened" else "verify" if to == "verified" else "update"
    if to == "done":
        text = text_limits.clean(evidence) if evidence is not None else (action.evidence or "")
        too_long = text_limits.too_long(text, ACTION_EVIDENCE_MAX)
        if too_long:
            raise RemediationError("evidence", too_long)
        if not text:
            raise RemediationError("evidence", _("Say what shows the action is done: a document, a photo, a record "
                                                 "the advisor can check."))
        action.evidence, action.declared_at, action.declared_by_id = text, now, user.id
        action.cosigned_at = action.cosigned_by_id = None  # a new declaration is co-signed anew
        action.verified_at = action.verified_by_id = action.verified_how = action.verify_note = None
    elif to == "verified":
        if how not in VERIFY_METHODS:
            raise RemediationError("how", _("Say how it was verified: on a visit or from the evidence."))
        if awaiting_cosignature(action):
            raise RemediationError("status", _("A worker representative of the committee has not co-signed this "
                                               "action yet."))
        text = text_limits.clean(note)
        too_long = text_limits.too_long(text, ACTION_NOTE_MAX)
        if too_long:
            raise RemediationError("note", too_long)
        action.verified_at, action.verified_by_id, action.verified_how = now, user.id, how
        action.verify_note = text or None
    elif to == "reopened":
        text = text_limits.clean(reason)
        too_long = text_limits.too_long(text, ACTION_NOTE_MAX)
        if too_long:
            raise RemediationError("reason", too_long)
        if not text:
            raise RemediationError("reason", _("Give the reason to reopen the action: the factory reads it."))
        to = "in_progress"
        action.reopened_at, action.reopen_reason = now, text
        action.verified_at = action.verified_by_id = action.verified_how = action.verify_note = None
        action.declared_at = action.declared_by_id = action.cosigned_at = action.cosigned_by_id = None
    else:  # back to planned or in progress: the declaration, if any, is taken back
        action.declared_at = action.declared_by_id = action.cosigned_at = action.cosigned_by_id = None
    action.status = to
    db.session.flush()
    before, after = audit.changed(before, audit.snapshot(action))
    audit.record(verb, action, user=user, before=before, after=after,
                 summary=f"Improvement action {action.id} of {action.cycle}: {to}")
    refresh_plan(action.cycle_id)
    return action


def _refusal(user, action: ImprovementAction, to: str) -> str:
    if to in ("verified", "reopened"):
        if _side(user) != "staff":
            return _("Only programme staff verify or reopen an action.")
        return _("Only an action declared done can be verified or reopened.")
    if action.status == "verified":
        return _("This action is verified; programme staff can reopen it.")
    return _("Programme staff verify or reopen actions; the factory moves them between planned, in progress and done.")


def serving_worker_representatives(factory_id: int, on: date | None = None) -> list[CommitteeMember]:
    """The worker-side members of the factory's committee whose term runs on `on` (today)."""
    on = on or utcnow().date()
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == factory_id))
    if committee is None:
        return []
    return [m for m in db.session.scalars(select(CommitteeMember).where(
        CommitteeMember.committee_id == committee.id, CommitteeMember.side == "worker").order_by(CommitteeMember.name))
        if (m.term_start is None or m.term_start <= on) and (m.term_end is None or m.term_end >= on)]


def cosign(user, action: ImprovementAction, member_id, now: datetime | None = None) -> ImprovementAction:
    """Record that a serving worker representative of the factory's committee co-signed the action's "done". Recorded
    by a user of the factory (who holds the representative's signature) or by staff."""
    _own(user, action)
    if not action.committee_action:
        raise RemediationError("member", _("This action needs no co-signature."))
    if action.status != "done" or action.cosigned_at is not None:
        raise RemediationError("member", _("Only an action declared done and not yet co-signed can be co-signed."))
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        member_id = None
    members = {m.id: m for m in serving_worker_representatives(action.cycle.factory_id)}
    if member_id not in members:
        raise RemediationError("member", _("Choose a worker representative serving on the factory's committee."))
    now = now or utcnow()
    action.cosigned_at, action.cosigned_by_id = now, member_id
    db.session.flush()
    audit.record("cosign", action, user=user, after={"cosigned_by_id": member_id, "cosigned_at": now.isoformat()},
                 summary=f"Improvement action {action.id} of {action.cycle}: co-signed by {members[member_id].name}")
    refresh_plan(action.cycle_id)
    return action


def mark_committee_action(user, action: ImprovementAction, flagged: bool) -> None:
    """Staff mark an action as the committee's (its "done" then needs a worker representative's co-signature)."""
    if _side(user) != "staff":
        raise RemediationError("committee_action", _("Only programme staff mark committee actions."))
    if action.committee_action != flagged:
        audit.record("update", action, user=user, before={"committee_action": action.committee_action},
                     after={"committee_action": flagged}, summary=f"Improvement action {action.id}: committee action")
        action.committee_action = flagged
        db.session.flush()
        refresh_plan(action.cycle_id)


def _iso(value) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def state_of(action: ImprovementAction) -> dict:
    """What the plan's readers see of an action's way: its state, and when it was declared, co-signed, verified or
    reopened (ISO text, kept in the plan report's data)."""
    return {"id": action.id, "source": action.source, "status": action.status, "recurring": action.recurring,
            "committee_action": action.committee_action, "awaiting_cosignature": awaiting_cosignature(action),
            "declared_at": _iso(action.declared_at), "cosigned_at": _iso(action.cosigned_at),
            "verified_at": _iso(action.verified_at), "verified_how": action.verified_how,
            "reopened_at": _iso(action.reopened_at)}


def refresh_plan(cycle_id: int) -> None:
    """The plan report's actions (as the factory submitted them) with each one's state as it is now: the buyers
    read the states without the factory submitting the plan again."""
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle_id, Report.kind == "improvement_plan"))
    data = report.data if report is not None else None
    if not data or not data.get("actions"):
        return
    rows = list(db.session.scalars(select(ImprovementAction).where(ImprovementAction.cycle_id == cycle_id)
                                   .order_by(ImprovementAction.id)))
    by_id = {row.id: row for row in rows}
    entries = []
    for position, entry in enumerate(data["actions"]):
        if not isinstance(entry, dict):
            entries.append(entry)
            continue
        # A plan submitted before its entries named their action: the rows in the order they were submitted.
        row = by_id.get(entry.get("id")) if "id" in entry else (rows[position] if position < len(rows) else None)
        entries.append(entry | state_of(row) if row is not None else entry)
    report.data = data | {"actions": entries}
    if report.released_at is not None:
        report.file_path = None  # the released plan's PDF is made again with the states as they are now


def state_words(entry: dict) -> dict:
    """An action's state as a page writes it: label, and the dates as datetimes (for |day)."""
    def moment(key):
        value = entry.get(key)
        try:
            return datetime.fromisoformat(value) if isinstance(value, str) and value else None
        except ValueError:
            return None

    return {"label": STATE_LABELS.get(entry.get("status"), entry.get("status") or ""),
            "declared_at": moment("declared_at"), "cosigned_at": moment("cosigned_at"),
            "verified_at": moment("verified_at"), "reopened_at": moment("reopened_at"),
            "how": HOW_LABELS.get(entry.get("verified_how")), "awaiting": bool(entry.get("awaiting_cosignature")),
            "recurring": bool(entry.get("recurring"))}
