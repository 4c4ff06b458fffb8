"""Reports in the reader's language: the worker writes a factory's report (its stored page and its PDF) in the
factory's language, a reader in another language gets the page made afresh in theirs, Arabic reads from the right,
and Khmer, Bangla and Arabic come out of the PDF as shaped text in a font that has them, never as boxes.

The interface's words are translated only once the catalogs are filled, so what these tests look for in each
script holds before and after: the bank's own text in that language, the language's name, and the dates, which Babel
writes in the language's script where it has one."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Answer, Assessment, Question, Questionnaire, Report, Response, utcnow
from bwadmin.services import progress_reports, report_docs, report_pdf
from tests.factories import login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from tests.pageread import Page

ROOT = Path(__file__).resolve().parent.parent

# Each script's letters, and the fonts (as pdffonts names them) that hold them. DejaVu, Debian's default, has Arabic
# but neither Khmer nor Bangla: without fonts-noto-core those come out as boxes.
SCRIPTS = {
    "km": (re.compile("[\u1780-\u17ff]"), ("Khmer",)),
    "bn": (re.compile("[\u0980-\u09ff]"), ("Bengali",)),
    "ar": (re.compile("[\u0600-\u06ff]"), ("Arabic", "DejaVu")),
}
# A small bank carrying each language beside English, as the shipped banks carry Spanish.
WORDS = {
    "km": {"title": "ការវាយតម្លៃអនុលោមភាព", "compensation": "ប្រាក់បំណាច់", "child_labour": "ពលកម្មកុមារ",
           "overtime_wages": "ប្រាក់ឈ្នួលម៉ោងបន្ថែម", "minimum_wages": "ប្រាក់ឈ្នួលអប្បបរមា",
           "child_labourers": "កម្មករកុមារ", "question": "តើរោងចក្របង់ប្រាក់ម៉ោងបន្ថែមត្រឹមត្រូវទេ?"},
    "bn": {"title": "সম্মতি মূল্যায়ন", "compensation": "পারিশ্রমিক", "child_labour": "শিশুশ্রম",
           "overtime_wages": "ওভারটাইম মজুরি", "minimum_wages": "ন্যূনতম মজুরি", "child_labourers": "শিশু শ্রমিক",
           "question": "কারখানা কি সঠিক ওভারটাইম মজুরি দেয়?"},
    "ar": {"title": "تقييم الامتثال", "compensation": "الأجور", "child_labour": "عمل الأطفال",
           "overtime_wages": "أجور العمل الإضافي", "minimum_wages": "الحد الأدنى للأجور",
           "child_labourers": "الأطفال العاملون", "question": "هل يدفع المصنع أجر العمل الإضافي كاملاً؟"},
}
POINTS = {"overtime_wages": "compensation", "minimum_wages": "compensation", "child_labourers": "child_labour"}
ENGLISH = {"compensation": "Compensation", "child_labour": "Child labour", "overtime_wages": "Overtime wages",
           "minimum_wages": "Minimum wages", "child_labourers": "Child labourers"}
QUESTIONS = [  # code, compliance point, non-compliant answer, zero tolerance
    ("CMP.OT.01", "overtime_wages", "no", False),
    ("CMP.OT.02", "overtime_wages", "no", False),
    ("CMP.MW.01", "minimum_wages", "no", False),
    ("CL.CHL.01", "child_labourers", "yes", True),
]
# Two of three compensation checks non-compliant (67%), none of child labour.
FINDINGS = {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "no", "CL.CHL.01": "no"}


@pytest.fixture(scope="module")
def pdf_tools():
    """poppler's pdftotext and pdffonts, and the Noto fonts (`scripts/ensure-report-fonts --test`, which `make test`
    runs, installs both where apt-get is at hand)."""
    missing = [tool for tool in ("pdftotext", "pdffonts") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} missing: install poppler-utils (scripts/ensure-report-fonts --test)")
    fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    if "Noto Sans Khmer" not in fonts or "Noto Sans Bengali" not in fonts:
        pytest.skip("fonts-noto-core missing: Khmer and Bangla would show as boxes "
                    "(scripts/ensure-report-fonts installs it)")


def bank(kind: str, languages: list[str]) -> Questionnaire:
    def words(key: str) -> dict:
        return {"en": ENGLISH[key]} | {lang: WORDS[lang][key] for lang in languages}

    structure = {"clusters": {key: words(key) for key in ("compensation", "child_labour")},
                 "compliance_points": {key: {"cluster": cluster} | words(key) for key, cluster in POINTS.items()}}
    questionnaire = Questionnaire(kind=kind, version=1, title={"en": "Compliance assessment"} | {
        lang: WORDS[lang]["title"] for lang in languages}, languages=["en", *languages], structure=structure,
        published_at=utcnow())
    for position, (code, point, bad, zero_tolerance) in enumerate(QUESTIONS, start=1):
        text = {"en": f"Question {code}?"} | {lang: f"{WORDS[lang]['question']} ({code})" for lang in languages}
        questionnaire.questions.append(Question(position=position, code=code, cluster=POINTS[point],
                                                compliance_point=point, type="yes_no", text=text,
                                                noncompliant_answer=bad, zero_tolerance=zero_tolerance))
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def factory_speaking(*languages: str):
    """A factory whose users chose these languages, with a cycle whose assessment is done and self-diagnosis
    submitted, both against banks that carry km, bn and ar."""
    factory = make_factory(country="Cambodia")
    for language in languages:
        make_user("factory", factory=factory, language=language)
    cycle = make_cycle(factory, signed_up_on=date(2026, 1, 5))
    for kind in ("assessment", "self_diagnosis"):
        questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.kind == kind)) or bank(
            kind, list(WORDS))
        response = Response(cycle=cycle, questionnaire=questionnaire, kind=kind, status="submitted",
                             submitted_at=utcnow())
        response.answers = [Answer(question=q, value=FINDINGS[q.code]) for q in questionnaire.questions]
        db.session.add(response)
        if kind == "assessment":
            db.session.add(Assessment(cycle=cycle, assessed_on=date(2026, 4, 15), assessors="A. Tran",
                                      response=response, completed_at=utcnow()))
    db.session.commit()
    return cycle


def released(cycle, kind: str) -> Report:
    [report_id] = report_docs.release_scored_many([cycle], kind, utcnow()).values()
    db.session.commit()
    return db.session.get(Report, report_id)


def pdf_text_and_fonts(path: Path) -> tuple[str, str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return text.stdout, fonts.stdout


def embedded_fonts(pdffonts_output: str) -> list[str]:
    """The names of the fonts pdffonts lists as embedded (its "emb" column), without the subset's prefix."""
    rows = [row.split() for row in pdffonts_output.splitlines()[2:]]  # name, type..., emb, sub, uni, object, id
    return [row[0].split("+")[-1] for row in rows if len(row) >= 6 and row[-5] == "yes"]


