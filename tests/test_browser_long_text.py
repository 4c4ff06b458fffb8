"""A very long word a factory user or buyer wrote never makes a page wider than a 390 px screen."""
from __future__ import annotations

from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import ImprovementAction, Report, ReportFlag, ShareRequest, utcnow

from .browser import browser, live_server, log_in, needs_chromium  # noqa: F401
from .factories import make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report

pytestmark = needs_chromium

WORD = "Unbrokenwordwithoutanyspace" * 12  # 324 characters, no place to break



def test_long_words_wrap_on_a_390_px_screen(app, live_server, browser):
    factory = make_factory("Narrow Garments")
    asking, sharing = make_buyer("Asking Buyer"), make_buyer("Sharing Buyer")
    make_sourcing(asking, factory, consent=False)
    make_sourcing(sharing, factory, consent=True)
    cycle = make_cycle(factory, days_in=200)
    draft = make_report(cycle, "assessment", released=False, pdf=False)
    plan = make_report(cycle, "improvement_plan", pdf=False)
    plan.body_html = None  # the page lists the plan's actions
    plan.data = {"actions": [{"finding": WORD, "action": WORD, "owner": WORD[:200], "due_on": "2030-01-31",
                              "status": "planned"}]}
    db.session.add(ImprovementAction(cycle_id=cycle.id, finding=WORD, action=WORD, owner=WORD[:200]))
    db.session.add(ShareRequest(buyer_id=asking.id, factory_id=factory.id, message=WORD))
    db.session.add(ReportFlag(report_id=draft.id, comment=WORD, resolution=WORD, resolved_at=utcnow()))
    make_user("factory", "narrow@factory.example", factory=factory)
    make_user("buyer", "narrow@buyer.example", buyer=sharing)
    db.session.commit()
    plan_id = db.session.scalar(select(Report.id).where(Report.kind == "improvement_plan"))

    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, "narrow@factory.example")
    for path in ("/factory/", f"/factory/reports/{draft.id}", "/factory/improvement-plan", f"/factory/reports/{plan_id}"):
        page.goto(live_server + path)
        assert page.get_by_text(WORD[:40], exact=False).first.is_visible(), path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

    buyer_page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(buyer_page, live_server, "narrow@buyer.example")
    # The factory page lists a plan once its assessment is released (here a draft): the plan's own page shows it.
    for path, shows_word in ((f"/buyer/factories/{factory.id}", False), (f"/buyer/reports/{plan_id}", True)):
        buyer_page.goto(live_server + path)
        if shows_word:
            assert buyer_page.get_by_text(WORD[:40], exact=False).first.is_visible(), path
        assert buyer_page.evaluate("document.documentElement.scrollWidth") <= 390, path
