"""Saving through the staff panel: CSRF, audit, messages beside the field, constant queries, indexed search."""
import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, select, text

from bwadmin.extensions import db
from bwadmin.models import AuditEvent, Cycle, Factory, Milestone

from .formparse import form_values
from .factories import csrf_from, login, make_buyer, make_cycle, make_factory, make_user, post_form


@contextmanager
def count_queries():
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def field_error(html: str, message: str) -> bool:
    """The message shows in the form next to a field, not only as a flash."""
    return message in html and ("invalid-feedback" in html or "help-block" in html or "is-invalid" in html)


def test_creating_a_factory_saves_it_and_writes_an_audit_event(app, client):
    admin = make_user("admin")
    login(client, admin)
    response = post_form(client, "/admin/factory/new/", {"name": "Angkor Garments", "country": "Cambodia", "workers": "1200"})
    assert response.status_code == 302
    factory = db.session.scalar(select(Factory).where(Factory.name == "Angkor Garments"))
    assert factory.workers == 1200
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "factory", AuditEvent.action == "create"))
    assert event_.user_id == admin.id and event_.after["name"] == "Angkor Garments"


def test_an_edit_records_before_and_after(app, client):
    factory = make_factory("Old Name", workers=10)
    login(client, make_user("admin"))
    url = f"/admin/factory/edit/?id={factory.id}"
    response = post_form(client, url, {"name": "New Name", "country": "Vietnam", "workers": "10"})
    assert response.status_code == 302
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert event_.before == {"name": "Old Name"} and event_.after == {"name": "New Name"}


def test_a_post_without_the_csrf_token_is_refused(app, client):
    login(client, make_user("admin"))
    response = client.post("/admin/factory/new/", data={"name": "X", "country": "Vietnam"})
    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(Factory).where(Factory.name == "X")) is None


