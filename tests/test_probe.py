"""What a security probe sends (malformed bodies, numbers past 64 bits, odd numeric text) is answered 4xx with a
message, never 500; responses for logged-in people are not cached; tokens expire; 405 names the allowed methods."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bwadmin.extensions import db

from .factories import PASSWORD, csrf_from, login, post_form, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report

BIG = "99999999999999999999999"  # past 64 bits: SQLite stores it as a float, PostgreSQL refuses it
NUMBERS = (BIG, str(2**63), str(2**31), "-" + BIG)


def _world(app):
    """A factory with a released report shared with a buyer; a logged-in client per role and API tokens."""
    factory, buyer = make_factory(), make_buyer()
    make_sourcing(buyer, factory)
    cycle = make_cycle(factory, days_in=200)
    make_report(cycle)
    people = {role: make_user(role, factory=factory if role == "factory" else None,
                              buyer=buyer if role == "buyer" else None) for role in ("admin", "factory", "buyer")}
    db.session.commit()
    clients = {}
    for role, user in people.items():
        client = app.test_client()
        login(client, user)
        clients[role] = client
    anonymous = app.test_client()
    tokens = {role: anonymous.post("/api/v1/tokens", json={"email": people[role].email, "password": PASSWORD})
              .get_json()["token"] for role in ("buyer", "factory")}
    return clients, tokens


def _path(rule, number: str) -> str:
    """The rule's path with every integer part set to `number` and other parts to a value the rule accepts."""
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("int"):
            return number
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        return "csv" if name == "export_type" else "x"
    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)


def _ask(client, method: str, url: str, **kw):
    """The status, or 500 when the view raised (the test app propagates exceptions rather than answer 500)."""
    try:
        return client.open(url, method=method, **kw).status_code
    except Exception as exc:  # noqa: BLE001 - a crash is what the probe looks for
        # The test's app context outlives the request: its session would carry the failed transaction on.
        db.session.rollback()
        return f"500 ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})"


def _server_errors(app, clients, tokens) -> list[str]:
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static") or rule.endpoint == "auth.logout":  # logging out ends the walk
            continue
        if rule.endpoint == "health.readyz":  # 503 is its answer here (the schema is built without migrations)
            continue
        prefix = rule.rule.split("/")[1]
        who = {"admin": ["admin"], "factory": ["factory"], "buyer": ["buyer"], "api": ["buyer", "factory"]}.get(
            prefix, ["admin", "buyer"])
        for number in NUMBERS:
            url = _path(rule, number)
            query = {name: number for name in ("page", "offset", "limit", "id", "page_size", "sort", "cycle")}
            for role in who:
                client = clients[role]
                headers = {"Authorization": f"Bearer {tokens[role]}"} if prefix == "api" else {}
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    data = None
                    if method == "POST":
                        data = {"csrf_token": clients[role].csrf, "id": number, "rowid": number, "pk": number,
                                "job_id": f"no such {number}", "action": "delete", "cycle": number,
                                "cycle_id": number, "question_id": number}
                    answers = [_ask(client, method, url, headers=headers, data=data)]
                    if method == "GET":
                        answers += [_ask(client, method, url, headers=headers, query_string={name: value})
                                    for name, value in query.items()]
                        answers.append(_ask(client, method, url, headers=headers, query_string=query))
                    problems += [f"{method} {url} as {role}: {a}" for a in answers
                                 if not isinstance(a, int) or a >= 500]
    return sorted(set(problems)) + _admin_list_problems(app, clients["admin"])


def _admin_list_problems(app, client) -> list[str]:
    """Every admin list's filters given such a number, and every list action given such ids (and text)."""
    from flask_admin.model import BaseModelView

    problems = []
    for view in app.extensions["admin"][0]._views:
        if not isinstance(view, BaseModelView):
            continue
        base = view.url.rstrip("/") + "/"
        for index, _ in enumerate(view._filters or ()):
            for number in (BIG, str(2**31), "-" + BIG, "NaN", "1e308", "inf"):
                answer = _ask(client, "GET", base, query_string={f"flt0_{index}": number})
                if not isinstance(answer, int) or answer >= 500:
                    problems.append(f"GET {base}?flt0_{index}={number}: {answer}")
        for name in view._actions_data:
            for ids in ([BIG], ["x"], [str(2**31)], []):
                answer = _ask(client, "POST", base + "action/", data={
                    "csrf_token": client.csrf, "action": name, "rowid": ids})
                if not isinstance(answer, int) or answer >= 500:
                    problems.append(f"POST {base}action/ {name} {ids}: {answer}")
    return problems


def test_numbers_past_64_bits_in_any_path_or_query_are_refused_not_a_server_error(app):
    clients, tokens = _world(app)
    for role, client in clients.items():
        client.csrf = csrf_from(client.get("/login" if role != "admin" else "/admin/factory/new/"))
    problems = _server_errors(app, clients, tokens)
    assert not problems, "\n".join(problems)


# --- 1. malformed bodies ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["964512458", '{"email": 123}', '{"email": "a@example.org", "password": 5}', "[1]",
                                  '"text"', "null", "{not json"])
def test_a_malformed_token_request_is_answered_400_with_a_message(app, client, body):
    answer = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["message"]


@pytest.mark.parametrize("url", ["/login", "/password/forgot"])
@pytest.mark.parametrize("body", ["[1]", "964512458", '{"email": 123}'])
def test_json_posted_to_a_login_form_is_refused_or_reshows_the_form(app, client, url, body):
    token = csrf_from(client.get(url))
    answer = client.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": token})
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        assert 'name="email"' in answer.get_data(as_text=True)


