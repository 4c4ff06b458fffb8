"""The advisor's home and cycle page as they are used: the header counts the advisor's own work, every row's button
does what it says, and a need made from a finding opens its own form with a short title."""
import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Answer, Election, Need, Report, Response, utcnow
from bwadmin.services import questionnaires as bank

from .adminpage import text_of
from .advisory_helpers import make_committee
from .factories import csrf_from, login, make_cycle, make_factory, make_user, post_form


def rows_with_buttons(html: str, table_id: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The body rows of a table: each row's words and its buttons (label, address)."""
    at = html.index(f'id="{table_id}"')
    table = html[at:html.index("</table>", at)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        if "<th" in row:
            continue
        buttons = [(" ".join(unescape(re.sub(r"<[^>]+>", "", label)).split()), unescape(href))
                   for href, label in re.findall(r'<a class="btn[^"]*" href="([^"]+)">(.*?)</a>', row, re.S)]
        rows.append((" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()), buttons))
    return rows


def test_the_advisors_header_counts_their_own_factories_and_running_cycles(app, client):
    mai = make_user("advisor", name="Mai")
    returning = make_factory("Returning Knit")
    first = make_cycle(returning, days_in=500, advisor=mai)
    first.status = "closed"
    make_cycle(returning, days_in=20, advisor=mai)
    make_cycle(make_factory("Second Mill"), days_in=40, advisor=mai)
    for i in range(3):
        make_cycle(make_factory(f"Someone else's {i}"), advisor=make_user("advisor"))
    login(client, mai)
    header = text_of(client.get("/admin/").get_data(as_text=True), "counts")
    assert header == "You advise 2 factories · 2 running cycles"
    admin = app.test_client()
    login(admin, make_user("admin"))
    assert text_of(admin.get("/admin/").get_data(as_text=True), "counts") == "5 factories · 5 running cycles"


def test_every_row_of_the_advisors_home_has_a_button_that_opens_what_it_says(app, client):
    bank.ensure_default_questionnaires()
    mai = make_user("advisor", name="Mai")
    late = make_cycle(make_factory("Late Apparel"), days_in=120, advisor=mai)
    soon = make_cycle(make_factory("Soon Knit"), days_in=96, advisor=mai)
    election = Election(committee=make_committee(soon.factory), cycle=soon, seats=2, status="nominating",
                        held_on=utcnow().date() + timedelta(days=2))
    plan = Report(cycle=late, kind="improvement_plan", title="Improvement plan: Late Apparel, cycle 1",
                  release_at=utcnow() - timedelta(days=2))
    db.session.add_all([election, plan])
    login(client, mai)
    html = client.get("/admin/").get_data(as_text=True)

    work = dict((words, buttons) for words, buttons in
                rows_with_buttons(html, "work-overdue") + rows_with_buttons(html, "work-this-week"))
    expected = {
        "Late Apparel, cycle 1 3 advisory visits not yet made (0 of 3)": ("Record a visit", "Cycles - Advisory visits"),
        "Late Apparel, cycle 1 Committee review not done": ("Review the committee", "Committee review"),
        "Late Apparel, cycle 1 Improvement plan not yet submitted by the factory": ("Open the plan",
                                                                                   "Improvement plan: Late Apparel"),
        "Soon Knit, cycle 1 Election not held (2 seats)": ("Open the election", "committee of Soon Knit"),
    }
    for start, (label, shown) in expected.items():
        row = next((buttons for words, buttons in work.items() if words.startswith(start)), None)
        assert row is not None, (start, list(work))
        assert [b[0] for b in row] == [label]
        page = client.get(row[0][1])
        assert page.status_code == 200, (label, row[0][1])
        assert shown in unescape(page.get_data(as_text=True)), (label, shown)
    assert not any("Release: Improvement plan" in words for words in work)  # nobody on the panel can release it
    visit_form = client.get(expected_button(work, "Record a visit")).get_data(as_text=True)
    assert f'value="{late.id}" selected' in visit_form or f'selected value="{late.id}"' in visit_form

    milestones = rows_with_buttons(html, "overdue") + rows_with_buttons(html, "this-week")
    assert milestones and all(len(buttons) == 1 for _, buttons in milestones)
    due = next(buttons for words, buttons in milestones if "Assessment due" in words and "Late Apparel" in words)
    assert due[0][0] == "Enter the assessment" and due[0][1].endswith(f"/admin/assessment-entry/{late.id}")
    start = next(buttons for words, buttons in milestones if "Cycle starts" in words and "Late Apparel" in words)
    assert start[0][0] == "Open the timeline" and f"/admin/cycle/details/?id={late.id}" in start[0][1]
    assert 'id="timeline"' in client.get(start[0][1]).get_data(as_text=True)


def expected_button(work: dict, label: str) -> str:
    return next(href for buttons in work.values() for text, href in buttons if text == label)


def assessment_with_overtime_finding(cycle):
    """The shipped assessment bank, and a response to it that finds overtime not paid at the legal rate."""
    questionnaire = next(q for q in bank.ensure_default_questionnaires() if q.kind == "assessment")
    question = next(q for q in questionnaire.questions if q.code == "CO.OTW.01")
    response = Response(cycle=cycle, questionnaire=questionnaire, kind="assessment", status="submitted",
                        submitted_at=utcnow())
    db.session.add_all([response, Answer(response=response, question=question, value="no")])
    db.session.flush()
    return question


def test_a_need_from_a_finding_opens_its_own_form_with_a_short_title(app, client):
    cycle = make_cycle(make_factory("Overtime Garments"))
    question = assessment_with_overtime_finding(cycle)
    login(client, make_user("advisor"))
    page = client.get(f"/admin/cycle/details/?id={cycle.id}")
    response = client.post(f"/admin/cycle-work/{cycle.id}/need-from-finding", data={
        "csrf_token": csrf_from(page), "question_id": str(question.id), "source": "assessment",
        "area": "labour_compliance"})
    need = db.session.scalar(select(Need))
    title = "Overtime wages: workers not paid the legal overtime rate for all overtime hours worked"
    assert need.title == title and need.target == "Comply with Overtime wages (Compensation)."
    assert response.status_code == 302 and f"/admin/need/edit/?id={need.id}" in response.headers["Location"]
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Need added: {title}. Set its owner, target and due date." in unescape(form)
    assert f'value="{title}"' in unescape(form)
    saved = post_form(client, response.headers["Location"], {
        "cycle": str(cycle.id), "area": "labour_compliance", "title": "Overtime wages: pay the legal premium",
        "target": need.target, "owner": "HR manager", "due_on": "2026-06-30", "status": "open",
        "source": "assessment"})
    assert saved.status_code == 302  # back to the findings of the cycle
    assert saved.headers["Location"].endswith(f"/admin/cycle/details/?id={cycle.id}#findings")
    db.session.expire_all()
    assert db.session.get(Need, need.id).owner == "HR manager"
    # The finding's row on the cycle page links to the need it made.
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    link = re.search(r'<a class="badge badge-success" href="([^"]+)">need: open</a>', html)
    assert link and f"/admin/need/edit/?id={need.id}" in unescape(link.group(1))


def test_a_finding_the_statement_cannot_turn_round_is_named_by_its_code(app):
    from bwadmin.services.finding_statements import need_title

    assert need_title("Paid leave", "CO.PLV.09", "Leave records", "no") == "Paid leave: CO.PLV.09 not in compliance"
    assert need_title("Coercion", "FL.COE.01", "Does the employer withhold workers' identity documents?", "yes") == \
        "Coercion: the employer withholds workers' identity documents"
    assert need_title("Emergency preparedness", "OS.EME.01", "Is there a working fire alarm that can be heard?",
                      "no") == "Emergency preparedness: no working fire alarm that can be heard"
