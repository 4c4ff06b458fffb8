"""Every page a person meets first reads in their language: seven catalogs, complete, chosen per person."""
from __future__ import annotations

import re
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bwadmin.extensions import db
from bwadmin.models import LANGUAGES

from jobs.worker import work_until_empty

from .clock_support import MailSink, fast_retries, smtp  # noqa: F401
from .factories import csrf_from, login, make_buyer, make_factory, make_user

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "bwadmin" / "translations"
TRANSLATED = [language for language in LANGUAGES if language != "en"]
ENGLISH_WORDS = ("Log in", "Email", "Password", "Forgot")


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_every_text_in_the_code_is_translated_in_every_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_gettext", "-o", str(pot), str(ROOT)])
    with pot.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    assert "Log in" in wanted and "Hello %(name)s," in wanted  # the extraction saw the code and the templates
    problems = []
    for language in TRANSLATED:
        with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=language)
        have = {message.id: message for message in catalog if message.id}
        problems += [f"{language}: missing {msgid!r}" for msgid in wanted - have.keys()]
        for msgid, message in have.items():
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(forms):
                problems.append(f"{language}: {'fuzzy' if message.fuzzy else 'empty'} {msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_login_page_speaks_the_browsers_language(client, language):
    html = client.get("/login", headers={"Accept-Language": f"{language},en;q=0.5"}).get_data(as_text=True)
    text = visible_text(html)
    english = [word for word in ENGLISH_WORDS if word in text]
    assert english == ([] if language != "en" else list(ENGLISH_WORDS))
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")


def test_arabic_pages_read_from_the_right(client):
    for path in ("/login", "/password/forgot", "/no-such-page"):
        html = client.get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True)
        assert '<html lang="ar" dir="rtl">' in html and "css/rtl.css" in html, path
    assert 'dir="ltr"' in client.get("/login").get_data(as_text=True)  # no Accept-Language: English


def test_a_visitor_chooses_a_language_on_the_login_page_before_logging_in(client):
    page = client.get("/login", headers={"Accept-Language": "es"})
    assert "Iniciar sesión" in page.get_data(as_text=True)
    answer = client.post("/language", data={"language": "km", "next": "/login", "csrf_token": csrf_from(page)},
                         headers={"Accept-Language": "es"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    html = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "ចូលប្រើ" in html and "Iniciar sesión" not in html  # the choice wins over the browser's


def test_a_logged_in_person_reads_the_navbar_in_their_saved_language(client):
    user = make_user("factory", factory=make_factory(), language="km")
    login(client, user)
    html = client.get("/factory/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "ចាកចេញ" in html and "Log out" not in html and "Đăng xuất" not in html  # saved choice over browser
    assert '<html lang="km" dir="ltr">' in html


def test_wrong_password_and_limits_are_told_in_the_browsers_language(client):
    page = client.get("/login", headers={"Accept-Language": "id"})
    html = client.post("/login", data={"email": "nobody@example.org", "password": "x" * 12,
                                       "csrf_token": csrf_from(page)},
                       headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Surel dan kata sandi itu tidak cocok dengan akun aktif mana pun." in html


def test_a_reset_email_is_written_in_the_recipients_language(app, smtp):
    user = make_user("buyer", email="lan@example.org", buyer=make_buyer(), name="Lan", language="vi")
    db.session.commit()
    client = app.test_client()
    page = client.get("/password/forgot")  # asked from an English browser: the email follows the account
    assert client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf_from(page)}).status_code == 302
    work_until_empty()
    [message] = smtp.messages
    body = MailSink.text_of(message)
    assert "Xin chào Lan," in body and "Đặt lại mật khẩu bwadmin của bạn" == str(make_header(decode_header(message["Subject"])))
    assert "Có người (chúng tôi mong là bạn) đã yêu cầu đặt lại mật khẩu" in body
    assert "Hello" not in body and "password" not in body.replace("/password/", "")


def test_a_visitor_sent_to_the_login_page_is_told_why_in_their_language(client):
    page = client.get("/login", headers={"Accept-Language": "bn"})
    # Logging out once the session is gone (another tab logged out already) asks to log in.
    answer = client.post("/logout", data={"csrf_token": csrf_from(page)}, headers={"Accept-Language": "bn"})
    assert answer.status_code == 302
    html = client.get(answer.headers["Location"], headers={"Accept-Language": "bn"}).get_data(as_text=True)
    assert "এই পাতাটি দেখতে লগ ইন করুন।" in html


def test_the_api_answers_in_english_unless_accept_language_asks(client):
    assert client.get("/api/v1/factories").get_json()["message"].startswith("Send a valid bearer token")
    spanish = client.get("/api/v1/factories", headers={"Accept-Language": "es-ES,es;q=0.9"}).get_json()["message"]
    assert spanish.startswith("Envíe un token")
    assert client.get("/api/v1/nothing-here", headers={"Accept-Language": "es"}).get_json() == {
        "message": "No encontrado."}
