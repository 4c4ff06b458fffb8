"""The committee: set-up, elections to certification (ties shown and resolved by staff), balance, meetings."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Candidate, Committee, CommitteeMeeting, CommitteeMember, Election, utcnow
from bwadmin.services import committee as service
from bwadmin.services.errors import FieldError

from .advisory_helpers import make_committee
from .factories import csrf_from, login, make_cycle, make_factory, make_user

ELECTION_DAY = date(2026, 3, 10)


def election_with(votes: dict, seats: int = 2, ballots: int = 110, eligible: int = 120):
    factory = make_factory()
    committee = make_committee(factory)
    election = service.open_election(committee, seats=seats)
    for name in votes:
        service.nominate(election, name, "Sewing", "female")
    service.record_ballots(election, ELECTION_DAY, eligible, ballots)
    service.record_votes(election, {c.id: votes[c.name] for c in election.candidates})
    return election


def names(candidates):
    return sorted(c.name for c in candidates)


# --- set-up -------------------------------------------------------------------------------------------
def test_setup_makes_one_committee_and_refuses_a_second(app):
    factory = make_factory("Saigon Knit")
    committee = service.setup_committee(factory)
    assert committee.factory is factory and committee.established_on == utcnow().date()
    with pytest.raises(FieldError, match="has a committee already") as refused:
        service.setup_committee(factory)
    assert refused.value.field == "factory"


def test_setup_button_on_the_cycle_page_creates_the_committee(app, client):
    cycle = make_cycle(make_factory("Hanoi Garment"))
    login(client, make_user("advisor"))
    page = client.get(f"/admin/cycle/details/?id={cycle.id}")
    html = page.get_data(as_text=True)
    assert "This factory has no committee yet." in html and "Set up committee" in html
    response = client.post(f"/admin/committee-work/setup/{cycle.factory_id}", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == cycle.factory_id))
    assert response.headers["Location"].endswith(f"/admin/committee-work/{committee.id}")
    # The cycle page now links to the committee instead of offering a set-up.
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    assert "Open the committee" in html and "Set up committee" not in html


def test_setup_without_csrf_is_refused(app, client):
    factory = make_factory()
    login(client, make_user("advisor"))
    assert client.post(f"/admin/committee-work/setup/{factory.id}").status_code == 400
    assert db.session.scalar(select(Committee)) is None


# --- election result ----------------------------------------------------------------------------------
def test_result_elects_the_most_voted_and_shows_turnout(app):
    election = election_with({"An": 40, "Binh": 30, "Chi": 20}, seats=2, ballots=95, eligible=120)
    result = service.election_result(election)
    assert result["decided"] and names(result["elected"]) == ["An", "Binh"]
    assert result["tied"] == []
    assert result["turnout"] == pytest.approx(95 / 120)


def test_a_tie_at_the_last_seat_is_shown_not_decided(app):
    election = election_with({"An": 40, "Binh": 30, "Chi": 30, "Dung": 5}, seats=2)
    result = service.election_result(election)
    assert not result["decided"]
    assert names(result["elected"]) == ["An"]
    assert names(result["tied"]) == ["Binh", "Chi"] and result["open_seats"] == 1
    with pytest.raises(FieldError, match="Resolve the tie"):
        service.certify(election)


def test_a_tie_that_fits_the_seats_is_no_tie(app):
    election = election_with({"An": 30, "Binh": 30, "Chi": 10}, seats=2)
    result = service.election_result(election)
    assert result["decided"] and names(result["elected"]) == ["An", "Binh"]


def test_a_candidate_without_votes_is_not_elected(app):
    election = election_with({"An": 30, "Binh": 0}, seats=2)
    result = service.election_result(election)
    assert names(result["elected"]) == ["An"] and result["unfilled"] == 1


def test_staff_resolve_the_tie_and_the_choice_is_recorded(app):
    election = election_with({"An": 40, "Binh": 30, "Chi": 30}, seats=2)
    tied = {c.name: c for c in service.election_result(election)["tied"]}
    with pytest.raises(FieldError, match="Pick exactly 1") as refused:
        service.resolve_tie(election, [tied["Binh"].id, tied["Chi"].id], "lots")
    assert refused.value.field == "chosen"
    with pytest.raises(FieldError, match="Say how the tie was resolved") as refused:
        service.resolve_tie(election, [tied["Chi"].id], "")
    assert refused.value.field == "note"
    an = next(c for c in election.candidates if c.name == "An")
    with pytest.raises(FieldError, match="only among the tied"):
        service.resolve_tie(election, [an.id], "lots")

    service.resolve_tie(election, [tied["Chi"].id], "Drawing of lots before the committee")
    recorded = json.loads(election.tie_resolution)
    assert recorded["chosen_names"] == ["Chi"] and recorded["note"] == "Drawing of lots before the committee"
    result = service.election_result(election)
    assert result["decided"] and names(result["elected"]) == ["An", "Chi"]


def test_new_votes_void_an_earlier_tie_choice(app):
    election = election_with({"An": 40, "Binh": 30, "Chi": 30}, seats=2)
    chi = next(c for c in election.candidates if c.name == "Chi")
    service.resolve_tie(election, [chi.id], "lots")
    service.record_votes(election, {c.id: {"An": 40, "Binh": 31, "Chi": 30}[c.name] for c in election.candidates})
    assert election.tie_resolution is None
    assert names(service.election_result(election)["elected"]) == ["An", "Binh"]


def test_certifying_makes_worker_members_with_terms_from_the_election_day(app):
    election = election_with({"An": 40, "Binh": 30, "Chi": 20}, seats=2)
    members = service.certify(election)
    assert sorted(m.name for m in members) == ["An", "Binh"]
    assert all(m.side == "worker" and m.term_start == ELECTION_DAY and m.election_id == election.id for m in members)
    assert members[0].term_end == date(2028, 3, 9)
    assert election.status == "certified"
    assert {c.name: c.elected for c in election.candidates} == {"An": True, "Binh": True, "Chi": False}
    with pytest.raises(FieldError, match="certified already"):
        service.certify(election)
    with pytest.raises(FieldError, match="certified"):
        service.nominate(election, "Late Candidate")


# --- validation --------------------------------------------------------------------------------------
def test_ballots_cannot_exceed_eligible_voters(app):
    election = service.open_election(make_committee(make_factory()), seats=1)
    with pytest.raises(FieldError, match=r"Ballots cast \(130\) cannot exceed the eligible voters \(120\)") as refused:
        service.record_ballots(election, ELECTION_DAY, 120, 130)
    assert refused.value.field == "ballots_cast"


def test_votes_total_cannot_exceed_ballots_cast(app):
    election = service.open_election(make_committee(make_factory()), seats=1)
    service.nominate(election, "An")
    service.nominate(election, "Binh")
    service.record_ballots(election, ELECTION_DAY, 120, 50)
    with pytest.raises(FieldError, match="add up to 60: more than the 50 ballots cast") as refused:
        service.record_votes(election, {c.id: 30 for c in election.candidates})
    assert refused.value.field == "votes"
    assert all(c.votes is None for c in election.candidates)


def test_a_candidate_cannot_be_nominated_twice(app):
    election = service.open_election(make_committee(make_factory()), seats=1)
    service.nominate(election, "Nguyen Thi An")
    with pytest.raises(FieldError, match="nominated already") as refused:
        service.nominate(election, "nguyen thi an ")
    assert refused.value.field == "name"


# --- balance and meetings ----------------------------------------------------------------------------
def test_side_balance_counts_serving_members(app):
    committee = make_committee(make_factory(), workers=2, managers=2)
    assert service.side_balance(committee)["balanced"]
    db.session.add(CommitteeMember(committee=committee, name="Former worker", side="worker",
                                   term_start=date(2020, 1, 1), term_end=date(2021, 1, 1)))
    db.session.flush()
    db.session.refresh(committee)
    assert service.side_balance(committee)["balanced"]  # an ended term does not count
    service.add_member(committee, "Third worker", "worker")
    db.session.refresh(committee)
    balance = service.side_balance(committee)
    assert (balance["worker"], balance["management"], balance["balanced"]) == (3, 2, False)
    assert "3 worker and 2 management" in balance["message"]
    assert service.side_counts([committee.id])[committee.id] == {"worker": 3, "management": 2, "balanced": False}


def test_meetings_are_recorded_with_attendance_and_minutes(app):
    committee = make_committee(make_factory())
    meeting = service.record_meeting(committee, date(2026, 1, 5), 6, "Agreed on fire drills.")
    assert isinstance(meeting, CommitteeMeeting) and meeting.minutes == "Agreed on fire drills."
    with pytest.raises(FieldError, match="in the future") as refused:
        service.record_meeting(committee, utcnow().date() + timedelta(days=3), 6, "")
    assert refused.value.field == "held_on"


# --- the staff pages ---------------------------------------------------------------------------------
def test_unbalanced_committee_shows_a_warning_on_its_page(app, client):
    committee = make_committee(make_factory("Dong Nai Apparel"), workers=1, managers=3)
    login(client, make_user("advisor"))
    html = client.get(f"/admin/committee-work/{committee.id}").get_data(as_text=True)
    assert "alert-warning" in html and "The sides are not equal: 1 worker and 3 management" in html
    listing = client.get("/admin/committee/").get_data(as_text=True)
    assert f"/admin/committee-work/{committee.id}" in listing


def test_election_pages_run_an_election_and_answer_bad_input_beside_the_field(app, client):
    committee = make_committee(make_factory("Binh Duong Textiles"), managers=2)
    make_cycle(committee.factory)
    login(client, make_user("advisor"))
    url = f"/admin/committee-work/{committee.id}"
    page = client.get(url)
    response = client.post(f"{url}/election", data={"csrf_token": csrf_from(page), "seats": "0"})
    assert response.status_code == 200
    assert 'id="seats-error"' in response.get_data(as_text=True)
    assert "An election fills at least one seat." in response.get_data(as_text=True)
    response = client.post(f"{url}/election", data={"csrf_token": csrf_from(page), "seats": "2"})
    election = db.session.scalar(select(Election))
    assert response.headers["Location"].endswith(f"/admin/committee-work/election/{election.id}")
    assert election.cycle is not None

    eurl = f"/admin/committee-work/election/{election.id}"
    token = csrf_from(client.get(eurl))
    for name in ("An", "Binh", "Chi"):
        assert client.post(f"{eurl}/nominate", data={"csrf_token": token, "name": name, "department": "Cutting",
                                                       "gender": "female"}).status_code == 302
    dup = client.post(f"{eurl}/nominate", data={"csrf_token": token, "name": "an", "department": "Sewing"})
    html = dup.get_data(as_text=True)
    assert dup.status_code == 200 and "an is nominated already." in html and 'value="Sewing"' in html

    bad = client.post(f"{eurl}/ballots", data={"csrf_token": token, "held_on": "2026-03-10",
                                               "eligible_voters": "100", "ballots_cast": "140"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'id="ballots_cast-error"' in html
    assert "Ballots cast (140) cannot exceed the eligible voters (100)." in html and 'value="140"' in html
    words = client.post(f"{eurl}/ballots", data={"csrf_token": token, "held_on": "2026-03-10",
                                                 "eligible_voters": "many", "ballots_cast": "80"})
    assert words.status_code == 200 and 'id="eligible_voters-error"' in words.get_data(as_text=True)
    assert client.post(f"{eurl}/ballots", data={"csrf_token": token, "held_on": "2026-03-10",
                                                "eligible_voters": "100", "ballots_cast": "80"}).status_code == 302

    ids = {c.name: c.id for c in db.session.scalars(select(Candidate))}
    too_many = client.post(f"{eurl}/votes", data={"csrf_token": token, f"votes_{ids['An']}": "50",
                                                  f"votes_{ids['Binh']}": "30", f"votes_{ids['Chi']}": "30"})
    html = too_many.get_data(as_text=True)
    assert too_many.status_code == 200 and 'id="votes-error"' in html
    assert "The votes add up to 110: more than the 80 ballots cast." in html and 'value="50"' in html
    missing = client.post(f"{eurl}/votes", data={"csrf_token": token, f"votes_{ids['An']}": "40",
                                                 f"votes_{ids['Binh']}": "", f"votes_{ids['Chi']}": "20"})
    assert f'id="votes_{ids["Binh"]}-error"' in missing.get_data(as_text=True)
    assert client.post(f"{eurl}/votes", data={"csrf_token": token, f"votes_{ids['An']}": "40",
                                              f"votes_{ids['Binh']}": "20", f"votes_{ids['Chi']}": "20"}).status_code == 302

    html = client.get(eurl).get_data(as_text=True)
    assert "Tie at the last seat:" in html and "80%" in html and "(80 of 100 eligible voters)" in html
    refused = client.post(f"{eurl}/certify", data={"csrf_token": token})
    assert "Resolve the tie at the last seat before certifying." in refused.get_data(as_text=True)
    nothing = client.post(f"{eurl}/resolve", data={"csrf_token": token, "note": "lots"})
    assert 'id="chosen-error"' in nothing.get_data(as_text=True)
    assert client.post(f"{eurl}/resolve", data={"csrf_token": token, "chosen": str(ids["Chi"]),
                                                "note": "Drawing of lots"}).status_code == 302
    done = client.post(f"{eurl}/certify", data={"csrf_token": token})
    assert done.status_code == 302
    members = db.session.scalars(select(CommitteeMember).where(CommitteeMember.side == "worker")).all()
    assert sorted(m.name for m in members) == ["An", "Chi"]
    html = client.get(f"/admin/committee-work/{committee.id}", follow_redirects=True).get_data(as_text=True)
    assert "2 worker and 2 management representatives serving." in html and "The sides are equal." in html


def test_member_and_meeting_forms_keep_input_on_error(app, client):
    committee = make_committee(make_factory())
    login(client, make_user("advisor"))
    url = f"/admin/committee-work/{committee.id}"
    token = csrf_from(client.get(url))
    bad = client.post(f"{url}/member", data={"csrf_token": token, "name": "Tran Van Minh", "side": "management",
                                             "term_start": "2026-05-01", "term_end": "2026-01-01"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "The term cannot end before it starts." in html and 'value="Tran Van Minh"' in html
    bad = client.post(f"{url}/meeting", data={"csrf_token": token, "held_on": "2026-01-05", "attendance": "-2",
                                              "minutes": "Long minutes"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Attendance cannot be negative." in html and "Long minutes" in html
    assert client.post(f"{url}/meeting", data={"csrf_token": token, "held_on": "2026-01-05", "attendance": "5",
                                               "minutes": "Fire drills"}).status_code == 302
    assert "Fire drills" in client.get(url).get_data(as_text=True)
