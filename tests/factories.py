"""One-line builders: a factory, a cycle at a given stage, a buyer with consent, a logged-in user."""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from bwadmin.extensions import db
from bwadmin.models import Buyer, Factory, Sourcing, User, utcnow
from bwadmin.services import cycles, users

PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Hashing once per test session keeps argon2's deliberate slowness out of every test.
    probe = User(email="x@x", role="admin")
    users.set_password(probe, PASSWORD)
    return probe.password_hash


_counter = iter(range(1, 10**9))


def make_factory(name: str | None = None, country: str = "Vietnam", **kw) -> Factory:
    factory = Factory(name=name or f"Factory {next(_counter)}", country=country, **kw)
    db.session.add(factory)
    db.session.flush()
    return factory


def make_buyer(name: str | None = None) -> Buyer:
    buyer = Buyer(name=name or f"Buyer {next(_counter)}")
    db.session.add(buyer)
    db.session.flush()
    return buyer


def make_sourcing(buyer: Buyer, factory: Factory, consent: bool = True) -> Sourcing:
    link = Sourcing(buyer=buyer, factory=factory, consent_given_at=utcnow() if consent else None)
    db.session.add(link)
    db.session.flush()
    return link


def make_user(role: str = "admin", email: str | None = None, factory: Factory | None = None,
              buyer: Buyer | None = None, **kw) -> User:
    user = User(email=email or f"{role}{next(_counter)}@example.org", role=role, name=kw.pop("name", role.title()),
                factory=factory, buyer=buyer, password_hash=_password_hash(), **kw)
    db.session.add(user)
    db.session.flush()
    return user


def make_cycle(factory: Factory | None = None, days_in: int = 10, advisor: User | None = None,
               signed_up_on: date | None = None, training_days: int = 5):
    factory = factory or make_factory()
    cycle = cycles.start_cycle(factory, signed_up_on or utcnow().date() - timedelta(days=days_in), advisor, training_days)
    db.session.flush()
    return cycle


def login(client, user: User, password: str = PASSWORD):
    db.session.commit()
    page = client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def csrf_from(page) -> str:
    html = page.get_data(as_text=True) if hasattr(page, "get_data") else page
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, **kw):
    """Post like a browser: open the form first and send its CSRF token back."""
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_from(page), **data}, **kw)


def approve_assessment(cycle, response=None, assessed_on: date | None = None,
                       names: tuple[str, str] = ("Assessor One", "Assessor Two"), reviewer: User | None = None):
    """The assessment of `cycle` through its review: two staff assessors record and submit it, a third staff member
    approves it (which completes it). `response` defaults to the cycle's assessment answers."""
    from bwadmin.services import assessments, responses

    first, second = (make_user("advisor", name=name) for name in names)
    response = response or responses.find(cycle.id, "assessment")
    if assessed_on is None:
        assessed_on = cycle.assessment.assessed_on if cycle.assessment else utcnow().date()
    assessments.record_details(cycle, response, assessed_on, first, second, days_on_site=2, worker_sample=30)
    check = assessments.submit_for_review(cycle, first)
    assert check.ok, (check.fields, check.general)
    return assessments.approve(cycle, reviewer or make_user("advisor", name="Reviewer"))
