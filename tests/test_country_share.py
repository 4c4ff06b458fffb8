"""The programme's results: beside a factory's own non-compliance on each compliance point, the share of the factories
of its country non-compliant on it, from each factory's latest released assessment only, and never from fewer than
five factories: not on the report page, in the PDF, through the API or on the buyer's factory page."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

from bwadmin import caches
from bwadmin.extensions import db
from bwadmin.models import Answer, Assessment, Question, Questionnaire, Report, Response, utcnow
from bwadmin.services import country_shares, report_docs, report_pdf, tokens

from .factories import login, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .pageread import Page

NOT_SHOWN = "fewer than five factories: not shown"
# Two checks of overtime wages, one of regular hours: the points every factory below is scored on.
QUESTIONS = [("CMP.OT.01", "overtime_wages", "compensation"), ("CMP.OT.02", "overtime_wages", "compensation"),
             ("WT.RH.01", "regular_hours", "working_time")]


def points(overtime: tuple[int, int], hours: tuple[int, int] = (0, 1)) -> dict:
    """A report's compliance points: (non-compliant, checks) of each."""
    def entry(cluster, label, counted):
        bad, total = counted
        return {"cluster": cluster, "label": label, "noncompliant": bad, "questions": total,
                "rate": bad / total if total else 0.0}

    return {"overtime_wages": entry("compensation", "Overtime wages", overtime),
            "regular_hours": entry("working_time", "Regular hours", hours)}


def assessed(factory, overtime=(0, 2), hours=(0, 1), released=True, cycle=None, future=False) -> Report:
    """An assessment report of the factory (a new cycle unless given), released an hour ago unless told."""
    cycle = cycle or make_cycle(factory, days_in=200)
    now = utcnow()
    scored = points(overtime, hours)
    bad = sum(p["noncompliant"] for p in scored.values())
    total = sum(p["questions"] for p in scored.values())
    report = Report(cycle_id=cycle.id, kind="assessment", title=f"Assessment of {factory.name}",
                    body_html=f"<p>{factory.name}</p>",
                    data={"country": factory.country, "scores": {
                        "overall": {"questions": total, "noncompliant": bad, "rate": bad / total},
                        "clusters": {"compensation": {"label": "Compensation", "rate": scored["overtime_wages"]["rate"],
                                                      "questions": 2, "noncompliant": overtime[0]}},
                        "points": scored, "findings": [], "zero_tolerance": []}},
                    release_at=now - timedelta(days=1),
                    released_at=(now + timedelta(days=3) if future else now - timedelta(hours=1)) if released else None)
    db.session.add(report)
    db.session.flush()
    return report


def fresh(country: str) -> country_shares.Shares:
    caches.country_shares.clear()
    return country_shares.shares(country)


def test_the_share_counts_each_factorys_latest_released_assessment_in_the_country_only(app):
    for name in "ABC":
        assessed(make_factory(name, country="Cambodia"), overtime=(1, 2))
    for name in "DE":
        assessed(make_factory(name, country="Cambodia"), overtime=(0, 2))
    # A factory non-compliant in its first cycle and compliant in its latest released one counts as compliant.
    returning = make_factory("F", country="Cambodia")
    first = make_cycle(returning, days_in=600)
    assessed(returning, overtime=(2, 2), cycle=first)
    assessed(returning, overtime=(0, 2), cycle=make_cycle(returning, days_in=200))
    # Non-compliant factories that do not count: a report not released, one whose release is ahead, another country.
    assessed(make_factory("G", country="Cambodia"), overtime=(2, 2), released=False)
    assessed(make_factory("H", country="Cambodia"), overtime=(2, 2), future=True)
    assessed(make_factory("I", country="Vietnam"), overtime=(2, 2))
    # Its next cycle's assessment under review: the factory still counts with its released one.
    under_review = make_factory("J", country="Cambodia")
    assessed(under_review, overtime=(1, 2), cycle=make_cycle(under_review, days_in=600))
    assessed(under_review, overtime=(0, 2), cycle=make_cycle(under_review, days_in=100), released=False)
    db.session.commit()

    shares = fresh("Cambodia")
    overtime = shares.get("overtime_wages")
    assert (overtime.noncompliant, overtime.factories, overtime.rate) == (4, 7, 4 / 7)  # A, B, C, J of A–F and J
    assert fresh("cambodia").get("overtime_wages") == overtime  # the country however it is written
    assert fresh("Vietnam").get("overtime_wages") is None  # one factory: withheld


