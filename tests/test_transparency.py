"""The public transparency page: exactly the published issues of released assessments and the approved responses,
nothing else of a factory; the share per issue never from fewer than five factories; search, sort, downloads, the
factory's portal page and the staff's approval; bad input answered 404 or beside its field, never 500."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bwadmin import caches
from bwadmin.extensions import db
from bwadmin.models import Assessment, TransparencyIssue, TransparencyResponse, utcnow
from bwadmin.services import report_docs, transparency

from .clock_support import CLEAN, FINDINGS, answer, bank
from .factories import csrf_from, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user, post_form
from .pageread import Page

COUNTRY = "/transparency/vietnam/"
PARTIAL = {"CMP.OT.01": "yes", "CMP.OT.02": "no"}  # overtime recorded badly; nothing asked on wages or children
ISSUES = [  # kind, code, label: published for Vietnam, in this order
    ("compliance_point", "overtime_wages", "Overtime pay"),
    ("compliance_point", "minimum_wages", "Minimum wage"),
    ("question", "CL.CHL.01", "Workers under the minimum age"),
    ("question", "CMP.OT.02", "Overtime recorded"),
]
NOT_PUBLISHED = ["Child labourers (not published)", "Cambodia's own issue"]
OK, NC, NA = "compliant", "noncompliant", None
STATES = {"findings": (NC, NC, OK, OK), "clean": (OK, OK, OK, OK), "partial": (NC, NA, NA, NC)}
ANSWERS = {"findings": FINDINGS, "clean": CLEAN, "partial": PARTIAL}
# What a factory's record holds that the page must never show.
SECRETS = ["12 Secret Street", "Secretville", "4321", "4,321", "Secret Buyer Ltd", "Question CMP.OT.01?",
           "Body of the report", "Two assessors named"]


def issue(country: str, kind: str, code: str, label: str, position: int, active: bool = True) -> TransparencyIssue:
    row = TransparencyIssue(country=country, kind=kind, code=code, label=label, position=position, active=active)
    db.session.add(row)
    db.session.flush()
    return row


def publish_issues() -> list[TransparencyIssue]:
    rows = [issue("Vietnam", kind, code, label, position) for position, (kind, code, label) in enumerate(ISSUES, 1)]
    issue("Vietnam", "compliance_point", "child_labourers", NOT_PUBLISHED[0], 9, active=False)
    issue("Cambodia", "compliance_point", "minimum_wages", NOT_PUBLISHED[1], 1)
    return rows


def assessed(factory, results: str, state: str = "released", signed_up_on: date = date(2025, 1, 6)):
    """A cycle of the factory assessed 100 days in with these answers, its report released, future (released with a
    time still ahead), or under review (drafted, not released)."""
    cycle = make_cycle(factory, signed_up_on=signed_up_on)
    response = answer(cycle, "assessment", ANSWERS[results])
    db.session.add(Assessment(cycle=cycle, assessed_on=signed_up_on + timedelta(days=100), response=response,
                              assessors="Two assessors named", completed_at=utcnow()))
    db.session.flush()
    now = utcnow()
    if state == "review":
        report_docs.draft_scored_many([cycle], "assessment", now)
    else:
        report_docs.release_scored_many([cycle], "assessment",
                                        now + timedelta(days=10) if state == "future" else now - timedelta(hours=2))
    db.session.flush()
    return cycle


def respond(cycle, status: str, text: str, approved: str | None = None) -> TransparencyResponse:
    row = TransparencyResponse(cycle=cycle, text=text, status=status, approved_text=approved,
                               approved_at=utcnow() if approved else None)
    db.session.add(row)
    db.session.flush()
    return row


def secret_factory(name: str, country: str = "Vietnam"):
    factory = make_factory(name, country=country, city="Secretville", address="12 Secret Street", workers=4321)
    make_sourcing(make_buyer(f"Secret Buyer Ltd {name}"), factory)
    return factory


@pytest.fixture
def world(app):
    """Factories at every stage (no cycle, signed up, under review, released in the future, released once, returning
    with a new assessment under review, returning twice released, another country's) and responses in every state."""
    publish_issues()
    f = {name: secret_factory(name) for name in (
        "No Cycle Garments", "Signed Up Apparel", "Review Knit", "Future Textile", "Released Denim",
        "Returning Sewing", "Twice Fashion", "Edited Outerwear")}
    f["Cambodia Weaving"] = secret_factory("Cambodia Weaving", country="Cambodia")
    make_cycle(f["Signed Up Apparel"])
    review = assessed(f["Review Knit"], "findings", "review")
    respond(review, "approved", "APPROVED UNDER REVIEW", "APPROVED UNDER REVIEW")
    assessed(f["Future Textile"], "clean", "future")
    denim = "APPROVED DENIM\nsecond line"
    respond(assessed(f["Released Denim"], "findings"), "approved", denim, denim)
    first = assessed(f["Returning Sewing"], "clean", signed_up_on=date(2024, 1, 8))
    respond(first, "submitted", "SUBMITTED SEWING")
    respond(assessed(f["Returning Sewing"], "findings", "review"), "draft", "DRAFT SEWING")
    old = assessed(f["Twice Fashion"], "findings", signed_up_on=date(2023, 3, 6))
    respond(old, "approved", "APPROVED TWICE EARLIER", "APPROVED TWICE EARLIER")
    respond(assessed(f["Twice Fashion"], "partial"), "rejected", "REJECTED TWICE")
    respond(assessed(f["Edited Outerwear"], "clean", signed_up_on=date(2025, 2, 3)), "draft", "DRAFT EDITED",
            "APPROVED BEFORE EDIT")
    assessed(f["Cambodia Weaving"], "findings")
    db.session.commit()
    return {name: factory.id for name, factory in f.items()}


# Written out by hand from DESIGN.md's rule: factory → (its latest released assessment's date, states, response).
SHOWN = {
    "Released Denim": (date(2025, 4, 16), STATES["findings"], "APPROVED DENIM\nsecond line"),
    "Returning Sewing": (date(2024, 4, 17), STATES["clean"], None),  # its newer assessment is under review
    "Twice Fashion": (date(2025, 4, 16), STATES["partial"], None),  # the rejected response is not shown
    "Edited Outerwear": (date(2025, 5, 14), STATES["clean"], "APPROVED BEFORE EDIT"),  # never the draft's text
}
NEVER = ["No Cycle Garments", "Signed Up Apparel", "Review Knit", "Future Textile", "Cambodia Weaving"]
HIDDEN_RESPONSES = ["APPROVED UNDER REVIEW", "SUBMITTED SEWING", "DRAFT SEWING", "REJECTED TWICE", "DRAFT EDITED"]
CELL = {OK: "✓ Compliant", NC: "✗ Non-compliant", NA: "– Not assessed"}
FACTORY_CELL = {OK: "✓ Compliant", NC: "✗ Non-compliant", NA: "Not assessed"}


def assert_nothing_else(text: str) -> None:
    for word in SECRETS + NOT_PUBLISHED + NEVER + HIDDEN_RESPONSES:
        assert word not in text, word


def test_the_country_page_shows_exactly_the_published_issues_of_released_assessments(client, world):
    html = client.get(COUNTRY).get_data(as_text=True)
    page = Page(html)
    rows = {row[0]: row[1:] for row in page.table("factories")}
    assert set(rows) == set(SHOWN)
    for name, (day, states, _) in SHOWN.items():
        assert rows[name] == [day.strftime("%b %-d, %Y"), str(states.count(NC))] + [CELL[s] for s in states], name
    for _, _, label in ISSUES:
        assert label in html
    assert_nothing_else(html)
    links = {href for _, href in page.links if href and "/factories/" in href}
    assert links == {f"{COUNTRY}factories/{world[name]}" for name in SHOWN}


def test_each_factory_page_shows_its_released_assessments_and_approved_responses_only(client, world):
    for name, (day, states, response) in SHOWN.items():
        html = client.get(f"{COUNTRY}factories/{world[name]}").get_data(as_text=True)
        results = Page(html).table("results")
        assert [row[0] for row in results[:-1]] == [label for _, _, label in ISSUES], name
        assert [row[1] for row in results[:-1]] == [FACTORY_CELL[s] for s in states], name
        assert results[-1][1] == str(states.count(NC))
        if response:
            assert response in html, name
        else:
            assert "The factory has published no response to this assessment." in html
        assert_nothing_else(html)
    # History: the returning factory's earlier released assessment and its approved response beside it.
    html = client.get(f"{COUNTRY}factories/{world['Twice Fashion']}").get_data(as_text=True)
    results = Page(html).table("results")
    assert [row[2] for row in results[:-1]] == [FACTORY_CELL[s] for s in STATES["findings"]]
    assert "Assessment of Apr 16, 2025" in html and "Assessment of Jun 14, 2023" in html
    assert "APPROVED TWICE EARLIER" in html and "REJECTED TWICE" not in html
    # The returning factory whose new assessment is under review shows no second column: that one is not read.
    assert len(Page(client.get(f"{COUNTRY}factories/{world['Returning Sewing']}").get_data(as_text=True))
               .table("results")[0]) == 2


@pytest.mark.parametrize("name", NEVER)
def test_a_factory_without_a_released_assessment_has_no_page(client, world, name):
    assert client.get(f"{COUNTRY}factories/{world[name]}").status_code == 404


def test_the_downloads_hold_the_same_table_and_nothing_else(client, world):
    answer_csv = client.get("/transparency/vietnam.csv")
    assert answer_csv.status_code == 200 and answer_csv.mimetype == "text/csv"
    assert "attachment" in answer_csv.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer_csv.get_data(as_text=True))))
    assert rows[0] == ["factory_id", "factory", "last_assessment", "noncompliant_issues"] + [i[2] for i in ISSUES]
    words = {OK: "compliant", NC: "non-compliant", NA: ""}
    assert {r[1]: r[2:] for r in rows[1:]} == {
        name: [day.isoformat(), str(states.count(NC))] + [words[s] for s in states]
        for name, (day, states, _) in SHOWN.items()}
    assert_nothing_else(answer_csv.get_data(as_text=True))

    answer_json = client.get("/transparency/vietnam.json")
    assert answer_json.status_code == 200 and answer_json.mimetype == "application/json"
    body = answer_json.get_json()
    assert [i["label"] for i in body["issues"]] == [i[2] for i in ISSUES]
    ids = [str(i["id"]) for i in body["issues"]]
    assert {f["name"]: (f["last_assessment"], [f["issues"][i] for i in ids]) for f in body["factories"]} == {
        name: (day.isoformat(), list(states)) for name, (day, states, _) in SHOWN.items()}
    assert set(body["factories"][0]) == {"id", "name", "url", "last_assessment", "noncompliant_issues", "issues"}
    assert all(f["url"] == f"{COUNTRY}factories/{f['id']}" and client.get(f["url"]).status_code == 200
               for f in body["factories"])
    assert_nothing_else(json.dumps(body, ensure_ascii=False))
    # Four factories: every share withheld, and the counts it would be computed from with it.
    assert all(i["share_noncompliant"] is None and "factories_assessed" not in i for i in body["issues"])
    for answer_ in (answer_csv, answer_json):  # the same bytes for every anonymous reader, no cookie
        assert answer_.headers["Cache-Control"].startswith("public") and "Set-Cookie" not in answer_.headers


