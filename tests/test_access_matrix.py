"""Every role against every portal page, download and API URL: the expected status, and no cell leaks."""
from __future__ import annotations

import pytest

from bwadmin.extensions import db
from bwadmin.models import AuditEvent, utcnow

from .factories import PASSWORD, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report

ROLES = ("b_consent", "b_no_consent", "b_not_sourcing", "f_a", "f_b", "staff", "anonymous")


@pytest.fixture
def world(app):
    fa, fb = make_factory("Alpha Garments"), make_factory("Beta Knits")
    b1, b2, b3 = make_buyer("Consenting Buyer"), make_buyer("Unconsented Buyer"), make_buyer("Other Buyer")
    make_sourcing(b1, fa, consent=True)
    make_sourcing(b2, fa, consent=False)
    make_sourcing(b3, fb, consent=True)  # b3 does not source from Alpha; it sees Beta only
    ca, cb = make_cycle(fa, days_in=200), make_cycle(fb, days_in=200)
    reports = {
        "a_released": make_report(ca, "assessment"),
        "a_draft_selfdiag": make_report(ca, "self_diagnosis", released=False),
        "a_unreleased": make_report(ca, "programme_progress", released=False),
        "a_release_future": make_report(ca, "differentiation", future=True),
        "b_released": make_report(cb, "assessment"),
    }
    users = {
        "b_consent": make_user("buyer", buyer=b1), "b_no_consent": make_user("buyer", buyer=b2),
        "b_not_sourcing": make_user("buyer", buyer=b3), "f_a": make_user("factory", factory=fa),
        "f_b": make_user("factory", factory=fb), "staff": make_user("advisor"),
    }
    db.session.commit()
    return {"factories": {"a": fa.id, "b": fb.id}, "reports": {k: r.id for k, r in reports.items()}, "users": users}


# Which reports and factories each role may see: written out by hand from DESIGN.md's rules.
SEES_REPORTS = {
    "b_consent": {"a_released"},
    "b_no_consent": set(),
    "b_not_sourcing": {"b_released"},
    "f_a": {"a_released", "a_draft_selfdiag"},
    "f_b": {"b_released"},
    "staff": {"a_released", "a_draft_selfdiag", "a_unreleased", "a_release_future", "b_released"},
    "anonymous": set(),
}
SEES_FACTORIES = {"b_consent": {"a"}, "b_no_consent": set(), "b_not_sourcing": {"b"}, "f_a": {"a"},
                  "f_b": {"b"}, "staff": {"a", "b"}, "anonymous": set()}


def portal_status(role: str, portal: str, visible: bool) -> int:
    if role == "anonymous":
        return 302
    if (portal == "buyer" and role.startswith("b_")) or (portal == "factory" and role.startswith("f_")):
        return 200 if visible else 404
    return 404


def api_status(role: str, visible: bool) -> int:
    if role == "anonymous":
        return 401
    return 200 if visible else 404


