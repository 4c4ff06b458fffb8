"""The worker-management committee (PICC): set-up, elections of worker representatives, balance, meetings.

Every refusal is a FieldError naming the form field it belongs beside.
"""
from __future__ import annotations

import json
from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select

from ..extensions import db
from ..models import Candidate, Committee, CommitteeMeeting, CommitteeMember, Election, Factory, utcnow
from ..models.advisory import GENDERS, SIDES
from . import audit
from .errors import FieldError

TERM_MONTHS = 24  # a worker representative's term, counted from the election day


class CommitteeError(FieldError):
    pass


# --- set-up ----------------------------------------------------------------------------------------
def setup_committee(factory: Factory, established_on: date | None = None) -> Committee:
    """A committee for a factory that has none."""
    existing = db.session.scalar(select(Committee).where(Committee.factory_id == factory.id))
    if existing is not None:
        raise CommitteeError("factory", _("%(factory)s has a committee already.", factory=factory.name))
    committee = Committee(factory=factory, established_on=established_on or utcnow().date())
    db.session.add(committee)
    db.session.flush()
    audit.record("create", committee, after=audit.snapshot(committee))
    return committee


# --- members and balance -----------------------------------------------------------------------------
def add_member(committee: Committee, name: str, side: str, *, position: str | None = None,
               department: str | None = None, gender: str | None = None, union_representative: bool = False,
               term_start: date | None = None, term_end: date | None = None,
               election: Election | None = None) -> CommitteeMember:
    name = (name or "").strip()
    if not name:
        raise CommitteeError("name", _("Enter the member's name."))
    if side not in SIDES:
        raise CommitteeError("side", _("A member is on the worker or the management side."))
    if gender and gender not in GENDERS:
        raise CommitteeError("gender", _("Gender is female, male or other."))
    if term_start and term_end and term_end < term_start:
        raise CommitteeError("term_end", _("The term cannot end before it starts."))
    member = CommitteeMember(committee=committee, name=name, side=side, position=position or None,
                             department=department or None, gender=gender or None,
                             union_representative=union_representative, term_start=term_start,
                             term_end=term_end, election=election)
    db.session.add(member)
    db.session.flush()
    audit.record("create", member, after=audit.snapshot(member))
    return member


def _serving(members, on: date):
    return [m for m in members if (m.term_start is None or m.term_start <= on) and (m.term_end is None or m.term_end >= on)]


def side_balance(committee: Committee, on: date | None = None) -> dict:
    """Members serving on a day, per side. The committee is balanced when both sides are equal and not empty;
    `state` is "empty", "balanced" or "unbalanced", and `message` says it in one sentence."""
    on = on or utcnow().date()
    serving = _serving(committee.members, on)
    counts = {side: sum(1 for m in serving if m.side == side) for side in SIDES}
    state = balance_state(counts["worker"], counts["management"])
    return {**counts, "balanced": state == "balanced", "state": state,
            "message": balance_message(counts["worker"], counts["management"]), "members": serving}


def balance_state(worker: int, management: int) -> str:
    if not worker and not management:
        return "empty"
    return "balanced" if worker == management else "unbalanced"


def balance_message(worker: int, management: int) -> str:
    """The committee's balance in one sentence that never contradicts its counts."""
    state = balance_state(worker, management)
    if state == "empty":
        return _("No member is serving: add the management members and elect the worker representatives, as many "
                 "on each side.")
    if state == "balanced":
        return _("%(worker)s worker and %(management)s management representatives serving. The sides are equal.",
                 worker=worker, management=management)
    return _("The sides are not equal: %(worker)s worker and %(management)s management representatives serving. "
             "A committee needs as many worker as management representatives.", worker=worker, management=management)


