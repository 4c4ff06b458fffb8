"""Security: headers, login rate limits, ended sessions and tokens, passwords, invitation and reset emails, CSV."""
from __future__ import annotations

import re
import time

import pytest
import time_machine

from bwadmin.extensions import db
from sqlalchemy import select

from bwadmin.models import ApiToken, AuditEvent, Notification
from bwadmin.services import account_links, users

from jobs.worker import work_until_empty

from .clock_support import MailSink, fast_retries, smtp  # noqa: F401
from .factories import PASSWORD, csrf_from, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report


def sent(sink) -> list[tuple[list[str], str]]:
    """Work the queue with a real worker, then what the SMTP server received: (recipients, text)."""
    work_until_empty()
    return [([m["X-Envelope-To"]], MailSink.text_of(m)) for m in sink.messages]


def link_in(message: str) -> str:
    body = message.replace("=\n", "")
    return re.search(r"http://[^\s<\"]+/password/(?:invite|reset)/[A-Za-z0-9_.\-]+", body).group(0)


def test_security_headers_on_portal_admin_and_api(app, client):
    login(client, make_user("admin"))
    for url in ("/login", "/admin/factory/", "/api/v1/openapi.json", "/buyer/"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "'unsafe-inline'" in client.get("/admin/factory/").headers["Content-Security-Policy"].split("script-src")[1]
    assert "'unsafe-inline'" not in client.get("/login").headers["Content-Security-Policy"].split("script-src")[1]


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_behind_https_the_cookie_is_secure_and_browsers_are_told_to_stay_on_https(app, client):
    from bwadmin import create_app

    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = create_app({**app.config, "SESSION_COOKIE_SECURE": True})
    response = secure.test_client().get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_login_is_rate_limited_per_account_with_a_clear_message(app, client):
    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()
    statuses = []
    for _ in range(6):
        page = client.get("/login")
        answer = client.post("/login", data={"email": user.email.upper(), "password": "wrong password here",
                                             "csrf_token": csrf_from(page)})
        statuses.append(answer.status_code)
    assert statuses == [200] * 5 + [429]
    assert "Too many attempts. Try again in 15 minutes" in answer.get_data(as_text=True)
    # The right password is refused too while the limit holds; another account from the same address is not.
    page = client.get("/login")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": csrf_from(page)}).status_code == 429
    login(client, make_user("buyer", buyer=make_buyer()))


def test_login_is_rate_limited_per_address(app, client):
    app.config["BWADMIN_LOGIN_LIMIT_ADDRESS"] = "3 per 15 minutes"
    statuses = []
    for i in range(4):
        page = client.get("/login")
        statuses.append(client.post("/login", data={"email": f"nobody{i}@example.org", "password": "x" * 12,
                                                     "csrf_token": csrf_from(page)}).status_code)
    assert statuses == [200, 200, 200, 429]


def test_token_requests_are_rate_limited_with_json(app, client):
    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()
    answers = [client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong-password!"})
               for _ in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert "Too many" in answers[-1].get_json()["message"]


@pytest.mark.parametrize("change", ["deactivate", "password"])
def test_deactivation_or_password_change_ends_sessions_and_tokens(app, change):
    factory, buyer = make_factory(), make_buyer()
    make_sourcing(buyer, factory)
    report = make_report(make_cycle(factory, days_in=200))
    user = make_user("buyer", buyer=buyer)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/buyer/reports/{report.id}").status_code == 200
    assert client.get("/api/v1/factories", headers=headers).status_code == 200
    if change == "deactivate":
        users.deactivate(user)
    else:
        users.set_password(user, "a brand new passphrase 42")
    db.session.commit()
    assert client.get(f"/buyer/reports/{report.id}").status_code == 302  # back to the login page
    refused = client.get("/api/v1/factories", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["message"]


def test_revoked_token_is_refused_and_only_its_hash_is_stored(app, client):
    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    row = db.session.query(ApiToken).one()
    assert token not in row.token_hash and row.session_version == user.session_version
    from bwadmin.services import tokens

    tokens.revoke(row)
    db.session.commit()
    assert client.get("/api/v1/factories", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/factories", headers={"Authorization": "Bearer bw_made-up"}).status_code == 401


def test_short_and_common_passwords_are_refused():
    assert users.password_problem("short") == "Use at least 12 characters."
    assert "too common" in users.password_problem("Password1234")
    assert "too common" in users.password_problem("qwertyuiop123")
    assert users.password_problem("a brand new passphrase 42") is None


def test_reset_link_is_emailed_single_use_and_never_reveals_accounts(app, client, smtp):
    user = make_user("factory", factory=make_factory(), email="ana@example.org")
    db.session.commit()
    pages = []
    for email in ("ana@example.org", "nobody@example.org"):
        page = client.get("/password/forgot")
        answer = client.post("/password/forgot", data={"email": email, "csrf_token": csrf_from(page)},
                             follow_redirects=True)
        pages.append(answer.get_data(as_text=True))
    assert "If an account uses that address" in pages[0] and "If an account uses that address" in pages[1]
    messages = sent(smtp)
    assert [m[0] for m in messages] == [["ana@example.org"]]
    logged = db.session.scalar(select(Notification).where(Notification.kind == "account_reset"))
    db.session.refresh(logged)
    assert logged.status == "sent" and "/password/" not in (logged.body_text or "")  # the log keeps no live link
    link = link_in(messages[0][1])
    path = link.split("127.0.0.1:5000", 1)[-1] if "127.0.0.1:5000" in link else link
    form = client.get(path)
    assert form.status_code == 200
    weak = client.post(path, data={"password": "password1234", "confirm": "password1234", "csrf_token": csrf_from(form)})
    assert weak.status_code == 200 and "too common" in weak.get_data(as_text=True)
    done = client.post(path, data={"password": "a brand new passphrase 42", "confirm": "a brand new passphrase 42",
                                   "csrf_token": csrf_from(form)})
    assert done.status_code == 302
    db.session.refresh(user)
    assert users.check_password(user, "a brand new passphrase 42")
    again = client.get(path)
    assert again.status_code == 400 and "no longer works" in again.get_data(as_text=True)


def test_reset_link_expires_within_an_hour(app):
    user = make_user("buyer", buyer=make_buyer())
    token = account_links.make_token(user, "reset")
    assert account_links.user_for_token(token, "reset") == user
    assert account_links.user_for_token(token, "invite") is None  # not valid for another purpose
    with time_machine.travel(time.time() + 59 * 60, tick=False):
        assert account_links.user_for_token(token, "reset") == user
    with time_machine.travel(time.time() + 61 * 60, tick=False):
        assert account_links.user_for_token(token, "reset") is None


def test_staff_creating_a_user_sends_an_invitation(app, client, smtp):
    buyer = make_buyer("Invite Buyer")
    login(client, make_user("admin"))
    page = client.get("/admin/user/new/")
    answer = client.post("/admin/user/new/", data={
        "csrf_token": csrf_from(page), "email": "New.Buyer@Example.org", "name": "New Buyer", "role": "buyer",
        "buyer": str(buyer.id), "language": "en", "active": "y"})
    assert answer.status_code == 302, re.findall(r"(?:invalid-feedback|alert)[^>]*>([^<]+)", answer.get_data(as_text=True))
    messages = sent(smtp)
    assert messages[0][0] == ["new.buyer@example.org"] and "/password/invite/" in messages[0][1].replace("=\n", "")
    path = "/password/invite/" + link_in(messages[0][1]).rsplit("/password/invite/", 1)[1]
    anon = app.test_client()
    form = anon.get(path)
    assert anon.post(path, data={"password": "a brand new passphrase 42", "confirm": "a brand new passphrase 42",
                                 "csrf_token": csrf_from(form)}).status_code == 302
    login(anon, users.by_email("new.buyer@example.org"), "a brand new passphrase 42")


def test_csv_export_escapes_formula_cells(app, client):
    make_factory("=HYPERLINK(\"http://evil\")", city="+cmd", country="Vietnam")
    make_factory("@SUM(A1)", city="-2", country="Vietnam")
    login(client, make_user("admin"))
    csv = client.get("/admin/factory/export/csv/").get_data(as_text=True)
    assert "'=HYPERLINK" in csv and "'+cmd" in csv and "'@SUM(A1)" in csv and "'-2" in csv
    assert "\n=" not in csv and ",=" not in csv


def test_consent_changes_and_downloads_are_audited_and_filterable(app, client):
    factory, buyer = make_factory(), make_buyer()
    make_sourcing(buyer, factory)
    fuser = make_user("factory", factory=factory)
    login(client, fuser)
    page = client.get("/factory/").get_data(as_text=True)
    action = re.search(r'action="(/factory/consent/\d+/withdraw)"', page).group(1)
    client.post(action, data={"csrf_token": csrf_from(page)})
    assert db.session.query(AuditEvent).filter_by(action="consent", user_id=fuser.id).count() == 1
    admin = app.test_client()
    login(admin, make_user("admin"))
    listing = admin.get("/admin/auditevent/?flt1_0=consent")
    assert listing.status_code == 200


def test_csv_exports_escape_names_from_related_records_in_every_list(app, client):
    from .clock_support import answer

    buyer, factory = make_buyer("=cmd|' /C calc'!A0"), make_factory("+SUM(1,2)")
    make_sourcing(buyer, factory)
    cycle = make_cycle(factory, days_in=200)
    answer(cycle, "assessment", {"CMP.OT.01": "@risky", "CMP.OT.02": "yes"})
    login(client, make_user("admin"))
    db.session.commit()
    for view in ("sourcing", "cycle", "need", "milestone", "response", "answer", "report"):
        csv = client.get(f"/admin/{view}/export/csv/").get_data(as_text=True)
        cells = [cell.strip('"') for line in csv.splitlines() for cell in line.split(",")]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], (view, csv[:400])
    answers = client.get("/admin/answer/export/csv/").get_data(as_text=True)
    assert "'@risky" in answers and "assessment of +SUM(1,2)" in answers  # the answer, and its response by name


def test_an_export_under_a_real_server_streams_every_row(app, client):
    """Under a WSGI server the request's session is closed before the body is sent; the export still works."""
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    from .clock_support import answer

    for n in range(3):
        answer(make_cycle(make_factory(f"Export {n}"), days_in=200), "assessment", {"CMP.OT.01": "yes"})
    login(client, make_user("admin"))
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{server.server_port}/admin/answer/export/csv/",
                                         headers={"Cookie": f"session={client.get_cookie('session').value}"})
        body = urllib.request.urlopen(request, timeout=30).read().decode()
    finally:
        server.shutdown()
    assert len(body.splitlines()) == 4 and "Export 2" in body


def test_no_admin_page_or_export_shows_a_password_or_token_hash(app, client):
    admin = make_user("admin")
    db.session.commit()
    client.post("/api/v1/tokens", json={"email": admin.email, "password": PASSWORD})
    login(client, admin)
    token = db.session.query(ApiToken).one()
    pages = [client.get(url).get_data(as_text=True) for url in (
        "/admin/user/", f"/admin/user/details/?id={admin.id}", f"/admin/user/edit/?id={admin.id}",
        "/admin/user/export/csv/", "/admin/apitoken/", f"/admin/apitoken/details/?id={token.id}",
        "/admin/apitoken/export/csv/", "/admin/auditevent/", "/admin/auditevent/export/csv/")]
    everything = "\n".join(pages)
    assert admin.email in everything
    assert "$argon2" not in everything and admin.password_hash not in everything
    assert token.token_hash not in everything


def test_pages_load_nothing_the_csp_blocks_and_have_an_icon(app, client):
    login(client, make_user("admin"))
    for url in ("/admin/factory/", "/login"):
        html = client.get(url).get_data(as_text=True)
        for sheet in re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html):
            assert sheet.startswith("/"), sheet  # from this site only
            css = client.get(sheet).get_data(as_text=True)
            assert not re.search(r"@import\s+url\(\s*['\"]?https?:", css), sheet  # no font from another site
        assert 'rel="icon"' in html
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and b"<svg" in icon.data