def clients_and_tokens(app, world):
    clients, tokens = {}, {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            user = world["users"][role]
            login(client, user)
            answer = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
            assert answer.status_code == 201, answer.get_json()
            tokens[role] = answer.get_json()["token"]
        clients[role] = client
    return clients, tokens


def test_every_role_every_url(app, world):
    clients, tokens = clients_and_tokens(app, world)
    cells = []
    for role in ROLES:
        client = clients[role]
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        for name, rid in world["reports"].items():
            visible = name in SEES_REPORTS[role]
            for url in (f"/buyer/reports/{rid}", f"/buyer/reports/{rid}.pdf"):
                cells.append((role, url, portal_status(role, "buyer", visible), client.get(url).status_code))
            for url in (f"/factory/reports/{rid}", f"/factory/reports/{rid}.pdf"):
                cells.append((role, url, portal_status(role, "factory", visible), client.get(url).status_code))
            for url in (f"/api/v1/reports/{rid}", f"/api/v1/reports/{rid}.pdf"):
                cells.append((role, url, api_status(role, visible), client.get(url, headers=headers).status_code))
        for name, fid in world["factories"].items():
            visible = name in SEES_FACTORIES[role]
            url = f"/buyer/factories/{fid}"
            cells.append((role, url, portal_status(role, "buyer", visible), client.get(url).status_code))
            for url in (f"/api/v1/factories/{fid}", f"/api/v1/factories/{fid}/reports"):
                cells.append((role, url, api_status(role, visible), client.get(url, headers=headers).status_code))
        for url, portal in (("/buyer/", "buyer"), ("/factory/", "factory")):
            cells.append((role, url, portal_status(role, portal, True), client.get(url).status_code))
        cells.append((role, "/api/v1/factories", api_status(role, True),
                      client.get("/api/v1/factories", headers=headers).status_code))
    wrong = [cell for cell in cells if cell[2] != cell[3]]
    assert not wrong, "\n".join(f"{role} {url}: expected {exp}, got {got}" for role, url, exp, got in wrong)
    assert len(cells) == len(ROLES) * (5 * 6 + 2 * 3 + 3)


def test_listings_hold_only_what_each_role_may_see(app, world):
    clients, tokens = clients_and_tokens(app, world)
    names = {"a": "Alpha Garments", "b": "Beta Knits"}
    rid_by_id = {v: k for k, v in world["reports"].items()}
    for role, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        listed = {f["id"] for f in clients[role].get("/api/v1/factories", headers=headers).get_json()["factories"]}
        assert listed == {world["factories"][k] for k in SEES_FACTORIES[role]}, role
        for key in SEES_FACTORIES[role]:
            reports = clients[role].get(f"/api/v1/factories/{world['factories'][key]}/reports", headers=headers)
            seen = {rid_by_id[r["id"]] for r in reports.get_json()["reports"]}
            assert seen == {n for n in SEES_REPORTS[role] if n.startswith(key)}, role
    # The buyer home page names only sharing factories as links; the report titles of others never appear.
    home = clients["b_no_consent"].get("/buyer/").get_data(as_text=True)
    assert "Ask to share" in home and 'href="/buyer/factories/' not in home
    page = clients["b_consent"].get(f"/buyer/factories/{world['factories']['a']}").get_data(as_text=True)
    links = {key for key, rid in world["reports"].items() if f'href="/buyer/reports/{rid}"' in page}
    assert links == {n for n in SEES_REPORTS["b_consent"] if n.startswith("a")}
    assert names["b"] not in clients["b_consent"].get("/buyer/").get_data(as_text=True)


def test_report_json_carries_scores_and_a_download_is_audited(app, world):
    clients, tokens = clients_and_tokens(app, world)
    rid = world["reports"]["a_released"]
    body = clients["b_consent"].get(f"/api/v1/reports/{rid}",
                                    headers={"Authorization": f"Bearer {tokens['b_consent']}"}).get_json()
    # The programme's cluster is named as the catalog names it (English: no Accept-Language asked otherwise).
    assert body["scores"]["clusters"]["osh"] == {"label": "Occupational safety and health", "rate": 0.75}
    pdf = clients["b_consent"].get(f"/buyer/reports/{rid}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    events = db.session.query(AuditEvent).filter_by(action="download", entity="report", entity_id=str(rid)).all()
    assert [e.user_id for e in events] == [world["users"]["b_consent"].id]
    missing = clients["b_consent"].get("/api/v1/reports/999999", headers={"Authorization": f"Bearer {tokens['b_consent']}"})
    assert missing.status_code == 404 and missing.get_json() == {"message": "Not found."}


def test_withdrawal_takes_effect_on_the_next_request(app, world):
    clients, tokens = clients_and_tokens(app, world)
    buyer, factory_user = clients["b_consent"], clients["f_a"]
    rid, fid = world["reports"]["a_released"], world["factories"]["a"]
    headers = {"Authorization": f"Bearer {tokens['b_consent']}"}
    assert buyer.get(f"/buyer/reports/{rid}").status_code == 200
    assert buyer.get(f"/api/v1/reports/{rid}", headers=headers).status_code == 200
    page = factory_user.get("/factory/").get_data(as_text=True)
    assert "Withdraw consent" in page
    from .factories import csrf_from
    import re
    action = re.search(r'action="(/factory/consent/\d+/withdraw)"', page).group(1)
    assert factory_user.post(action, data={"csrf_token": csrf_from(page)}).status_code == 302
    assert buyer.get(f"/buyer/reports/{rid}").status_code == 404
    assert buyer.get(f"/buyer/reports/{rid}.pdf").status_code == 404
    assert buyer.get(f"/buyer/factories/{fid}").status_code == 404
    assert buyer.get(f"/api/v1/reports/{rid}", headers=headers).status_code == 404
    assert db.session.query(AuditEvent).filter_by(action="consent").count() == 1
    # Granting again restores it, also at once.
    page = factory_user.get("/factory/").get_data(as_text=True)
    action = re.search(r'action="(/factory/consent/\d+/grant)"', page).group(1)
    factory_user.post(action, data={"csrf_token": csrf_from(page)})
    assert buyer.get(f"/buyer/reports/{rid}").status_code == 200


def test_api_factory_urls_open_the_factory(app, world):
    clients, tokens = clients_and_tokens(app, world)
    headers = {"Authorization": f"Bearer {tokens['staff']}"}
    listed = clients["staff"].get("/api/v1/factories?limit=1&offset=1", headers=headers).get_json()
    assert [f["id"] for f in listed["factories"]] == [world["factories"]["b"]]
    for factory in clients["staff"].get("/api/v1/factories", headers=headers).get_json()["factories"]:
        assert factory["url"] == f"/api/v1/factories/{factory['id']}"
        assert clients["staff"].get(factory["url"], headers=headers).get_json()["name"] == factory["name"]


# Attachments (evidence files of an assessment's answers) go with the cycle's assessment report: staff and the
# factory's own users always; a buyer only where it may read that report (sourcing, consent, released).
SEES_ATTACHMENTS = {
    "b_consent": {"a_released"},
    "b_no_consent": set(),  # no consent
    "b_not_sourcing": {"b_released"},  # does not source from Alpha
    "f_a": {"a_released", "a_before_release"},
    "f_b": {"b_released"},
    "staff": {"a_released", "a_before_release", "b_released"},
    "anonymous": set(),
}


def test_every_role_every_attachment(app, world):
    from bwadmin.models import Cycle, Factory

    from .evidence_helpers import GOOD, attach
    from .questionnaire_samples import load_sample

    load_sample(kind="assessment")
    alpha, beta = db.session.get(Factory, world["factories"]["a"]), db.session.get(Factory, world["factories"]["b"])
    ca, cb = (db.session.query(Cycle).filter_by(factory_id=f.id).one() for f in (alpha, beta))
    later = make_cycle(alpha, days_in=20)  # Alpha's next cycle: its assessment report is not released yet
    make_report(later, "assessment", released=False)
    files = {"a_released": attach(ca, GOOD["photo.jpg"](), "photo.jpg"),
             "a_before_release": attach(later, GOOD["payroll.pdf"](), "payroll.pdf"),
             "b_released": attach(cb, GOOD["hours.csv"](), "hours.csv")}
    db.session.commit()
    clients, _ = clients_and_tokens(app, world)
    cells = []
    for role in ROLES:
        for name, attachment in files.items():
            expected = 200 if name in SEES_ATTACHMENTS[role] else 404
            cells.append((role, name, expected, clients[role].get(f"/attachments/{attachment.id}").status_code))
        cells.append((role, "missing", 404, clients[role].get("/attachments/999999").status_code))
    wrong = [cell for cell in cells if cell[2] != cell[3]]
    assert not wrong, "\n".join(f"{role} {name}: expected {exp}, got {got}" for role, name, exp, got in wrong)
    opened = clients["b_consent"].get(f"/attachments/{files['a_released'].id}")
    assert opened.mimetype == "image/jpeg" and opened.data == GOOD["photo.jpg"]()
    assert opened.headers["X-Content-Type-Options"] == "nosniff"

    # Consent withdrawn: the buyer's file is gone with the report, on the next request.
    from bwadmin.models import Sourcing

    link = db.session.query(Sourcing).filter_by(factory_id=alpha.id, buyer_id=world["users"]["b_consent"].buyer_id).one()
    link.consent_withdrawn_at = utcnow()
    db.session.commit()
    assert clients["b_consent"].get(f"/attachments/{files['a_released'].id}").status_code == 404