def test_the_index_lists_published_countries_with_factories_on_their_page(client, world):
    html = client.get("/transparency/").get_data(as_text=True)
    items = Page(html).items
    assert any(item.startswith("Vietnam · 4 factories") for item in items)
    assert any(item.startswith("Cambodia · 1 factory") for item in items)
    # A country whose issues are not published (none active) is not listed, even with released factories.
    db.session.execute(TransparencyIssue.__table__.update().where(TransparencyIssue.country == "Cambodia")
                       .values(active=False))
    db.session.commit()
    transparency.forget()
    assert "Cambodia" not in client.get("/transparency/").get_data(as_text=True)
    assert client.get("/transparency/cambodia/").status_code == 404
    assert client.get(f"/transparency/cambodia/factories/{world['Cambodia Weaving']}").status_code == 404


def test_the_share_per_issue_is_withheld_below_five_factories(client, app):
    publish_issues()
    for i in range(4):
        assessed(make_factory(f"Factory {i}"), "findings" if i % 2 else "clean")
    db.session.commit()

    def share_row() -> str:
        html = client.get(COUNTRY).get_data(as_text=True)
        return re.search(r'<tr class="share">(.*?)</tr>', html, re.S).group(1).replace("\xa0", "")

    row = share_row()
    assert row.count("fewer than 5 factories") == len(ISSUES) and "%" not in row
    # A fifth factory, assessed on overtime only: the two overtime issues count five factories, the others four.
    assessed(make_factory("Factory 4"), "partial")
    db.session.commit()
    transparency.forget()
    row = share_row()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2:]
    assert [re.sub(r"<[^>]+>", " ", c).split() for c in cells] == [
        ["60%", "of", "5"], ["fewer", "than", "5", "factories"], ["fewer", "than", "5", "factories"],
        ["20%", "of", "5"]]
    body = client.get("/transparency/vietnam.json").get_json()
    assert [i["share_noncompliant"] for i in body["issues"]] == [0.6, None, None, 0.2]
    assert [i.get("factories_assessed") for i in body["issues"]] == [5, None, None, 5]