def side_counts(committee_ids, on: date | None = None) -> dict[int, dict]:
    """side_balance's counts for many committees in one query."""
    on = on or utcnow().date()
    result = {cid: {"worker": 0, "management": 0} for cid in committee_ids}
    if not result:
        return result
    rows = db.session.execute(
        select(CommitteeMember.committee_id, CommitteeMember.side, func.count())
        .where(CommitteeMember.committee_id.in_(list(result)),
               (CommitteeMember.term_start.is_(None)) | (CommitteeMember.term_start <= on),
               (CommitteeMember.term_end.is_(None)) | (CommitteeMember.term_end >= on))
        .group_by(CommitteeMember.committee_id, CommitteeMember.side)
    )
    for cid, side, n in rows:
        result[cid][side] = n
    for counts in result.values():
        counts["balanced"] = balance_state(counts["worker"], counts["management"]) == "balanced"
    return result


# --- meetings ---------------------------------------------------------------------------------------
def record_meeting(committee: Committee, held_on: date | None, attendance: int | None, minutes: str | None) -> CommitteeMeeting:
    if held_on is None:
        raise CommitteeError("held_on", _("Enter the day of the meeting."))
    if held_on > utcnow().date():
        raise CommitteeError("held_on", _("A meeting is recorded once it has been held: this day is in the future."))
    if attendance is not None and attendance < 0:
        raise CommitteeError("attendance", _("Attendance cannot be negative."))
    meeting = CommitteeMeeting(committee=committee, held_on=held_on, attendance=attendance, minutes=minutes or None)
    db.session.add(meeting)
    db.session.flush()
    audit.record("create", meeting, after=audit.snapshot(meeting))
    return meeting


def meetings_held(factory_id: int, start: date, end: date) -> int:
    """How many meetings the factory's committee held from `start` to `end` (both days counted): the committee's
    regular reviews of its needs and targets over a cycle, which differentiation measures."""
    return db.session.scalar(
        select(func.count()).select_from(CommitteeMeeting).join(Committee, Committee.id == CommitteeMeeting.committee_id)
        .where(Committee.factory_id == factory_id, CommitteeMeeting.held_on >= start, CommitteeMeeting.held_on <= end)
    ) or 0


# --- elections --------------------------------------------------------------------------------------
def open_election(committee: Committee, *, seats: int, cycle=None, nominations_open_on: date | None = None,
                  held_on: date | None = None) -> Election:
    if seats is None or seats < 1:
        raise CommitteeError("seats", _("An election fills at least one seat."))
    election = Election(committee=committee, cycle=cycle, seats=seats, status="nominating",
                        nominations_open_on=nominations_open_on or utcnow().date(), held_on=held_on)
    db.session.add(election)
    db.session.flush()
    audit.record("create", election, after=audit.snapshot(election))
    return election


def _not_certified(election: Election, field: str) -> None:
    if election.status == "certified":
        raise CommitteeError(field, _("This election is certified: its results can no longer change."))


def nominate(election: Election, name: str, department: str | None = None, gender: str | None = None) -> Candidate:
    _not_certified(election, "name")
    name = (name or "").strip()
    if not name:
        raise CommitteeError("name", _("Enter the candidate's name."))
    if any(c.name.lower() == name.lower() for c in election.candidates):
        raise CommitteeError("name", _("%(name)s is nominated already.", name=name))
    if gender and gender not in GENDERS:
        raise CommitteeError("gender", _("Gender is female, male or other."))
    candidate = Candidate(election=election, name=name, department=(department or "").strip() or None,
                          gender=gender or None)
    db.session.add(candidate)
    if election.status == "planned":
        election.status = "nominating"
    db.session.flush()
    audit.record("create", candidate, after=audit.snapshot(candidate))
    return candidate


