"""The question bank: loading, publishing, exporting, and published versions that never change."""
import json

from bwadmin.extensions import db
from bwadmin.models import CLUSTER_LABELS, Question, Questionnaire
from bwadmin.services import questionnaires as bank, responses

from .factories import login, make_cycle, make_user
from .questionnaire_samples import field, load_sample, sample


def test_shipped_files_load_and_export_to_the_same_content(app):
    loaded = bank.ensure_default_questionnaires()
    assert sorted(q.kind for q in loaded) == ["assessment", "committee_review", "self_diagnosis"]
    assert all(q.published for q in loaded)
    assert bank.ensure_default_questionnaires() == []  # once per kind
    for questionnaire in loaded:
        original = json.loads((bank.DATA_DIR / f"{questionnaire.kind}.json").read_text())
        exported = bank.export(questionnaire.id)
        assert exported["questions"] == [{"help": None, **q} for q in original["questions"]]
        assert exported["clusters"] == original["clusters"]
        assert exported["compliance_points"] == original["compliance_points"]
        assert list(exported["clusters"]) == list(original["clusters"])  # order kept


def test_the_portals_name_the_clusters_as_the_banks_do():
    """A report whose data carries no label still shows the bank's name of each cluster, "contracts_hr" included."""
    for kind in ("assessment", "self_diagnosis"):
        clusters = json.loads((bank.DATA_DIR / f"{kind}.json").read_text())["clusters"]
        scored = {key: names["en"] for key, names in clusters.items() if key != "facility_profile"}
        assert scored == CLUSTER_LABELS


