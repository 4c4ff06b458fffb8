"""A buyer asks a factory that does not share to share: the factory reads it in its inbox and by email, accepts or
declines; the buyer is told either way. One open request at a time; after a decline, again 30 days later."""
from __future__ import annotations

import re
from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import select, update

from bwadmin.extensions import db
from bwadmin.models import Notification, ShareRequest, Sourcing
from bwadmin.services import sharing
from jobs.worker import work_until_empty

from .clock_support import MailSink, fast_retries, smtp  # noqa: F401
from .factories import csrf_from, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .pageread import Page
from .portal_helpers import make_report


def people():
    factory = make_factory("Mekong Apparel")
    buyer = make_buyer("Kestrel Sport")
    link = make_sourcing(buyer, factory, consent=False)
    report = make_report(make_cycle(factory, days_in=200))
    manager = make_user("factory", "manager@example.org", factory=factory, name="Factory Manager")
    make_user("factory", "rrhh@example.org", factory=factory, name="Lucía", language="es")
    buyer_user = make_user("buyer", "lead@kestrel.example", buyer=buyer, name="Buyer Lead")
    return factory, buyer, link, report, manager, buyer_user


def row_of(html: str, name: str) -> list[str]:
    return next(row for row in Page(html).table("not-shared") if row[0] == name)


def ask(client, factory, message: str = ""):
    home = client.get("/buyer/")
    return client.post(f"/buyer/factories/{factory.id}/ask", data={"csrf_token": csrf_from(home), "message": message})


def test_a_request_reaches_the_factory_which_accepts_and_the_buyer_is_told(app, smtp):
    factory, buyer, link, report, manager, buyer_user = people()
    b, f = app.test_client(), app.test_client()
    login(b, buyer_user)
    login(f, manager)

    home = b.get("/buyer/").get_data(as_text=True)
    assert "Ask to share" in row_of(home, "Mekong Apparel")[2]
    assert "After a decline you can ask again 30 days later." in home
    sent = ask(b, factory, "We would like to read your 2026 assessment.")
    assert sent.status_code == 302
    home = b.get("/buyer/").get_data(as_text=True)
    assert "Your request to share was sent to the factory." in home
    assert "Request sent" in row_of(home, "Mekong Apparel")[2] and "awaiting the answer" in row_of(home, "Mekong Apparel")[2]

    # Asking again while it is open makes no second request and tells no one again.
    again = ask(b, factory, "Second try")
    assert again.status_code == 302
    assert "Your request is still open" in b.get("/buyer/").get_data(as_text=True)
    assert db.session.query(ShareRequest).count() == 1
    notices = db.session.scalars(select(Notification).where(Notification.kind == "share_request_factory")
                                 .order_by(Notification.email)).all()
    assert [(n.email, n.language) for n in notices] == [("manager@example.org", "en"), ("rrhh@example.org", "es")]

    # The factory's users are emailed, each in their language, with the buyer's own words.
    work_until_empty()
    [email] = smtp.to("manager@example.org")
    assert str(email["Subject"]).strip() == "Kestrel Sport asks to see your results"
    text = MailSink.text_of(email)
    assert "Kestrel Sport, a buyer that sources from Mekong Apparel, asked on" in text
    assert "Their message: “We would like to read your 2026 assessment.”" in text
    assert "Accept or decline on your home page." in text and "/factory/#requests" in text
    assert len(smtp.to("rrhh@example.org")) == 1

    # The factory's inbox on its home page; accepting is its consent to that buyer.
    page = f.get("/factory/").get_data(as_text=True)
    inbox = [item for item in Page(page).items if "asks to see your results" in item]
    assert len(inbox) == 1 and "Kestrel Sport asks to see your results (asked" in inbox[0]
    assert "We would like to read your 2026 assessment." in inbox[0] and "Second try" not in page
    accept = re.search(r'action="(/factory/requests/\d+/accept)"', page).group(1)
    answered = f.post(accept, data={"csrf_token": csrf_from(page)}, follow_redirects=True).get_data(as_text=True)
    assert "Request from Kestrel Sport accepted: it can now read your released reports." in answered
    assert "No request waits for your answer." in answered
    assert f.post(accept.replace("accept", "decline"), data={"csrf_token": csrf_from(page)}).status_code == 404  # answered
    db.session.expire_all()
    assert db.session.get(Sourcing, link.id).consent_stands

    # The buyer is told by email and reads the answer on the factory's page; the reports open.
    work_until_empty()
    [told] = smtp.to("lead@kestrel.example")
    assert str(told["Subject"]).strip() == "Mekong Apparel now shares its results with you"
    assert "Mekong Apparel accepted your request to share on" in MailSink.text_of(told)
    home = b.get("/buyer/").get_data(as_text=True)
    assert [row[0] for row in Page(home).table("shared")] == ["Mekong Apparel"] and Page(home).table("not-shared") is None
    day = format_date(db.session.query(ShareRequest).one().decided_at, "medium", locale="en")
    assert f"Mekong Apparel accepted your request to share on {day}." in b.get(
        f"/buyer/factories/{factory.id}").get_data(as_text=True)
    assert b.get(f"/buyer/reports/{report.id}").status_code == 200


