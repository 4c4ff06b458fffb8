"""What the buyer sees on its home and factory pages, and how it pages through its factories: names shown as text,
each row linking to its factory, counts of released reports only, Next and Previous through every factory it may
see, and the API's cursor walking the same list."""
from __future__ import annotations

import base64
import json
import re
from urllib.parse import urlsplit

import pytest
from babel.dates import format_date

from bwadmin.extensions import db
from bwadmin.models import Factory, ShareRequest

from .factories import login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .pageread import Page
from .portal_helpers import make_report


def shared_rows(html: str) -> list[list[str]]:
    """The rows of the table of factories sharing with the buyer (none when no factory shares)."""
    return Page(html).table("shared") or []


def test_home_lists_names_as_text_linking_to_the_factory_with_released_reports_counted(app, client):
    buyer = make_buyer()
    odd = make_factory('<b>Smith & "Sons"</b>', country="Viet <Nam>")
    make_sourcing(buyer, odd)
    cycle = make_cycle(odd, days_in=200)
    make_report(cycle, "assessment", pdf=False)
    make_report(cycle, "improvement_plan", pdf=False)
    make_report(cycle, "self_diagnosis", released=False, pdf=False)  # not released: not counted
    make_report(cycle, "factory_progress", future=True, pdf=False)  # released later: not counted
    plain = make_factory("Plain Garments")
    make_sourcing(buyer, plain)
    login(client, make_user("buyer", buyer=buyer))
    html = client.get("/buyer/").get_data(as_text=True)
    assert "<b>Smith" not in html and "Viet <Nam>" not in html  # shown as text, never as markup
    # Name, country and (last) the count of released reports; the figures between are tests/test_buyer_morning.py's.
    assert [[row[0], row[1], row[-1]] for row in shared_rows(html)] == [['<b>Smith & "Sons"</b>', "Viet <Nam>", "2"],
                                                                        ["Plain Garments", "Vietnam", "0"]]
    page = Page(html)
    assert page.link('<b>Smith & "Sons"</b>') == f"/buyer/factories/{odd.id}"
    assert page.link("Next") is None and page.link("Previous") is None  # one page
    assert client.get(f"/buyer/factories/{odd.id}").status_code == 200


