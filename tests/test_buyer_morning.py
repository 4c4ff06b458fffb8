"""The buyer's morning: the buyer home (and the API's list) shows for each factory sharing with the buyer the stage of
its cycle, the day and non-compliance rate of its latest released assessment, the change since the cycle before and
the open actions of its released improvement plan; sorted and filtered by country and stage, a page at a time. Every
figure comes from released reports; a factory that does not share shows its name and "Ask to share", nothing else."""
from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest

from bwadmin.extensions import db
from bwadmin.models import Report, utcnow
from bwadmin.services import cycles

from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .pageread import Page
from .portal_helpers import count_queries, make_report

QUESTIONS = 80  # scorable questions of each assessment below: a rate is noncompliant / 80


def assess(cycle, noncompliant: int | None, on: date | None, released: bool = True) -> Report:
    """An assessment report of `cycle` with `noncompliant` of QUESTIONS non-compliant, assessed `on`."""
    report = make_report(cycle, "assessment", released=released, pdf=False)
    scores = {"clusters": {"osh": {"rate": 0.5, "label": "OSH"}}}
    if noncompliant is not None:
        scores["overall"] = {"questions": QUESTIONS, "noncompliant": noncompliant, "rate": noncompliant / QUESTIONS}
    report.data = {"scores": scores, "assessed_on": on.isoformat() if on else None}
    return report


def plan(cycle, statuses: list[str], released: bool = True, submitted_days_ago: int = 2) -> Report:
    """The factory's improvement plan of `cycle` as it submitted it: one action per status."""
    report = make_report(cycle, "improvement_plan", released=released, pdf=False)
    report.submitted_at = utcnow() - timedelta(days=submitted_days_ago)
    report.data = {"actions": [{"finding": f"Finding {i} of cycle {cycle.number}", "action": f"Action {i}",
                                "owner": "HR", "due_on": "2030-01-31", "status": status}
                               for i, status in enumerate(statuses, 1)]}
    return report


def two_cycles(factory, first_status: str = "closed", second_status: str = "reporting"):
    first = make_cycle(factory, days_in=600)
    first.status = first_status
    second = cycles.start_cycle(factory, utcnow().date() - timedelta(days=200))
    db.session.flush()
    second.status = second_status
    return first, second


@pytest.fixture()
def morning(app):
    """A buyer whose factories stand at different points of their cycles (the figures worked out by hand beside
    each), one factory it sources from that does not share, and another buyer's factory."""
    buyer = make_buyer("Morning Buyer")
    f = {}
    # Alpha: 20 then 12 of 80 non-compliant: 25% then 15%, 10 points lower. Cycle 2's plan: 2 of 4 actions open.
    f["Alpha"] = make_factory("Alpha Garments", country="Vietnam")
    one, two = two_cycles(f["Alpha"])
    assess(one, 20, date(2024, 3, 10))
    plan(one, ["planned", "planned", "planned"])  # the cycle before's plan: not the one the home counts
    assess(two, 12, date(2025, 3, 12))
    plan(two, ["done", "in_progress", "planned", "done"])
    # Bravo: 30 then 35 of 80: 37.5% then 43.75%, 6.25 points higher; cycle 2's plan submitted, not released yet.
    f["Bravo"] = make_factory("Bravo Apparel", country="Cambodia")
    one, two = two_cycles(f["Bravo"])
    assess(one, 30, date(2024, 11, 2))
    assess(two, 35, date(2025, 5, 20))
    plan(two, ["planned", "planned"], released=False)
    # Charlie: one cycle, 8 of 80 (10%); no cycle before; its plan all done: 0 of 3 open.
    f["Charlie"] = make_factory("Charlie Textiles", country="Vietnam")
    cycle = make_cycle(f["Charlie"], days_in=200)
    cycle.status = "reporting"
    assess(cycle, 8, date(2025, 1, 15))
    plan(cycle, ["done", "done", "done"])
    # Delta: cycle 1 released, 40 of 80 (50%); cycle 2 at its assessment, whose draft (4 of 80) is not released.
    f["Delta"] = make_factory("Delta Knits", country="Vietnam")
    one, two = two_cycles(f["Delta"], second_status="assessment")
    assess(one, 40, date(2024, 6, 1))
    assess(two, 4, date(2025, 6, 1), released=False)
    # Echo: in its first advisory period, nothing released.
    f["Echo"] = make_factory("Echo Fashion", country="Cambodia")
    make_cycle(f["Echo"], days_in=20)
    for factory in f.values():
        make_sourcing(buyer, factory)
    # Foxtrot: sourced, not sharing; 72 of 80 (90%) released, a plan released.
    f["Foxtrot"] = make_factory("Foxtrot Denim", country="Vietnam")
    make_sourcing(buyer, f["Foxtrot"], consent=False)
    cycle = make_cycle(f["Foxtrot"], days_in=200)
    cycle.status = "reporting"
    assess(cycle, 72, date(2025, 2, 27))
    plan(cycle, ["planned"])
    # Golf: another buyer's.
    f["Golf"] = make_factory("Golf Wear", country="Vietnam")
    make_sourcing(make_buyer(), f["Golf"])
    assess(make_cycle(f["Golf"], days_in=200), 1, date(2025, 4, 4))
    user = make_user("buyer", buyer=buyer)
    db.session.commit()
    return user, f