def test_cli_load_publish_and_export(app, runner, tmp_path):
    source = tmp_path / "sample.json"
    source.write_text(json.dumps(sample()))
    result = runner.invoke(args=["questionnaires", "load", str(source), "--publish"])
    assert result.exit_code == 0, result.output
    assert "Loaded self_diagnosis version 1" in result.output and "published" in result.output
    result = runner.invoke(args=["questionnaires", "load", str(source)])
    assert "version 2" in result.output and "unpublished" in result.output
    newest = db.session.query(Questionnaire).filter_by(version=2).one()
    out = tmp_path / "out.json"
    result = runner.invoke(args=["questionnaires", "export", str(newest.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text())
    assert exported["version"] == 2 and [q["code"] for q in exported["questions"]] == [q["code"] for q in sample()["questions"]]
    assert runner.invoke(args=["questionnaires", "publish", str(newest.id)]).exit_code == 0
    assert bank.latest_published("self_diagnosis").version == 2


def test_cli_explains_a_bad_file(app, runner, tmp_path):
    bad = sample()
    bad["questions"][3]["show_if"] = {"question": "NOPE", "equals": "yes"}
    bad["questions"][0]["type"] = "essay"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = runner.invoke(args=["questionnaires", "load", str(path)])
    assert result.exit_code != 0
    assert "question FP.01 has an unknown type 'essay'" in result.output
    assert "question FP.04: show_if must name an earlier question" in result.output
    path.write_text("{not json")
    assert "not valid JSON" in runner.invoke(args=["questionnaires", "load", str(path)]).output
    assert "no questionnaire with id 999" in runner.invoke(args=["questionnaires", "export", "999"]).output
    assert Questionnaire.query.count() == 0


def test_new_version_copies_and_responses_stay_bound(app):
    first = load_sample()
    cycle = make_cycle()
    response = responses.response_for(cycle, "self_diagnosis")
    copy = bank.new_version(first)
    assert (copy.version, copy.published) == (2, False)
    assert bank.export_data(copy)["questions"] == bank.export_data(first)["questions"]
    copy.questions[0].text = {"en": "Changed", "es": "Cambiada"}
    bank.publish(copy)
    db.session.commit()
    assert response.questionnaire_id == first.id
    assert first.questions[0].text["en"] == "Question FP.01?"
    # A new cycle answers the newest published version.
    assert responses.response_for(make_cycle(), "self_diagnosis").questionnaire_id == copy.id


def admin_post(client, url, data, page_url=None, **kw):
    """Post like a browser: an admin form carries two csrf_token inputs (Flask-WTF's and the form's own)."""
    import re

    from werkzeug.datastructures import MultiDict

    page = client.get(page_url or url).get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page) + re.findall(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    form = MultiDict([("csrf_token", t) for t in dict.fromkeys(tokens)])
    for key, value in data.items():
        form.add(key, value)
    return client.post(url, data=form, **kw)


def test_admin_refuses_to_edit_a_published_versions_questions(app, client):
    questionnaire = load_sample()
    question = questionnaire.questions[5]
    login(client, make_user("admin"))
    url = f"/admin/question/edit/?id={question.id}"
    response = admin_post(client, url, {"questionnaire": questionnaire.id, "position": 6, "code": "CL.01",
                                       "cluster": "child_labour", "compliance_point": "child_labourers",
                                       "type": "yes_no", "text": '{"en": "Edited?"}', "required": "y"},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "is published and never changes" in html and "New version" in html
    db.session.expire_all()
    assert db.session.get(Question, question.id).text["en"] == "Question CL.01?"
    # Adding a question to it or deleting one is refused too.
    response = admin_post(client, "/admin/question/new/", {"questionnaire": questionnaire.id, "position": 99, "code": "NEW",
                                                          "cluster": "child_labour", "compliance_point": "child_labourers",
                                                          "type": "yes_no", "text": '{"en": "New?"}'}, follow_redirects=True)
    assert "is published and never changes" in response.get_data(as_text=True)
    response = admin_post(client, "/admin/question/delete/", {"id": question.id}, page_url="/admin/question/",
                          follow_redirects=True)
    assert "is published and never changes" in response.get_data(as_text=True)
    assert Question.query.count() == len(sample()["questions"])


def test_admin_new_version_action_then_edit_the_copy(app, client):
    questionnaire = load_sample()
    login(client, make_user("admin"))
    from .factories import csrf_from

    token = csrf_from(client.get("/admin/questionnaire/"))
    response = client.post("/admin/questionnaire/action/", data={"action": "new_version", "rowid": questionnaire.id,
                                                                 "csrf_token": token}, follow_redirects=True)
    assert "Made Sample self-diagnosis v2" in response.get_data(as_text=True)
    copy = Questionnaire.query.filter_by(version=2).one()
    question = copy.questions[5]
    response = admin_post(client, f"/admin/question/edit/?id={question.id}",
                         {"questionnaire": copy.id, "position": 6, "code": "CL.01", "cluster": "child_labour",
                          "compliance_point": "child_labourers", "type": "yes_no", "text": '{"en": "Edited?", "es": "¿Editada?"}',
                          "required": "y", "noncompliant_answer": "yes"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Question, question.id).text == {"en": "Edited?", "es": "¿Editada?"}
    token = csrf_from(client.get("/admin/questionnaire/"))
    client.post("/admin/questionnaire/action/", data={"action": "publish", "rowid": copy.id, "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Questionnaire, copy.id).published


def test_form_class_is_built_once_per_version_and_language(app):
    from forms.questionnaire import form_class_for

    questionnaire = load_sample()
    assert form_class_for(questionnaire, "en") is form_class_for(questionnaire, "en")
    assert form_class_for(questionnaire, "es") is not form_class_for(questionnaire, "en")
    assert form_class_for(questionnaire, "fr") is form_class_for(questionnaire, "en")
    draft = load_sample(publish=False)
    assert form_class_for(draft, "en") is not form_class_for(draft, "en")  # may still change
    assert field(questionnaire, "CL.01") in form_class_for(questionnaire, "en")()._fields


def _without(data: dict, languages: tuple[str, ...]) -> dict:
    """The data file as it was before `languages` were written into it."""
    def strip(node):
        if isinstance(node, dict):
            wording = isinstance(node.get("en"), str)
            return {k: strip(v) for k, v in node.items() if not (wording and k in languages)}
        return [strip(v) for v in node] if isinstance(node, list) else node
    stripped = strip(data)
    stripped["languages"] = [language for language in data["languages"] if language not in languages]
    return stripped


def test_a_published_version_takes_new_translations_and_nothing_else(app, runner, tmp_path):
    shipped = json.loads((bank.DATA_DIR / "committee_review.json").read_text())
    older = bank.load(_without(shipped, ("vi", "ar")), publish_now=True)
    question = older.questions[0]
    db.session.commit()
    assert older.languages == [l for l in shipped["languages"] if l not in ("vi", "ar")]
    assert "vi" not in question.text

    # A translator's file that also changes what a question asks in English, or its scoring, changes nothing.
    for tamper in ("text", "noncompliant_answer"):
        edited = json.loads(json.dumps(shipped))
        edited["questions"][0][tamper] = ({**edited["questions"][0]["text"], "en": "Something else?"}
                                          if tamper == "text" else "yes")
        assert bank.update_wording(edited) == []
    assert "vi" not in db.session.get(Questionnaire, older.id).questions[0].text

    source = tmp_path / "committee_review.json"
    source.write_text(json.dumps(shipped, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["questionnaires", "wording", str(source)])
    assert result.exit_code == 0 and "Updated the wording" in result.output, result.output
    db.session.expire_all()
    older = db.session.get(Questionnaire, older.id)
    assert older.published and older.languages == shipped["languages"]
    assert older.questions[0].text_in("vi") == shipped["questions"][0]["text"]["vi"]
    assert older.questions[0].text_in("ar") == shipped["questions"][0]["text"]["ar"]
    assert "Nothing needed" not in result.output
    again = runner.invoke(args=["questionnaires", "wording", str(source)])
    assert "No version needed its wording updated." in again.output
