"""The election and committee pages as an advisor reads them: the ballot rule, certification only once there are
results, and a balance banner that is right for an empty committee and never contradicts itself."""
from datetime import date

from bwadmin.services import committee as service

from .adminpage import text_of
from .advisory_helpers import make_committee
from .factories import csrf_from, login, make_factory, make_user
from .pageread import Page


def test_the_election_page_states_the_ballot_rule_the_votes_are_checked_against(app, client):
    election = service.open_election(make_committee(make_factory()), seats=3)
    for name in ("An", "Binh"):
        service.nominate(election, name)
    login(client, make_user("advisor"))
    url = f"/admin/committee-work/election/{election.id}"
    html = client.get(url).get_data(as_text=True)
    rule = ("One vote per ballot, not one per seat: each worker votes for one candidate, although 3 seats are filled. "
            "The candidates' votes add up to at most the ballots cast.")
    assert text_of(html, "ballot-rule") == rule
    token = csrf_from(html)
    client.post(f"{url}/ballots", data={"csrf_token": token, "held_on": "2026-03-10", "eligible_voters": "100",
                                         "ballots_cast": "80"})
    html = client.get(url).get_data(as_text=True)
    assert text_of(html, "ballot-rule").endswith("The candidates' votes add up to at most the 80 ballots cast.")
    # One vote per seat would allow 240: the page's rule is the one the votes are held to.
    ids = {c.name: c.id for c in election.candidates}
    refused = client.post(f"{url}/votes", data={"csrf_token": token, f"votes_{ids['An']}": "60",
                                                 f"votes_{ids['Binh']}": "50"})
    assert "The votes add up to 110: more than the 80 ballots cast." in refused.get_data(as_text=True)


def test_a_single_seat_election_says_one_vote_per_ballot(app):
    election = service.open_election(make_committee(make_factory()), seats=1)
    assert service.ballot_rule(election).startswith("One vote per ballot: each worker votes for one candidate.")


def test_certify_is_offered_only_once_the_results_exist(app, client):
    election = service.open_election(make_committee(make_factory()), seats=1)
    login(client, make_user("advisor"))
    url = f"/admin/committee-work/election/{election.id}"

    def page():
        return client.get(url).get_data(as_text=True)

    html = page()
    assert 'id="certify-form"' not in html and "Certify the result" not in html
    assert text_of(html, "certify-blocker") == ("Not ready to certify: Nominate the candidates and enter their votes "
                                                "first.")
    service.nominate(election, "An")
    service.nominate(election, "Binh")
    service.record_ballots(election, date(2026, 3, 10), 100, 80)
    html = page()
    assert "Certify the result" not in html
    assert text_of(html, "certify-blocker") == "Not ready to certify: Enter the votes of every candidate first."
    ids = {c.name: c.id for c in election.candidates}
    service.record_votes(election, {ids["An"]: 30, ids["Binh"]: 30})  # a tie at the only seat
    html = page()
    assert "Certify the result" not in html
    assert text_of(html, "certify-blocker").endswith("Resolve the tie at the last seat before certifying.")
    service.record_votes(election, {ids["An"]: 40, ids["Binh"]: 30})
    html = page()
    assert 'id="certify-form"' in html and "Certify the result" in html and 'id="certify-blocker"' not in html
    assert client.post(f"{url}/certify", data={"csrf_token": csrf_from(html)}).status_code == 302
    html = page()
    assert "Certify the result" not in html and "Certified. The elected are members of the committee." in html


def test_the_sides_banner_for_an_empty_committee_and_for_unequal_and_equal_sides(app, client):
    login(client, make_user("advisor"))
    empty = make_committee(make_factory())
    html = client.get(f"/admin/committee-work/{empty.id}").get_data(as_text=True)
    banner = text_of(html, "balance")
    assert banner == ("No member is serving: add the management members and elect the worker representatives, as many "
                      "on each side.")
    assert 'class="alert alert-warning"' in html and "The sides are equal" not in html

    unequal = make_committee(make_factory(), workers=1, managers=3)
    banner = text_of(client.get(f"/admin/committee-work/{unequal.id}").get_data(as_text=True), "balance")
    assert banner == ("The sides are not equal: 1 worker and 3 management representatives serving. A committee needs "
                      "as many worker as management representatives.")

    equal = make_committee(make_factory(), workers=2, managers=2)
    banner = text_of(client.get(f"/admin/committee-work/{equal.id}").get_data(as_text=True), "balance")
    assert banner == "2 worker and 2 management representatives serving. The sides are equal."


def test_the_cycle_page_says_the_committee_balance_in_the_same_words(app, client):
    from .factories import make_cycle

    cycle = make_cycle(make_factory("Empty Committee Mill"))
    make_committee(cycle.factory)
    login(client, make_user("advisor"))
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    words = text_of(html, "committee-balance")
    assert words.startswith("No member is serving") and "equal" not in words.split(".")[0]
    assert Page(html).link("Open the committee")