def test_bad_number_is_answered_beside_the_field_and_the_typed_values_kept(app, client):
    login(client, make_user("admin"))
    response = post_form(client, "/admin/factory/new/", {"name": "Typed Name", "country": "Vietnam", "workers": "many"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "Not a valid integer value")
    assert 'value="Typed Name"' in html


def test_a_second_cycle_with_the_same_number_is_refused_beside_the_number(app, client):
    cycle = make_cycle(make_factory("Mekong Apparel"))
    login(client, make_user("admin"))
    response = post_form(client, "/admin/cycle/new/", {
        "factory": str(cycle.factory_id), "number": "1", "signed_up_on": "2026-03-01",
        "training_days_allotted": "4", "status": "advisory"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "Mekong Apparel already has a cycle 1.")
    assert db.session.scalar(select(db.func.count()).select_from(Cycle)) == 1


def test_a_cycle_created_in_the_panel_gets_its_number_and_milestones(app, client):
    factory = make_factory()
    make_cycle(factory)
    login(client, make_user("admin"))
    response = post_form(client, "/admin/cycle/new/", {
        "factory": str(factory.id), "number": "", "signed_up_on": "2026-01-31", "training_days_allotted": "4", "status": "advisory"})
    assert response.status_code == 302
    cycle = db.session.scalar(select(Cycle).where(Cycle.number == 2))
    assert cycle.returning
    due = {m.kind: m.due_at.date() for m in cycle.milestones}
    assert due["factory_progress_report"] == date(2026, 7, 11)  # 30 days after the release due on 11 June


def test_the_cycle_page_shows_the_timeline_with_overdue_milestones(app, client):
    cycle = make_cycle(days_in=120)
    cycle.milestone("cycle_start").done_at = cycle.milestone("cycle_start").due_at
    login(client, make_user("advisor"))
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    assert 'id="timeline"' in html
    assert "Advisory period ends" in html and "overdue" in html and "upcoming" in html and "done" in html


def test_moving_the_sign_up_date_in_the_panel_moves_open_milestones(app, client):
    cycle = make_cycle(signed_up_on=date(2026, 1, 1))
    login(client, make_user("admin"))
    response = post_form(client, f"/admin/cycle/edit/?id={cycle.id}", {
        "factory": str(cycle.factory_id), "number": "1", "signed_up_on": "2026-01-31",
        "training_days_allotted": "5", "status": "advisory"})
    assert response.status_code == 302
    db.session.expire_all()
    due = db.session.scalar(select(Milestone.due_at).where(Milestone.cycle_id == cycle.id, Milestone.kind == "factory_progress_report"))
    assert due.date() == date(2026, 7, 11)  # 30 days after the release, a month after day 100 (11 May)


def test_an_offset_changed_by_an_admin_moves_running_cycles(app, client):
    cycle = make_cycle(signed_up_on=date(2026, 1, 1))
    login(client, make_user("admin"))
    response = post_form(client, "/admin/scheduleoffset/new/", {"kind": "advisory_end", "base": "signup", "months": "3", "days": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).milestone("advisory_end").due_at.date() == date(2026, 4, 1)


def test_an_offset_that_loops_is_refused_beside_the_base(app, client):
    login(client, make_user("admin"))
    response = post_form(client, "/admin/scheduleoffset/new/", {
        "kind": "factory_progress_report", "base": "programme_progress_report", "months": "0", "days": "0"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "This would make a loop")


def test_ballots_beyond_the_voters_are_refused_beside_the_field(app, client):
    factory = make_factory()
    from bwadmin.models import Committee

    committee = Committee(factory=factory)
    db.session.add(committee)
    db.session.flush()
    login(client, make_user("admin"))
    response = post_form(client, "/admin/election/new/", {
        "committee": str(committee.id), "seats": "3", "eligible_voters": "100", "ballots_cast": "150", "status": "held"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "Ballots cast (150) cannot exceed the eligible voters (100).")


def test_user_form_refuses_a_taken_email_and_a_short_password(app, client):
    make_user("advisor", email="taken@example.org")
    login(client, make_user("admin"))
    response = post_form(client, "/admin/user/new/", {
        "email": "Taken@Example.org", "name": "X", "role": "advisor", "language": "en", "active": "y", "new_password": "short"})
    html = response.get_data(as_text=True)
    assert field_error(html, "A user with this email exists already.")
    assert "Use at least 12 characters." in html


def test_a_factory_user_without_a_factory_is_refused(app, client):
    login(client, make_user("admin"))
    response = post_form(client, "/admin/user/new/", {"email": "f@example.org", "role": "factory", "language": "en", "active": "y"})
    assert field_error(response.get_data(as_text=True), "A factory user needs the factory it belongs to.")


def test_deactivating_a_user_in_the_panel_ends_their_session(app, client):
    advisor = make_user("advisor")
    other = app.test_client()
    login(other, advisor)
    assert other.get("/admin/").status_code == 200
    login(client, make_user("admin"))
    response = post_form(client, f"/admin/user/edit/?id={advisor.id}", {
        "email": advisor.email, "name": "A", "role": "advisor", "language": "en"})  # active unticked
    assert response.status_code == 302
    assert other.get("/admin/").status_code == 302  # back to the login page


def test_list_pages_run_the_same_number_of_queries_whatever_the_page_size(app, client):
    advisor = make_user("advisor")
    for i in range(60):
        make_cycle(make_factory(f"Factory {i:03d}"), advisor=advisor)
    login(client, make_user("admin"))
    from bwadmin.models import AdvisoryVisit, Need, Sourcing

    for cycle in db.session.scalars(select(Cycle)):
        db.session.add(Need(cycle=cycle, area="training", title=f"Need of {cycle.id}"))
        db.session.add(AdvisoryVisit(cycle=cycle, visited_on=date(2026, 1, 5)))
        db.session.add(Sourcing(factory=cycle.factory, buyer=make_buyer()))
    db.session.commit()
    for endpoint in ["factory", "cycle", "milestone", "sourcing", "user", "need", "advisoryvisit"]:
        counts = []
        for size in (20, 50, 100):
            client.get(f"/admin/{endpoint}/?page_size={size}")  # warm caches
            db.session.expunge_all()  # as in a new request: nothing already loaded
            with count_queries() as statements:
                assert client.get(f"/admin/{endpoint}/?page_size={size}").status_code == 200
            counts.append(len(statements))
        assert len(set(counts)) == 1, (endpoint, counts)


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_search_finds_by_the_start_of_a_name_and_uses_the_index(app, client):
    make_factory("Saigon Stitch Garment")
    make_factory("Mekong Apparel")
    make_cycle(make_factory("Saigon Knit"))
    login(client, make_user("admin"))
    html = client.get("/admin/factory/?search=saigon").get_data(as_text=True)
    assert "Saigon Stitch Garment" in html and "Saigon Knit" in html and "Mekong Apparel" not in html
    html = client.get("/admin/factory/?search=Saigon++stitch").get_data(as_text=True)
    assert "Saigon Stitch Garment" in html and "Saigon Knit" not in html
    html = client.get("/admin/cycle/?search=SAIGON").get_data(as_text=True)
    assert "Saigon Knit" in html and "Mekong" not in html and "Saigon Stitch" not in html
    html = client.get("/admin/milestone/?search=saigon").get_data(as_text=True)
    assert html.count("Saigon Knit, cycle 1") == 11  # every milestone of the cycle
    # 100% and _ are matched as characters, not wildcards.
    assert "Mekong" not in client.get("/admin/factory/?search=%25").get_data(as_text=True)
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM factory WHERE lower(name) >= 'saigon' AND lower(name) < 'saigoo'")).all()
        assert any("ix_factory_lower_name" in str(row) for row in plan), plan


def test_csrf_token_is_on_every_admin_form(app, client):
    login(client, make_user("admin"))
    assert csrf_from(client.get("/admin/factory/new/"))
    make_buyer()


def test_deleting_from_the_list_removes_the_row_and_audits_it(app, client):
    factory = make_factory("Short Lived Garments")
    login(client, make_user("admin"))
    html = client.get("/admin/factory/").get_data(as_text=True)

    # "With selected → Delete": the list's own form, with the row's checkbox ticked.
    form = re.search(r'<form id="action_form" action="([^"]+)" method="POST"[^>]*>(.*?)</form>', html, re.S)
    fields = {name: values[0] for name, values in form_values(form.group(2)).items()}
    assert re.search(rf'name="rowid"[^>]*value="{factory.id}"', html)
    response = client.post(form.group(1), data={**fields, "action": "delete", "rowid": str(factory.id)})
    assert response.status_code == 302
    assert db.session.get(Factory, factory.id) is None
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete"))
    assert event_.before["name"] == "Short Lived Garments"


def test_a_new_user_has_no_role_until_one_is_chosen_and_is_invited_to_set_a_password(app, client):
    login(client, make_user("admin"))
    page = client.get("/admin/user/new/")
    html = page.get_data(as_text=True)
    assert "Choose a role…" in html and "keep the current one" not in html and "invites the person" in html
    assert not re.search(r'<option selected value="admin">', html)  # Admin is never the default
    refused = client.post("/admin/user/new/", data={"csrf_token": csrf_from(page), "email": "new@example.org",
                                                    "name": "New", "role": "", "language": "en", "active": "y"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "This field is required." in text.split('name="role"')[1][:1500]
    assert 'value="new@example.org"' in refused.get_data(as_text=True)  # what was typed stays
