from bwadmin.extensions import db
from bwadmin.services import questionnaires as bank, responses, scoring
from .factories import login, make_cycle, make_factory, make_user, post_form

def test_smoke(app, client):
    loaded = bank.ensure_default_questionnaires()
    assert len(loaded) == 3
    f = make_factory()
    c = make_cycle(f)
    u = make_user("factory", factory=f)
    login(client, u)
    r = client.get(f"/factory/cycles/{c.id}/self-diagnosis")
    assert r.status_code == 200, r.get_data(as_text=True)[:3000]
    html = r.get_data(as_text=True)
    assert "Facility profile" in html
    r = client.get("/factory/")
    assert r.status_code == 200
