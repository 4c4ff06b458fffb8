from bwadmin.extensions import db
from bwadmin.services import users

from .factories import PASSWORD, csrf_from, login, make_factory, make_user


def post_login(client, email, password, next_url=None):
    page = client.get("/login" + (f"?next={next_url}" if next_url else ""))
    data = {"email": email, "password": password, "csrf_token": csrf_from(page)}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data)


def test_staff_log_in_to_the_panel_and_out_again(app, client):
    user = make_user("advisor", email="mai@example.org")
    db.session.commit()
    response = post_login(client, "MAI@example.org ", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/")
    assert client.post("/logout", data={"csrf_token": csrf_from(client.get("/login"))}).status_code in (302, 200)
    assert client.get("/admin/").status_code == 302
    del user, page


def test_a_wrong_password_is_answered_beside_the_field_and_the_email_kept(app, client):
    make_user("admin", email="a@example.org")
    db.session.commit()
    response = post_login(client, "a@example.org", "not the password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That email and password do not match an active account." in html
    assert 'value="a@example.org"' in html


def test_an_empty_form_says_what_is_missing(app, client):
    response = client.post("/login", data={"csrf_token": csrf_from(client.get("/login"))})
    html = response.get_data(as_text=True)
    assert "Enter your email address." in html and "Enter your password." in html


def test_next_goes_only_to_local_paths(app, client):
    make_user("admin", email="a@example.org")
    db.session.commit()
    assert post_login(client, "a@example.org", PASSWORD, "/admin/cycle/").headers["Location"] == "/admin/cycle/"
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]:
        other = app.test_client()
        assert post_login(other, "a@example.org", PASSWORD, target).headers["Location"] == "/admin/"


def test_an_inactive_account_cannot_log_in(app, client):
    make_user("admin", email="gone@example.org", active=False)
    db.session.commit()
    assert post_login(client, "gone@example.org", PASSWORD).status_code == 200


def test_a_password_change_ends_other_sessions(app, client):
    user = make_user("advisor")
    login(client, user)
    assert client.get("/admin/").status_code == 200
    users.set_password(user, "a brand new passphrase")
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_passwords_are_hashed_with_argon2id(app):
    user = make_user("factory", factory=make_factory())
    users.set_password(user, "long enough password")
    assert user.password_hash.startswith("$argon2id$")
    assert users.check_password(user, "long enough password")
    assert not users.check_password(user, "long enough passwore")
