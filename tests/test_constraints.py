"""The database refuses bad rows whoever writes them, and each refusal reads as a sentence."""
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from bwadmin.extensions import db
from bwadmin.models import (
    Candidate,
    Committee,
    CommitteeMember,
    Cycle,
    Election,
    Need,
    ScheduleOffset,
    Sourcing,
    TrainingSession,
    User,
)
from bwadmin.services.constraints import message_for

from .factories import make_buyer, make_cycle, make_factory


def refused(row) -> str:
    db.session.add(row)
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    db.session.rollback()
    return message_for(caught.value)


def test_each_constraint_says_what_is_wrong(app):
    factory, buyer = make_factory(), make_buyer()
    cycle = make_cycle(factory)
    committee = Committee(factory=factory)
    db.session.add(committee)
    election = Election(committee=committee, seats=2)
    db.session.add(election)
    db.session.add(Candidate(election=election, name="Lan"))
    db.session.add(Sourcing(buyer=buyer, factory=factory))
    db.session.commit()
    ids = {"factory": factory.id, "buyer": buyer.id, "cycle": cycle.id, "committee": committee.id, "election": election.id}

    cases = [
        (Cycle(factory_id=ids["factory"], number=1, signed_up_on=date(2026, 1, 1)),
         "This factory already has a cycle with that number."),
        (Cycle(factory_id=ids["factory"], number=0, signed_up_on=date(2026, 1, 1)), "A cycle number starts at 1."),
        (Sourcing(buyer_id=ids["buyer"], factory_id=ids["factory"]), "This buyer already sources from this factory."),
        (User(email="f@example.org", role="factory"), "A factory user needs the factory it belongs to."),
        (User(email="b@example.org", role="buyer"), "A buyer user needs the buyer it belongs to."),
        (CommitteeMember(committee_id=ids["committee"], name="X", side="boss"),
         "A committee member is on the worker or the management side."),
        (Need(cycle_id=ids["cycle"], area="fun", title="X"),
         "A need's area is labour compliance, management systems or training."),
        (TrainingSession(cycle_id=ids["cycle"], topic="OSH", held_on=date(2026, 2, 1), days=0),
         "Training days must be more than zero."),
        (Election(committee_id=ids["committee"], seats=1, eligible_voters=10, ballots_cast=11),
         "Ballots cast cannot exceed the eligible voters."),
        (Candidate(election_id=ids["election"], name="Lan"), "This election already has a candidate with that name."),
        (Committee(factory_id=ids["factory"]), "This factory has a committee already."),
        (ScheduleOffset(kind="release", base="release"), "A milestone cannot be counted from itself."),
    ]
    for row, message in cases:
        assert refused(row) == message, type(row).__name__
