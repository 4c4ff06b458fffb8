"""Question banks per country: which version a cycle answers, thresholds read by the questions and kept by each
response, what publishing refuses, the panel's copy-edit-publish path, and the self-vs-assessment gap over mapped
questions."""
import json
import re

import pytest

from bwadmin.extensions import db
from bwadmin.models import Questionnaire
from bwadmin.services import questionnaires as bank, responses, scoring
from forms.questionnaire import form_for

from .factories import csrf_from, login, make_cycle, make_factory, make_user
from .questionnaire_samples import ids, load_sample, q, sample
from .test_questionnaire_bank import admin_post

AGE_QUESTION = {"en": "Are there workers under {minimum_age}?",
                "es": "¿Hay trabajadores menores de {minimum_age} años?"}
AGE = {"value": 15, "unit": "years", "source": "Sample Labour Law, art. 1"}


def age_bank(age: int = 15, country: str | None = None, publish: bool = True, kind: str = "assessment"):
    """A sample bank whose first finding question reads the minimum age."""
    data = sample(kind=kind, country=country, thresholds={"minimum_age": AGE | {"value": age}})
    data["questions"][5]["text"] = dict(AGE_QUESTION)
    return bank.load(data, publish_now=publish)


def answer(response, questionnaire, **by_code):
    by_id = ids(questionnaire)
    responses.save_draft(response, {by_id[code.replace("_", ".")]: value for code, value in by_code.items()})


def shown_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- which version a cycle answers ---------------------------------------------------------------------------
def test_a_cycle_answers_its_countrys_newest_published_version_else_the_global_one(app):
    global_bank = age_bank(15)
    cambodia = age_bank(15, country="Cambodia")
    draft = age_bank(18, country="Cambodia", publish=False)  # not published: answered by nobody
    newer_global = age_bank(16)  # a newer global template does not displace a country's own version

    in_cambodia = make_cycle(make_factory(country="  cambodia "))  # named as factories name it, any case
    in_peru = make_cycle(make_factory(country="Peru"))
    assert responses.response_for(in_cambodia, "assessment").questionnaire_id == cambodia.id
    assert responses.response_for(in_peru, "assessment").questionnaire_id == newer_global.id
    assert (cambodia.version, draft.version, newer_global.version) == (1, 2, 2)  # numbered per country
    assert global_bank.id != newer_global.id

    # The self-diagnosis chooses the same way: no Cambodian self-diagnosis, so the global one.
    global_self = age_bank(15, kind="self_diagnosis")
    assert responses.response_for(in_cambodia, "self_diagnosis").questionnaire_id == global_self.id
    bank.publish(draft)
    assert responses.response_for(make_cycle(make_factory(country="Cambodia")), "assessment").questionnaire_id \
        == draft.id


def test_the_shipped_country_versions_read_their_own_law(app):
    bank.ensure_default_questionnaires(("assessment",))
    for name in ("bangladesh", "jordan"):
        bank.load(bank.COUNTRY_DIR / f"{name}.json", publish_now=True)
    db.session.commit()
    expectations = {"Bangladesh": ("14", "Bangladesh Labour Act 2006"), "Jordan": ("16", "Jordan Labour Law"),
                    "Peru": ("15", "ILO Minimum Age Convention")}
    for country, (age, law) in expectations.items():
        response = responses.response_for(make_cycle(make_factory(country=country)), "assessment")
        form = form_for(response, "en")
        question = next(m for m in form.questions if m.code == "CL.CHL.01")
        assert question.text == f"Are there any workers under the minimum working age of {age}?"
        assert response.thresholds["minimum_age"]["value"] == int(age)
        cited = next(x for x in response.questionnaire.questions if x.code == "CL.CHL.01").legal_reference
        assert cited["law"].startswith(law), cited


def test_every_shipped_country_file_publishes_with_cited_thresholds():
    points = json.loads((bank.DATA_DIR / "assessment.json").read_text())["compliance_points"]
    for path in bank.shipped_country_files():
        data = json.loads(path.read_text())
        whole = bank.read(path)
        assert bank.check(whole) == [], path.name
        assert set(points) <= set(data["legal_references"]), f"{path.name} leaves compliance points uncited"
        for name, entry in data["thresholds"].items():
            assert entry.get("source"), f"{path.name}: {name} has no legal source"
            assert entry.get("value") is not None or entry.get("to_confirm"), f"{path.name}: {name}"
    countries = {json.loads(p.read_text())["country"] for p in bank.shipped_country_files()}
    assert countries == {"Bangladesh", "Cambodia", "Vietnam", "Indonesia", "Jordan"}