def record_ballots(election: Election, held_on: date | None, eligible_voters: int | None,
                   ballots_cast: int | None) -> None:
    """Election day: who could vote and how many ballots were cast."""
    _not_certified(election, "ballots_cast")
    if held_on is None:
        raise CommitteeError("held_on", _("Enter the election day."))
    if eligible_voters is None or eligible_voters < 1:
        raise CommitteeError("eligible_voters", _("Enter the number of workers eligible to vote (at least 1)."))
    if ballots_cast is None or ballots_cast < 0:
        raise CommitteeError("ballots_cast", _("Enter the number of ballots cast (0 or more)."))
    if ballots_cast > eligible_voters:
        raise CommitteeError("ballots_cast", _("Ballots cast (%(ballots)s) cannot exceed the eligible voters "
                                               "(%(voters)s).", ballots=ballots_cast, voters=eligible_voters))
    votes = sum(c.votes or 0 for c in election.candidates)
    if votes > ballots_cast * VOTES_PER_BALLOT:
        raise CommitteeError("ballots_cast", _("The candidates already have %(votes)s votes in all: more than "
                                               "%(ballots)s ballots allow.", votes=votes, ballots=ballots_cast))
    election.held_on, election.eligible_voters, election.ballots_cast = held_on, eligible_voters, ballots_cast


# The ballot: each worker's ballot carries one vote, for one candidate, however many seats the election fills. The
# candidates' votes therefore add up to at most the ballots cast (blank and spoiled ballots make them fewer).
VOTES_PER_BALLOT = 1


def max_votes(election: Election) -> int | None:
    """The most votes the candidates can have in all (None until the ballots cast are recorded)."""
    return None if election.ballots_cast is None else election.ballots_cast * VOTES_PER_BALLOT


def ballot_rule(election: Election) -> str:
    """The ballot rule as the election page states it: one vote per ballot, not one per seat."""
    seats = election.seats or 1
    if seats == 1:
        rule = _("One vote per ballot: each worker votes for one candidate.")
    else:
        rule = ngettext("One vote per ballot, not one per seat: each worker votes for one candidate, although "
                        "%(num)s seat is filled.",
                        "One vote per ballot, not one per seat: each worker votes for one candidate, although "
                        "%(num)s seats are filled.", seats)
    if election.ballots_cast is None:
        return rule + " " + _("The candidates' votes add up to at most the ballots cast.")
    return rule + " " + ngettext("The candidates' votes add up to at most the %(num)s ballot cast.",
                                 "The candidates' votes add up to at most the %(num)s ballots cast.",
                                 max_votes(election))


def record_votes(election: Election, votes: dict[int, int | None]) -> None:
    """Votes per candidate id; their total cannot exceed max_votes (see VOTES_PER_BALLOT)."""
    _not_certified(election, "votes")
    if election.ballots_cast is None:
        raise CommitteeError("votes", _("Record the ballots cast on election day before the votes."))
    if not election.candidates:
        raise CommitteeError("votes", _("Nominate the candidates before entering votes."))
    for candidate in election.candidates:
        value = votes.get(candidate.id)
        if value is None:
            raise CommitteeError(f"votes_{candidate.id}", _("Enter the votes for %(name)s (0 if none).",
                                                            name=candidate.name))
        if value < 0:
            raise CommitteeError(f"votes_{candidate.id}", _("Votes cannot be negative."))
    total = sum(votes[c.id] for c in election.candidates)
    if total > max_votes(election):
        raise CommitteeError("votes", _("The votes add up to %(total)s: more than the %(ballots)s ballots cast.",
                                        total=total, ballots=election.ballots_cast))
    for candidate in election.candidates:
        candidate.votes = votes[candidate.id]
    election.status = "held"
    election.tie_resolution = None  # new votes make any earlier choice among tied candidates void


def turnout(election: Election) -> float | None:
    if not election.eligible_voters or election.ballots_cast is None:
        return None
    return election.ballots_cast / election.eligible_voters


