"""A released assessment travels: exported in the format bwadmin.assessment/1 (valid against its JSON Schema, served
by the API), to staff in the panel and to a buyer the access rule lets read the report; imported by another
instance with the same report, refused with the failing path when bad, and never over an assessment held here."""
from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import (Answer, Assessment, AssessmentImport, AuditEvent, Cycle, Factory, Milestone, Report,
                            Response)
from bwadmin.services import assessment_export, assessment_import

from .factories import PASSWORD, csrf_from, login, make_buyer, make_sourcing, make_user
from .portal_helpers import make_report
from .questionnaire_samples import load_sample
from .travel_helpers import empty_database, released_assessment


def token(client, user) -> dict:
    raw = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {raw}"}


def exported(report) -> dict:
    return assessment_export.build(report)


def raw(document) -> bytes:
    return json.dumps(document).encode()


def figures(report: Report) -> dict:
    return {"overall_rate": report.overall_rate, "cluster_rates": report.cluster_rates,
            "zero_tolerance_found": report.zero_tolerance_found, "assessed_on": report.assessed_on,
            "scores": report.data["scores"]["overall"],
            "findings": [f["code"] for f in report.data["scores"]["findings"]]}


def answers_of(report: Report) -> dict:
    response = db.session.scalar(select(Response).join(Assessment, Assessment.response_id == Response.id)
                                 .where(Assessment.cycle_id == report.cycle_id))
    return {a.question.code: (a.value, a.finding_statement, a.methods, a.notes)
            for a in db.session.scalars(select(Answer).where(Answer.response_id == response.id))}


def test_the_export_is_valid_against_the_schema_the_api_serves_and_says_what_was_assessed(app, client):
    report = released_assessment()
    served = client.get("/api/v1/schemas/assessment-1.json")
    assert served.status_code == 200 and served.mimetype == "application/schema+json"
    schema = served.get_json()
    Draft202012Validator.check_schema(schema)
    document = exported(report)
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    assert document["format"] == "bwadmin.assessment/1"
    assert document["factory"] == {"name": "Mekong Apparel", "country": "Vietnam", "city": "Ho Chi Minh City"}
    assert document["bank"]["kind"] == "assessment" and document["bank"]["version"] == 1
    cl02 = next(a for a in document["answers"] if a["code"] == "CL.02")
    assert cl02 == {"code": "CL.02", "type": "yes_no", "cluster": "child_labour", "compliance_point": "child_labourers",
                    "value": "no", "finding_statement": "No committee minutes for 2026.",
                    "methods": ["document_review", "management_interview"], "notes": "Asked for the minute book twice."}
    assert [f["code"] for f in document["findings"]] == ["CL.02", "WT.02"]
    [evidence] = document["evidence"]
    assert evidence["code"] == "CL.02" and evidence["name"] == "minutes.png" and evidence["type"] == "png"
    assert len(evidence["sha256"]) == 64 and evidence["size"] > 0 and "bytes" not in evidence
    assert document["signatures"]["assessors"] == ["Lan Tran", "Minh Sok"]
    assert [(r["reviewer"], r["decision"]) for r in document["signatures"]["reviews"]] == [("Reviewer", "approved")]
    assert exported(report)["id"] == document["id"]  # one release, one id: a second import can be told


def test_a_buyer_gets_the_export_only_of_a_report_the_access_rule_lets_it_see(app, client):
    report = released_assessment()
    sharing, other = make_buyer(), make_buyer()
    make_sourcing(sharing, report.cycle.factory)
    make_sourcing(other, report.cycle.factory, consent=False)
    reader, outsider = make_user("buyer", buyer=sharing), make_user("buyer", buyer=other)
    db.session.commit()
    url = f"/api/v1/reports/{report.id}/assessment.json"
    answer = client.get(url, headers=token(client, reader))
    assert answer.status_code == 200 and answer.get_json()["id"] == exported(report)["id"]
    assert "attachment" in answer.headers["Content-Disposition"]
    assert client.get(url, headers=token(client, outsider)).status_code == 404
    assert client.get(url).status_code == 401
    # a report of another kind (the buyer may read it) has no assessment export
    plan = make_report(report.cycle, kind="improvement_plan")
    db.session.commit()
    assert client.get(f"/api/v1/reports/{plan.id}/assessment.json", headers=token(client, reader)).status_code == 404


