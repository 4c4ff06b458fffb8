"""Assessment data that travels, in a real browser at desktop width and on a 390 px phone: the factory makes a share
link to its released assessment, a reader opens it without an account, the factory revokes it and the reader is
told; staff import an exported assessment, a bad file first. Every page fits the screen and axe-core finds nothing
serious."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bwadmin.extensions import db

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_user
from .travel_helpers import released_assessment

pytestmark = needs_chromium


@pytest.mark.parametrize("width", WIDTHS)
def test_make_open_and_revoke_a_share_link(app, live_server, browser, tmp_path, width):
    report = released_assessment(with_file=False)
    make_user("factory", "hr@mekong.example", factory=report.cycle.factory, name="Mekong HR")
    db.session.commit()
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "share")
    page = visit.page
    visit.log_in("hr@mekong.example")
    page.get_by_role("link", name="Share a released report with a buyer by a link").click()
    expect(page.get_by_role("heading", name="Share a released report by a link")).to_be_visible()
    visit.check("empty")
    page.get_by_label("For whom (optional)").fill("Kestrel Sport compliance team")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the link").click()
    link = page.get_by_label("The new link").input_value()
    expect(page.get_by_role("cell", name="Kestrel Sport compliance team")).to_be_visible()
    visit.check("made")

    reader = Visit(browser, live_server, width, tmp_path, "shared")
    reader.page.goto(link)
    expect(reader.page.locator("#report-title")).to_have_text("Assessment report")
    expect(reader.page.get_by_text("Shared by Mekong Apparel")).to_be_visible()
    reader.check("report")

    visit.go("/factory/share-links/")
    expect(page.get_by_label("The new link")).to_have_count(0)  # shown once only
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Link revoked")).to_be_visible()
    assert reader.page.goto(link).status == 410
    # the browser reports the 410 on its console: that one is expected
    reader.errors[:] = [e for e in reader.errors if "410" not in e]
    expect(reader.page.get_by_role("heading", name="This link no longer opens the report")).to_be_visible()
    reader.check("gone")
    assert not visit.errors and not reader.errors


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_import_an_assessment_file(app, live_server, browser, tmp_path, width):
    import copy
    import json

    from bwadmin.services import assessment_export

    from .questionnaire_samples import load_sample
    from .travel_helpers import empty_database

    document = assessment_export.build(released_assessment(with_file=False))
    empty_database()
    load_sample(kind="assessment")
    make_user("admin", "staff@programme.example", name="Programme Staff")
    db.session.commit()
    db.session.remove()
    bad = copy.deepcopy(document)
    bad["answers"][5]["value"] = "maybe"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    (tmp_path / "good.json").write_text(json.dumps(document))

    visit = Visit(browser, live_server, width, tmp_path, "import")
    page = visit.page
    visit.log_in("staff@programme.example")
    visit.go("/admin/assessment-exchange/")
    expect(page.get_by_role("heading", name="Import an assessment")).to_be_visible()
    page.get_by_label("Assessment export (.json)").set_input_files(str(tmp_path / "bad.json"))
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("answers[5].value: 'maybe' is not one of ['yes', 'no', 'na']")).to_be_visible()
    visit.check("refused")
    page.get_by_label("Assessment export (.json)").set_input_files(str(tmp_path / "good.json"))
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported: the assessment of Mekong Apparel, cycle 1")).to_be_visible()
    expect(page.locator("#assessment-imported")).to_be_visible()
    assert not visit.errors
