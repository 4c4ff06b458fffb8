"""A factory hands a buyer a signed link to one released report for 30 days: it opens the report read-only without
login; a tampered, unknown, expired or revoked link is refused; only the token's hash is stored, and the link shows
nowhere but to the factory user who made it, once."""
from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit
from datetime import timedelta

import time_machine
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import AuditEvent, Notification, ShareLink, utcnow

from .factories import csrf_from, login, make_cycle, make_factory, make_user
from .portal_helpers import make_report
from .travel_helpers import released_assessment

URL = "/factory/share-links/"


def factory_client(app, factory):
    client = app.test_client()
    user = make_user("factory", factory=factory)
    db.session.commit()
    login(client, user)
    return client, user


def make_link(client, report_id, label="For Acme sourcing") -> str:
    page = client.post(URL, data={"csrf_token": csrf_from(client.get(URL)), "report_id": str(report_id),
                                  "label": label})
    assert page.status_code == 200, page.get_data(as_text=True)
    return re.search(r'id="made-url" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def path_of(link: str) -> str:
    return urlsplit(link).path


def test_the_link_opens_the_released_report_read_only_without_login(app):
    report = released_assessment()
    client, _user = factory_client(app, report.cycle.factory)
    link = make_link(client, report.id)
    reader = app.test_client()  # nobody logged in
    page = reader.get(path_of(link))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Mekong Apparel" in html and "Assessment report" in html
    assert "/flags" not in html and "Download PDF" not in html  # read-only: no flag form, nothing else reached
    assert page.headers["Cache-Control"] == "private, no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    # only the token's hash is kept; the link is on no admin page, in no notice, in no audit event
    row = db.session.scalar(select(ShareLink))
    token = path_of(link).rsplit("/", 1)[1]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(days=30) and row.last_opened_at is not None
    staff = app.test_client()
    login(staff, make_user("admin"))
    db.session.commit()
    for admin_page in ("/admin/auditevent/", "/admin/notification/", "/admin/"):
        assert token not in staff.get(admin_page).get_data(as_text=True)
    assert all(token not in (e.summary or "") for e in db.session.scalars(select(AuditEvent)))
    assert db.session.scalar(select(Notification.id)) is None
    # the list shows the link's state, never the link again
    listing = client.get(URL).get_data(as_text=True)
    assert "For Acme sourcing" in listing and token not in listing and "open until" in listing


def test_a_tampered_or_unknown_link_is_404(app):
    report = released_assessment()
    client, _user = factory_client(app, report.cycle.factory)
    path = path_of(make_link(client, report.id))
    reader = app.test_client()
    token = path.rsplit("/", 1)[1]
    # one character of the signed value changed (not the last one: its low bits may be base64 padding)
    tampered = token[:5] + ("x" if token[5] != "x" else "y") + token[6:]
    assert reader.get(f"/shared/{tampered}").status_code == 404
    assert reader.get(f"/shared/{token[:-8]}").status_code == 404  # cut short
    assert reader.get(path).status_code == 200  # the genuine one still opens
    assert reader.get("/shared/not-a-token").status_code == 404
    # genuinely signed with the app's key, but no such link stored (e.g. made with another salt's token)
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="bwadmin-share-link").dumps("guess")
    assert reader.get(f"/shared/{forged}").status_code == 404
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="bwadmin-device").dumps("guess")
    assert reader.get(f"/shared/{other_salt}").status_code == 404


def test_an_expired_link_is_refused_with_a_clear_page(app):
    report = released_assessment()
    client, _user = factory_client(app, report.cycle.factory)
    path = path_of(make_link(client, report.id))
    reader = app.test_client()
    with time_machine.travel(utcnow() + timedelta(days=29, hours=23), tick=False):
        assert reader.get(path).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=30, minutes=1), tick=False):
        gone = reader.get(path)
        assert gone.status_code == 410 and "expired" in gone.get_data(as_text=True)
        assert "Mekong Apparel" not in gone.get_data(as_text=True)


def test_the_factory_revokes_a_link_and_it_stops_opening_the_report(app):
    report = released_assessment()
    client, _user = factory_client(app, report.cycle.factory)
    path = path_of(make_link(client, report.id))
    link = db.session.scalar(select(ShareLink))
    revoke = f"{URL}{link.id}/revoke"
    assert client.post(revoke, data={"csrf_token": csrf_from(client.get(URL))}).status_code == 302
    gone = app.test_client().get(path)
    assert gone.status_code == 410 and "revoked" in gone.get_data(as_text=True)
    assert "revoked" in client.get(URL).get_data(as_text=True)
    # another factory cannot revoke it, nor share this factory's report
    other, _ = factory_client(app, make_factory("Other Mill"))
    assert other.post(revoke, data={"csrf_token": csrf_from(other.get(URL))}).status_code == 404
    shared = other.post(URL, data={"csrf_token": csrf_from(other.get(URL)), "report_id": str(report.id)})
    assert shared.status_code == 404


def test_only_released_reports_can_be_shared_and_a_long_label_is_refused_beside_the_field(app):
    factory = make_factory()
    draft = make_report(make_cycle(factory, days_in=200), released=False)
    client, _user = factory_client(app, factory)
    assert "No released report yet" in client.get(URL).get_data(as_text=True)
    assert client.post(URL, data={"csrf_token": csrf_from(client.get(URL)),
                                  "report_id": str(draft.id)}).status_code == 404
    released = make_report(make_cycle(factory, days_in=500))
    db.session.commit()
    page = client.post(URL, data={"csrf_token": csrf_from(client.get(URL)), "report_id": str(released.id),
                                  "label": "x" * 201})
    assert page.status_code == 400 and 'id="label-error"' in page.get_data(as_text=True)
    assert db.session.scalar(select(ShareLink.id)) is None
    # a buyer or anonymous visitor has no share-link page
    assert app.test_client().get(URL).status_code == 302


def test_the_request_log_hides_the_link_s_token(app):
    from bwadmin import logs

    with app.test_request_context("/shared/abc.def.ghi") as ctx:
        ctx.request.view_args = app.url_map.bind("localhost").match("/shared/abc.def.ghi")[1]
        assert logs.logged_path() == "/shared/[hidden]"