def test_the_global_template_covers_every_compliance_point_with_cited_checks():
    data = json.loads((bank.DATA_DIR / "assessment.json").read_text())
    questions = data["questions"]
    assert 240 <= len(questions) <= 260
    per_point = {}
    for question in questions:
        if question["noncompliant_answer"]:
            per_point[question["compliance_point"]] = per_point.get(question["compliance_point"], 0) + 1
            assert question["legal_reference"]["law"], question["code"]
    assert set(per_point) == set(data["compliance_points"])
    for thin in ("strikes", "prison_labour", "unconditional_worst_forms"):
        assert per_point[thin] >= 6, thin
    assert len({q["code"] for q in questions}) == len(questions)


# --- thresholds in the text, kept by each response ----------------------------------------------------------------
def test_thresholds_are_read_where_a_question_is_shown(app, client):
    questionnaire = age_bank(14, kind="self_diagnosis")
    factory = make_factory(country="Bangladesh")
    cycle = make_cycle(factory)
    response = responses.response_for(cycle, "self_diagnosis")
    answer(response, questionnaire, CL_01="yes")
    user = make_user("factory", factory=factory)
    login(client, user)
    page = shown_text(client.get(f"/factory/cycles/{cycle.id}/self-diagnosis").get_data(as_text=True))
    assert "Are there workers under 14?" in page and "{minimum_age}" not in page
    # A finding says it with the same figure (reports and the need made from it read it).
    finding = next(f for f in scoring.score(response)["findings"] if f["code"] == "CL.01")
    assert finding["text"] == "Are there workers under 14?"
    assert questionnaire.questions[5].text_in("es") == "¿Hay trabajadores menores de 14 años?"


def test_thresholds_are_read_in_the_admin_entry_and_question_list(app, client):
    questionnaire = age_bank(16)
    cycle = make_cycle(make_factory(country="Jordan"))
    login(client, make_user("admin"))
    entry = shown_text(client.get(f"/admin/assessment-entry/{cycle.id}").get_data(as_text=True))
    assert "Are there workers under 16?" in entry
    assert "Law: Sample Labour Law, art. CL.01" in entry  # what the assessor checks it against
    listed = shown_text(client.get("/admin/question/").get_data(as_text=True))
    assert "Are there workers under 16?" in listed and "Sample Labour Law, art. CL.01" in listed


def test_a_response_keeps_the_thresholds_it_was_answered_with(app):
    first = age_bank(14, country="Bangladesh")
    old_cycle = make_cycle(make_factory(country="Bangladesh"))
    old = responses.response_for(old_cycle, "assessment")
    answer(old, first, CL_01="yes")
    db.session.commit()

    # The law changes: staff copy the version, raise the age, publish. New cycles read 15; the old response 14.
    second = bank.new_version(first)
    second.thresholds = {"minimum_age": AGE | {"value": 15}}
    bank.publish(second)
    db.session.commit()
    new = responses.response_for(make_cycle(make_factory(country="Bangladesh")), "assessment")
    assert new.questionnaire_id == second.id and new.thresholds["minimum_age"]["value"] == 15

    db.session.expire_all()
    old = db.session.get(type(old), old.id)
    assert old.questionnaire_id == first.id and old.thresholds["minimum_age"]["value"] == 14
    assert next(m.text for m in form_for(old, "en").questions if m.code == "CL.01") == "Are there workers under 14?"
    assert next(m.text for m in form_for(new, "en").questions if m.code == "CL.01") == "Are there workers under 15?"
    assert scoring.score(old)["findings"][0]["text"] == "Are there workers under 14?"


def test_a_response_reads_its_own_copy_even_where_it_differs_from_its_version(app):
    """The copy, not the version, is what a response reads: a response started on figures since corrected in
    place (a database restored from before a fix, say) still reads as it was answered."""
    questionnaire = age_bank(15)
    response = responses.response_for(make_cycle(), "assessment")
    response.thresholds = {"minimum_age": AGE | {"value": 13}}
    answer(response, questionnaire, CL_01="yes")
    assert next(m.text for m in form_for(response, "en").questions if m.code == "CL.01") == \
        "Are there workers under 13?"
    assert scoring.score(response)["findings"][0]["text"] == "Are there workers under 13?"


