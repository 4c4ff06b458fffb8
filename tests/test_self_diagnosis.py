"""The factory fills its self-diagnosis online: every question type, skip rules, drafts, submitting,
autosave, an expired session, and who may see what."""
import re

import pytest

from bwadmin.extensions import db
from bwadmin.models import Answer, Response
from bwadmin.services import responses

from .factories import csrf_from, login, make_cycle, make_factory, make_user
from .questionnaire_samples import field, full_answers, ids, load_sample


@pytest.fixture
def setup(app, client):
    questionnaire = load_sample()
    factory = make_factory("Mekong Apparel")
    cycle = make_cycle(factory)
    user = make_user("factory", factory=factory, name="Lan")
    login(client, user)
    return questionnaire, cycle, user


def end_session(client):
    """The session cookie is gone, as when it expires. (The tests share one app context, hence one `g`,
    across requests: forget the user and the CSRF token cached there.)"""
    from flask import g

    client.delete_cookie("session")
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def url(cycle):
    return f"/factory/cycles/{cycle.id}/self-diagnosis"


def post(client, cycle, data, action="save"):
    page = client.get(url(cycle))
    token = csrf_from(page)
    draft = re.search(r'name="draft_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(url(cycle), data={"csrf_token": token, "draft_token": draft, "action": action, **data})


def stored(questionnaire, cycle):
    db.session.expire_all()
    response = responses.find(cycle.id, "self_diagnosis")
    by_id = {v: k for k, v in ids(questionnaire).items()}
    return {by_id[a.question_id]: (a.value, a.raw_input) for a in response.answers}


def error_beside(html, questionnaire, code):
    match = re.search(rf'id="error-{field(questionnaire, code)}" role="alert">([^<]*)<', html)
    return match.group(1).strip() if match else None


def test_page_shows_sections_progress_and_committee_highlight(setup, client):
    questionnaire, cycle, _ = setup
    html = client.get(url(cycle)).get_data(as_text=True)
    for label in ("Facility profile", "Child labour", "Working time", "General information", "Young workers"):
        assert label in html
    assert 'id="progress-bar"' in html and "Answered <span id=\"progress-answered\">0</span>" in html
    committee = re.search(rf'<div class="question[^"]*committee[^"]*" id="wrap-{field(questionnaire, "CL.02")}"', html)
    assert committee and "For the committee" in html
    assert 'value="na"' in html  # CL.02 allows "not applicable"


@pytest.mark.parametrize("code, good, stored_value", [
    ("CL.01", "yes", "yes"),
    ("CL.02", "na", "na"),
    ("FP.03", "foreign", "foreign"),
    ("FP.04", ["committee"], ["committee"]),
    ("FP.02", "1200", 1200),
    ("FP.02", "12.5", 12.5),
    ("FP.05", "Knitting and sewing", "Knitting and sewing"),
    ("FP.01", "2026-02-28", "2026-02-28"),
])
def test_every_type_stores_good_input(setup, client, code, good, stored_value):
    questionnaire, cycle, _ = setup
    response = post(client, cycle, {field(questionnaire, code): good})
    assert response.status_code == 302
    assert stored(questionnaire, cycle)[code] == (stored_value, None)


@pytest.mark.parametrize("code, bad, message, kept_raw", [
    ("CL.01", "maybe", "Choose one of the options shown.", None),
    ("CL.01", "na", "Choose one of the options shown.", None),  # no "not applicable" on this question
    ("FP.03", "martian", "Choose one of the options shown.", None),
    ("FP.04", ["union", "cartel"], "Choose only among the options shown.", None),
    ("FP.02", "lots", "Enter a number, for example 120.", "lots"),
    ("FP.02", "0", "Enter a number between 1 and 5000.", "0"),
    ("FP.02", "9000", "Enter a number between 1 and 5000.", "9000"),
    ("FP.01", "31/02/2026", "Enter a date as YYYY-MM-DD, for example 2026-03-31.", "31/02/2026"),
    ("FP.01", "2026-02-30", "Enter a date as YYYY-MM-DD, for example 2026-03-31.", "2026-02-30"),
    ("FP.05", "x" * 5001, "Keep this answer under 5000 characters.", "x" * 5001),
])
def test_every_type_answers_bad_input_beside_the_field_and_keeps_the_rest(setup, client, code, bad, message, kept_raw):
    questionnaire, cycle, _ = setup
    response = post(client, cycle, {field(questionnaire, code): bad, field(questionnaire, "WT.01"): "yes"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_beside(html, questionnaire, code) == message
    answers = stored(questionnaire, cycle)
    assert answers["WT.01"] == ("yes", None)  # the valid answer beside it is saved
    if kept_raw is None:
        assert code not in answers
    else:
        assert answers[code] == (None, kept_raw)
        # Reloading shows what was typed, with its message, until it is corrected.
        again = client.get(url(cycle)).get_data(as_text=True)
        assert error_beside(again, questionnaire, code) == message
        assert kept_raw[:50] in again


def test_spanish_user_reads_spanish_texts_and_messages(app, client):
    questionnaire = load_sample()
    factory = make_factory()
    cycle = make_cycle(factory)
    login(client, make_user("factory", factory=factory, language="es"))
    html = post(client, cycle, {field(questionnaire, "FP.02"): "mucho"}).get_data(as_text=True)
    assert "¿Pregunta CL.01?" in html and "Trabajo infantil" in html and "No aplica" in html
    assert error_beside(html, questionnaire, "FP.02") == "Escriba un número, por ejemplo 120."


def test_show_if_hides_children_and_chains_and_skips_them_for_submit(setup, client):
    questionnaire, cycle, _ = setup
    child, grandchild = field(questionnaire, "CL.04"), field(questionnaire, "CL.05")
    html = client.get(url(cycle)).get_data(as_text=True)
    assert re.search(rf'id="wrap-{child}"[^>]*hidden', html) and re.search(rf'id="wrap-{grandchild}"[^>]*hidden', html)

    # Parent "yes": the child shows, the grandchild waits for the child's "yes".
    post(client, cycle, {field(questionnaire, "CL.03"): "yes"})
    html = client.get(url(cycle)).get_data(as_text=True)
    assert not re.search(rf'id="wrap-{child}"[^>]*hidden', html)
    assert re.search(rf'id="wrap-{grandchild}"[^>]*hidden', html)

    # A shown child is required: submitting without it is refused beside it.
    response = post(client, cycle, full_answers(questionnaire, **{"CL.03": "yes"}), action="submit")
    assert error_beside(response.get_data(as_text=True), questionnaire, "CL.04") == "This question needs an answer before you submit."

    # Child "yes" then parent "no": both hidden; their answers are kept but neither required nor scored.
    post(client, cycle, full_answers(questionnaire, **{"CL.03": "yes", "CL.04": "yes", "CL.05": "no"}))
    response = post(client, cycle, full_answers(questionnaire, **{"CL.03": "no", "CL.04": "yes"}), action="submit")
    assert response.status_code == 302
    r = responses.find(cycle.id, "self_diagnosis")
    assert r.status == "submitted"
    from bwadmin.services.scoring import score
    result = score(r)
    assert "CL.05" not in [f["code"] for f in result["findings"]]  # answered "no" (non-compliant) but hidden
    assert result["points"]["young_workers"]["questions"] == 0


def test_submit_needs_95_percent_of_shown_questions(setup, client):
    questionnaire, cycle, user = setup
    # 11 shown questions; WT.03 and FP.05 are optional. Leaving both out is 9/11 = 81%: refused.
    response = post(client, cycle, full_answers(questionnaire, **{"WT.03": None, "FP.05": None}), action="submit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Answer at least 95% of the questions shown before you submit: 9 of 11 (81%) are answered." in html
    assert responses.find(cycle.id, "self_diagnosis").status == "draft"
    # Answering them all passes; the response is stamped with who and when, and is read-only.
    response = post(client, cycle, full_answers(questionnaire), action="submit")
    assert response.status_code == 302
    r = responses.find(cycle.id, "self_diagnosis")
    assert r.status == "submitted" and r.submitted_by_id == user.id and r.submitted_at is not None
    html = client.get(url(cycle)).get_data(as_text=True)
    assert "<fieldset disabled>" in html and "Your results" in html and f"by {user.name}" in html
    late = post(client, cycle, {field(questionnaire, "WT.01"): "no"})
    assert late.status_code == 302
    assert "can no longer be changed" in client.get(url(cycle)).get_data(as_text=True)
    assert stored(questionnaire, cycle)["WT.01"] == ("yes", None)


def test_95_percent_rule_counts_shown_questions_only():
    from bwadmin.services.responses import Progress

    assert Progress(shown=20, answered=19).share >= 0.95
    assert Progress(shown=21, answered=19).share < 0.95


def test_submit_needs_the_facility_profile(setup, client):
    questionnaire, cycle, _ = setup
    data = full_answers(questionnaire)
    # Every profile question counts for a complete profile, the optional one too.
    data.pop(field(questionnaire, "FP.05"))
    response = post(client, cycle, data, action="submit")
    html = response.get_data(as_text=True)
    assert "Complete the facility profile before you submit." in html


def test_draft_survives_a_submit_with_errors_and_a_reload(setup, client):
    questionnaire, cycle, _ = setup
    data = full_answers(questionnaire, **{"FP.02": "many", "CL.02": None})
    response = post(client, cycle, data, action="submit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Your draft is saved. Correct the answers marked below" in html
    assert error_beside(html, questionnaire, "FP.02") == "Enter a number, for example 120."
    reloaded = client.get(url(cycle)).get_data(as_text=True)
    assert 'value="many"' in reloaded
    assert error_beside(reloaded, questionnaire, "FP.02") == "Enter a number, for example 120."
    assert re.search(rf'name="{field(questionnaire, "WT.01")}"[^>]*value="yes" checked', reloaded)
    answers = stored(questionnaire, cycle)
    assert answers["FP.04"] == (["union", "committee"], None) and answers["FP.01"] == ("2026-03-02", None)
    assert responses.find(cycle.id, "self_diagnosis").status == "draft"
    # A raw answer still waiting for correction blocks the submit, even with the rest complete.
    response = post(client, cycle, {**full_answers(questionnaire), field(questionnaire, "FP.02"): "many"}, action="submit")
    assert responses.find(cycle.id, "self_diagnosis").status == "draft"


def test_another_factorys_cycle_and_response_are_404(setup, client):
    questionnaire, cycle, _ = setup
    other = make_cycle(make_factory("Other Garments"))
    responses.response_for(other, "self_diagnosis")
    db.session.commit()
    assert client.get(url(other)).status_code == 404
    token = csrf_from(client.get(url(cycle)))
    assert client.post(url(other), data={"csrf_token": token, field(questionnaire, "CL.01"): "yes"}).status_code == 404
    assert client.post(url(other) + "/autosave", data={"csrf_token": token}).status_code == 404
    assert client.get("/factory/cycles/999999/self-diagnosis").status_code == 404
    assert Answer.query.count() == 0
    listing = client.get("/factory/cycles/").get_data(as_text=True)
    assert url(cycle) in listing and url(other) not in listing


def test_cycle_for_factory_user_rule(app):
    from werkzeug.exceptions import NotFound

    from bwadmin.services.access import cycle_for_factory_user

    mine, theirs = make_cycle(), make_cycle()
    user = make_user("factory", factory=mine.factory)
    assert cycle_for_factory_user(user, mine.id) is mine
    for cycle_id in (theirs.id, 0):
        with pytest.raises(NotFound):
            cycle_for_factory_user(user, cycle_id)
    with pytest.raises(NotFound):
        cycle_for_factory_user(make_user("admin"), mine.id)


def test_staff_and_buyers_do_not_use_the_factory_page(app, client):
    load_sample()
    cycle = make_cycle()
    login(client, make_user("advisor"))
    assert client.get(url(cycle)).status_code == 404


def test_autosave_saves_valid_answers_and_reports_errors(setup, client):
    questionnaire, cycle, _ = setup
    token = csrf_from(client.get(url(cycle)))
    response = client.post(url(cycle) + "/autosave", data={field(questionnaire, "CL.01"): "no",
                                                          field(questionnaire, "FP.02"): "abc"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] is True
    assert body["errors"] == {field(questionnaire, "FP.02"): ["Enter a number, for example 120."]}
    assert body["progress"] == {"shown": 11, "answered": 1, "percent": 9}
    assert stored(questionnaire, cycle) == {"CL.01": ("no", None), "FP.02": (None, "abc")}
    # Without the CSRF token nothing is saved.
    refused = client.post(url(cycle) + "/autosave", data={field(questionnaire, "CL.01"): "yes"})
    assert refused.status_code == 400
    assert stored(questionnaire, cycle)["CL.01"] == ("no", None)


@pytest.mark.parametrize("typed", ["NaN", "inf", "-Infinity", "1e308"])
def test_a_number_answer_that_is_no_number_or_absurdly_large_is_refused_beside_it(setup, client, typed):
    questionnaire, cycle, _ = setup
    token = csrf_from(client.get(url(cycle)))
    response = client.post(url(cycle) + "/autosave", data={field(questionnaire, "FP.02"): typed},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json()["errors"] == {field(questionnaire, "FP.02"): ["Enter a number, for example 120."]}


def test_answers_posted_after_the_session_ended_are_restored_after_login(setup, client):
    questionnaire, cycle, user = setup
    page = client.get(url(cycle))
    draft = re.search(r'name="draft_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    # The session ends (here: the cookie is gone, as when it expires), the user keeps typing and saves.
    end_session(client)
    response = client.post(url(cycle), data={"draft_token": draft, "action": "save",
                                             field(questionnaire, "CL.01"): "no", field(questionnaire, "WT.02"): "yes"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    # An autosave from the logged-out page is stashed too.
    autosave = client.post(url(cycle) + "/autosave", data={"draft_token": draft, field(questionnaire, "WT.01"): "yes",
                                                           field(questionnaire, "CL.01"): "no", field(questionnaire, "WT.02"): "yes"})
    assert autosave.status_code == 401 and autosave.get_json()["kept"] is True
    assert responses.find(cycle.id, "self_diagnosis").answers == []
    # Logging in goes back to the page, which saves the stashed answers into the draft.
    login_page = client.get(response.headers["Location"])
    back = client.post(response.headers["Location"], data={"email": user.email, "password": "correct horse battery staple",
                                                           "csrf_token": csrf_from(login_page)})
    assert back.headers["Location"] == url(cycle)
    html = client.get(url(cycle)).get_data(as_text=True)
    assert "The answers you typed before your session ended were saved in your draft." in html
    assert stored(questionnaire, cycle) == {"CL.01": ("no", None), "WT.02": ("yes", None), "WT.01": ("yes", None)}
    # Taken once: a later visit does not apply it again.
    assert "before your session ended" not in client.get(url(cycle)).get_data(as_text=True)


def test_a_stash_without_a_valid_draft_token_is_refused(setup, client):
    questionnaire, cycle, user = setup
    end_session(client)
    client.post(url(cycle), data={"draft_token": "forged", field(questionnaire, "CL.01"): "yes"})
    login(client, user)
    client.get(url(cycle))
    assert Response.query.one().answers == []


def test_a_stash_is_restored_only_for_the_user_it_was_typed_by(setup, client):
    questionnaire, cycle, user = setup
    page = client.get(url(cycle))
    draft = re.search(r'name="draft_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    end_session(client)
    client.post(url(cycle), data={"draft_token": draft, field(questionnaire, "CL.01"): "yes"})
    colleague = make_user("factory", factory=cycle.factory)
    login(client, colleague)
    client.get(url(cycle))
    assert Response.query.one().answers == []


def test_a_factory_user_chooses_spanish_and_reads_the_questions_in_spanish(app, client):
    from bwadmin.services import questionnaires

    questionnaires.ensure_default_questionnaires(("self_diagnosis",))
    factory = make_factory()
    cycle = make_cycle(factory)
    user = make_user("factory", factory=factory)
    login(client, user)
    url = f"/factory/cycles/{cycle.id}/self-diagnosis"
    assert "Facility profile" in client.get(url).get_data(as_text=True)
    page = client.get(url)
    answer = client.post("/language", data={"language": "es", "next": url, "csrf_token": csrf_from(page)})
    assert answer.status_code == 302 and answer.headers["Location"] == url
    html = client.get(url).get_data(as_text=True)
    assert "Perfil de la fábrica" in html and "Facility profile" not in html
    assert db.session.get(type(user), user.id).language == "es"
    refused = client.post("/language", data={"language": "xx", "next": "https://evil.example/", "csrf_token": csrf_from(page)})
    assert refused.headers["Location"] == "/factory/" and db.session.get(type(user), user.id).language == "es"