def home(client, query: str = "") -> tuple[str, list[list[str]]]:
    html = client.get(f"/buyer/{query}").get_data(as_text=True)
    return html, Page(html).table("shared") or []


def names(rows) -> list[str]:
    return [row[0].split()[0] for row in rows]


NONE = "—No released assessment"
EXPECTED_ROWS = [
    # factory, country, stage, last assessment, non-compliance, change, open plan actions, released reports
    ["Alpha Garments", "Vietnam", "Reporting", "Mar 12, 2025", "15%", "▼ 10 points lower", "2 of 4 open", "4"],
    ["Bravo Apparel", "Cambodia", "Reporting", "May 20, 2025", "44%", "▲ 6 points higher", "Plan not released yet",
     "2"],
    ["Charlie Textiles", "Vietnam", "Reporting", "Jan 15, 2025", "10%", "—No released assessment of a cycle before",
     "0 of 3 open", "2"],
    ["Delta Knits", "Vietnam", "Assessment", "Jun 1, 2024", "50%", "—No released assessment of a cycle before",
     "Plan not released yet", "1"],
    ["Echo Fashion", "Cambodia", "Advisory", NONE, NONE, NONE, NONE, "0"],
]


def test_home_shows_each_sharing_factorys_figures_from_released_reports(morning, client):
    user, f = morning
    login(client, user)
    html, rows = home(client)
    assert rows == EXPECTED_ROWS
    # Rates and changes are shown in whole percents and points; the note says where the figures come from.
    assert "each action’s state as it stands" in html and "5 factories" in html
    page = Page(html)
    assert page.link("Alpha Garments") == f"/buyer/factories/{f['Alpha'].id}"


def test_a_factory_that_does_not_share_shows_its_name_and_ask_to_share_and_nothing_else(morning, client):
    user, f = morning
    login(client, user)
    html, rows = home(client)
    not_shared = Page(html).table("not-shared")
    assert [row[:2] for row in not_shared] == [["Foxtrot Denim", "Vietnam"]] and "Ask to share" in not_shared[0][2]
    assert "Foxtrot" not in " ".join(names(rows))
    # None of its figures anywhere on the page: its rate, its day, its plan's action, its factory page.
    assert "90%" not in html and "Feb 27, 2025" not in html and "Finding 1 of cycle 1" not in html
    assert f"/buyer/factories/{f['Foxtrot'].id}\"" not in html
    assert client.get(f"/buyer/factories/{f['Foxtrot'].id}").status_code == 404
    # Another buyer's factory is not there at all, and filtering for its country shows only the buyer's own.
    assert "Golf" not in html
    assert names(home(client, "?country=Vietnam")[1]) == ["Alpha", "Charlie", "Delta"]


