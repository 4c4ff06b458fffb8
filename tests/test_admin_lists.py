"""The list pages: each row's links and delete button, what each view allows, the page query."""
import re
from html import unescape

from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import AuditEvent, Cycle, Factory

from .formparse import FormValues
from .factories import login, make_cycle, make_factory, make_user, post_form


def row_links(html: str) -> dict[str, list[str]]:
    """The eye and pencil links of each row, by the name shown in that row."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        links = [unescape(href) for href in re.findall(r'<a class="icon" href="([^"]+)"', row)]
        cells = [c.strip() for c in re.findall(r'<td class="col-[^"]+">(.*?)</td>', row, re.S)]
        if links and cells:
            rows[cells[0]] = links
    return rows


def inputs(form_html: str) -> dict[str, str]:
    """The form's fields as a browser submits them."""
    parser = FormValues()
    parser.feed(form_html)
    return {name: values[0] for name, values in parser.values.items()}


def test_each_rows_view_and_edit_links_open_that_record(app, client):
    factories = [make_factory(f"Row Link {i:02d}") for i in range(25)]
    login(client, make_user("admin"))
    html = client.get("/admin/factory/?search=row+link&page=1").get_data(as_text=True)
    rows = row_links(html)
    assert len(rows) == 5  # the second page of 25
    for factory in factories[20:]:
        view, edit = rows[factory.name]
        assert view.startswith("/admin/factory/details/?id=") and f"id={factory.id}&" in view
        assert factory.name in client.get(view).get_data(as_text=True)
        page = client.get(edit).get_data(as_text=True)
        assert f'value="{factory.name}"' in page
        # Saving from the edit page returns to the list page it was opened from.
        assert "url=/admin/factory/?page%3D1%26search%3Drow%2Blink" in edit


def test_views_without_edit_or_delete_show_only_what_they_allow(app, client):
    login(client, make_user("admin"))
    make_cycle(make_factory("Audit Trail Garments"))
    html = client.get("/admin/auditevent/").get_data(as_text=True)
    assert "/admin/auditevent/edit/" not in html and "/admin/auditevent/delete/" not in html


def test_the_menu_follows_the_role_and_marks_the_open_page(app, client):
    admin, advisor = make_user("admin"), make_user("advisor")
    login(client, admin)
    html = client.get("/admin/factory/").get_data(as_text=True)
    assert 'href="/admin/user/"' in html
    assert re.search(r'class="dropdown-item active[^"]*" href="/admin/factory/"', html)
    html = client.get("/admin/cycle/").get_data(as_text=True)
    assert re.search(r'class="dropdown-item active[^"]*" href="/admin/cycle/"', html)
    assert not re.search(r'class="dropdown-item active[^"]*" href="/admin/factory/"', html)
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
    login(client, advisor)
    html = client.get("/admin/factory/").get_data(as_text=True)
    assert 'href="/admin/user/"' not in html and 'href="/admin/cycle/"' in html


def test_deep_pages_sorts_and_search_keep_their_order(app, client):
    for i in range(45):
        make_cycle(make_factory(f"Order {i:02d}"), days_in=i)
    login(client, make_user("admin"))
    names = []
    for page in range(3):
        html = client.get(f"/admin/factory/?search=order&page={page}").get_data(as_text=True)
        names += list(row_links(html))
    assert names == [f"Order {i:02d}" for i in range(45)]
    html = client.get("/admin/factory/?search=order&sort=0&desc=1&page=2").get_data(as_text=True)
    assert list(row_links(html)) == [f"Order {i:02d}" for i in range(4, -1, -1)]
    newest_first = [c.factory.name for c in db.session.scalars(select(Cycle).order_by(Cycle.signed_up_on.desc()))]
    html = client.get("/admin/cycle/?page=1").get_data(as_text=True)
    assert list(row_links(html)) == newest_first[20:40]
    # The CSV export still holds every row, not one page.
    csv = client.get("/admin/factory/export/csv/?search=order").get_data(as_text=True)
    assert csv.count("Order ") == 45


def test_a_record_is_deleted_from_its_own_page_after_saying_so_not_from_a_row(app, client):
    factory, other = make_factory("Lotus Garments"), make_factory("Orchid Knits")
    db.session.commit()
    login(client, make_user("admin"))
    listing = client.get("/admin/factory/").get_data(as_text=True)
    assert "/admin/factory/delete/" not in re.sub(r'<form[^>]*id="action_form".*?</form>', "", listing, flags=re.S)
    page = client.get(f"/admin/factory/details/?id={factory.id}").get_data(as_text=True)
    assert "Delete this record…" in page and "Deleting it cannot be undone." in page
    form = re.search(r'<form method="post" action="(/admin/factory/delete/)".*?</form>', page, re.S)
    answer = client.post(form.group(1), data=inputs(form.group(0)))
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Factory, factory.id) is None and db.session.get(Factory, other.id) is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete")).before["name"] == "Lotus Garments"