def test_search_and_sort(client, app):
    publish_issues()
    names = {"Lotus Knit": ("clean", date(2025, 3, 3)), "Lotus Denim": ("findings", date(2025, 1, 6)),
             "Mekong Apparel": ("partial", date(2025, 2, 3))}
    for name, (results, signed) in names.items():
        assessed(make_factory(name), results, signed_up_on=signed)
    db.session.commit()

    def order(query: str) -> list[str]:
        return [row[0] for row in Page(client.get(COUNTRY + query).get_data(as_text=True)).table("factories")]

    assert order("") == ["Lotus Denim", "Lotus Knit", "Mekong Apparel"]
    assert order("?sort=name&dir=desc") == ["Mekong Apparel", "Lotus Knit", "Lotus Denim"]
    assert order("?sort=date") == ["Lotus Denim", "Mekong Apparel", "Lotus Knit"]
    assert order("?sort=date&dir=desc") == ["Lotus Knit", "Mekong Apparel", "Lotus Denim"]
    assert order("?sort=noncompliance") == ["Lotus Denim", "Mekong Apparel", "Lotus Knit"]  # 2, 2, 0: by name
    assert order("?sort=noncompliance&dir=asc") == ["Lotus Knit", "Lotus Denim", "Mekong Apparel"]
    assert order("?q=lotus") == ["Lotus Denim", "Lotus Knit"]
    assert order("?q=++LOTUS+knit+") == ["Lotus Knit"]
    assert order("?q=denim&sort=name&dir=desc") == ["Lotus Denim"]
    html = client.get(COUNTRY + "?q=nothing+like+it").get_data(as_text=True)
    assert "No factory matches." in html and "0 factories match" in html


