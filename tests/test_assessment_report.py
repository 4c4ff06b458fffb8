"""What the assessment report and the self-diagnosis results say (issue 16, section 2): the summary per cluster beside
the country's share, the findings under their cluster and compliance point with their legal reference, method and the
factory's response, what changed since the factory's previous cycle; the factory's answers against the assessment per
compliance point, and the items for its committee. Read as a reader reads them: the page's text and the PDF's."""
from __future__ import annotations

import html as html_text
import re
import shutil
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from bwadmin import caches
from bwadmin.extensions import db
from bwadmin.models import Answer, ImprovementAction, Question, Questionnaire, Report, ReportFlag, Response, utcnow
from bwadmin.services import country_shares, report_docs, report_pdf
from tests.clock_support import STRUCTURE, answer
from tests.factories import approve_assessment, make_cycle, make_factory, make_user
from tests.test_country_share import assessed as released_elsewhere

LAW = {"law": "Labour Code 2019", "article": "Art. 98"}


def _text(html: str) -> str:
    """The words a reader sees, one space apart."""
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", html)).split())


class _Marked(HTMLParser):
    """The text of each element of one tag (and class), as a reader sees it."""

    VOID = {"br", "img", "meta", "link", "hr", "input"}

    def __init__(self, html: str, tag: str, cls: str | None):
        super().__init__(convert_charrefs=True)
        self.tag, self.cls, self.found, self._open = tag, cls, [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self._open.append((tag, [] if tag == self.tag and (self.cls is None or self.cls in classes) else None))

    def handle_endtag(self, tag):
        while self._open:
            name, buffer = self._open.pop()
            if buffer is not None:
                self.found.append(" ".join("".join(buffer).split()))
            if name == tag:
                break

    def handle_data(self, data):
        for _name, buffer in self._open:
            if buffer is not None:
                buffer.append(data)


def texts(html: str, tag: str, cls: str | None = None) -> list[str]:
    return _Marked(html, tag, cls).found


def rows(html: str, table_class: str) -> dict[str, list[str]]:
    """The body rows of the table of that class, by their first cell: [cells]."""
    start = html.index(f'class="report-table {table_class}"')
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    cells = [texts(row, "td") for row in texts_raw(body)]
    return {row[0]: row for row in cells if row}


def texts_raw(body: str) -> list[str]:
    return re.findall(r"<tr\b.*?</tr>", body, flags=re.S)


def _assess(cycle, values: dict[str, str], days_in: int = 100) -> Response:
    response = answer(cycle, "assessment", values)
    approve_assessment(cycle, response, cycle.signed_up_on + timedelta(days=days_in))
    db.session.flush()
    return response


def _report(cycle, kind: str = "assessment") -> Report:
    db.session.expire_all()
    return db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == kind))


def _action(cycle, code: str, text: str, status: str) -> ImprovementAction:
    question = db.session.scalar(select(Question).join(Questionnaire).where(
        Question.code == code, Questionnaire.kind == "assessment"))
    row = ImprovementAction(cycle_id=cycle.id, question_id=question.id, source="assessment", finding=code, action=text,
                            status=status, verified_at=utcnow() if status == "verified" else None)
    db.session.add(row)
    db.session.flush()
    return row


def _submit_plan(cycle) -> None:
    db.session.add(Report(cycle_id=cycle.id, kind="improvement_plan", title="Improvement plan",
                          release_at=utcnow(), submitted_at=utcnow()))
    db.session.flush()