def _resolution(election: Election) -> dict | None:
    if not election.tie_resolution:
        return None
    try:
        data = json.loads(election.tie_resolution)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def election_result(election: Election) -> dict:
    """Who is elected to the seats. A tie at the last seat is shown, never decided silently: `tied` lists
    the candidates sharing it and `open_seats` how many of them staff must pick (see resolve_tie).

    A candidate needs at least one vote to be elected; seats nobody won stay empty (`unfilled`)."""
    candidates = list(election.candidates)
    counted = all(c.votes is not None for c in candidates) and bool(candidates)
    result = {"counted": counted, "elected": [], "tied": [], "open_seats": 0, "unfilled": 0,
              "decided": False, "resolution": None, "turnout": turnout(election),
              "ranking": sorted(candidates, key=lambda c: (-(c.votes or 0), c.name.lower()))}
    if not counted:
        return result
    ranked = [c for c in result["ranking"] if c.votes > 0]
    seats = election.seats
    if len(ranked) <= seats:
        result.update(elected=ranked, decided=True, unfilled=seats - len(ranked))
        return result
    last = ranked[seats - 1].votes
    sure = [c for c in ranked if c.votes > last]
    tied = [c for c in ranked if c.votes == last]
    open_seats = seats - len(sure)
    if len(tied) == open_seats:
        result.update(elected=sure + tied, decided=True)
        return result
    result.update(elected=sure, tied=tied, open_seats=open_seats)
    chosen = _resolution(election)
    tied_ids = sorted(c.id for c in tied)
    if chosen and sorted(chosen.get("among", [])) == tied_ids and len(chosen.get("chosen", [])) == open_seats:
        picked = [c for c in tied if c.id in chosen["chosen"]]
        result.update(elected=sure + picked, decided=True, resolution=chosen)
    return result


def resolve_tie(election: Election, chosen_ids: list[int], note: str | None = None, user=None) -> None:
    """Staff pick among the candidates tied at the last seat; the choice and its reason are recorded."""
    _not_certified(election, "chosen")
    result = election_result(election)
    if not result["tied"]:
        raise CommitteeError("chosen", _("There is no tie to resolve."))
    tied = {c.id: c for c in result["tied"]}
    chosen_ids = [int(i) for i in chosen_ids]
    if any(i not in tied for i in chosen_ids):
        raise CommitteeError("chosen", _("Pick only among the tied candidates."))
    if len(set(chosen_ids)) != result["open_seats"]:
        raise CommitteeError("chosen", ngettext("Pick exactly %(num)s of the tied candidates (%(num)s seat left).",
                                                "Pick exactly %(num)s of the tied candidates (%(num)s seats left).",
                                                result["open_seats"]))
    note = (note or "").strip()
    if not note:
        raise CommitteeError("note", _("Say how the tie was resolved (for example: drawing of lots before the "
                                       "committee)."))
    election.tie_resolution = json.dumps({
        "among": sorted(tied), "chosen": sorted(set(chosen_ids)),
        "chosen_names": [tied[i].name for i in sorted(set(chosen_ids))],
        "votes": result["tied"][0].votes, "note": note,
        "by": getattr(user, "email", None), "at": utcnow().isoformat(timespec="seconds"),
    })
    audit.record("resolve_tie", election, summary=f"Tie resolved: {', '.join(tied[i].name for i in chosen_ids)}")


def certify_blocker(election: Election) -> str | None:
    """What must happen before the election can be certified; None once its results exist and are decided."""
    if election.status == "certified":
        return _("This election is certified already.")
    if not election.candidates:
        return _("Nominate the candidates and enter their votes first.")
    if election.held_on is None or election.ballots_cast is None:
        return _("Record the election day and the ballots cast first.")
    result = election_result(election)
    if not result["counted"]:
        return _("Enter the votes of every candidate first.")
    if not result["decided"]:
        return _("Resolve the tie at the last seat before certifying.")
    return None


def certify(election: Election, term_months: int = TERM_MONTHS) -> list[CommitteeMember]:
    """The elected become worker-side committee members, their term starting on the election day."""
    blocker = certify_blocker(election)
    if blocker is not None:
        raise CommitteeError("certify", blocker)
    result = election_result(election)
    members = []
    for candidate in result["elected"]:
        candidate.elected = True
        members.append(add_member(
            election.committee, candidate.name, "worker", department=candidate.department,
            gender=candidate.gender, term_start=election.held_on,
            term_end=election.held_on + relativedelta(months=term_months) - relativedelta(days=1),
            election=election,
        ))
    election.status = "certified"
    audit.record("certify", election, summary=f"Certified: {', '.join(m.name for m in members) or 'nobody elected'}")
    return members