def test_pages_follow_the_order_and_the_search(client, app, monkeypatch):
    monkeypatch.setattr(transparency, "PER_PAGE", 2)
    publish_issues()
    for i in range(5):
        assessed(make_factory(f"Factory {i}"), "clean")
    db.session.commit()
    first = Page(client.get(COUNTRY + "?sort=name&dir=desc").get_data(as_text=True))
    assert [row[0] for row in first.table("factories")] == ["Factory 4", "Factory 3"] and not first.link("Previous")
    second = Page(client.get(first.link("Next")).get_data(as_text=True))
    assert [row[0] for row in second.table("factories")] == ["Factory 2", "Factory 1"]
    third = Page(client.get(second.link("Next")).get_data(as_text=True))
    assert [row[0] for row in third.table("factories")] == ["Factory 0"] and not third.link("Next")
    assert "Page 3 of 3" in client.get(second.link("Next")).get_data(as_text=True)
    assert client.get(COUNTRY + "?page=4").status_code == 404
    assert client.get(COUNTRY + "?q=factory+3&page=2").status_code == 404


@pytest.mark.parametrize("url", [
    "/transparency/atlantis/", "/transparency/atlantis.csv", "/transparency/atlantis.json",
    "/transparency/atlantis/factories/1", f"{COUNTRY}factories/99999999999999999999", f"{COUNTRY}factories/0",
    f"{COUNTRY}factories/abc", f"{COUNTRY}?sort=workers", f"{COUNTRY}?sort=name&dir=sideways", f"{COUNTRY}?page=0",
    f"{COUNTRY}?page=-1", f"{COUNTRY}?page=abc", f"{COUNTRY}?page=99999999999999999999", f"{COUNTRY}?page=2",
    f"{COUNTRY}?page=1.5", "/transparency/vietnam/factories/", "/transparency/%00/",
])
def test_bad_input_is_not_found_never_a_server_error(client, world, url):
    assert client.get(url).status_code == 404