def test_the_api_list_gives_the_same_figures(morning, client):
    from bwadmin.services import tokens

    user, f = morning
    headers = {"Authorization": f"Bearer {tokens.issue(user)}"}
    db.session.commit()
    body = client.get("/api/v1/factories", headers=headers).get_json()
    by_name = {item["name"].split()[0]: item for item in body["factories"]}
    assert list(by_name) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] and body["total"] == 5
    alpha = by_name["Alpha"]
    assert alpha["stage"] == "reporting" and alpha["last_assessed_on"] == "2025-03-12"
    assert alpha["last_assessment_cycle"] == 2 and alpha["released_reports"] == 4
    assert alpha["noncompliance_rate"] == pytest.approx(12 / 80)
    assert alpha["previous_noncompliance_rate"] == pytest.approx(20 / 80)
    assert alpha["noncompliance_change"] == pytest.approx(-0.10)
    assert alpha["improvement_plan"]["actions"] == 4 and alpha["improvement_plan"]["open_actions"] == 2
    assert alpha["improvement_plan"]["actions_by_status"] == {"done": 2, "in_progress": 1, "planned": 1}
    assert alpha["improvement_plan"]["cycle"] == 2 and alpha["improvement_plan"]["released_at"].endswith("Z")
    bravo = by_name["Bravo"]
    assert bravo["noncompliance_change"] == pytest.approx(35 / 80 - 30 / 80) and bravo["improvement_plan"] is None
    charlie = by_name["Charlie"]
    assert charlie["noncompliance_rate"] == pytest.approx(0.1) and charlie["previous_noncompliance_rate"] is None
    assert charlie["noncompliance_change"] is None and charlie["improvement_plan"]["open_actions"] == 0
    delta = by_name["Delta"]  # its cycle 2 draft (4 of 80) is not released: cycle 1's figures stand
    assert (delta["stage"], delta["last_assessment_cycle"], delta["noncompliance_rate"]) == ("assessment", 1, 0.5)
    assert by_name["Echo"] == {**by_name["Echo"], "stage": "advisory", "last_assessed_on": None,
                               "noncompliance_rate": None, "noncompliance_change": None, "improvement_plan": None,
                               "released_reports": 0}
    stages = client.get("/api/v1/factories?stage=reporting&country=Vietnam&sort=-rate", headers=headers).get_json()
    assert [item["name"] for item in stages["factories"]] == ["Alpha Garments", "Charlie Textiles"]
    assert stages["total"] == 2


ORDERS = {
    "name": ["Alpha", "Bravo", "Charlie", "Delta", "Echo"],
    "-name": ["Echo", "Delta", "Charlie", "Bravo", "Alpha"],
    "-assessed": ["Bravo", "Alpha", "Charlie", "Delta", "Echo"],
    "assessed": ["Delta", "Charlie", "Alpha", "Bravo", "Echo"],
    "-rate": ["Delta", "Bravo", "Alpha", "Charlie", "Echo"],
    "rate": ["Charlie", "Alpha", "Bravo", "Delta", "Echo"],
    "-change": ["Bravo", "Alpha", "Charlie", "Delta", "Echo"],  # those without a change last, by name
    "change": ["Alpha", "Bravo", "Charlie", "Delta", "Echo"],
}


@pytest.mark.parametrize("sort", list(ORDERS))
def test_sorts_order_the_home_and_the_api_alike(morning, client, sort):
    from bwadmin.services import tokens

    user, _ = morning
    login(client, user)
    html, rows = home(client, f"?sort={sort}")
    assert names(rows) == ORDERS[sort]
    assert f'<option value="{sort}" selected>' in html
    # Each sortable heading links to its column's order, the other way round for the column the list is sorted by.
    key, descending = sort.lstrip("-"), sort.startswith("-")
    heading = {"name": "Factory", "assessed": "Last assessment", "rate": "Non-compliance",
               "change": "Change since the cycle before"}[key]
    flipped = ("" if descending else "-") + key
    assert Page(html).link(heading) == "/buyer/" + ("" if flipped == "name" else f"?sort={flipped}")
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in html and html.count("aria-sort=") == 1
    if key != "rate":
        assert Page(html).link("Non-compliance") == "/buyer/?sort=-rate"  # highest first, at first
    headers = {"Authorization": f"Bearer {tokens.issue(user)}"}
    db.session.commit()
    api = client.get(f"/api/v1/factories?sort={sort}", headers=headers).get_json()
    assert [item["name"].split()[0] for item in api["factories"]] == ORDERS[sort]


@pytest.mark.parametrize("query, expected, total", [
    ("?country=Cambodia", ["Bravo", "Echo"], 2),
    ("?stage=reporting", ["Alpha", "Bravo", "Charlie"], 3),
    ("?country=Vietnam&stage=reporting", ["Alpha", "Charlie"], 2),
    ("?country=Vietnam&stage=reporting&sort=-rate", ["Alpha", "Charlie"], 2),
    ("?country=Cambodia&stage=advisory", ["Echo"], 1),
    ("?country=&stage=", ["Alpha", "Bravo", "Charlie", "Delta", "Echo"], 5),  # the form's "all"
])
def test_filters_by_country_and_stage(morning, client, query, expected, total):
    user, _ = morning
    login(client, user)
    html, rows = home(client, query)
    assert names(rows) == expected
    assert (f"{total} factories" if total > 1 else "1 factory") in html
    # The country filter offers the countries of the factories sharing, not the others'.
    form = html[html.index('id="listing-country"'):html.index("</select>", html.index('id="listing-country"'))]
    assert "Cambodia" in form and "Vietnam" in form


