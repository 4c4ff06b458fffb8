"""Audits avoided: a factory records the other audits its buyers asked of it (checked on the server, each refusal
beside its field, what was typed kept), changes and deletes its own only; the buyer's overview counts the avoided ones
and their days per factory, the staff dashboard in all."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import OtherAudit, utcnow

from .factories import csrf_from, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user, post_form
from .pageread import Page


def _setup():
    factory = make_factory("Kestrel Knits", country="Vietnam")
    make_cycle(factory, days_in=200)
    buyer = make_buyer("Heron Retail")
    make_sourcing(buyer, factory)
    user = make_user("factory", factory=factory)
    db.session.commit()
    return factory, buyer, user


def _record(client, **fields):
    data = {"audited_on": (utcnow().date() - timedelta(days=10)).isoformat(), "buyer": "other",
            "buyer_name": "Plover Sports", "scheme": "SMETA 4-pillar", "days": "2", "avoided": "1"} | fields
    return post_form(client, "/factory/audits", {k: v for k, v in data.items() if v is not None})


def test_a_factory_records_changes_and_deletes_its_audits(app, client):
    factory, buyer, user = _setup()
    login(client, user)
    assert client.get("/factory/").get_data(as_text=True).count('href="/factory/audits"') == 1
    assert _record(client, buyer=str(buyer.id), buyer_name="", days="1.5").status_code == 302
    assert _record(client, avoided=None, days="3").status_code == 302
    rows = Page(client.get("/factory/audits").get_data(as_text=True)).table("audits")
    assert sorted(row[1] for row in rows) == ["Heron Retail", "Plover Sports"]
    audit = db.session.scalar(select(OtherAudit).where(OtherAudit.buyer_id == buyer.id))
    assert audit.days == 1.5 and audit.avoided and audit.factory_id == factory.id
    # Changed: the form opens with its values, and saves the new ones.
    page = client.get(f"/factory/audits/{audit.id}").get_data(as_text=True)
    assert 'value="1.5"' in page and 'value="SMETA 4-pillar"' in page
    response = client.post(f"/factory/audits/{audit.id}", data={
        "csrf_token": csrf_from(page), "audited_on": audit.audited_on.isoformat(), "buyer": str(buyer.id),
        "scheme": "amfori BSCI", "days": "0,5"})
    assert response.status_code == 302
    db.session.expire_all()
    audit = db.session.get(OtherAudit, audit.id)
    assert (audit.scheme, audit.days, audit.avoided) == ("amfori BSCI", 0.5, False)
    response = client.post(f"/factory/audits/{audit.id}/delete", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OtherAudit)) == 1


def test_bad_input_gets_a_message_beside_each_field_and_keeps_what_was_typed(app, client):
    _, _, user = _setup()
    other_buyer = make_buyer("Not Theirs")
    login(client, user)
    future = (utcnow().date() + timedelta(days=3)).isoformat()
    cases = [
        ({"audited_on": future}, "audited_on", "cannot be in the future"),
        ({"audited_on": "14/03/2026"}, "audited_on", "year-month-day"),
        ({"days": "0"}, "days", "from 0.5 to 30"),
        ({"days": "100"}, "days", "from 0.5 to 30"),
        ({"days": "two"}, "days", "from 0.5 to 30"),
        ({"scheme": "S" * 201}, "scheme", "at most 200 characters"),
        ({"scheme": "  "}, "scheme", "Name the scheme"),
        ({"buyer_name": "B" * 201}, "buyer_name", "at most 200 characters"),
        ({"buyer": "", "buyer_name": ""}, "buyer", "Choose the buyer"),
        ({"buyer": str(other_buyer.id)}, "buyer", "Choose one of your buyers"),
    ]
    for fields, field, words in cases:
        response = _record(client, **fields)
        assert response.status_code == 400, fields
        page = response.get_data(as_text=True)
        assert f'id="{field}-error"' in page and words in page, (fields, page[:300])
        assert f'aria-describedby="{field}-error"' in page
        typed = next(iter(fields.values()))
        if typed.strip() and field != "buyer":
            assert f'value="{typed}"' in page, fields  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(OtherAudit)) == 0


def test_another_factorys_audit_cannot_be_opened_changed_or_deleted(app, client):
    factory, _, user = _setup()
    other = make_factory("Other Mill")
    theirs = OtherAudit(factory_id=other.id, audited_on=utcnow().date(), buyer_name="X", scheme="Y", days=1,
                        avoided=True)
    db.session.add(theirs)
    db.session.commit()
    login(client, user)
    token = csrf_from(client.get("/factory/audits"))
    assert client.get(f"/factory/audits/{theirs.id}").status_code == 404
    assert client.post(f"/factory/audits/{theirs.id}", data={"csrf_token": token, "scheme": "Z"}).status_code == 404
    assert client.post(f"/factory/audits/{theirs.id}/delete", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(OtherAudit, theirs.id).scheme == "Y"
    login(client, make_user("buyer", buyer=make_buyer()))
    assert client.get("/factory/audits").status_code in (403, 404)


def test_audits_avoided_and_days_saved_for_the_buyer_and_the_staff(app, client):
    factory, buyer, user = _setup()
    login(client, user)
    for days, avoided in (("2", "1"), ("1.5", "1"), ("4", None)):
        assert _record(client, days=days, avoided=avoided).status_code == 302
    # Another factory, not the buyer's: its audit counts for the programme, not in the buyer's overview.
    other = make_factory("Other Mill")
    db.session.add(OtherAudit(factory_id=other.id, audited_on=utcnow().date(), buyer_name="X", scheme="Y", days=5,
                              avoided=True))
    db.session.commit()
    login(client, make_user("buyer", buyer=buyer))
    html = client.get("/buyer/overview").get_data(as_text=True)
    row = Page(html).table("overview")[0]
    assert row[0] == "Kestrel Knits" and row[-2:] == ["2", "3.5"]
    assert "2 audits avoided" in html and "3.5 days on site saved" in html
    login(client, make_user("admin"))
    home = client.get("/admin/").get_data(as_text=True)
    assert "4 other audits recorded by factories" in home and "3 avoided" in home
    assert "8.5 days on site saved" in home
