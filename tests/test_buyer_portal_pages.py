"""What the buyer sees on its home and factory pages, as the faster page-building writes it: every name escaped,
each row linking to its factory, counts of released reports only, and the totals and paging unchanged."""
from __future__ import annotations

import re

from bwadmin.extensions import db
from bwadmin.models import ShareRequest

from .factories import login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report


def test_home_rows_escape_names_link_to_the_factory_and_count_released_reports_only(app, client):
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
    assert "<b>Smith" not in html and "Viet <Nam>" not in html
    assert (f'<tr><td><a href="/buyer/factories/{odd.id}">&lt;b&gt;Smith &amp; &#34;Sons&#34;&lt;/b&gt;</a></td>'
            f'<td>Viet &lt;Nam&gt;</td><td>2</td></tr>') in html
    assert f'<a href="/buyer/factories/{plain.id}">Plain Garments</a></td><td>Vietnam</td><td>0</td>' in html
    assert html.index("&lt;b&gt;Smith") < html.index("Plain Garments")  # by name, as before
    assert client.get(f"/buyer/factories/{odd.id}").status_code == 200


def test_home_with_nothing_shared_and_factories_asked_or_not(app, client):
    buyer = make_buyer()
    asked, quiet = make_factory("Asked Ltd"), make_factory("Quiet Ltd")
    make_sourcing(buyer, asked, consent=False)
    make_sourcing(buyer, quiet, consent=False)
    db.session.add(ShareRequest(buyer_id=buyer.id, factory_id=asked.id, status="pending"))
    login(client, make_user("buyer", buyer=buyer))
    for url in ("/buyer/", "/buyer/?page=3", "/buyer/?page=-1", "/buyer/?page=x"):
        html = client.get(url).get_data(as_text=True)
        assert "No factory shares its results with you yet." in html
        asked_row = html[html.index("Asked Ltd"):html.index("Quiet Ltd")]
        assert "Request sent" in asked_row
        assert re.search(rf'action="/buyer/factories/{quiet.id}/ask"', html)


def test_factory_page_shows_the_latest_cycle_timeline_in_due_order_in_three_queries(app, client):
    from datetime import timedelta

    from bwadmin.models import utcnow
    from bwadmin.services import cycles, portal

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
    portal.country_averages(factory.country)  # the averages are cached: what is left is the page's own queries
    url = f"/buyer/factories/{factory.id}"
    db.session.expire_all()
    with count_queries() as seen:
        html = client.get(url).get_data(as_text=True)
    assert len(seen) == 3, [s[:90] for s in seen]  # the user; the factory with its cycle and milestones; the released reports
    assert f"Cycle {second.number}: timeline" in html and f"Cycle {first.number}:" not in html
    dates = re.findall(r"<li>(\d{4}-\d\d-\d\d) · ", html)
    assert len(dates) == len(second.milestones) and dates == sorted(dates)
    assert "No cycle yet." in client.get(f"/buyer/factories/{new.id}").get_data(as_text=True)
    assert client.get(f"/buyer/factories/{bare.id}").status_code == 404
    assert client.get("/buyer/factories/999999").status_code == 404


def test_chart_draws_each_cluster_with_its_average_and_escapes_labels():
    from bwadmin.portal.html import noncompliance_chart

    svg = str(noncompliance_chart([
        {"key": "osh", "label": "Safety <&> health", "rate": 75.0, "average": 40.0},
        {"key": "compensation", "label": "Compensation", "rate": 50.0, "average": None},
    ]))
    assert svg.startswith("<svg") and 'height="128"' in svg  # two rows of 44 and the legend
    assert "Safety &lt;&amp;&gt; health: 75%" in svg and "<&>" not in svg
    assert 'width="255.0" height="14"' in svg and "avg 40%" in svg  # 75% of the 340 pixels of a full bar
    assert svg.count("Country average:") == 1  # no average for compensation
    assert "No released assessment yet." in str(noncompliance_chart([]))


def test_home_pages_list_the_same_factories_sorted_or_walked_in_name_order(app, client, monkeypatch):
    """A buyer who sees most factories gets its home page by walking all factories in name order; that way must list
    exactly what sorting the buyer's own factories lists, page by page, whatever the state of each consent."""
    from datetime import timedelta

    from bwadmin.models import User, utcnow
    from bwadmin.services import portal

    monkeypatch.setattr(portal, "PER_PAGE", 4)
    buyer, other = make_buyer(), make_buyer()
    expected = []
    for i in range(30):
        factory = make_factory(f"Walk {29 - i:02d}")  # created in the reverse of name order
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
    user = make_user("buyer", buyer=buyer)
    login(client, user)
    expected.sort()
    client.get("/buyer/")  # the first visit teaches the page its sizes: the next first page is walked
    listed = []
    for page in range(1, 7):
        html = client.get(f"/buyer/?page={page}").get_data(as_text=True)
        listed += [name for name in re.findall(r'">(Walk \d\d)</a></td>', html) if name not in listed]
        with app.test_request_context():
            viewer = db.session.get(User, user.id)
            assert portal.buyer_home(viewer, page, walk=True) == portal.buyer_home(viewer, page, walk=False), page
    assert listed == expected and len(expected) == 21


def test_a_page_of_factories_is_walked_only_when_the_viewer_sees_most_factories():
    from bwadmin.services.factory_pages import walks

    assert walks((1000, 1010), 0, 50)  # sees nearly all: the first page ends about 50 factories in
    assert not walks((1000, 1010), 950, 50)  # the last page ends at the end: sorting reads no more
    assert not walks((10, 1010), 0, 50)  # sees few: the walk would read every factory
    assert not walks(None, 0, 50) and not walks((0, 1010), 0, 50)  # nothing known yet


def test_the_api_lists_the_same_factories_with_their_total_whichever_plan(app, client):
    from bwadmin.services import tokens

    buyer = make_buyer()
    names = []
    for i in range(12):
        factory = make_factory(f"Api {11 - i:02d}")
        make_sourcing(buyer, factory, consent=i % 4 != 0)
        if i % 4:
            names.append(factory.name)
    make_factory("Api 99 unsourced")
    headers = {"Authorization": f"Bearer {tokens.issue(make_user('buyer', buyer=buyer))}"}
    db.session.commit()
    names.sort()
    for _ in range(2):  # the first call teaches the sizes; the second may walk
        pages = [client.get(f"/api/v1/factories?limit=3&offset={offset}", headers=headers).get_json()
                 for offset in (0, 3, 6, 9)]
        assert [f["name"] for page in pages for f in page["factories"]] == names
        assert [page["total"] for page in pages] == [9] * 4
        assert pages[-1]["factories"] == []


def test_escaping_a_page_of_values_at_once_escapes_each_as_alone():
    from markupsafe import escape

    from bwadmin.portal.html import escape_all

    values = ['<b>Smith & "Sons"</b>', "Viet <Nam>", "", "O'Neil", "Phnom Penh"]
    assert escape_all(values) == [str(escape(v)) for v in values]
    assert escape_all(values + ["with a \0 inside"]) == [str(escape(v)) for v in values + ["with a \0 inside"]]
    assert escape_all([]) == []
