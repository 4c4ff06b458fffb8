"""A buyer logs in with a real browser, opens a released report and downloads its PDF."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bwadmin.extensions import db
from bwadmin.models import AuditEvent

from .factories import PASSWORD, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture
def live_server(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


def test_buyer_opens_a_released_report_and_downloads_the_pdf(app, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    factory, buyer = make_factory("Saigon Stitch"), make_buyer("Browser Buyer")
    make_sourcing(buyer, factory)
    report = make_report(make_cycle(factory, days_in=200), "assessment", title="Assessment report 2026")
    user = make_user("buyer", buyer=buyer, email="reader@buyer.example")
    db.session.commit()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(live_server + "/login")
            page.fill("input[name=email]", user.email)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.url.endswith("/buyer/")
            page.click("text=Saigon Stitch")
            page.click("text=Assessment report 2026")
            assert "Body of the assessment report of Saigon Stitch" in page.content()
            with page.expect_download() as info:
                page.click("text=Download PDF")
            saved = tmp_path / "report.pdf"
            info.value.save_as(saved)
            assert saved.read_bytes().startswith(b"%PDF")
        finally:
            browser.close()
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(action="download", entity_id=str(report.id)).count() == 1