def test_a_point_assessed_in_fewer_than_five_factories_is_withheld_and_never_counted_from_unscored_ones(app):
    for name in "ABCDE":
        # Regular hours scored in four of them only (the fifth answered not applicable: no check counted).
        assessed(make_factory(name, country="Jordan"), overtime=(1, 2), hours=(1, 1) if name != "E" else (0, 0))
    db.session.commit()
    shares = fresh("Jordan")
    assert shares.get("overtime_wages").rate == 1.0 and shares.get("overtime_wages").factories == 5
    assert shares.get("regular_hours") is None
    assert "regular_hours" not in shares.to_data()["points"]  # nothing of it is kept in a report either


# --- through every door: report page, PDF, API, buyer pages ---------------------------------------------------------
def bank() -> Questionnaire:
    questionnaire = Questionnaire(kind="assessment", version=1, title={"en": "Compliance assessment"}, languages=["en"],
                                  structure={"clusters": {"compensation": {"en": "Compensation"},
                                                          "working_time": {"en": "Working time"}},
                                             "compliance_points": {
                                                 "overtime_wages": {"cluster": "compensation", "en": "Overtime wages"},
                                                 "regular_hours": {"cluster": "working_time", "en": "Regular hours"}}},
                                  published_at=utcnow())
    for position, (code, point, cluster) in enumerate(QUESTIONS, start=1):
        questionnaire.questions.append(Question(position=position, code=code, cluster=cluster, compliance_point=point,
                                                type="yes_no", text={"en": f"Is {code} right?"},
                                                noncompliant_answer="no", zero_tolerance=False))
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def released_through_the_worker(factory) -> Report:
    """The factory's assessment, entered and completed, released as the worker releases it (the report keeps the
    country's shares of that moment)."""
    cycle = make_cycle(factory, signed_up_on=date(2026, 1, 5))
    response = Response(cycle=cycle, questionnaire=bank(), kind="assessment", status="submitted",
                        submitted_at=utcnow())
    answers = {"CMP.OT.01": "no", "CMP.OT.02": "yes", "WT.RH.01": "yes"}  # one of two overtime checks fails
    response.answers = [Answer(question=q, value=answers[q.code]) for q in response.questionnaire.questions]
    db.session.add(response)
    db.session.add(Assessment(cycle=cycle, assessed_on=date(2026, 4, 15), assessors="A. Tran", response=response,
                              completed_at=utcnow()))
    db.session.commit()
    [report_id] = report_docs.release_scored_many([cycle], "assessment", utcnow()).values()
    db.session.commit()
    return db.session.get(Report, report_id)


def everything_the_buyer_reads(app, report: Report) -> dict[str, str]:
    """The report page, the PDF's text, the API's report and the factory page, as a buyer of the factory reads them."""
    buyer = make_buyer()
    make_sourcing(buyer, report.cycle.factory)
    user = make_user("buyer", buyer=buyer)
    raw = tokens.issue(user)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    caches.country_shares.clear()
    read = {
        "report page": client.get(f"/buyer/reports/{report.id}").get_data(as_text=True),
        "factory page": client.get(f"/buyer/factories/{report.cycle.factory_id}").get_data(as_text=True),
        "api": client.get(f"/api/v1/reports/{report.id}", headers={"Authorization": f"Bearer {raw}"}).get_data(
            as_text=True),
        # What the PDF is made from (WeasyPrint lays this out; report_pdf.write_pdf).
        "pdf": re.sub(r"<[^>]+>", " ", report_pdf.pdf_html(report, report.data)),
    }
    return read


