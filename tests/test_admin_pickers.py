"""The panel's pickers offer only people and records that fit, and the server refuses any other one beside the field."""
from datetime import date

from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import AdvisoryVisit, Cycle, TrainingSession
from bwadmin.services import needs

from .adminpage import labels, message_beside, options
from .factories import login, make_buyer, make_cycle, make_factory, make_user, post_form


def people():
    """An active advisor, a deactivated one, an admin and a buyer user."""
    return {
        "mai": make_user("advisor", name="Mai Advisor"),
        "gone": make_user("advisor", name="Gone Advisor", active=False),
        "admin": make_user("admin", name="Ana Admin"),
        "buyer": make_user("buyer", name="Bea Buyer", buyer=make_buyer()),
    }


def visit_form(cycle, advisor, **extra):
    return {"cycle": str(cycle.id), "visited_on": date.today().isoformat(), "focus": "general",
            "advisor": str(advisor), **extra}


def test_the_visit_advisor_picker_offers_active_advisors_and_refuses_anyone_else_beside_the_field(app, client):
    who = people()
    cycle = make_cycle(make_factory("Picker Garments"), advisor=who["mai"])
    login(client, who["admin"])
    page = client.get(f"/admin/advisoryvisit/new/?cycle={cycle.id}").get_data(as_text=True)
    assert labels(page, "advisor") == ["Mai Advisor"]
    assert next(o for o in options(page, "advisor") if o["selected"])["label"] == "Mai Advisor"  # the cycle's advisor

    for person, message in [(who["buyer"].id, "Bea Buyer is not an advisor (Buyer user): choose an active advisor."),
                            (who["admin"].id, "Ana Admin is not an advisor (Admin): choose an active advisor."),
                            (who["gone"].id, "Gone Advisor's account is deactivated: choose an active advisor."),
                            (999999, "No such record: choose one from the list.")]:
        response = post_form(client, "/admin/advisoryvisit/new/", visit_form(cycle, person, notes="Met HR"))
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message_beside(html, "advisor") == message
        assert "Met HR" in html  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(AdvisoryVisit)) == 0
    assert post_form(client, "/admin/advisoryvisit/new/", visit_form(cycle, who["mai"].id)).status_code == 302


def test_a_visit_saved_with_a_buyer_as_advisor_shows_it_and_is_refused_until_an_advisor_is_chosen(app, client):
    who = people()
    cycle = make_cycle()
    visit = AdvisoryVisit(cycle=cycle, visited_on=date.today(), advisor=who["buyer"])
    db.session.add(visit)
    login(client, who["admin"])
    url = f"/admin/advisoryvisit/edit/?id={visit.id}"
    page = client.get(url).get_data(as_text=True)
    assert next(o for o in options(page, "advisor") if o["selected"])["label"] == "Bea Buyer"  # not silently replaced
    kept = post_form(client, url, visit_form(cycle, who["buyer"].id))
    assert message_beside(kept.get_data(as_text=True), "advisor").startswith("Bea Buyer is not an advisor")
    assert post_form(client, url, visit_form(cycle, who["mai"].id)).status_code == 302
    db.session.expire_all()
    assert db.session.get(AdvisoryVisit, visit.id).advisor_id == who["mai"].id


def test_the_cycle_advisor_picker_offers_active_advisors_only(app, client):
    who = people()
    factory = make_factory("Advised Knit")
    login(client, who["admin"])
    page = client.get("/admin/cycle/new/").get_data(as_text=True)
    assert labels(page, "advisor") == ["Mai Advisor"]
    form = {"factory": str(factory.id), "number": "", "signed_up_on": "2026-03-01", "training_days_allotted": "4",
            "status": "advisory"}
    refused = post_form(client, "/admin/cycle/new/", form | {"advisor": str(who["buyer"].id)})
    assert message_beside(refused.get_data(as_text=True), "advisor").startswith("Bea Buyer is not an advisor")
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0
    assert post_form(client, "/admin/cycle/new/", form | {"advisor": str(who["mai"].id)}).status_code == 302


def test_cycle_pickers_offer_running_cycles_first_and_an_advisors_own_before_the_others(app, client):
    mai, other = make_user("advisor", name="Mai"), make_user("advisor", name="Other")
    closed = make_cycle(make_factory("Alpha Apparel"), advisor=mai)
    closed.status = "closed"
    theirs = make_cycle(make_factory("Beta Textiles"), advisor=other)
    mine = make_cycle(make_factory("Zeta Garments"), advisor=mai)
    login(client, mai)
    page = client.get("/admin/need/new/").get_data(as_text=True)
    assert labels(page, "cycle") == ["Zeta Garments, cycle 1", "Beta Textiles, cycle 1",
                                     "Alpha Apparel, cycle 1 (closed)"]
    assert [o["value"] for o in options(page, "cycle")] == [str(mine.id), str(theirs.id), str(closed.id)]
    admin = app.test_client()
    login(admin, make_user("admin"))
    page = admin.get("/admin/advisoryvisit/new/").get_data(as_text=True)
    assert labels(page, "cycle") == ["Beta Textiles, cycle 1", "Zeta Garments, cycle 1",
                                     "Alpha Apparel, cycle 1 (closed)"]


def test_the_training_need_picker_shows_its_cycles_needs_and_refuses_another_cycles_beside_the_field(app, client):
    ours, theirs = make_cycle(make_factory("Our Mill"), training_days=5), make_cycle(make_factory("Their Mill"))
    fire = needs.add_need(ours, area="training", title="Fire drill training")
    wages = needs.add_need(theirs, area="training", title="Payroll training")
    login(client, make_user("advisor"))
    page = client.get(f"/admin/trainingsession/new/?cycle={ours.id}").get_data(as_text=True)
    assert labels(page, "need") == ["Fire drill training"]
    # Before a cycle is chosen, each need says its cycle: the page keeps the chosen cycle's.
    page = client.get("/admin/trainingsession/new/").get_data(as_text=True)
    assert {o["label"]: o["data"]["data-cycle"] for o in options(page, "need") if o["value"] != "__None"} == {
        "Fire drill training": str(ours.id), "Payroll training": str(theirs.id)}
    form = {"cycle": str(ours.id), "topic": "Fire safety", "held_on": "2026-02-01", "days": "1"}
    refused = post_form(client, "/admin/trainingsession/new/", form | {"need": str(wages.id)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert message_beside(html, "need") == ("That need belongs to another cycle (Their Mill, cycle 1): choose a need "
                                            "of Our Mill, cycle 1.")
    assert labels(html, "need")[1:] == ["Fire drill training"]  # the refused one shown first, then ours
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 0
    assert post_form(client, "/admin/trainingsession/new/", form | {"need": str(fire.id)}).status_code == 302
    session = db.session.scalar(select(TrainingSession))
    page = client.get(f"/admin/trainingsession/edit/?id={session.id}").get_data(as_text=True)
    assert labels(page, "need") == ["Fire drill training"]
