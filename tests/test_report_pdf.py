"""The reports' PDF read back as a reader reads it (poppler's pdftotext, pdfimages, pdffonts): a cover with the
factory and the cycle, its sections, "Page N of M", a table of contents with page numbers when it runs long, a vector
chart whose words are text, Khmer set in a font that has it; made in the reader's language when asked, for what
the report says now only; a draft's for staff alone; no "0 / 0" row."""
from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Answer, Report, Response, utcnow
from bwadmin.queue import get_queue
from bwadmin.services import progress_reports, report_docs, report_pdf
from jobs.worker import work_until_empty
from tests.factories import PASSWORD, login, make_buyer, make_sourcing, make_user
from tests.pageread import Page
from tests.test_report_languages import SCRIPTS, WORDS, embedded_fonts, factory_speaking, pdf_tools, released

__all__ = ["pdf_tools"]  # the fixture, used by name

SECTIONS = {
    "assessment": ("Summary", "Compliance points", "Findings", "Since the last cycle"),
    "self_diagnosis": ("Non-compliance", "Compliance points", "Findings"),
    "programme_progress": ("Where the factory stands", "Achievements", "Remaining challenges"),
}
TITLES = {"assessment": "Assessment report", "self_diagnosis": "Self-diagnosis results",
          "programme_progress": "Programme progress report"}