def test_staff_download_it_from_the_cycle_page(app, client):
    report = released_assessment()
    login(client, make_user("admin"))
    db.session.commit()
    page = client.get(f"/admin/cycle/details/?id={report.cycle_id}").get_data(as_text=True)
    assert f"/admin/assessment-exchange/cycle/{report.cycle_id}.json" in page
    download = client.get(f"/admin/assessment-exchange/cycle/{report.cycle_id}.json")
    assert download.status_code == 200 and json.loads(download.data)["factory"]["name"] == "Mekong Apparel"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "download")) == 1


def test_the_round_trip_into_a_fresh_database_gives_the_same_report_and_answers(app):
    report = released_assessment()
    document = exported(report)
    before, answers_before = figures(report), answers_of(report)
    # scored: CL.01, CL.02 and WT.01 to WT.03 (CL.03 is a fact, never a finding)
    assert before["findings"] == ["CL.02", "WT.02"] and before["overall_rate"] == pytest.approx(2 / 5)

    empty_database()
    load_sample(kind="assessment")  # the other instance holds the same bank version
    admin = make_user("admin")
    assessment = assessment_import.import_file(raw(document), admin)
    db.session.commit()

    imported = db.session.scalar(select(Report).where(Report.cycle_id == assessment.cycle_id))
    assert imported.released_at is not None and imported.kind == "assessment"
    assert figures(imported) == before
    assert answers_of(imported) == answers_before
    factory = db.session.scalar(select(Factory))
    assert (factory.name, factory.country, factory.city) == ("Mekong Apparel", "Vietnam", "Ho Chi Minh City")
    assert assessment.assessors == "Lan Tran, Minh Sok" and assessment.review_status == "approved"
    mark = db.session.scalar(select(AssessmentImport))
    assert mark.key == document["id"] and mark.evidence == document["evidence"]
    assert mark.signatures["reviews"][0]["reviewer"] == "Reviewer"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.user_id == admin.id and "Mekong Apparel" in event.summary
    # the cycle ran elsewhere: the clock has no milestone of it to remind anyone of
    assert db.session.scalar(select(func.count()).select_from(Milestone)) == 0
    # and what came in goes out again as the same assessment
    again = exported(imported)
    assert again["answers"] == document["answers"] and again["findings"] == document["findings"]


def test_an_import_never_overwrites(app):
    report = released_assessment()
    document = exported(report)
    # the same export into the instance that holds the assessment: its factory's cycle has one
    with pytest.raises(assessment_import.ImportRefused, match="already has an assessment for cycle 1"):
        assessment_import.import_file(raw(document))
    db.session.rollback()

    empty_database()
    load_sample(kind="assessment")
    db.session.commit()
    assessment_import.import_file(raw(document))
    db.session.commit()
    with pytest.raises(assessment_import.ImportRefused, match="imported already"):
        assessment_import.import_file(raw(document))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 1


def test_an_import_never_takes_over_a_cycle_run_here(app):
    from .factories import make_cycle, make_factory

    document = exported(released_assessment())
    empty_database()
    load_sample(kind="assessment")
    # the same factory (name and country, in other case) is in its own cycle 1 here
    make_cycle(make_factory("MEKONG APPAREL", country="vietnam"), days_in=20)
    db.session.commit()
    with pytest.raises(assessment_import.ImportRefused, match="already has a cycle 1 here"):
        assessment_import.import_file(raw(document))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0
    # its cycle 2 from the other instance comes in beside it, for the same factory
    document["cycle"]["number"] = 2
    assessment = assessment_import.import_file(raw(document))
    assert db.session.scalar(select(func.count()).select_from(Factory)) == 1
    assert assessment.cycle.factory.name == "MEKONG APPAREL" and assessment.cycle.number == 2