def test_a_declined_request_can_be_asked_again_30_days_later(app, smtp):
    factory, buyer, link, report, manager, buyer_user = people()
    b, f = app.test_client(), app.test_client()
    login(b, buyer_user)
    login(f, manager)
    ask(b, factory)
    page = f.get("/factory/").get_data(as_text=True)
    assert "Kestrel Sport asks to see your results (asked" in page and "Their message" not in page
    decline = re.search(r'action="(/factory/requests/\d+/decline)"', page).group(1)
    answered = f.post(decline, data={"csrf_token": csrf_from(page)}, follow_redirects=True).get_data(as_text=True)
    assert "Request from Kestrel Sport declined; it has been told." in answered
    db.session.expire_all()
    assert not db.session.get(Sourcing, link.id).consent_stands

    work_until_empty()
    [told] = smtp.to("lead@kestrel.example")
    assert str(told["Subject"]).strip() == "Mekong Apparel declined your request to share"
    declined_at = db.session.query(ShareRequest).one().decided_at
    again_day = format_date(declined_at + sharing.ASK_AGAIN_AFTER, "long", locale="en")
    assert f"You can ask again from {again_day}." in MailSink.text_of(told)

    # The buyer's home says when it may ask again, and offers no form until then; a post anyway is refused beside
    # the message field, and nothing is sent.
    cell = row_of(b.get("/buyer/").get_data(as_text=True), "Mekong Apparel")[2]
    medium = lambda moment: format_date(moment, "medium", locale="en")  # noqa: E731
    assert cell == (f"Declined {medium(declined_at)}. You can ask again from "
                    f"{medium(declined_at + timedelta(days=30))}.")
    refused = ask(b, factory, "Please reconsider")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'id="message-\d+-error">Mekong Apparel declined your last request on [^;]+; you can ask '
                     r'again from ', html)
    assert db.session.query(ShareRequest).count() == 1

    # 30 days later the buyer asks again, and the factory has a new request in its inbox.
    db.session.execute(update(ShareRequest).values(decided_at=declined_at - timedelta(days=30)))
    db.session.commit()
    cell = row_of(b.get("/buyer/").get_data(as_text=True), "Mekong Apparel")[2]
    assert cell.startswith("Declined ") and "Ask to share" in cell
    assert ask(b, factory, "Please reconsider").status_code == 302
    assert db.session.query(ShareRequest).filter_by(status="pending").count() == 1
    assert "Please reconsider" in f.get("/factory/").get_data(as_text=True)


def test_a_message_too_long_is_refused_beside_its_field_and_kept(app):
    factory, buyer, link, report, manager, buyer_user = people()
    b = app.test_client()
    login(b, buyer_user)
    long = "Please share. " * 80  # 1,120 characters
    refused = ask(b, factory, long)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert (f'id="message-{factory.id}-error">Write at most 1,000 characters here; this has '
            f'{len(long.strip()):,}.') in html
    assert long.strip() in html  # what was typed is still there to shorten
    assert db.session.query(ShareRequest).count() == 0
    assert ask(b, factory, "x" * 1000).status_code == 302
    assert len(db.session.query(ShareRequest).one().message) == 1000