def test_filters_that_match_nothing_say_so(morning, client):
    user, _ = morning
    login(client, user)
    html, rows = home(client, "?country=Atlantis")
    assert rows == [] and "No factory sharing with you matches these filters." in html
    assert "No factory shares its results with you yet." not in html
    assert Page(html).link("Show every factory") == "/buyer/"
    html, rows = home(client, "?country=Cambodia&stage=measured")
    assert rows == [] and "matches these filters" in html


@pytest.mark.parametrize("query, refused", [
    ("?sort=worst", "Sort by one of"),
    ("?sort=rate;drop", "Sort by one of"),
    ("?stage=finished", "Filter by one of the stages"),
    ("?country=" + "x" * 81, "A country is a name of up to 80 characters."),
    ("?country=Viet%00nam", "A country is a name of up to 80 characters."),
])
def test_bad_sorts_and_filters_give_the_default_and_say_why(morning, client, query, refused):
    user, _ = morning
    login(client, user)
    response = client.get(f"/buyer/{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert refused in html and 'id="listing-refused"' in html
    assert names(Page(html).table("shared")) == ORDERS["name"]


def _cursor(position) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query", [
    "sort=worst", "stage=finished", "country=" + "x" * 81,
    # A cursor of one sort sent with another, and figures no row can have.
    f"sort=rate&cursor={_cursor(['Alpha Garments', 1])}",
    f"cursor={_cursor(['Alpha Garments', 1, 'rate', 0.15])}",
    f"sort=rate&cursor={_cursor(['Alpha Garments', 1, '-rate', 0.15])}",
    f"sort=assessed&cursor={_cursor(['Alpha Garments', 1, 'assessed', '2025-03-12' * 7])}",
    "sort=assessed&cursor=" + _cursor(["Alpha Garments", 1, "assessed", "2025-03-12\u0000"]),
    f"sort=assessed&cursor={_cursor(['Alpha Garments', 1, 'assessed', 20250312])}",
    f"sort=rate&cursor={_cursor(['Alpha Garments', 1, 'rate', '0.15'])}",
    "sort=rate&cursor=" + base64.urlsafe_b64encode(b'["Alpha Garments",1,"rate",NaN]').decode(),
    f"sort=change&cursor={_cursor(['Alpha Garments', 1, 'change', True])}",
])
def test_the_api_answers_bad_sorts_filters_and_cursors_400_with_a_message(morning, client, query):
    from bwadmin.services import tokens

    user, _ = morning
    headers = {"Authorization": f"Bearer {tokens.issue(user)}"}
    db.session.commit()
    response = client.get(f"/api/v1/factories?{query}", headers=headers)
    assert response.status_code == 400 and response.get_json()["message"]
    # The home, given the same, shows the first page of the default (or of the sort asked for).
    login(client, user)
    query = query.replace("cursor=", "after=")
    assert client.get(f"/buyer/?{query}").status_code == 200
    assert client.get(f"/buyer/?{query.replace('after=', 'before=')}").status_code == 200


def many(app, buyer, count: int = 14):
    """`count` factories sharing with `buyer`, with ties and gaps in every figure; (name, figures) of each."""
    rates = [8, None, 24, 8, 16, None, 8, 24, 0, 16, 8, None, 40, 24]
    days = [date(2025, 1, 1) + timedelta(days=30 * (i % 4)) for i in range(count)]
    made = []
    for i in range(count):
        factory = make_factory(f"Row {i % 5:02d}", country=("Vietnam", "Cambodia")[i % 2])  # names that tie
        make_sourcing(buyer, factory)
        rate = rates[i % len(rates)]
        if i % 3 == 0:  # two cycles: a change
            one, two = two_cycles(factory)
            assess(one, 16, date(2024, 1, 1))
            assess(two, rate, days[i] if rate is not None else None)
            change = None if rate is None else rate / QUESTIONS - 16 / QUESTIONS
        else:
            cycle = make_cycle(factory, days_in=200)
            if rate is not None:
                assess(cycle, rate, days[i])
            change = None
        made.append({"name": factory.name, "id": factory.id, "rate": None if rate is None else rate / QUESTIONS,
                     "assessed": days[i].isoformat() if rate is not None else None, "change": change})
    db.session.commit()
    return made


