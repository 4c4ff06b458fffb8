"""The OpenAPI description of /api/v1/ and the API's behaviour agree: by hand for the probe's findings, and by
schemathesis generating requests from the description with a buyer's and a factory's token."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from bwadmin.api.openapi import SPEC
from bwadmin.extensions import db

from .factories import PASSWORD, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report


def _tokens(app) -> dict[str, str]:
    """A factory with a released report shared with its buyer; a token for a user of each."""
    factory, buyer = make_factory(), make_buyer()
    make_sourcing(buyer, factory)
    make_report(make_cycle(factory, days_in=200))
    people = {"buyer": make_user("buyer", buyer=buyer), "factory": make_user("factory", factory=factory)}
    db.session.commit()
    client = app.test_client()
    return {role: client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
            for role, user in people.items()}


def _parameter(path: str, name: str) -> dict:
    return next(p for p in SPEC["paths"][path]["get"]["parameters"] if p["name"] == name)["schema"]


def test_the_described_limit_and_offset_are_what_the_api_accepts(app, client):
    headers = {"Authorization": f"Bearer {_tokens(app)['buyer']}"}
    limit, offset = _parameter("/factories", "limit"), _parameter("/factories", "offset")
    for value in (limit["minimum"], limit["maximum"]):
        assert client.get(f"/api/v1/factories?limit={value}", headers=headers).get_json()["limit"] == value
    assert client.get("/api/v1/factories", headers=headers).get_json()["limit"] == limit["default"]
    assert client.get(f"/api/v1/factories?offset={offset['maximum']}", headers=headers).status_code == 200
    described_400 = SPEC["paths"]["/factories"]["get"]["responses"]["400"]
    for query in (f"limit={limit['maximum'] + 1}", f"limit={limit['minimum'] - 1}", "limit=ten",
                  f"offset={offset['minimum'] - 1}", f"offset={offset['maximum'] + 1}", "offset=1e3", "limit=",
                  "offset=", "limit=%C2%B2"):
        refused = client.get(f"/api/v1/factories?{query}", headers=headers)
        assert refused.status_code == 400 and refused.get_json()["message"], query
    assert described_400["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_token_request_is_described_as_it_is_checked(app, client):
    operation = SPEC["paths"]["/tokens"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["email"]["minLength"] == 1 and body["properties"]["password"]["minLength"] == 1
    assert "400" in operation["responses"]
    for sent in ({"email": "", "password": "x"}, {"email": 1, "password": "x"}, [1], 5):
        assert client.post("/api/v1/tokens", json=sent).status_code == 400, sent


def test_tokens_are_described_as_expiring_after_the_configured_days(app):
    from bwadmin.config import settings

    days = settings().token_lifetime.days
    assert f"{days} days" in SPEC["components"]["securitySchemes"]["bearer"]["description"]


class _TestApp:
    """The WSGI app schemathesis sends to: the running test's app (the schema is read at import, the app and its
    database are made per test)."""

    current = None

    def __call__(self, environ, start_response):
        return self.current(environ, start_response)


_app = _TestApp()
schema = schemathesis.openapi.from_dict(SPEC)
schema.app = _app
# The test sends each request with a buyer's token and a factory's: generating a request without the token (or with
# parameters the description does not name, which the API ignores as HTTP APIs do) would be undone by that.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)


@schema.parametrize()
# Bounded for CI (a few seconds per operation) and derandomized: the same requests on every run, so a failure is
# the change's, not the draw's.
@settings(max_examples=25, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_described_for_buyers_and_factories(case, app):
    # Generated requests: any server error, undescribed status, or answer outside its schema fails the test.
    if _app.current is not app:
        _app.current, _app.tokens = app, _tokens(app)
    for token in _app.tokens.values():
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
