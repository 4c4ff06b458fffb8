"""Password guessing is slowed on Redis, shared by every process; answers take as long for any address."""
from __future__ import annotations

import statistics
import time

from bwadmin.extensions import db

from .factories import PASSWORD, csrf_from, login, make_buyer, make_user


def try_login(client, email: str, password: str = "wrong password here", **kw):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)}, **kw)


def try_token(client, email: str, password: str = "wrong password here", **kw):
    return client.post("/api/v1/tokens", json={"email": email, "password": password}, **kw)


def test_failures_count_across_the_login_page_and_token_requests_together(app, client):
    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()
    statuses = [try_login(client, user.email).status_code for _ in range(3)]
    statuses += [try_token(client, user.email).status_code for _ in range(2)]
    statuses += [try_token(client, user.email).status_code, try_login(client, user.email).status_code]
    assert statuses == [200, 200, 200, 401, 401, 429, 429]


def test_the_counts_live_in_redis_so_every_web_process_sees_them(app):
    from bwadmin import create_app
    from bwadmin.queue import get_redis

    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()
    first, second = app, create_app(dict(app.config))  # two processes' apps on the same database and Redis
    for _ in range(5):
        try_login(first.test_client(), user.email)
    with second.app_context():
        assert try_login(second.test_client(), user.email, PASSWORD).status_code == 429
    assert any(key.startswith(b"bwadmin-login") for key in get_redis(app).scan_iter())


def test_without_redis_url_the_embedded_redis_counts(app, tmp_path, monkeypatch):
    from bwadmin import create_app
    from bwadmin.queue import get_redis

    monkeypatch.setenv("BWADMIN_INSTANCE", str(tmp_path / "instance"))
    standalone = create_app({**app.config, "REDIS_URL": None})
    with standalone.app_context():
        try_login(standalone.test_client(), "someone@example.org")
        conn = get_redis(standalone)
        assert conn.connection_pool.connection_kwargs.get("path")  # the embedded server's socket
        assert any(key.startswith(b"bwadmin-login") for key in conn.scan_iter())
        conn.shutdown(nosave=True)


def test_a_locked_account_still_opens_from_a_device_it_logged_in_from(app):
    app.config["BWADMIN_LOGIN_LIMIT_ACCOUNT_WIDE"] = "8 per 15 minutes"
    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()
    owner = app.test_client()
    login(owner, user)
    owner.post("/logout", data={"csrf_token": csrf_from(owner.get("/buyer/"))})
    # Someone guesses from many addresses: each stays under its own limit, the account-wide limit is reached.
    for n in range(10):
        try_login(app.test_client(), user.email, environ_base={"REMOTE_ADDR": f"203.0.113.{n}"})
    newcomer = try_login(app.test_client(), user.email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert newcomer.status_code == 429 and "Try again in" in newcomer.get_data(as_text=True)
    assert try_login(owner, user.email, PASSWORD).status_code == 302  # the owner's own browser gets in


def test_a_wrong_password_and_an_unknown_account_take_as_long(app, client):
    app.config.update(BWADMIN_LOGIN_LIMIT_ACCOUNT="100 per minute", BWADMIN_LOGIN_LIMIT_ADDRESS="100 per minute")
    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()

    def medians(attempt) -> tuple[float, float]:
        # Taken in turns, so a busy machine slows both alike.
        times: dict[str, list[float]] = {user.email: [], "nobody@example.org": []}
        for _ in range(9):
            for email, spent in times.items():
                start = time.perf_counter()
                attempt(client, email)
                spent.append(time.perf_counter() - start)
        return statistics.median(times[user.email]), statistics.median(times["nobody@example.org"])

    for attempt in (try_login, try_token):
        known, unknown = medians(attempt)
        # Both check one password hash (tens of milliseconds); without the dummy check unknown took a tenth.
        assert known / 2 < unknown < known * 2, (attempt.__name__, known, unknown)
