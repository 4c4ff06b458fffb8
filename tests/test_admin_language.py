"""The staff panel in the admin's own language: our menu, pages and forms through our catalog, Flask-Admin's own
buttons (List, Create, Search, filters…) through the catalog Flask-Admin ships (its domain "admin")."""
from __future__ import annotations

import re

import pytest

from bwadmin.extensions import db

from .factories import login, make_cycle, make_factory, make_user


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_admin_reading_spanish_gets_flask_admins_own_buttons_in_spanish(app, client):
    cycle = make_cycle(make_factory("Lotus Garments"))
    login(client, make_user("admin", language="es"))
    db.session.commit()

    listing = client.get("/admin/factory/")
    assert listing.status_code == 200
    text = visible_text(listing.get_data(as_text=True))
    # Flask-Admin's own words, from its Spanish catalog.
    assert "Listado" in text and "Crear" in text and "Exportar" in text and "Añadir filtro" in text
    assert "Con seleccionados" in text and "Buscar" in text
    assert "Lotus Garments" in text  # data stays as it is
    form = client.get("/admin/factory/new/").get_data(as_text=True)
    assert "Cancelar" in visible_text(form) and "Guardar y agregar otro" in form

    # Our own pages open for a Spanish reader.
    for url in ("/admin/", "/admin/cycle/", f"/admin/cycle/details/?id={cycle.id}", "/admin/cycle/new/",
                "/admin/milestone/", "/admin/notification/", "/admin/jobs/", "/admin/seminar-work/",
                f"/admin/committee-work/setup/{cycle.factory_id}", f"/admin/assessment-entry/{cycle.id}"):
        assert client.get(url).status_code in (200, 302), url
    home = client.get("/admin/").get_data(as_text=True)
    assert 'value="es" lang="es" selected' in home  # the language form shows the admin's choice
    # A column label goes through our catalog: "Email" is translated there already (the login page's word).
    users = visible_text(client.get("/admin/user/").get_data(as_text=True))
    assert "Correo electrónico" in users
    # Our own words, from our Spanish catalog: the menu, the dashboard's greeting, a column label.
    assert "Fábricas y compradores" in home and "Ciclos" in home
    assert "Hola," in visible_text(home) and "Good day" not in home
    assert "Inscripción" in visible_text(client.get("/admin/cycle/").get_data(as_text=True))


def test_the_same_panel_reads_in_english_for_an_english_admin(app, client):
    make_factory("Lotus Garments")
    login(client, make_user("admin", language="en"))
    text = visible_text(client.get("/admin/factory/").get_data(as_text=True))
    assert "List" in text and "Create" in text and "Add Filter" in text
    assert "Listado" not in text and "Crear" not in text
    assert "Factories and buyers" in text and "Cycles" in text  # our menu


def test_each_request_reads_in_its_own_persons_language(app, client):
    make_factory("Lotus Garments")
    spanish, english = make_user("admin", language="es"), make_user("admin", language="en")
    login(client, spanish)
    assert "Crear" in client.get("/admin/factory/").get_data(as_text=True)
    other = app.test_client()
    login(other, english)
    page = other.get("/admin/factory/").get_data(as_text=True)
    assert "Create" in visible_text(page) and "Crear" not in page
    assert "Crear" in client.get("/admin/factory/").get_data(as_text=True)


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_panels_pages_say_their_language_and_direction(client, language):
    admin = make_user("admin", language=language)
    login(client, admin)
    html = client.get("/admin/factory/").get_data(as_text=True)
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    assert ("css/rtl.css" in html) == (language == "ar")
