"""Every admin view saves for staff: open a record's edit form and submit it as a browser would."""
from werkzeug.datastructures import MultiDict

from bwadmin.demo import seed
from bwadmin.extensions import db

from .factories import login, make_user
from .formparse import form_values


# The demo's question banks are published: their edit forms open but refuse to save.
PUBLISHED_NEVER_CHANGE = {"questionnaire", "question"}


def test_every_editable_view_saves_an_unchanged_record(app, client):
    seed("demo-password")
    db.session.commit()
    login(client, make_user("admin"))
    admin = app.extensions["bwadmin.admin"]
    saved = []
    for view in admin._views:
        if not getattr(view, "can_edit", False) or not hasattr(view, "model"):
            continue
        row = db.session.query(view.model).first()
        if row is None:
            continue
        url = f"{view.url}/edit/?id={row.id}"
        page = client.get(url)
        assert page.status_code == 200, view.endpoint
        data = MultiDict([(k, v) for k, values in form_values(page.get_data(as_text=True)).items() for v in values])
        response = client.post(url, data=data)
        if view.endpoint in PUBLISHED_NEVER_CHANGE:
            assert response.status_code == 200 and "never changes" in response.get_data(as_text=True), view.endpoint
            continue
        assert response.status_code == 302, (view.endpoint, response.get_data(as_text=True)[-3000:])
        saved.append(view.endpoint)
    assert {"factory_admin", "buyer_admin", "sourcing", "cycle", "user", "committee", "election", "candidate", "need"} <= set(saved)
