"""Each panel page has one title: a screen reader's list of headings starts with what the page is, once."""
from __future__ import annotations

import re
from pathlib import Path

from tests.factories import login, make_user

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "admin"


def test_a_page_template_with_its_own_title_drops_the_panels_generic_one():
    pages = [path for path in TEMPLATES.glob("*.html") if path.name != "flask_admin_base.html"
             and "<h1" in path.read_text() and "{% extends 'admin/master.html' %}" in path.read_text()]
    assert pages, "no panel page with its own title was found: the check looks in the wrong place"
    doubled = [path.name for path in pages if "{% block page_title %}{% endblock %}" not in path.read_text()]
    assert doubled == [], f"two <h1> on these pages: {doubled}"


def test_every_panel_page_without_arguments_has_one_h1(app, client):
    admin = make_user("admin")
    from bwadmin.extensions import db

    db.session.commit()
    login(client, admin)
    checked = []
    for rule in app.url_map.iter_rules():
        if (not rule.rule.startswith("/admin/") or rule.arguments or "GET" not in rule.methods
                or rule.endpoint.endswith("static") or "export" in rule.rule):
            continue
        response = client.get(rule.rule)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        count = len(re.findall(r"<h1[\s>]", response.get_data(as_text=True)))
        checked.append(rule.rule)
        assert count == 1, f"{rule.rule} has {count} <h1>"
    assert "/admin/" in checked and "/admin/factory/" in checked and len(checked) > 20
