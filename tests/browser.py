"""Browser tests: the app served on a free port, and Playwright driving Debian's chromium."""
from __future__ import annotations

import os
import socket
import threading

import pytest
from werkzeug.serving import make_server

from .factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

# `make test` installs chromium (scripts/ensure-chromium); where it cannot, the browser tests say why they skip.
# In CI a missing browser is a failure, never a silent skip.
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                                    reason="Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def live_server(app):
    """The app served by a real HTTP server in a thread, on the test database."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser():
    """Debian's chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def log_in(page, base: str, email: str, password: str | None = None) -> None:
    """Log in through the form as a person does: type, press Enter, wait for the page it leads to."""
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password or PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