def test_another_countrys_factory_is_not_found_under_this_country(client, world):
    assert client.get(f"/transparency/cambodia/factories/{world['Released Denim']}").status_code == 404
    assert client.get(f"{COUNTRY}factories/{world['Cambodia Weaving']}").status_code == 404


def test_a_search_too_long_is_told_beside_the_field(client, world):
    answer_ = client.get(COUNTRY, query_string={"q": "x" * 101})
    assert answer_.status_code == 400
    html = answer_.get_data(as_text=True)
    assert 'id="q-error"' in html and "Search for at most 100 characters of a factory&#39;s name." in html
    assert 'aria-describedby="q-error"' in html and "x" * 101 in html  # what was typed stays in the field
    assert len(Page(html).table("factories")) == len(SHOWN)


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(client, app):
    publish_issues()
    issue("Vietnam", "question", "CMP.MW.01", "=1+1 children", 5)
    assessed(make_factory("=HYPERLINK(\"http://evil\")"), "clean")
    assessed(make_factory("@SUM(A1)"), "clean")
    assessed(make_factory("-2+3 Garments"), "clean")
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get("/transparency/vietnam.csv").get_data(as_text=True))))
    assert rows[0][-1] == "'=1+1 children"
    assert sorted(r[1] for r in rows[1:]) == ["'-2+3 Garments", "'=HYPERLINK(\"http://evil\")", "'@SUM(A1)"]


# --- caching ---------------------------------------------------------------------------------------------------------
def test_anonymous_pages_are_cached_and_refreshed_within_the_minute(client, world, app):
    import time

    html = client.get(COUNTRY).get_data(as_text=True)
    assert "Review Knit" not in html
    # A worker releases the report under review (another process: this one's caches are not told).
    report = db.session.scalar(select(TransparencyResponse).where(TransparencyResponse.approved_text
                                                                  == "APPROVED UNDER REVIEW")).cycle
    report_docs.release_scored_many([report], "assessment", utcnow() - timedelta(minutes=1))
    db.session.commit()
    assert "Review Knit" not in client.get(COUNTRY).get_data(as_text=True)  # the cached page, for the minute
    later = time.monotonic() + caches.TRANSPARENCY_SECONDS + 1
    caches.transparency_tables.expire(later)
    caches.transparency_pages.expire(later)
    html = client.get(COUNTRY).get_data(as_text=True)
    assert "Review Knit" in html
    assert "APPROVED UNDER REVIEW" in client.get(f"{COUNTRY}factories/{world['Review Knit']}").get_data(as_text=True)