def expected_order(made: list[dict], sort: str) -> list[int]:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "name":
        return [m["id"] for m in sorted(made, key=lambda m: (m["name"], m["id"]), reverse=descending)]
    present = sorted((m for m in made if m[key] is not None), key=lambda m: (m["name"], m["id"]))
    present.sort(key=lambda m: m[key], reverse=descending)  # stable: ties stay in name order
    absent = sorted((m for m in made if m[key] is None), key=lambda m: (m["name"], m["id"]))
    return [m["id"] for m in present + absent]


@pytest.mark.parametrize("sort", list(ORDERS))
def test_next_and_previous_walk_every_sort_once_ties_and_gaps_included(app, client, monkeypatch, sort):
    from bwadmin.services import portal, tokens

    monkeypatch.setattr(portal, "PER_PAGE", 4)
    buyer = make_buyer()
    made = many(app, buyer)
    user = make_user("buyer", buyer=buyer)
    login(client, user)
    expected = expected_order(made, sort)
    pages, url = [], f"/buyer/?sort={sort}"
    while url:
        html = client.get(url).get_data(as_text=True)
        page = Page(html)
        pages.append([int(href.rsplit("/", 1)[1]) for text, href in page.links
                      if href and href.startswith("/buyer/factories/")])
        url = page.link("Next")
        assert url is None or sort == "name" or f"sort={sort}" in url  # the default left out
        assert len(pages) < 20
    assert [i for p in pages for i in p] == expected and [len(p) for p in pages] == [4, 4, 4, 2]
    back = []
    while url := (Page(html).link("Previous")):
        html = client.get(url).get_data(as_text=True)
        back.append([int(href.rsplit("/", 1)[1]) for text, href in Page(html).links
                     if href and href.startswith("/buyer/factories/")])
    assert back == pages[-2::-1]
    # The API's cursor walks the same order, a page of 3 at a time.
    headers = {"Authorization": f"Bearer {tokens.issue(user)}"}
    db.session.commit()
    listed, query = [], f"sort={sort}&limit=3"
    while query:
        body = client.get(f"/api/v1/factories?{query}", headers=headers).get_json()
        listed += [item["id"] for item in body["factories"]]
        query = body["next_cursor"] and f"sort={sort}&limit=3&cursor={body['next_cursor']}"
    assert listed == expected
    offset = client.get(f"/api/v1/factories?sort={sort}&limit=5&offset=5", headers=headers).get_json()
    assert [item["id"] for item in offset["factories"]] == expected[5:10]


def queries_for(client, url, headers=None) -> int:
    from bwadmin import caches

    caches.country_shares.clear()
    caches.transparency_tables.clear()  # the published issues a factory's page reads for its progress over cycles
    db.session.expire_all()
    with count_queries() as seen:
        assert client.get(url, headers=headers or {}).status_code == 200
    return len(seen)


