"""Every admin view opens for staff and is refused to everyone else."""
import pytest

from bwadmin.extensions import db

from .factories import login, make_buyer, make_cycle, make_factory, make_user

ADMIN_ONLY = {"user", "questionnaire", "question", "scheduleoffset", "differentiationcriterion", "apitoken",
              "transparency_issue", "servicepackage"}


def model_views(app):
    admin = app.extensions["bwadmin.admin"]
    return [v for v in admin._views if hasattr(v, "model")]


def test_every_view_lists_and_opens_its_forms_for_an_admin(app, client):
    make_cycle(make_factory("Mekong Apparel"))
    login(client, make_user("admin"))
    for view in model_views(app):
        listing = client.get(f"{view.url}/")
        assert listing.status_code == 200, view.endpoint
        if view.can_create:
            assert client.get(f"{view.url}/new/").status_code == 200, view.endpoint
    assert "Mekong Apparel" in client.get("/admin/factory/").get_data(as_text=True)


def test_advisor_opens_staff_views_but_not_admin_only_ones(app, client):
    login(client, make_user("advisor"))
    for view in model_views(app):
        expected = 403 if view.endpoint in ADMIN_ONLY else 200
        assert client.get(f"{view.url}/").status_code == expected, view.endpoint


@pytest.mark.parametrize("role", ["factory", "buyer"])
def test_factory_and_buyer_users_are_refused(app, client, role):
    factory, buyer = make_factory(), make_buyer()
    user = make_user(role, factory=factory if role == "factory" else None, buyer=buyer if role == "buyer" else None)
    login(client, user)
    assert client.get("/admin/").status_code == 403
    for view in model_views(app):
        assert client.get(f"{view.url}/").status_code == 403, view.endpoint


def test_anonymous_visitors_are_sent_to_login(app, client):
    for url in ["/admin/", "/admin/factory/", "/admin/cycle/new/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    db.session.rollback()
