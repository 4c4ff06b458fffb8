"""The evidence behind each finding: a statement, the methods, notes and files, entered by the assessors; files
checked by their content, kept once per content, refused whole when bad; reports show it all."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from bwadmin.extensions import db
from bwadmin.models import Answer, Attachment
from bwadmin.services import evidence, responses

from .evidence_helpers import CSV, ELF, GOOD, attach, image
from .factories import approve_assessment, csrf_from, login, make_buyer, make_cycle, make_sourcing, make_user
from .portal_helpers import PDF
from .questionnaire_samples import full_answers, load_sample


@pytest.fixture
def entry(app, client):
    """An assessment draft on the sample bank, its evidence page for CL.01, and an assessor logged in."""
    bank = load_sample(kind="assessment")
    cycle = make_cycle(days_in=110)
    response = responses.response_for(cycle, "assessment")
    question = next(q for q in bank.questions if q.code == "CL.01")
    question.text = {"en": "Are there workers under the minimum age?"}
    assessor = make_user("advisor", name="A. Tran")
    login(client, assessor)
    return {"bank": bank, "cycle": cycle, "response": response, "question": question, "assessor": assessor,
            "url": f"/admin/assessment-entry/{cycle.id}/evidence/{question.id}"}


def stored_files(app) -> list[Path]:
    folder = Path(app.config["BWADMIN_ATTACHMENTS_DIR"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def send(client, url, data: bytes, name: str):
    token = csrf_from(client.get(url))
    return client.post(url, data={"csrf_token": token, "action": "upload", "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_good_files_of_each_kind_are_kept_under_their_hash(app, client, entry):
    for name, make in GOOD.items():
        answer = send(client, entry["url"], make(), name)
        assert answer.status_code == 302, (name, answer.get_data(as_text=True)[-1500:])
    kept = db.session.query(Attachment).order_by(Attachment.id).all()
    assert [(a.filename, a.kind) for a in kept] == [("photo.jpg", "jpeg"), ("exit.png", "png"), ("site.webp", "webp"),
                                                    ("payroll.pdf", "pdf"), ("hours.xlsx", "xlsx"),
                                                    ("hours.csv", "csv")]
    assert [p.name for p in stored_files(app)] == sorted(a.sha256 for a in kept)
    page = client.get(entry["url"]).get_data(as_text=True)
    assert all(f'href="/attachments/{a.id}"' in page for a in kept)
    assert client.get(f"/attachments/{kept[3].id}").data == PDF
    listed = client.get("/admin/attachment/").get_data(as_text=True)  # staff find them in the panel too
    assert all(f'href="/attachments/{a.id}"' in listed for a in kept)
    # Removed on the page: the row and (named by no other) the file go.
    remove = f"{entry['url']}/remove/{kept[3].id}"
    assert client.post(remove, data={"csrf_token": csrf_from(page)}).status_code == 302
    assert db.session.query(Attachment).count() == 5 and kept[3].sha256 not in {p.name for p in stored_files(app)}
    assert client.get(f"/attachments/{kept[3].id}").status_code == 404


def _zip_of(members: dict) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize("data, name, message", [
    (ELF, "photo.jpg", "is named as a JPEG photo, but its content is not."),
    (b"%PDF-1.4\nthis is a letter typed in a text editor, saved as .pdf\n", "payroll.pdf",
     "is named as a PDF, but its content is not."),
    (image("PNG")[:40], "exit.png", "is named as a PNG image, but its content is not."),
    (ELF, "tool.exe", "Attach a photo (JPEG, PNG or WebP), a PDF or a spreadsheet (XLSX or CSV)"),
    (_zip_of({"readme.txt": "not a workbook"}), "hours.xlsx",
     "is named as an Excel workbook, but its content is not."),
    (CSV, "hours.html", "Attach a photo (JPEG, PNG or WebP), a PDF or a spreadsheet (XLSX or CSV)"),
    (b"", "empty.csv", "This file is empty."),
])
def test_bad_files_are_refused_beside_the_field_and_nothing_is_kept(app, client, entry, data, name, message):
    answer = send(client, entry["url"], data, name)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="file-error"' in html and message in html
    assert db.session.query(Attachment).count() == 0 and stored_files(app) == []


def test_an_oversized_file_is_refused_and_nothing_is_kept(app, client, entry):
    app.config["BWADMIN_ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    big = b"worker,note\n" + b"W-1,fine\n" * 200_000  # 1.8 MB of a valid CSV
    answer = send(client, entry["url"], big, "big.csv")
    assert answer.status_code == 200
    assert "This file is larger than 1 MB" in answer.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0 and stored_files(app) == []
    assert send(client, entry["url"], CSV, "small.csv").status_code == 302  # under the limit: kept


def test_a_photo_under_another_photos_ending_is_kept_as_what_it_is(app, entry):
    kept = attach(entry["cycle"], image("PNG"), "exit.jpg")
    assert kept.kind == "png" and kept.filename == "exit.jpg"


def test_the_same_file_twice_is_stored_once(app, entry):
    photo = GOOD["photo.jpg"]()
    first = attach(entry["cycle"], photo, "photo.jpg")
    again = attach(entry["cycle"], photo, "copy-of-photo.jpg")
    elsewhere = attach(entry["cycle"], photo, "photo.jpg", code="WT.01")
    db.session.commit()
    assert again.id == first.id and elsewhere.id != first.id
    assert db.session.query(Attachment).count() == 2 and len(stored_files(app)) == 1
    # Removing one keeps the file the other names; removing both removes it.
    sha = evidence.detach(entry["response"], first)
    db.session.commit()
    assert evidence.discard_if_unused(sha) is False and len(stored_files(app)) == 1
    evidence.detach(entry["response"], elsewhere)
    db.session.commit()
    assert evidence.discard_if_unused(sha) is True and stored_files(app) == []


def test_a_failure_after_the_file_is_written_leaves_no_file(app, entry, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "flush", broken)
    with pytest.raises(RuntimeError):
        attach(entry["cycle"], GOOD["exit.png"](), "exit.png")
    monkeypatch.undo()
    db.session.rollback()
    assert stored_files(app) == [] and db.session.query(Attachment).count() == 0


def test_statement_methods_and_notes_are_saved_with_limits_checked(app, client, entry):
    page = client.get(entry["url"]).get_data(as_text=True)
    assert "there are workers under the minimum age" in page  # the default statement, to overwrite
    token = csrf_from(page)
    too_long = client.post(entry["url"], data={"csrf_token": token, "action": "save", "statement": "x" * 501,
                                               "methods": ["worker_interview"], "notes": "kept"})
    html = too_long.get_data(as_text=True)
    assert too_long.status_code == 200 and "Write at most 500 characters here; this has 501." in html
    assert db.session.query(Answer).filter(Answer.notes.is_not(None)).count() == 0  # nothing half-saved
    saved = client.post(entry["url"], data={
        "csrf_token": token, "action": "save", "notes": "Two workers aged 15 in finishing; copies of ID cards.",
        "statement": "Two workers under 16 were found in the finishing section.",
        "methods": ["document_review", "worker_interview"]})
    assert saved.status_code == 302
    db.session.expire_all()
    answer = db.session.query(Answer).one()
    assert answer.finding_statement == "Two workers under 16 were found in the finishing section."
    assert answer.methods == ["document_review", "worker_interview"] and answer.notes.startswith("Two workers")
    # The entry page marks the question as carrying evidence; clearing its answer keeps the evidence.
    entry_page = client.get(f"/admin/assessment-entry/{entry['cycle'].id}").get_data(as_text=True)
    assert f'href="{entry["url"]}"' in entry_page
    responses.save_draft(entry["response"], {entry["question"].id: "yes"})
    responses.save_draft(entry["response"], {entry["question"].id: None})
    db.session.expire_all()
    assert db.session.query(Answer).one().finding_statement.startswith("Two workers")


def test_the_report_shows_statement_method_and_files_a_reader_may_open(app, client, entry):
    from bwadmin.models import Report
    from bwadmin.services import report_docs

    cycle, response = entry["cycle"], entry["response"]
    buyer = make_buyer()
    make_sourcing(buyer, cycle.factory, consent=True)
    responses.save_draft(response, _values(entry["bank"], CL_01="yes", WT_02="yes"))
    evidence.save_evidence(response, entry["question"], "Two workers under 16 were found in finishing.",
                           ["worker_interview"], None)
    photo = attach(cycle, GOOD["photo.jpg"](), "finishing-line.jpg")
    wt = next(q for q in entry["bank"].questions if q.code == "WT.02")  # a finding without a written statement
    approve_assessment(cycle, response)
    db.session.commit()
    report_docs.draft_reports([cycle.id])
    report = db.session.query(Report).filter_by(cycle_id=cycle.id, kind="assessment").one()
    body = report.body_html
    assert "Two workers under 16 were found in finishing." in body and "Found by: Worker interview" in body
    assert "2 days on site; 30 workers interviewed." in body
    assert f'<a href="/attachments/{photo.id}">finishing-line.jpg</a>' in body
    assert "Question WT.02?" in body and str(wt.id) not in report.data["evidence"]
    # Before the release a buyer cannot open the file; staff and the factory can.
    buyer_client = app.test_client()
    login(buyer_client, make_user("buyer", buyer=buyer))
    assert buyer_client.get(f"/attachments/{photo.id}").status_code == 404
    assert client.get(f"/attachments/{photo.id}").status_code == 200


def _values(bank, **codes):
    """question id → value of the sample's full answers, with some overridden (CL_01 for CL.01)."""
    ids = {q.code: q.id for q in bank.questions}
    wanted = {"FP.01": "2026-03-02", "FP.02": 850, "FP.03": "local", "FP.04": ["union"], "CL.01": "no",
              "CL.02": "yes", "CL.03": "no", "WT.01": "yes", "WT.02": "no", "WT.03": "yes"}
    wanted.update({code.replace("_", "."): value for code, value in codes.items()})
    return {ids[code]: value for code, value in wanted.items()}


def test_every_kind_of_answer_has_an_evidence_page(app, client, entry):
    bank, response = entry["bank"], entry["response"]
    responses.save_draft(response, _values(bank))
    for question in bank.questions:
        page = client.get(f"/admin/assessment-entry/{entry['cycle'].id}/evidence/{question.id}")
        assert page.status_code == 200 and 'id="answer-value"' in page.get_data(as_text=True), question.code
    assert "<b id=\"answer-value\">union</b>" in client.get(
        f"/admin/assessment-entry/{entry['cycle'].id}/evidence/"
        f"{next(q.id for q in bank.questions if q.code == 'FP.04')}").get_data(as_text=True)
    # A question of another bank, or none, is not found here.
    assert client.get(f"/admin/assessment-entry/{entry['cycle'].id}/evidence/999999").status_code == 404