def test_the_home_with_its_figures_and_the_api_list_run_a_constant_number_of_queries(app):
    from bwadmin.models import Cycle
    from bwadmin.services import tokens

    counts = {}
    for size in (2, 24):
        buyer = make_buyer()
        made = many(app, buyer, size)
        for i in range(0, size, 4):
            make_sourcing(buyer, make_factory(f"Quiet {size} {i}"), consent=False)
        for row in made[: size // 2]:  # released plans, for half of them
            if row["rate"] is not None:
                plan(db.session.scalar(db.select(Cycle).where(Cycle.factory_id == row["id"])
                                       .order_by(Cycle.number.desc()).limit(1)), ["planned", "done"])
        user = make_user("buyer", buyer=buyer)
        headers = {"Authorization": f"Bearer {tokens.issue(user)}"}
        db.session.commit()
        client = app.test_client()
        login(client, user)
        client.get("/api/v1/factories", headers=headers)  # the token's first use is recorded once
        counts[size] = [queries_for(client, url) for url in
                        ("/buyer/", "/buyer/?sort=-rate", "/buyer/?sort=change&country=Vietnam&stage=reporting")]
        counts[size] += [queries_for(client, url, headers) for url in
                         ("/api/v1/factories", "/api/v1/factories?sort=-assessed&stage=reporting")]
    assert counts[2] == counts[24], counts
    # The user; the page with its figures; the counts per country and stage; the factories not sharing and where
    # asking them stands. The API: the token; the page; the counts.
    assert counts[24] == [5, 5, 5, 3, 3], counts


def test_the_factory_page_shows_the_plans_status_and_each_actions_state(morning, client):
    user, f = morning
    login(client, user)
    html = client.get(f"/buyer/factories/{f['Alpha'].id}").get_data(as_text=True)
    assert "Improvement plan, cycle 2" in html
    status = html[html.index('id="plan-status"'):]
    status = status[:status.index("</p>")]
    assert "Submitted by the factory on" in status and "released to you on" in status
    assert "2 of 4 actions open." in status
    assert "its state is kept up to date: declared done by the factory, verified by the programme" in html
    rows = Page(html).table("plan")
    assert [row[-1] for row in rows] == ["Status Done", "Status In progress", "Status Planned", "Status Done"]
    assert "Finding 1 of cycle 2" in html and "Finding 1 of cycle 1" not in html
    assert "15%, 10 points lower than in cycle 1" in html and "Mar 12, 2025 (cycle 2)" in html
    assert "Cycle 2: Reporting" in html
    # Bravo's plan is submitted but not released: the buyer reads that it is not released, not the plan.
    html = client.get(f"/buyer/factories/{f['Bravo'].id}").get_data(as_text=True)
    assert "has not been released to you yet" in html and "Finding 1 of cycle 2" not in html
    assert "44%, 6 points higher than in cycle 1" in html
    # Delta's cycle 2 assessment is a draft: the page sums up cycle 1's, and its chart has none of cycle 2's.
    html = client.get(f"/buyer/factories/{f['Delta'].id}").get_data(as_text=True)
    assert "Jun 1, 2024 (cycle 1)" in html and "Improvement plan, cycle 1" in html and "Cycle 2: Assessment" in html
    assert "Jun 1, 2025" not in html
    html = client.get(f"/buyer/factories/{f['Echo'].id}").get_data(as_text=True)
    assert "No assessment released yet." in html and "Improvement plan," not in html and 'id="plan"' not in html
    # The user; the factory with its cycle and milestones; the reports the page reads (the cycle's, the earlier
    # assessments' figures and the plans): the plan costs no query of its own; the released assessments' progress
    # over cycles.
    from bwadmin.services import country_shares

    country_shares.shares("Vietnam")  # reports made before they kept the shares read today's: cached here
    url = f"/buyer/factories/{f['Alpha'].id}"
    db.session.expire_all()
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    assert len(seen) == 4, [q[:80] for q in seen]


def test_a_plan_submitted_again_reaches_the_buyer_with_its_new_states(morning, client):
    from bwadmin.services import tokens

    user, f = morning
    report = db.session.scalar(db.select(Report).join(Report.cycle).where(
        Report.kind == "improvement_plan", Report.cycle.has(factory_id=f["Charlie"].id)))
    # The factory reopens an action and submits the plan again (services/improvement.save_plan rewrites the data).
    report.data = {"actions": [{**a, "status": "in_progress" if i == 0 else a["status"]}
                               for i, a in enumerate(report.data["actions"])]}
    report.submitted_at = utcnow()
    headers = {"Authorization": f"Bearer {tokens.issue(user)}"}
    db.session.commit()
    login(client, user)
    rows = home(client)[1]
    assert rows[2][0] == "Charlie Textiles" and rows[2][6] == "1 of 3 open"
    body = client.get("/api/v1/factories?sort=rate&limit=1", headers=headers).get_json()
    assert body["factories"][0]["improvement_plan"]["open_actions"] == 1


@needs_chromium
def test_on_a_390_px_screen_the_table_scrolls_in_its_own_box_and_the_filters_work(morning, live_server, browser):
    from .factories import PASSWORD

    user, _ = morning
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself does not scroll sideways
    region = page.get_by_role("region", name="Factories sharing their results with you")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")  # the table scrolls inside its box
    assert region.get_attribute("tabindex") == "0"  # and a keyboard can scroll it
    page.get_by_label("Country").select_option("Cambodia")
    page.get_by_label("Sort by").select_option("-rate")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    rows = region.get_by_role("row")
    assert rows.count() == 3  # the heading, Bravo and Echo
    assert rows.nth(1).inner_text().startswith("Bravo Apparel") and rows.nth(2).inner_text().startswith("Echo")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