def test_home_with_nothing_shared_and_factories_asked_or_not(app, client):
    buyer = make_buyer()
    asked, quiet = make_factory("Asked Ltd"), make_factory("Quiet Ltd")
    make_sourcing(buyer, asked, consent=False)
    make_sourcing(buyer, quiet, consent=False)
    db.session.add(ShareRequest(buyer_id=buyer.id, factory_id=asked.id, status="pending"))
    login(client, make_user("buyer", buyer=buyer))
    for url in ("/buyer/", "/buyer/?after=not-a-cursor", "/buyer/?before=%25%25", "/buyer/?page=x"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "No factory shares its results with you yet." in html
        rows = Page(html).table("not-shared")
        assert rows[0][:2] == ["Asked Ltd", "Vietnam"] and "Request sent" in rows[0][2]
        assert rows[1][:2] == ["Quiet Ltd", "Vietnam"] and "Ask to share" in rows[1][2]
        assert f'action="/buyer/factories/{quiet.id}/ask"' in html


def test_factory_page_shows_the_latest_cycle_timeline_in_due_order_in_four_queries(app, client):
    from datetime import timedelta

    from bwadmin.models import utcnow
    from bwadmin.services import country_shares, cycles, transparency

    from .portal_helpers import count_queries

    buyer = make_buyer()
    factory = make_factory("Two Cycles")
    make_sourcing(buyer, factory)
    first = make_cycle(factory, days_in=600)
    first.status = "closed"
    second = cycles.start_cycle(factory, utcnow().date() - timedelta(days=20))
    db.session.flush()
    assert second.number > first.number
    new, bare = make_factory("No Cycle Yet"), make_factory("Not Sourced")
    make_sourcing(buyer, new)
    make_cycle(bare)
    login(client, make_user("buyer", buyer=buyer))
    country_shares.shares(factory.country)  # the shares are cached: what is left is the page's own queries
    transparency.published_issues(factory.country)  # and so are the issues its country publishes
    url = f"/buyer/factories/{factory.id}"
    db.session.expire_all()
    with count_queries() as seen:
        html = client.get(url).get_data(as_text=True)
    # The user; the factory with its cycle and milestones; the released reports; their progress over cycles.
    assert len(seen) == 4, [s[:90] for s in seen]
    assert f"Cycle {second.number}: timeline" in html and f"Cycle {first.number}:" not in html
    timeline = [item for item in Page(html).items if re.match(r"[A-Z][a-z]{2} \d{1,2}, \d{4} · ", item)]
    # The factory's reminders are the programme's own work, not dates of the cycle: left out.
    expected = sorted((m for m in second.milestones
                       if not m.kind.startswith(("factory_progress_reminder_", "improvement_plan_reminder_"))),
                      key=lambda m: m.due_at)
    assert len(expected) == len(second.milestones) - 3
    # The days as the reader's language writes them (English here), in the buyer's zone (UTC: it has no country).
    assert timeline == [f"{format_date(m.due_at, 'medium', locale='en')} · {m.label}" + (" done" if m.done_at else "")
                        for m in expected]
    assert "No cycle yet." in client.get(f"/buyer/factories/{new.id}").get_data(as_text=True)
    assert client.get(f"/buyer/factories/{bare.id}").status_code == 404
    assert client.get("/buyer/factories/999999").status_code == 404


def test_the_chart_names_each_cluster_with_its_rate_in_words(app):
    chart_macro = app.jinja_env.get_template("_chart.html").module.noncompliance_chart
    html = str(chart_macro([
        {"key": "osh", "label": "Safety <&> health", "rate": 75.0},
        {"key": "compensation", "label": "Compensation", "rate": 50.0},
    ]))
    assert "<&>" not in html
    [chart] = Page(html).charts
    # The country is compared per compliance point in the table beside it (country_shares), not on the chart.
    # A table: its caption names it, each row a cluster and its rate in words (what a screen reader reads, and what
    # WeasyPrint shapes in the PDF), beside a bar drawn in SVG.
    assert chart.title == "Non-compliance per cluster"
    assert chart.rows == [("Safety <&> health", "75%"), ("Compensation", "50%")] and chart.bars == 2
    assert html.count('aria-hidden="true"') == 2  # the bars say nothing the rates do not
    assert "Country average" not in html
    assert "No released assessment yet." in str(chart_macro([]))


def names_by_next(client, first_url: str) -> tuple[list[list[str]], list[str]]:
    """Follow Next from `first_url` to the end: each page's factory names, and the URLs visited."""
    pages, urls, url = [], [], first_url
    while url:
        urls.append(url)
        html = client.get(url).get_data(as_text=True)
        pages.append([row[0] for row in shared_rows(html)])
        url = Page(html).link("Next")
        assert len(urls) < 50, "Next never ends"
    return pages, urls


def test_home_walks_next_and_previous_through_every_shared_factory_once(app, client, monkeypatch):
    from datetime import timedelta

    from bwadmin.models import utcnow
    from bwadmin.services import portal

    monkeypatch.setattr(portal, "PER_PAGE", 4)
    buyer, other = make_buyer(), make_buyer()
    expected = []
    for i in range(30):
        factory = make_factory(f"Walk {(29 - i) // 2:02d}")  # reverse of name order, names in pairs that tie
        state = i % 10
        if state == 0:
            make_sourcing(other, factory)  # another buyer's
        elif state == 1:
            make_sourcing(buyer, factory, consent=False)  # never consented
        elif state == 2:
            make_sourcing(buyer, factory).consent_withdrawn_at = utcnow() + timedelta(seconds=1)  # withdrawn
        else:
            make_sourcing(buyer, factory)
            expected.append(factory.name)
    login(client, make_user("buyer", buyer=buyer))
    expected.sort()
    pages, urls = names_by_next(client, "/buyer/")
    assert [name for page in pages for name in page] == expected and len(expected) == 21
    assert [len(page) for page in pages] == [4, 4, 4, 4, 4, 1]
    assert "21 factories" in client.get(urls[-1]).get_data(as_text=True)
    # Previous from the last page goes back through the same pages, to a first page with no Previous.
    back, url = [], urls[-1]
    while url:
        html = client.get(url).get_data(as_text=True)
        back.append([row[0] for row in shared_rows(html)])
        url = Page(html).link("Previous")
    assert back == pages[::-1]


def test_home_previous_after_factories_went_shows_a_full_first_page(app, client, monkeypatch):
    from bwadmin.services import portal

    monkeypatch.setattr(portal, "PER_PAGE", 3)
    buyer = make_buyer()
    links = [make_sourcing(buyer, make_factory(f"Gone {i}")) for i in range(7)]
    login(client, make_user("buyer", buyer=buyer))
    second = Page(client.get("/buyer/").get_data(as_text=True)).link("Next")
    db.session.delete(links[0])
    db.session.commit()
    previous = Page(client.get(second).get_data(as_text=True)).link("Previous")
    assert [row[0] for row in shared_rows(client.get(previous).get_data(as_text=True))] == ["Gone 1", "Gone 2",
                                                                                          "Gone 3"]


def api_headers(buyer) -> dict:
    from bwadmin.services import tokens

    headers = {"Authorization": f"Bearer {tokens.issue(make_user('buyer', buyer=buyer))}"}
    db.session.commit()
    return headers


def walk_api(client, headers, limit: int, first: str = "") -> list[dict]:
    """Every page of /api/v1/factories from `first` (query string), following next_cursor to its end."""
    pages, query = [], f"limit={limit}{first}"
    while query is not None:
        response = client.get(f"/api/v1/factories?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        pages.append(response.get_json())
        cursor = pages[-1]["next_cursor"]
        query = None if cursor is None else f"limit={limit}&cursor={cursor}"
        assert len(pages) < 100, "next_cursor never ends"
    return pages


def test_the_api_cursor_walks_every_visible_factory_once_in_name_order_ties_included(app, client):
    buyer, other = make_buyer(), make_buyer()
    visible = []
    for i in range(13):
        factory = make_factory(f"Api {i % 4}")  # names that tie, created out of name order
        if i % 5 == 4:
            make_sourcing(other, factory)
        else:
            make_sourcing(buyer, factory, consent=i % 5 != 3)
            if i % 5 != 3:
                visible.append((factory.name, factory.id))
    make_factory("Api 0")  # nobody's
    headers = api_headers(buyer)
    for limit in (1, 2, 3, 1000):
        pages = walk_api(client, headers, limit)
        listed = [(f["name"], f["id"]) for page in pages for f in page["factories"]]
        assert listed == sorted(visible), limit  # by name, ties by id, each once
        assert all(page["total"] == len(visible) and page["limit"] == limit for page in pages)
        assert all(len(page["factories"]) == limit for page in pages[:-1]) and pages[-1]["next_cursor"] is None


def test_a_forged_cursor_moves_the_position_and_shows_nothing_more(app, client):
    from bwadmin.services.factory_pages import encode_cursor

    mine, theirs = make_buyer(), make_buyer()
    own = []
    for i in range(6):
        factory = make_factory(f"Forge {i:02d}")
        make_sourcing(mine if i % 2 else theirs, factory, consent=True)
        if i % 2:
            own.append(factory)
        else:
            make_sourcing(mine, factory, consent=False)  # sourced, but not sharing with me
    headers = api_headers(mine)
    login(client, make_user("buyer", buyer=mine))
    own_names = [f.name for f in own]
    others = db.session.scalars(db.select(Factory).where(Factory.id.not_in([f.id for f in own]))).all()
    positions = [("", 0), ("Forge 03", 0), ("Forge", 2**63 - 1), ("Z" * 300, 1)]
    positions += [(f.name, f.id) for f in others]  # just where another buyer's factory or an unshared one sits
    for position in positions:
        cursor = encode_cursor(*position)
        expected = [f.name for f in own if (f.name, f.id) > position]
        api = client.get(f"/api/v1/factories?cursor={cursor}", headers=headers).get_json()
        assert [f["name"] for f in api["factories"]] == expected, position
        after = client.get(f"/buyer/?after={cursor}").get_data(as_text=True)
        assert [row[0] for row in shared_rows(after)] == (expected or own_names), position  # past the end: the last
        before = client.get(f"/buyer/?before={cursor}").get_data(as_text=True)
        assert [row[0] for row in shared_rows(before)] == own_names, position  # back to the (whole) first page


@pytest.mark.parametrize("cursor", [
    "not base64 at all!", "", "e30", base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    *[base64.urlsafe_b64encode(json.dumps(value).encode()).decode() for value in (
        {"name": "A", "id": 1}, ["A"], ["A", "1"], ["A", 1.5], ["A", True], [1, 1], ["A", -1], ["A", 2**64],
        ["A\u0000B", 1], ["\ud800", 1], ["A", 1, 2])],
    "QQ" * 600,
])
def test_a_malformed_cursor_is_answered_400_with_a_message(app, client, cursor):
    headers = api_headers(make_buyer())
    response = client.get("/api/v1/factories", query_string={"cursor": cursor}, headers=headers)
    assert response.status_code == 400
    assert "cursor" in response.get_json()["message"]


def test_the_api_offset_still_pages_and_its_next_cursor_continues(app, client):
    buyer = make_buyer()
    names = []
    for i in range(12):
        factory = make_factory(f"Api {11 - i:02d}")
        make_sourcing(buyer, factory, consent=i % 4 != 0)
        if i % 4:
            names.append(factory.name)
    make_factory("Api 99 unsourced")
    headers = api_headers(buyer)
    names.sort()
    pages = [client.get(f"/api/v1/factories?limit=3&offset={offset}", headers=headers).get_json()
             for offset in (0, 3, 6, 9)]
    assert [f["name"] for page in pages for f in page["factories"]] == names
    assert [page["total"] for page in pages] == [9] * 4 and [page["offset"] for page in pages] == [0, 3, 6, 9]
    assert pages[-1]["factories"] == [] and pages[2]["next_cursor"] is None
    rest = walk_api(client, headers, 3, "&offset=3")
    assert [f["name"] for page in rest for f in page["factories"]] == names[3:]
    both = client.get(f"/api/v1/factories?offset=3&cursor={pages[0]['next_cursor']}", headers=headers)
    assert both.status_code == 400 and "not both" in both.get_json()["message"]


def test_buyer_home_pages_through_many_factories(app, client):
    buyer = make_buyer()
    for i in range(60):
        make_sourcing(buyer, make_factory(f"Paged {i:02d}"))
    login(client, make_user("buyer", buyer=buyer))
    first = client.get("/buyer/").get_data(as_text=True)
    assert "60 factories" in first
    assert [row[0] for row in shared_rows(first)] == [f"Paged {i:02d}" for i in range(50)]
    assert Page(first).link("Previous") is None
    next_url = Page(first).link("Next")
    assert urlsplit(next_url).path == "/buyer/"
    second = client.get(next_url).get_data(as_text=True)
    assert [row[0] for row in shared_rows(second)] == [f"Paged {i:02d}" for i in range(50, 60)]
    assert Page(second).link("Next") is None
    back = client.get(Page(second).link("Previous")).get_data(as_text=True)
    assert [row[0] for row in shared_rows(back)] == [f"Paged {i:02d}" for i in range(50)]


def test_the_api_description_tells_of_the_cursor_and_every_field_the_list_returns(app, client):
    buyer = make_buyer()
    make_sourcing(buyer, make_factory("Described"))
    body = client.get("/api/v1/factories", headers=api_headers(buyer)).get_json()
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]["/factories"]["get"]
    assert {"limit", "cursor", "offset"} <= {p["name"] for p in spec["parameters"]}
    schema = spec["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == set(body) and body["next_cursor"] is None
    assert schema["properties"]["next_cursor"]["nullable"] and "400" in spec["responses"]