def test_four_factories_give_no_share_on_the_report_page_the_pdf_the_api_or_the_buyer_pages(app):
    for name in "ABC":
        assessed(make_factory(name, country="Jordan"), overtime=(2, 2), hours=(1, 1))
    db.session.commit()
    report = released_through_the_worker(make_factory("Mine", country="Jordan"))
    # Three others and the factory's own earlier results: at most four factories, however they are counted.
    assert report.data["country_shares"]["points"] == {}
    read = everything_the_buyer_reads(app, report)
    for door in ("report page", "factory page", "pdf"):
        assert NOT_SHOWN in read[door], door
        assert not re.search(r"\d+% of \d+ factor", read[door]), door
    point = json.loads(read["api"])["scores"]["points"]["overtime_wages"]
    assert point["rate"] == 0.5 and point["country"] == {"share": None, "factories": None, "note": NOT_SHOWN}
    # The factory's own figures are there all the same.
    rows = Page(read["factory page"]).table("country-points")
    assert rows[0][0] == "Overtime wages" and "50%" in rows[0][1] and NOT_SHOWN in rows[0][2]


def test_five_factories_give_the_share_everywhere_as_the_report_kept_it(app):
    for name, bad in zip("ABCDE", (2, 1, 1, 0, 0)):
        assessed(make_factory(name, country="Jordan"), overtime=(bad, 2), hours=(1, 1))
    db.session.commit()
    report = released_through_the_worker(make_factory("Mine", country="Jordan"))
    assert report.data["country_shares"]["points"]["overtime_wages"] == {"noncompliant": 3, "factories": 5}
    read = everything_the_buyer_reads(app, report)
    for door in ("report page", "factory page", "pdf"):
        assert "60% of 5 factories" in read[door], door
        assert "100% of 5 factories" in read[door], door  # regular hours: all five non-compliant
    body = json.loads(read["api"])
    assert body["scores"]["points"]["overtime_wages"]["country"] == {"share": 0.6, "factories": 5}
    assert body["country_shares"]["country"] == "Jordan" and body["country_shares"]["min_factories"] == 5
    # A sixth factory released later does not change what the released report says: its figures are of its day.
    assessed(make_factory("F", country="Jordan"), overtime=(2, 2))
    db.session.commit()
    again = everything_the_buyer_reads(app, report)
    assert "60% of 5 factories" in again["report page"] and "60% of 5 factories" in again["factory page"]


def test_a_buyer_cannot_work_out_a_hidden_factorys_rate(app, client):
    """The buyer sees four factories of the country; the fifth does not share with it. Whatever the fifth's rate, the
    buyer reads the same: a share of factories, never an average of rates. With four factories in all, not even
    whether the fourth was non-compliant."""
    buyer = make_buyer()
    seen = []
    for name, bad in zip("ABCD", (2, 1, 0, 0)):
        factory = make_factory(name, country="Indonesia")
        make_sourcing(buyer, factory)
        seen.append(assessed(factory, overtime=(bad, 2)))
    hidden = assessed(make_factory("Hidden", country="Indonesia"), overtime=(1, 2))
    login(client, make_user("buyer", buyer=buyer))

    def pages() -> list[str]:
        """Each page of a factory the buyer sees, but for its form's CSRF token."""
        caches.country_shares.clear()
        db.session.commit()
        return [re.sub(r'name="csrf_token"[^>]*', "", client.get(f"/buyer/factories/{r.cycle.factory_id}")
                       .get_data(as_text=True)) for r in seen]

    def set_hidden(bad: int) -> None:
        hidden.data = {**hidden.data, "scores": {**hidden.data["scores"], "points": points((bad, 2))}}

    half = pages()
    assert all("60% of 5 factories" in page for page in half)  # A, B and the hidden one of five
    set_hidden(2)  # the hidden factory's rate moves from 50% to 100%
    assert pages() == half
    assert client.get(f"/buyer/factories/{hidden.cycle.factory_id}").status_code == 404

    # Four factories in the country: whether the hidden one is compliant or not, nothing tells.
    db.session.delete(seen.pop())
    set_hidden(0)
    compliant = pages()
    set_hidden(2)
    assert pages() == compliant
    assert all(NOT_SHOWN in page and "% of 4 factories" not in page for page in compliant)