@pytest.mark.parametrize("kind", ["assessment", "self_diagnosis"])
@pytest.mark.parametrize("language", ["km", "bn", "ar"])
def test_the_worker_writes_the_pdf_in_the_factorys_language_in_a_font_that_has_its_script(app, pdf_tools, language,
                                                                                          kind):
    cycle = factory_speaking(language, language, "en")  # most of its users chose `language`
    report = released(cycle, kind)
    assert report.data["language"] == language and report.title.startswith(("Assessment", "Self-diagnosis"))
    path = report_pdf.make_pdf(report.id)  # what the worker's job does: no request, no reader
    assert path is not None and re.search(rf"/{kind}\.{language}\.\w+\.pdf$", path)  # the file says its language
    pdf = Path(app.config["BWADMIN_REPORTS_DIR"]) / path
    assert pdf.read_bytes().startswith(b"%PDF")

    text, fonts = pdf_text_and_fonts(pdf)
    letters, font_names = SCRIPTS[language]
    assert len(letters.findall(text)) >= 20, text  # the bank's words, the language's name, the dates
    # Khmer and Bangla are laid out in clusters that text extraction does not always give back letter for letter,
    # so the bank's words are looked for in the page's stored body, the PDF's twin from the same template.
    assert WORDS[language]["compensation"] in report.body_html and WORDS[language]["question"] in report.body_html
    assert "A. Tran" in report.body_html if kind == "assessment" else True
    # Not a box: the script's letters were set in an embedded font that has them.
    embedded = embedded_fonts(fonts)
    assert any(name in font for font in embedded for name in font_names), fonts