# --- publishing refuses what is missing -------------------------------------------------------------------------
@pytest.mark.parametrize("gap, message", [
    ("translation", "no text in es for CL.02"),
    ("legal_reference", "no legal reference for WT.01"),
    ("threshold", "the threshold minimum_age, which CL.01 read, has no value in this version"),
])
def test_publishing_is_refused_naming_what_is_missing(app, gap, message):
    draft = age_bank(15, publish=False)
    by_code = {question.code: question for question in draft.questions}
    if gap == "translation":
        by_code["CL.02"].text = {"en": "Question CL.02?"}
    elif gap == "legal_reference":
        by_code["WT.01"].legal_reference = None
    else:
        draft.thresholds = {}
    db.session.flush()
    with pytest.raises(bank.QuestionnaireError) as refused:
        bank.publish(draft)
    assert message in str(refused.value)
    assert not draft.published


def test_a_version_with_nothing_missing_publishes(app):
    draft = age_bank(15, publish=False)
    assert bank.publish_problems(draft) == []
    assert bank.publish(draft).published


# --- the panel: copy to a country, edit, publish -------------------------------------------------------------------
def test_staff_copy_a_version_to_a_country_edit_it_and_publish_it(app, client):
    global_bank = age_bank(15)
    make_factory(country="Cambodia")
    login(client, make_user("admin"))
    copy_url = f"/admin/questionnaire/copy/?id={global_bank.id}"
    page = client.get(copy_url).get_data(as_text=True)
    assert '<option value="Cambodia">' in page
    refused = admin_post(client, copy_url, {"country": "x" * 81})
    assert "A country is a name of up to 80 characters." in refused.get_data(as_text=True)
    made = admin_post(client, copy_url, {"country": "Cambodia"})
    assert made.status_code == 302 and "/admin/questionnaire/edit/" in made.headers["Location"]
    draft = db.session.scalars(db.select(Questionnaire).where(Questionnaire.country == "Cambodia")).one()
    assert (draft.version, draft.published, len(draft.questions)) == (1, False, len(global_bank.questions))

    # The thresholds are edited on the version's form; a shape the text cannot read is refused beside the field.
    form = {"kind": "assessment", "country": "Cambodia", "version": "1",
            "title": json.dumps(draft.title), "languages": '["en", "es"]'}
    bad = admin_post(client, f"/admin/questionnaire/edit/?id={draft.id}", form | {"thresholds": '{"minimum_age": 15}'})
    assert "Write the thresholds as an object of objects" in bad.get_data(as_text=True)
    cited = {"minimum_age": {"value": 15, "unit": "years", "source": "Cambodia Labour Law 1997, art.177"}}
    saved = admin_post(client, f"/admin/questionnaire/edit/?id={draft.id}", form | {"thresholds": json.dumps(cited)})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Questionnaire, draft.id).thresholds == cited

    # A question without its legal reference: publishing is refused and says which.
    question = next(x for x in db.session.get(Questionnaire, draft.id).questions if x.code == "WT.02")
    question.legal_reference = None
    db.session.commit()
    token = csrf_from(client.get("/admin/questionnaire/"))
    page = client.post("/admin/questionnaire/action/", data={"action": "publish", "rowid": draft.id,
                                                            "csrf_token": token}, follow_redirects=True)
    assert "no legal reference for WT.02" in page.get_data(as_text=True)
    assert not db.session.get(Questionnaire, draft.id).published

    # Staff give it on the question's form, then publish: Cambodian cycles answer the new version.
    edited = admin_post(client, f"/admin/question/edit/?id={question.id}", {
        "questionnaire": draft.id, "position": question.position, "code": "WT.02", "cluster": "working_time",
        "compliance_point": "overtime", "type": "yes_no", "text": json.dumps(question.text), "required": "y",
        "noncompliant_answer": "yes", "legal_reference": '{"law": "Cambodia Labour Law 1997", "article": "art.139"}'})
    assert edited.status_code == 302, edited.get_data(as_text=True)[:2000]
    token = csrf_from(client.get("/admin/questionnaire/"))
    client.post("/admin/questionnaire/action/", data={"action": "publish", "rowid": draft.id, "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Questionnaire, draft.id).published
    assert bank.bank_for("assessment", "Cambodia").id == draft.id
    assert bank.bank_for("assessment", "Vietnam").id == global_bank.id


# --- the self-diagnosis against the assessment ---------------------------------------------------------------------
def test_the_gap_compares_each_self_diagnosis_question_with_the_assessment_questions_it_anticipates(app, client):
    # The assessment's codes differ from the self-diagnosis's: only the mapping pairs them.
    assessed_bank = bank.load(sample(kind="assessment", questions=[
        q("A.CL.1", "child_labourers", noncompliant="yes"), q("A.CL.2", "child_labourers", noncompliant="no"),
        q("A.WT.1", "overtime", noncompliant="no"), q("A.WT.2", "overtime", noncompliant="yes")]), publish_now=True)
    self_bank = bank.load(sample(questions=[
        q("S.CL.1", "child_labourers", noncompliant="yes", anticipates=["A.CL.1", "A.CL.2"]),
        q("S.WT.1", "overtime", noncompliant="no", anticipates=["A.WT.1"]),
        q("S.WT.2", "overtime", noncompliant="no", anticipates=["A.WT.2"]),
        q("S.WT.3", "overtime", noncompliant="no")]), publish_now=True)  # maps nothing: never compared
    cycle = make_cycle()
    own = responses.response_for(cycle, "self_diagnosis")
    assessed = responses.response_for(cycle, "assessment")
    answer(own, self_bank, S_CL_1="no", S_WT_1="yes", S_WT_2="no", S_WT_3="no")
    answer(assessed, assessed_bank, A_CL_1="no", A_CL_2="no", A_WT_1="yes", A_WT_2="no")

    pairs = scoring.gap_pairs(own, assessed)
    assert [(p["code"], p["assessed"], p["self_noncompliant"], p["assessed_noncompliant"]) for p in pairs] == [
        ("S.CL.1", ["A.CL.1", "A.CL.2"], False, True),  # A.CL.2 "no" is a non-compliance the factory did not report
        ("S.WT.1", ["A.WT.1"], False, False),
        ("S.WT.2", ["A.WT.2"], True, False),
    ]
    assert scoring.gap(own, assessed) == {
        "child_labourers": {"label": "Child labourers", "questions": 1, "self_rate": 0.0, "assessed_rate": 1.0,
                            "gap": 1.0},
        "overtime": {"label": "Overtime", "questions": 2, "self_rate": 0.5, "assessed_rate": 0.0, "gap": -0.5},
    }

    responses.submit(own, None)
    responses.submit(assessed, None)
    db.session.commit()
    login(client, make_user("admin"))
    page = shown_text(client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True))
    assert "2 questions where the self-diagnosis and the assessment disagree" in page
    assert "S.CL.1 → A.CL.1, A.CL.2" in page and "S.WT.1 →" not in page


def test_the_shipped_self_diagnosis_maps_to_assessment_questions_of_the_same_compliance_point():
    assessment = {x["code"]: x for x in json.loads((bank.DATA_DIR / "assessment.json").read_text())["questions"]}
    self_diagnosis = json.loads((bank.DATA_DIR / "self_diagnosis.json").read_text())["questions"]
    mapped = 0
    for question in self_diagnosis:
        for code in question.get("anticipates") or []:
            assert assessment[code]["compliance_point"] == question["compliance_point"], question["code"]
            assert assessment[code]["noncompliant_answer"], code
        mapped += bool(question.get("anticipates"))
    scorable = [x for x in self_diagnosis if x["noncompliant_answer"] and x["compliance_point"] in
                {a["compliance_point"] for a in assessment.values()}]
    assert mapped == len(scorable)


def test_cli_loads_the_shipped_country_versions_once(app, runner):
    bank.ensure_default_questionnaires(("assessment",))
    result = runner.invoke(args=["questionnaires", "countries"])
    assert result.exit_code == 0, result.output
    assert "Loaded and published Compliance assessment: Jordan v1, 251 questions." in result.output
    assert {q.country for q in Questionnaire.query.filter(Questionnaire.country.is_not(None))} == {
        "Bangladesh", "Cambodia", "Vietnam", "Indonesia", "Jordan"}
    assert "Every shipped country has a version already." in runner.invoke(args=["questionnaires", "countries"]).output