def test_a_logged_in_reader_gets_the_page_with_their_own_form_token(app, world):
    anonymous, staff = app.test_client(), app.test_client()
    first = anonymous.get(COUNTRY).get_data(as_text=True)
    login(staff, make_user("advisor"))
    mine = staff.get(COUNTRY).get_data(as_text=True)
    assert csrf_from(first) != csrf_from(mine)  # the body is shared; the page around it is each reader's
    assert "Log out" in mine and "Log out" not in first
    other = app.test_client().get(COUNTRY).get_data(as_text=True)
    assert csrf_from(other) != csrf_from(first)


# --- the factory's portal page and the staff's approval --------------------------------------------------------------
@pytest.fixture
def factory_user(app):
    publish_issues()
    factory = secret_factory("Portal Garments")
    user = make_user("factory", factory=factory)
    db.session.commit()
    return factory, user


def test_the_factory_is_told_what_is_public_and_when(client, factory_user):
    factory, user = factory_user
    login(client, user)
    html = client.get("/factory/transparency/").get_data(as_text=True)
    assert Page(html).items[-len(ISSUES):] == [label for _, _, label in ISSUES]
    assert "not on the public page" in html and "once your assessment has taken place" in html
    assert "it does not depend on your consent" in html
    cycle = assessed(factory, "findings", "review")
    db.session.commit()
    html = client.get("/factory/transparency/").get_data(as_text=True)
    due = cycle.milestone("release").due_at
    assert f"become public when its report is released, on {due.strftime('%b %-d, %Y')}" in html
    assert 'name="text"' in html
    link = client.get("/factory/").get_data(as_text=True)
    assert 'href="/factory/transparency/"' in link


def test_a_response_is_drafted_submitted_approved_and_published(app, client, factory_user):
    factory, user = factory_user
    cycle = assessed(factory, "findings")
    db.session.commit()
    login(client, user)
    public = f"{COUNTRY}factories/{factory.id}"
    answer_ = post_form(client, "/factory/transparency/", {"text": "  Our draft.  ", "action": "draft"})
    assert answer_.status_code == 302
    assert "Our draft." not in client.get(public).get_data(as_text=True)
    post_form(client, "/factory/transparency/", {"text": "We paid all overtime owed.", "action": "submit"})
    row = db.session.scalar(select(TransparencyResponse).where(TransparencyResponse.cycle_id == cycle.id))
    assert (row.status, row.text, row.submitted_by_id) == ("submitted", "We paid all overtime owed.", user.id)
    assert "We paid all overtime owed." not in app.test_client().get(public).get_data(as_text=True)

    staff = app.test_client()
    login(staff, make_user("advisor"))
    page = staff.get("/admin/transparency_response/")
    assert page.status_code == 200 and "Portal Garments" in page.get_data(as_text=True)
    staff.post("/admin/transparency_response/action/", data={
        "csrf_token": csrf_from(page), "action": "approve", "rowid": [str(row.id)]})
    db.session.refresh(row)
    assert (row.status, row.approved_text) == ("approved", "We paid all overtime owed.")
    assert "We paid all overtime owed." in app.test_client().get(public).get_data(as_text=True)

    # An edit waits for its own approval: the public page keeps the approved text meanwhile.
    post_form(client, "/factory/transparency/", {"text": "A NEWER TEXT", "action": "submit"})
    html = app.test_client().get(public).get_data(as_text=True)
    assert "We paid all overtime owed." in html and "A NEWER TEXT" not in html
    mine = client.get("/factory/transparency/").get_data(as_text=True)
    assert "the public page shows the text they approved before" in mine

    details = staff.get(f"/admin/transparency_response/details/?id={row.id}").get_data(as_text=True)
    assert "A NEWER TEXT" in details and "We paid all overtime owed." in details
    note = post_form(staff, f"/admin/transparency_response/edit/?id={row.id}",
                     {"review_note": "Name no buyer in a public response."})
    assert note.status_code == 302
    page = staff.get("/admin/transparency_response/")
    staff.post("/admin/transparency_response/action/", data={
        "csrf_token": csrf_from(page), "action": "reject", "rowid": [str(row.id)]})
    db.session.refresh(row)
    assert row.status == "rejected" and row.approved_text is None and row.approved_by_id is None
    html = app.test_client().get(public).get_data(as_text=True)
    assert "We paid all overtime owed." not in html and "A NEWER TEXT" not in html
    mine = client.get("/factory/transparency/").get_data(as_text=True)
    assert "Not approved" in mine and "Name no buyer in a public response." in mine
    assert "Name no buyer" not in html