def pages_of(path: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def pdf_of(app, relative: str) -> Path:
    return Path(app.config["BWADMIN_REPORTS_DIR"]) / relative


def made(app, cycle, kind: str) -> Report:
    report = progress_reports.release_programme_progress(cycle, utcnow()) if kind == "programme_progress" \
        else released(cycle, kind)
    db.session.commit()
    report_pdf.make_pdf(report.id)
    db.session.refresh(report)
    return report


def long_report(app) -> Report:
    """An assessment with 90 findings: five pages and more."""
    report = released(factory_speaking("en"), "assessment")
    scores = report.data["scores"]
    finding = scores["findings"][0]
    report.data = report.data | {"scores": scores | {"findings": [
        finding | {"code": f"CMP.OT.{n:02d}", "text": f"Finding number {n}: overtime was not paid at the premium "
                                                       "rate the law sets for the hours worked past the week's "
                                                       "regular hours."} for n in range(90)]}}
    db.session.commit()
    return report


@pytest.mark.parametrize("kind", ["assessment", "self_diagnosis", "programme_progress"])
def test_each_kind_prints_a_cover_its_sections_and_page_numbers(app, pdf_tools, kind):
    cycle = factory_speaking("en")
    report = made(app, cycle, kind)
    pages = pages_of(pdf_of(app, report.file_path))
    cover, rest = pages[0], pages[1:]
    factory = cycle.factory.name
    # The cover: the programme, the report, the factory and its place, the cycle and its dates, and no page number.
    assert "bwadmin" in cover.lower() and TITLES[kind] in cover and factory in cover and "Cambodia" in cover
    assert re.search(r"Cycle\s+1\b", cover) and "Signed up" in cover and "Jan 5, 2026" in cover
    assert "Released" in cover and "English" in cover and "Page" not in cover and "Draft" not in cover
    # Each page after it: the running header (report · factory) and "Page N of M".
    for number, text in enumerate(rest, start=2):
        assert re.search(rf"{TITLES[kind]}\s+·\s+{re.escape(factory)}", text), text
        assert f"Page {number} of {len(pages)}" in text
    everything = "\n".join(rest)
    assert all(heading in everything for heading in SECTIONS[kind])
    assert "Contents" not in everything  # three pages or fewer: no table of contents


def test_a_long_report_opens_with_a_table_of_contents_giving_each_sections_page(app, pdf_tools):
    report = long_report(app)
    pages = pages_of(pdf_of(app, report_pdf.make_pdf(report.id)))
    assert len(pages) > 4 and "Contents" in pages[1]
    for heading in SECTIONS["assessment"]:
        listed = re.search(rf"^{heading}\s*\.*\s*(\d+)\s*$", pages[1], re.M)
        assert listed, pages[1]
        # The page it names is the page the section starts on (its heading alone on a line there).
        on_page = int(listed.group(1))
        assert re.search(rf"^{heading}$", pages[on_page - 1], re.M), (heading, on_page)
        assert not any(re.search(rf"^{heading}$", page, re.M) for page in pages[2:on_page - 1])
    assert "Finding number 89" in pages[-1] or "Finding number 89" in pages[-2]


def _streams(pdf: bytes) -> list[bytes]:
    """The PDF's streams, inflated where compressed. A decompressor object, not zlib.decompress: the end of line
    before "endstream" is not part of the data, and a stream whose data ends in a carriage return would otherwise
    be cut short by the pattern and fail to inflate."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def test_the_chart_in_the_pdf_is_drawn_in_vectors_and_its_words_are_text(app, pdf_tools, tmp_path):
    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages missing: install poppler-utils")
    report = made(app, factory_speaking("en"), "assessment")
    path = pdf_of(app, report.file_path)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 2, images  # the header lines only: no raster image
    # The bars: the chart's two clusters, each a grey track and a filled part, drawn as rectangles and filled.
    content = b"\n".join(_streams(path.read_bytes()))
    rectangles = re.findall(rb"[\d.-]+ [\d.-]+ [\d.-]+ [\d.-]+ re\b", content)
    assert len(rectangles) >= 4 and re.search(rb"\bf\*?\b", content)
    assert re.search(rb"0\.69\d* 0\.22\d* 0\.18\d* (rg|scn)", content)  # the bars' red, #b03a2e, as a fill colour
    page = next(text for text in pages_of(path) if "Non-compliance per cluster" in text)
    assert "Compensation" in page and "67%" in page and "Child labour" in page and "0%" in page


def test_a_khmer_reports_pdf_is_in_khmer_in_a_font_that_has_it(app, pdf_tools):
    report = made(app, factory_speaking("km", "km"), "assessment")
    path = pdf_of(app, report.file_path)
    pages = pages_of(path)
    letters, fonts = SCRIPTS["km"]
    assert len(letters.findall(pages[0])) >= 10  # the cover: the report's name, the dates, the language
    assert len(letters.findall("".join(pages))) >= 40
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert any(re.search(r"Noto.?Sans.?Khmer", font) for font in embedded_fonts(listed)), listed


def _pdf_jobs(app) -> list[str]:
    return get_queue(name=app.config["BWADMIN_PDF_QUEUE"]).get_job_ids()


def test_a_reader_in_another_language_has_theirs_made_then_gets_it(app, pdf_tools):
    cycle = factory_speaking("km")
    report = made(app, cycle, "assessment")  # the factory's language: Khmer, made after the release
    buyer = make_buyer()
    make_sourcing(buyer, cycle.factory, consent=True)
    khmer, english = make_user("buyer", buyer=buyer, language="km"), make_user("buyer", buyer=buyer, language="en")
    db.session.commit()

    client = app.test_client()
    login(client, khmer)
    answer = client.get(f"/buyer/reports/{report.id}.pdf")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    assert answer.headers["Content-Disposition"].endswith(f"report-{report.id}-km.pdf")
    assert _pdf_jobs(app) == []  # the factory's language was made already

    client = app.test_client()
    login(client, english)
    asked = client.get(f"/buyer/reports/{report.id}.pdf")
    assert asked.status_code == 303 and asked.headers["Location"].endswith(f"/buyer/reports/{report.id}")
    assert "The PDF in English is being prepared" in client.get(asked.headers["Location"]).get_data(as_text=True)
    assert _pdf_jobs(app) == [f"pdf-{report.id}-en"]
    client.get(f"/buyer/reports/{report.id}.pdf")  # asked again meanwhile: still one job
    assert _pdf_jobs(app) == [f"pdf-{report.id}-en"]

    work_until_empty()
    got = client.get(f"/buyer/reports/{report.id}.pdf")
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    assert got.headers["Content-Disposition"].endswith(f"report-{report.id}-en.pdf")
    saved = Path(app.config["BWADMIN_REPORTS_DIR"]) / "got.pdf"
    saved.write_bytes(got.data)
    text = "".join(pages_of(saved))
    assert "Assessment report" in text and "Compensation" in text and not SCRIPTS["km"][0].search(text)
    db.session.refresh(report)
    assert report.file_path.endswith(".pdf") and ".km." in report.file_path  # the factory's file stays its own


def test_a_changed_report_never_serves_the_file_made_before(app, pdf_tools):
    cycle = factory_speaking("km")
    report = made(app, cycle, "assessment")
    buyer = make_buyer()
    make_sourcing(buyer, cycle.factory, consent=True)
    reader = make_user("buyer", buyer=buyer, language="en")
    db.session.commit()
    client = app.test_client()
    login(client, reader)
    client.get(f"/buyer/reports/{report.id}.pdf")
    work_until_empty()
    first = client.get(f"/buyer/reports/{report.id}.pdf")
    assert first.status_code == 200
    folder = pdf_of(app, report.file_path).parent
    before = sorted(p.name for p in folder.glob("assessment.*.pdf"))
    assert len(before) == 2  # Khmer (the factory's) and English (the reader's)

    # The assessment is corrected and released again: what the report says changed.
    response = db.session.scalar(select(Response).where(Response.cycle_id == cycle.id, Response.kind == "assessment"))
    for answer in db.session.scalars(select(Answer).where(Answer.response_id == response.id)):
        answer.value = "yes" if answer.question.code == "CMP.OT.01" else answer.value
    response.updated_at = utcnow()
    db.session.commit()
    report = released(cycle, "assessment")
    assert report.file_path is None
    again = client.get(f"/buyer/reports/{report.id}.pdf")
    assert again.status_code == 303  # not the English file of the content before
    work_until_empty()
    fresh = client.get(f"/buyer/reports/{report.id}.pdf")
    assert fresh.status_code == 200 and fresh.data != first.data
    after = sorted(p.name for p in folder.glob("assessment.*.pdf"))
    # The files of the content before are gone (the factory's Khmer one waits for its own job, the release's).
    assert not set(before) & set(after) and [name.split(".")[1] for name in after] == ["en"]


def test_the_api_answers_202_while_the_callers_language_is_made_then_the_pdf(app, pdf_tools):
    cycle = factory_speaking("en")
    report = made(app, cycle, "assessment")
    buyer = make_buyer()
    make_sourcing(buyer, cycle.factory, consent=True)
    user = make_user("buyer", buyer=buyer)
    db.session.commit()
    token = app.test_client().post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    api = app.test_client()
    url = f"/api/v1/reports/{report.id}.pdf"
    assert api.get(url, headers=headers).status_code == 200  # no language asked: the one it was written in
    waiting = api.get(url, headers=headers | {"Accept-Language": "ar"})
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] == "60"
    # Said in the language asked for.
    assert waiting.get_json()["language"] == "ar" and SCRIPTS["ar"][0].search(waiting.get_json()["message"])
    assert api.get(url + "?language=xx", headers=headers).status_code == 400
    work_until_empty()
    ready = api.get(url + "?language=ar", headers=headers)
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    saved = Path(app.config["BWADMIN_REPORTS_DIR"]) / "ar.pdf"
    saved.write_bytes(ready.data)
    assert len(SCRIPTS["ar"][0].findall("".join(pages_of(saved)))) >= 20


def test_staff_print_a_drafts_pdf_and_nobody_else_can(app, pdf_tools):
    cycle = factory_speaking("en")
    report_docs.draft_reports([cycle.id])
    db.session.commit()
    draft = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "assessment"))
    assert draft.released_at is None and draft.data
    url = f"/admin/report/draft-pdf/{draft.id}"

    staff = app.test_client()
    login(staff, make_user("advisor"))
    listing = staff.get("/admin/report/").get_data(as_text=True)
    assert f'href="{url}"' in listing and "PDF (draft)" in listing
    answer = staff.get(url)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    saved = Path(app.config["BWADMIN_REPORTS_DIR"]) / "draft.pdf"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_bytes(answer.data)
    pages = pages_of(saved)
    assert re.search(r"Released\s+Draft", pages[0]) and cycle.factory.name in pages[0]
    assert all("Draft" in page for page in pages)  # marked on every page
    assert not list(Path(app.config["BWADMIN_REPORTS_DIR"]).glob("*/*.pdf"))  # nothing kept

    buyer = make_buyer()
    make_sourcing(buyer, cycle.factory, consent=True)
    for user in (make_user("factory", factory=cycle.factory), make_user("buyer", buyer=buyer)):
        client = app.test_client()
        login(client, user)
        assert client.get(url).status_code == 403
    assert app.test_client().get(url).status_code == 302  # to the login page

    report = released(cycle, "assessment")
    assert f'href="{url}"' not in staff.get("/admin/report/").get_data(as_text=True)
    assert staff.get(f"/admin/report/draft-pdf/{report.id}").status_code == 302  # released: no draft to print


def test_a_cluster_without_applicable_questions_says_not_applicable_and_figures_align(app, pdf_tools):
    report = released(factory_speaking("en"), "assessment")
    scores = report.data["scores"]
    child = scores["clusters"]["child_labour"]
    data = report.data | {"scores": scores | {"clusters": scores["clusters"] | {
        "child_labour": child | {"questions": 0, "noncompliant": 0, "rate": 0.0}}}}
    with force_locale("en"):
        body = report_docs.render("assessment", data)
    page = Page(body)
    chart = page.charts[0]
    assert ("Child labour", "Not applicable") in chart.rows and chart.bars == 1
    # The summary's rows: the cluster, its checks and rate, then the country's share.
    clusters = next(rows for rows in page.tables if any(row[:3] == ["Compensation", "2 / 3", "67%"] for row in rows))
    assert any(row[:2] == ["Child labour", "Not applicable"] for row in clusters) and "0 / 0" not in body
    assert re.search(r'<td class="num"><bdi dir="ltr">2 / 3</bdi></td><td class="num">67%</td>', body)
    report.data = data
    db.session.commit()
    text = "".join(pages_of(pdf_of(app, report_pdf.make_pdf(report.id))))
    assert "Not applicable" in text and "0 / 0" not in text