def _broken(document, change) -> str:
    bad = copy.deepcopy(document)
    change(bad)
    with pytest.raises(assessment_import.ImportRefused) as refused:
        assessment_import.import_file(raw(bad))
    db.session.rollback()
    return refused.value.message


def test_bad_files_are_refused_with_the_failing_path(app):
    document = exported(released_assessment())
    empty_database()
    load_sample(kind="assessment")
    db.session.commit()

    def answer(index, **change):
        return lambda d: d["answers"][index].update(change)

    cl01 = next(i for i, a in enumerate(document["answers"]) if a["code"] == "CL.01")
    assert _broken(document, answer(cl01, value="maybe")) == \
        f"answers[{cl01}].value: 'maybe' is not one of ['yes', 'no', 'na']"
    assert _broken(document, answer(2, code="ZZ.99")).startswith("answers[2].code: 'ZZ.99' is not a question of")
    assert _broken(document, answer(2, value="overseas")) == \
        "answers[2].value: 'overseas' is not one of ['local', 'foreign']"
    assert _broken(document, answer(6, methods=["guesswork"])).startswith("answers[6].methods[0]: 'guesswork'")
    assert _broken(document, lambda d: d["factory"].pop("name")) == "factory: 'name' is a required property"
    assert _broken(document, lambda d: d["cycle"].update(number=0)).startswith("cycle.number: 0 is less than")
    assert _broken(document, lambda d: d["evidence"][0].update(sha256="bytes")).startswith("evidence[0].sha256:")
    assert _broken(document, lambda d: d.update(format="bwadmin.assessment/2")).startswith("format: ")

    for bad in (b"{not json", b"", b"[1, 2]", b"\xff\xfe"):
        with pytest.raises(assessment_import.ImportRefused):
            assessment_import.import_file(bad)
    with pytest.raises(assessment_import.ImportRefused, match="not valid JSON"):
        assessment_import.import_file(b'{"format": ')
    with pytest.raises(assessment_import.ImportRefused, match="larger than"):
        assessment_import.import_file(b" " * (assessment_import.IMPORT_MAX_BYTES + 1))
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_staff_import_in_the_panel_and_read_a_bad_file_s_path_beside_the_field(app, client):
    import io

    document = exported(released_assessment())
    empty_database()
    load_sample(kind="assessment")
    login(client, make_user("admin"))
    db.session.commit()
    url = "/admin/assessment-exchange/"
    bad = copy.deepcopy(document)
    bad["answers"][5]["value"] = "maybe"
    page = client.post(url, data={"csrf_token": csrf_from(client.get(url)),
                                  "file": (io.BytesIO(raw(bad)), "export.json")}, content_type="multipart/form-data")
    assert page.status_code == 200
    assert "answers[5].value: &#39;maybe&#39; is not one of" in page.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": csrf_from(client.get(url)),
                                  "file": (io.BytesIO(raw(document)), "export.json")},
                       content_type="multipart/form-data")
    assert done.status_code == 302 and "/admin/cycle/details/" in done.headers["Location"]
    cycle_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'id="assessment-imported"' in cycle_page and "http://127.0.0.1:5000" in cycle_page
    assert 'id="assessment-export"' in cycle_page  # and it can travel on
    assert db.session.scalar(select(func.count()).select_from(AssessmentImport)) == 1
    # a factory or buyer user never reaches the page
    other = app.test_client()
    login(other, make_user("buyer", buyer=make_buyer()))
    db.session.commit()
    assert other.get(url).status_code in (302, 403, 404)