# --- 2. numbers typed into forms; job ids; bulk delete ---------------------------------------------------------

def _field_error(html: str, message: str) -> bool:
    return message in html and ("invalid-feedback" in html or "help-block" in html or "is-invalid" in html)


@pytest.mark.parametrize("typed, message", [("NaN", "Enter a number."), ("inf", "Enter a number."),
                                            ("-Infinity", "Enter a number."), ("1e308", "Enter a smaller number."),
                                            ("123456", "Enter a number smaller than 10,000.")])
def test_training_days_that_are_no_number_or_too_big_are_refused_beside_the_field(app, client, typed, message):
    from bwadmin.models import Cycle

    factory = make_factory()
    login(client, make_user("admin"))
    response = post_form(client, "/admin/cycle/new/", {
        "factory": str(factory.id), "number": "1", "signed_up_on": "2026-03-01",
        "training_days_allotted": typed, "status": "advisory"})
    assert response.status_code == 200
    assert _field_error(response.get_data(as_text=True), message)
    assert db.session.scalar(select(db.func.count()).select_from(Cycle)) == 0


def test_a_count_past_what_the_database_holds_is_refused_beside_the_field(app, client):
    from bwadmin.models import Committee

    committee = Committee(factory=make_factory())
    db.session.add(committee)
    db.session.flush()
    login(client, make_user("admin"))
    # A Flask-Admin form (the election's seats) and one of the staff pages' own forms (a meeting's attendance).
    response = post_form(client, "/admin/election/new/", {
        "committee": str(committee.id), "seats": BIG, "eligible_voters": "100", "ballots_cast": "50", "status": "held"})
    assert response.status_code == 200
    assert _field_error(response.get_data(as_text=True), "Enter a number between")
    page = client.get(f"/admin/committee-work/{committee.id}")
    response = client.post(f"/admin/committee-work/{committee.id}/meeting", data={
        "csrf_token": csrf_from(page), "held_on": "2026-03-01", "attendance": BIG, "minutes": "Fire drills."})
    assert response.status_code == 200
    assert _field_error(response.get_data(as_text=True), "Enter a number between")


def test_requeueing_a_job_id_with_a_space_says_it_is_no_job_id(app, client):
    login(client, make_user("admin"))
    page = client.get("/admin/jobs/")
    response = client.post("/admin/jobs/requeue", data={"csrf_token": csrf_from(page), "job_id": "no such job"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "is not a job id" in response.get_data(as_text=True)


def test_bulk_delete_in_a_list_deletes_the_ticked_rows(app, client):
    from bwadmin.models import Sourcing

    links = [make_sourcing(make_buyer(), make_factory()) for _ in range(3)]
    login(client, make_user("admin"))
    page = client.get("/admin/sourcing/")
    response = client.post("/admin/sourcing/action/", data={
        "csrf_token": csrf_from(page), "action": "delete", "rowid": [str(links[0].id), str(links[1].id), BIG, "x"]})
    assert response.status_code == 302
    assert db.session.scalars(select(Sourcing.id)).all() == [links[2].id]


# --- 3. caching, token lifetime, 405 -------------------------------------------------------------------------

def test_pages_and_json_for_logged_in_people_and_tokens_are_not_cached(app):
    clients, tokens = _world(app)
    for role, url in (("admin", "/admin/factory/"), ("admin", "/admin/"), ("factory", "/factory/"),
                      ("buyer", "/buyer/"), ("buyer", "/login")):
        assert clients[role].get(url).headers.get("Cache-Control") == "no-store", url
    api = app.test_client().get("/api/v1/factories", headers={"Authorization": f"Bearer {tokens['buyer']}"})
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"
    # What anyone may read (the login page, the API's description, static files) may be cached.
    anonymous = app.test_client()
    for url in ("/login", "/api/v1/openapi.json"):
        assert "no-store" not in anonymous.get(url).headers.get("Cache-Control", ""), url
    script = clients["buyer"].get("/static/js/questionnaire.js")
    assert script.status_code == 200 and "no-store" not in script.headers.get("Cache-Control", "")


def test_api_tokens_expire_after_the_configured_days(app, client):
    import time_machine

    from bwadmin.models import utcnow

    user = make_user("buyer", buyer=make_buyer())
    db.session.commit()
    assert "BWADMIN_TOKEN_DAYS" not in app.config  # the default: 90 days
    issued = utcnow()
    with time_machine.travel(issued, tick=False) as clock:
        token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        clock.shift(89 * 86400)
        assert client.get("/api/v1/factories", headers=headers).status_code == 200
        clock.shift(86400 + 60)
        refused = client.get("/api/v1/factories", headers=headers)
        assert refused.status_code == 401 and refused.get_json()["message"]
        app.config["BWADMIN_TOKEN_DAYS"] = "120"  # as it comes from the environment
        assert client.get("/api/v1/factories", headers=headers).status_code == 200


@pytest.mark.parametrize("method, url", [("DELETE", "/api/v1/factories"), ("GET", "/api/v1/tokens"),
                                         ("PUT", "/login"), ("DELETE", "/buyer/")])
def test_a_wrong_method_is_answered_405_with_the_allowed_ones(app, client, method, url):
    answer = client.open(url, method=method)
    assert answer.status_code == 405
    assert answer.headers["Allow"]
    if url.startswith("/api/"):
        assert answer.get_json()["message"]