def test_a_pdf_can_be_forced_into_any_language_and_english_stays_english(app, pdf_tools):
    cycle = factory_speaking("en")
    report = released(cycle, "assessment")
    assert report.data["language"] == "en"
    for language in ("km", "bn", "ar"):
        path = report_pdf.write_pdf(report, report.data, language)
        text, fonts = pdf_text_and_fonts(Path(app.config["BWADMIN_REPORTS_DIR"]) / path)
        letters, font_names = SCRIPTS[language]
        assert len(letters.findall(text)) >= 20, text
        assert any(name in font for font in embedded_fonts(fonts) for name in font_names), fonts
    with force_locale("en"):
        path = report_pdf.write_pdf(report, report.data)
    text, _fonts = pdf_text_and_fonts(Path(app.config["BWADMIN_REPORTS_DIR"]) / path)
    assert "Assessment report" in text and "Compensation" in text and "67%" in text
    assert not any(letters.search(text) for letters, _names in SCRIPTS.values())


def test_the_arabic_report_reads_from_the_right_with_its_numbers_in_order(app, pdf_tools):
    cycle = factory_speaking("ar")
    report = released(cycle, "assessment")
    body = report.body_html
    assert '<section class="report report-assessment" lang="ar" dir="rtl">' in body
    assert '<bdi dir="ltr">2 / 3</bdi>' in body  # "2 / 3" stays "2 / 3" inside Arabic text
    # The chart: its table reads from the right, and each bar fills from the right (67% of 100 starts at 33).
    [chart] = Page(body).charts
    assert chart.dir == "rtl" and chart.bars == 2
    first_bar = re.search(r'<rect x="([\d.]+)" width="66.7" height="10" fill="#b03a2e"/>', body)
    assert first_bar and float(first_bar.group(1)) == 33.3

    # In the PDF the table's first column (the cluster) sits right of its rate, as an Arabic reader reads it.
    pdf = Path(app.config["BWADMIN_REPORTS_DIR"]) / report_pdf.make_pdf(report.id)
    layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = [(float(m.group(1)), float(m.group(2)), m.group(3)) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', layout)]
    label = [w for w in words if w[2] in ("الأجور", "الأجور"[::-1])]  # poppler may give the glyphs in visual order
    rates = [w for w in words if "67" in w[2] and "%" in w[2]]
    assert label and rates, layout[:3000]
    same_row = [(lx, rx) for lx, ly, _ in label for rx, ry, _ in rates if abs(ly - ry) < 3]
    assert same_row and all(lx > rx for lx, rx in same_row)


def test_a_reader_gets_the_report_page_in_their_own_language(app):
    cycle = factory_speaking("km")  # the stored page is in Khmer
    report = released(cycle, "assessment")
    assert 'lang="km"' in report.body_html and WORDS["km"]["compensation"] in report.body_html
    buyer = make_buyer()
    make_sourcing(buyer, cycle.factory, consent=True)
    readers = {language: make_user("buyer", buyer=buyer, language=language) for language in ("en", "ar", "km")}
    pages = {}
    for language, user in readers.items():
        client = app.test_client()
        login(client, user)
        pages[language] = client.get(f"/buyer/reports/{report.id}").get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in pages["en"] and "Compensation" in pages["en"]
    assert WORDS["km"]["compensation"] not in pages["en"] and "English" in pages["en"]
    assert 'lang="ar" dir="rtl"' in pages["ar"] and WORDS["ar"]["compensation"] in pages["ar"]
    assert "العربية" in pages["ar"]  # the language's name, in its own script
    assert report.body_html in pages["km"]  # the stored body, as it is, for a reader of its language


def test_a_factorys_language_is_the_one_most_of_its_users_chose_else_english(app):
    mostly_bangla = make_factory()
    for language in ("bn", "bn", "en"):
        make_user("factory", factory=mostly_bangla, language=language)
    make_user("factory", factory=mostly_bangla, language="ar", active=False)  # left: not counted
    make_user("factory", factory=mostly_bangla, language="ar", active=False)
    tied = make_factory()
    for language in ("km", "en"):
        make_user("factory", factory=tied, language=language)
    nobody = make_factory()
    languages = report_docs.factory_languages([mostly_bangla.id, tied.id, nobody.id])
    assert languages == {mostly_bangla.id: "bn", tied.id: "en", nobody.id: "en"}


def test_a_factory_that_changes_language_gets_its_draft_made_again_at_the_release(app):
    cycle = factory_speaking("en")
    report_docs.draft_reports([cycle.id])
    db.session.commit()
    draft = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "assessment"))
    assert draft.data["language"] == "en" and 'lang="en"' in draft.body_html
    make_user("factory", factory=cycle.factory, language="bn")
    make_user("factory", factory=cycle.factory, language="bn")
    db.session.commit()
    report = released(cycle, "assessment")
    assert report.id == draft.id and report.data["language"] == "bn" and 'lang="bn"' in report.body_html
    assert WORDS["bn"]["compensation"] in report.body_html