@pytest.fixture
def returning(app):
    """A factory in its second cycle: cycle 1 found CMP.OT.01 (its action verified since) and CMP.MW.01 (its action in
    progress); cycle 2 finds CMP.OT.01 again (recurring), not CMP.MW.01 (fixed), and CMP.OT.02 (new), which the
    factory has planned an action for; it flagged a factual error in the draft, which staff answered."""
    factory = make_factory("Mekong Apparel", country="Vietnam")
    first = make_cycle(factory, days_in=500)
    response = _assess(first, {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "no", "CL.CHL.01": "no"})
    for question in response.questionnaire.questions:
        if question.code == "CMP.OT.01":
            question.legal_reference = LAW
    report_docs.release_scored_many([first], "assessment", utcnow() - timedelta(days=300))
    _action(first, "CMP.OT.01", "Pay overtime at 150 percent", "verified")
    _action(first, "CMP.MW.01", "Raise the lowest wage", "in_progress")
    _submit_plan(first)
    second = make_cycle(factory, days_in=110)
    response = _assess(second, {"CMP.OT.01": "no", "CMP.OT.02": "no", "CMP.MW.01": "yes", "CL.CHL.01": "no"})
    ot01 = next(a for a in response.answers if a.question.code == "CMP.OT.01")
    ot01.methods = ["document_review", "worker_interview"]
    report_docs.draft_scored_many([second], "assessment", utcnow())
    db.session.add(ReportFlag(report_id=_report(second).id, comment="The payroll of March was not reviewed.",
                              resolution="The assessors reviewed it on the second day.", resolved_at=utcnow()))
    _action(second, "CMP.OT.02", "Train the payroll staff", "planned")
    _submit_plan(second)
    report_docs.release_scored_many([second], "assessment", utcnow())
    db.session.commit()
    return second


def test_the_findings_stand_under_their_cluster_and_point_with_legal_reference_method_and_the_factorys_response(
        returning):
    report = _report(returning)
    body = report.body_html
    text = _text(body)
    # Grouped: the cluster's heading, then its compliance points', each over its own findings.
    findings_part = body[body.index('id="findings"'):body.index('id="changes"')]
    assert texts(findings_part, "h3") == ["Compensation"]
    assert [h.split(" ")[0:2] for h in texts(findings_part, "h4", "finding-point")] == [["Overtime", "wages"]]
    assert texts(findings_part, "section", "finding-cluster")[0].startswith("Compensation Overtime wages 2 / 2")
    findings = texts(body, "li", "finding")
    ot01 = next(f for f in findings if "CMP.OT.01" in f)
    assert "Legal reference: Labour Code 2019, Art. 98" in ot01
    assert "Found by: Document review, Worker interview" in ot01
    # The factory's response: its plan's action on the finding and the action's state; none where it gave none.
    ot02 = next(f for f in findings if "CMP.OT.02" in f)
    assert "The factory's response: Train the payroll staff (Planned)" in ot02
    assert "The factory's response" not in ot01 and "Legal reference" not in ot02
    # The factory's word on the draft and staff's answer.
    assert "The factory's comments on the draft" in text
    assert "The payroll of March was not reviewed." in text and "The assessors reviewed it on the second day." in text


def test_the_report_says_what_changed_since_the_previous_cycle(returning):
    report = _report(returning)
    body = report.body_html
    findings = texts(body, "li", "finding")
    assert "[recurring]" in next(f for f in findings if "CMP.OT.01" in f)  # verified in cycle 1, found again
    assert "[new]" in next(f for f in findings if "CMP.OT.02" in f)
    assert "Action at cycle 1: " in next(f for f in findings if "CMP.OT.01" in f)
    changes = " ".join(texts(body, "ul", "changes"))
    assert "1 finding of cycle 1 was not found again." in changes
    assert "1 finding is new." in changes and "1 finding is still open from cycle 1." in changes
    fixed = texts(body, "li", "fixed-finding")
    assert len(fixed) == 1 and "CMP.MW.01" in fixed[0] and "Raise the lowest wage" in fixed[0]
    # The clusters' rates beside cycle 1's: compensation 2 of 3 now, 2 of 3 then; child labour 0 of 1 both times.
    summary = rows(body, "report-summary")
    assert summary["Compensation"][3] == "no change"
    assert "Since cycle 1" in texts(body, "th")
    assert report.data["previous"] == {"cycle": 1, "overall": 0.5, "clusters": {"compensation": 2 / 3,
                                                                              "child_labour": 0.0}}