def test_an_overlong_response_is_refused_beside_the_field_and_kept(client, factory_user):
    factory, user = factory_user
    assessed(factory, "findings")
    db.session.commit()
    login(client, user)
    typed = "word " * 500  # 2,500 characters
    answer_ = post_form(client, "/factory/transparency/", {"text": typed, "action": "submit"})
    assert answer_.status_code == 400
    html = answer_.get_data(as_text=True)
    assert 'id="text-error"' in html and "Write at most 2,000 characters here; this has 2,499." in html
    assert typed.strip() in " ".join(html.split())
    assert db.session.scalar(select(TransparencyResponse)) is None
    empty = post_form(client, "/factory/transparency/", {"text": "   ", "action": "submit"})
    assert empty.status_code == 400 and "Write your response before submitting it." in empty.get_data(as_text=True)


def test_only_a_factory_user_writes_a_response(app, factory_user):
    factory, _ = factory_user
    anonymous = app.test_client()
    assert anonymous.get("/factory/transparency/").status_code == 302
    for role in ("buyer", "advisor"):
        client = app.test_client()
        login(client, make_user(role, buyer=make_buyer() if role == "buyer" else None))
        assert client.get("/factory/transparency/").status_code == 404
        assert client.post("/factory/transparency/", data={"csrf_token": csrf_from(client.get("/login")),
                                                            "text": "x", "action": "submit"}).status_code == 404
    assert db.session.scalar(select(TransparencyResponse)) is None


def test_admins_choose_the_issues_and_an_unknown_code_is_refused_beside_the_field(app, client):
    bank()
    db.session.commit()
    login(client, make_user("admin"))
    bad = post_form(client, "/admin/transparency_issue/new/", {
        "country": "Vietnam", "kind": "question", "code": "NO.SUCH.01", "label": "Nothing", "position": "1",
        "active": "y"})
    assert bad.status_code == 200 and "The assessment bank has no question “NO.SUCH.01”." in bad.get_data(as_text=True)
    good = post_form(client, "/admin/transparency_issue/new/", {
        "country": " Vietnam ", "kind": "compliance_point", "code": "overtime_wages", "label": "Overtime pay",
        "position": "1", "active": "y"})
    assert good.status_code == 302
    again = post_form(client, "/admin/transparency_issue/new/", {
        "country": "vietnam", "kind": "compliance_point", "code": "overtime_wages", "label": "Again", "position": "2",
        "active": "y"})
    assert "vietnam publishes this issue already." in again.get_data(as_text=True)
    rows = db.session.scalars(select(TransparencyIssue)).all()
    assert [(i.country, i.label) for i in rows] == [("Vietnam", "Overtime pay")]
    advisor = app.test_client()
    login(advisor, make_user("advisor"))
    assert advisor.get("/admin/transparency_issue/").status_code == 403
    assert advisor.get("/admin/transparency_response/").status_code == 200


def test_the_default_list_is_about_26_issues_of_the_shipped_bank(app):
    from bwadmin.services import questionnaires

    questionnaires.ensure_default_questionnaires(("assessment",))
    assert 26 <= transparency.publish_default_issues("Vietnam") <= 29
    assert transparency.publish_default_issues("Vietnam") == 0  # once
    for row in db.session.scalars(select(TransparencyIssue)):
        assert transparency.check_issue("Vietnam", row.kind, row.code, row.id) == [], row.code