def test_every_report_template_marks_its_words_for_translation():
    """No English sentence left in the report templates outside {{ _() }} / ngettext (tags and filters aside)."""
    for path in [*sorted((ROOT / "templates" / "reports").glob("*.html")), ROOT / "templates" / "_chart.html"]:
        source = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}|<[^>]+>|&\w+;", " ", path.read_text(), flags=re.S)
        leftovers = [word for word in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", source)]
        assert leftovers == [], f"{path.name}: {leftovers}"


def test_the_shipped_banks_words_come_out_in_the_reports_language_and_english_stands_in_where_a_bank_has_none(app):
    import json

    from bwadmin.models import CLUSTER_LABELS
    from bwadmin.services import questionnaires

    loaded = {q.kind: q for q in questionnaires.ensure_default_questionnaires(("assessment", "self_diagnosis"))}
    shipped = json.loads((questionnaires.DATA_DIR / "self_diagnosis.json").read_text())
    for language in ("km", "bn", "ar"):
        factory = make_factory(country="Bangladesh")
        make_user("factory", factory=factory, language=language)
        cycle = make_cycle(factory, signed_up_on=date(2026, 1, 5))
        for kind, questionnaire in loaded.items():
            response = Response(cycle=cycle, questionnaire=questionnaire, kind=kind, status="submitted",
                                submitted_at=utcnow())
            response.answers = [Answer(question=q, value="no") for q in questionnaire.questions if q.type == "yes_no"]
            db.session.add(response)
            if kind == "assessment":
                db.session.add(Assessment(cycle=cycle, assessed_on=date(2026, 4, 15), response=response,
                                          completed_at=utcnow()))
        db.session.commit()
        diagnosis = released(cycle, "self_diagnosis")
        assert shipped["clusters"]["child_labour"][language] in diagnosis.body_html  # the bank has this language
        finding = diagnosis.data["scores"]["findings"][0]
        question = next(q for q in loaded["self_diagnosis"].questions if q.id == finding["question_id"])
        assert escape(question.text[language]) in diagnosis.body_html
        # The assessment bank has English and Spanish only: the catalog's name of the cluster (English until the
        # catalog has the language), and the questions' English text.
        assessment = released(cycle, "assessment")
        with force_locale(language):
            assert str(CLUSTER_LABELS["child_labour"]) in assessment.body_html
        first = assessment.data["scores"]["findings"][0]
        assert escape(first["text"]) in assessment.body_html


def test_the_programme_progress_report_keeps_phrases_and_writes_them_in_the_readers_language(app, pdf_tools):
    cycle = factory_speaking("km", "km")
    report = progress_reports.release_programme_progress(cycle, utcnow())
    db.session.commit()
    labour = report.data["challenges"]["labour_standards"]
    assert {"phrase": "cluster_noncompliant", "cluster": "compensation"}.items() <= labour[0].items()
    assert report.data["language"] == "km" and 'lang="km"' in report.body_html
    assert WORDS["km"]["compensation"] in report.body_html  # the bank's word inside the sentence
    with force_locale("en"):
        assert report_docs.sentences(labour)[0] == "Compensation: 2 of 3 checks non-compliant (67%)"
        assert "Worker representatives have not been elected" in report_docs.sentences(
            report.data["challenges"]["social_dialogue"])
    text, fonts = pdf_text_and_fonts(Path(app.config["BWADMIN_REPORTS_DIR"]) / report_pdf.make_pdf(report.id))
    assert len(SCRIPTS["km"][0].findall(text)) >= 20 and "Khmer" in fonts