def test_an_action_is_the_factorys_response_once_its_plan_is_submitted(app):
    cycle = make_cycle(make_factory("Lotus Knit"), days_in=110)
    _assess(cycle, {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"})
    _action(cycle, "CMP.OT.01", "Pay overtime at 150 percent", "in_progress")
    report_docs.draft_scored_many([cycle], "assessment", utcnow())
    db.session.commit()
    assert "Pay overtime" not in _report(cycle).body_html  # a plan still being written is the factory's own
    _submit_plan(cycle)
    report_docs.draft_scored_many([cycle], "assessment", utcnow())  # the plan's submission makes the draft again
    db.session.commit()
    finding = texts(_report(cycle).body_html, "li", "finding")[0]
    assert "The factory's response: Pay overtime at 150 percent (In progress)" in finding


def test_a_first_cycle_has_nothing_to_compare_with(app):
    cycle = make_cycle(make_factory("Lotus Knit"), days_in=110)
    _assess(cycle, {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"})
    report_docs.release_scored_many([cycle], "assessment", utcnow())
    db.session.commit()
    text = _text(_report(cycle).body_html)
    assert "There is no earlier released assessment of this factory to compare with." in text
    assert "[new]" not in text and "Since cycle" not in text and "The factory's comments" not in text


def test_the_summary_gives_each_clusters_country_share_or_says_fewer_than_five(app, returning):
    text = _text(_report(returning).body_html)
    summary = rows(_report(returning).body_html, "report-summary")
    assert all(row[-1] == "fewer than five factories: not shown" for row in summary.values()), summary
    assert "Overall: 2 of 4 checks non-compliant (50%). At cycle 1: 50%." in text
    # Five factories of Cambodia released, three non-compliant on compensation: the cluster's share is shown.
    for name, bad in zip("ABCDE", (1, 1, 1, 0, 0)):
        released_elsewhere(make_factory(name, country="Cambodia"), overtime=(bad, 2))
    db.session.commit()
    caches.country_shares.clear()
    shares = country_shares.compute("Cambodia")
    assert shares.cluster("compensation") == country_shares.Share(3, 5)
    kept = country_shares.Shares.from_data("Cambodia", shares.to_data())
    assert kept.cluster("compensation").rate == 0.6 and kept.get("overtime_wages").factories == 5
    # A report made in Cambodia now keeps and shows it.
    cycle = make_cycle(make_factory("Angkor Wear", country="Cambodia"), days_in=110)
    _assess(cycle, {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"})
    report_docs.release_scored_many([cycle], "assessment", utcnow())
    db.session.commit()
    summary = rows(_report(cycle).body_html, "report-summary")
    assert summary["Compensation"][-1] == "60% of 5 factories"
    assert summary["Child labour"][-1] == "fewer than five factories: not shown"


# --- the self-diagnosis results ------------------------------------------------------------------------------
def _self_bank() -> Questionnaire:
    """A self-diagnosis bank: two checks anticipating the assessment's overtime questions (one for the committee to
    discuss), one on minimum wages, and a committee question on child labour."""
    bank = Questionnaire(kind="self_diagnosis", version=1, title={"en": "Self-diagnosis"}, structure=STRUCTURE,
                         published_at=utcnow())
    rows = [("SD.OT.01", "compensation", "overtime_wages", ["CMP.OT.01"], True),
            ("SD.OT.02", "compensation", "overtime_wages", ["CMP.OT.02"], False),
            ("SD.MW.01", "compensation", "minimum_wages", ["CMP.MW.01"], False),
            ("SD.CL.01", "child_labour", "child_labourers", [], True)]
    for position, (code, cluster, point, anticipates, committee) in enumerate(rows, start=1):
        bank.questions.append(Question(position=position, code=code, cluster=cluster, compliance_point=point,
                                       type="yes_no", text={"en": f"Self check {code}?"}, noncompliant_answer="no",
                                       anticipates=anticipates, committee=committee))
    db.session.add(bank)
    db.session.flush()
    return bank


def _self_diagnosis(cycle, values: dict[str, str]) -> Response:
    bank = db.session.scalar(select(Questionnaire).where(Questionnaire.kind == "self_diagnosis")) or _self_bank()
    response = Response(cycle=cycle, questionnaire=bank, kind="self_diagnosis", status="submitted",
                        submitted_at=utcnow())
    for question in bank.questions:
        if question.code in values:
            response.answers.append(Answer(question=question, value=values[question.code]))
    db.session.add(response)
    db.session.flush()
    return response


def test_the_self_diagnosis_results_set_the_factorys_answers_against_the_assessment_with_the_committee_items(app):
    cycle = make_cycle(make_factory("Lotus Knit"), days_in=110)
    # The factory reports overtime compliant on both checks and a minimum wage problem; the assessment finds
    # CMP.OT.01 non-compliant and minimum wages compliant.
    _self_diagnosis(cycle, {"SD.OT.01": "yes", "SD.OT.02": "yes", "SD.MW.01": "no", "SD.CL.01": "yes"})
    # Drafted before the assessment: the comparison is said to follow.
    report_docs.draft_scored_many([cycle], "self_diagnosis", utcnow())
    db.session.commit()
    assert "The comparison with the assessment follows once the assessment is completed." in \
        _text(_report(cycle, "self_diagnosis").body_html)
    _assess(cycle, {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"})
    report_docs.release_scored_many([cycle], "self_diagnosis", utcnow())
    db.session.commit()
    body = _report(cycle, "self_diagnosis").body_html
    gap = rows(body, "report-gap")
    # Overtime wages: 2 checks compared, the factory reported 0, the assessment found 1: a gap of +50 points.
    assert gap["Overtime wages"][1:] == ["2", "0 (0%)", "1 (50%)", "+50 points"]
    # Minimum wages: the factory reported 1 of 1, the assessment found none: -100 points.
    assert gap["Minimum wages"][1:] == ["1", "1 (100%)", "0 (0%)", "-100 points"]
    differ = texts(body, "li", "gap-question")
    assert any("SD.OT.01" in d and "The factory reported none; the assessment found a non-compliance." in d
               for d in differ)
    assert any("SD.MW.01" in d and "The factory reported a non-compliance; the assessment found none." in d
               for d in differ)
    items = texts(body, "li", "committee-item")
    assert len(items) == 2
    assert "SD.OT.01" in items[0] and "The factory answered: yes." in items[0] \
        and "The assessment found a non-compliance." in items[0]
    assert "SD.CL.01" in items[1] and "The factory answered: yes." in items[1] and "assessment" not in items[1]
    assert "For the committee to discuss" in texts(body, "h2")


# --- the PDF ---------------------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_the_pdf_holds_the_same_sections(app, returning):
    report = _report(returning)
    with force_locale("en"):
        path = report_pdf.write_pdf(report, report.data, "en")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(Path(app.config["BWADMIN_REPORTS_DIR"]) / path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    for words in ("Summary", "Findings", "Since the last cycle", "The factory's comments on the draft",
                  "Legal reference: Labour Code 2019, Art. 98", "Train the payroll staff", "Fixed since cycle 1",
                  "fewer than five factories: not shown", "Mekong Apparel"):
        assert words in flat.replace("’", "'"), words


def test_another_language_reads_the_same_findings_and_changes(returning):
    """The data holds no sentence: a reader in Spanish gets the report made from it in Spanish, the same findings,
    the fixed one and the factory's own words included."""
    report = _report(returning)
    with force_locale("es"):
        body = report_docs.render("assessment", report.data)
    assert 'lang="es"' in body
    assert ["CMP.OT.01" in f for f in texts(body, "li", "finding")] == [True, False]
    assert "CMP.MW.01" in " ".join(texts(body, "li", "fixed-finding"))
    assert "Train the payroll staff" in body and "The payroll of March was not reviewed." in body
    assert "Informe de evaluación" in body  # the words around them in Spanish
