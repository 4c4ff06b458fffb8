"""What each milestone notice says: a subject and the main sentences, in English here and in every language through
the catalogs (bwadmin/translations). The layout (greeting, link, footer) is in templates/emails/notice.txt and
notice.html. Placeholders: %(factory)s, %(cycle)s, %(date)s, %(advisor)s, %(days)s, %(passed)s, %(total)s,
%(verdict)s; in the notices of share requests and flags (services/person_notices) also %(buyer)s, %(again)s,
%(release)s, %(comment)s, %(answer)s and %(message)s.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import force_locale, lazy_gettext as _l

from ..i18n import time_zone_of

NOTICES = {
    "cycle_start_factory": (_l('Your engagement cycle %(cycle)s has started'), [
        _l('The engagement cycle %(cycle)s of %(factory)s starts today, %(date)s, with a 100-day advisory period.'),
        _l('Your advisor is %(advisor)s; they will contact you to plan the first advisory visit.'),
    ]),
    "cycle_start_advisor": (_l('New cycle to advise: %(factory)s'), [
        _l('You advise %(factory)s, cycle %(cycle)s, which starts today, %(date)s.'),
        _l('Plan the advisory visits and the set-up of the worker-management committee.'),
    ]),
    "advisory_end_factory": (_l('The advisory period of %(factory)s ends today'), [
        _l('The 100-day advisory period of cycle %(cycle)s ends today, %(date)s.'),
        _l('Advisory support continues after the assessment until the cycle closes.'),
    ]),
    "advisory_end_advisor": (_l('Advisory period ends: %(factory)s'), [
        _l('The advisory period of %(factory)s, cycle %(cycle)s, ends today, %(date)s.'),
    ]),
    "assessment_due_factory": (_l('The assessment of %(factory)s is due'), [
        _l('The compliance assessment of %(factory)s is due from %(date)s.'),
        _l('Assessments are unannounced: two assessors visit for two days.'),
    ]),
    "assessment_due_advisor": (_l('Assessment due: %(factory)s'), [
        _l('The assessment of %(factory)s, cycle %(cycle)s, is due from %(date)s. Record it in the panel once done.'),
    ]),
    "release_factory": (_l('Your assessment report is released'), [
        _l('The assessment report and the self-diagnosis results of %(factory)s are released today, %(date)s.'),
        _l('Your improvement plan is now open: submit it so that your buyers can read it.'),
    ]),
    "release_buyer": (_l('Assessment report released: %(factory)s'), [
        _l('The assessment report of %(factory)s is released today, %(date)s, and you can read it now.'),
        _l("The factory's improvement plan will be shared with you once the factory submits it."),
    ]),
    "release_advisor": (_l('Released: assessment report of %(factory)s'), [
        _l('The assessment report of %(factory)s, cycle %(cycle)s, was released today, %(date)s, to the factory and its consenting buyers.'),
    ]),
    "release_missing_advisor": (_l('Not released: no assessment recorded for %(factory)s'), [
        _l('The assessment report of %(factory)s, cycle %(cycle)s, was due for release today, %(date)s, but no assessment is recorded.'),
    ]),
    "improvement_plan_reminder_factory": (_l('Reminder: your improvement plan is due in %(days)s days'), [
        _l('The improvement plan of %(factory)s is due on %(date)s, in %(days)s days: an action for each finding of the assessment and of the self-diagnosis.'),
        _l('Once you submit it, your buyers can read it.'),
    ]),
    "improvement_plan_overdue_factory": (_l('Your improvement plan is overdue'), [
        _l('The improvement plan of %(factory)s was due today, %(date)s, and has not been submitted.'),
        _l('Please submit it as soon as possible; your advisor has been told.'),
    ]),
    "improvement_plan_overdue_advisor": (_l('Overdue: improvement plan of %(factory)s'), [
        _l('%(factory)s, cycle %(cycle)s, has not submitted its improvement plan due today, %(date)s.'),
    ]),
    "factory_progress_reminder_factory": (_l('Reminder: your progress report is due in %(days)s days'), [
        _l('The factory progress report of %(factory)s is due on %(date)s, in %(days)s days.'),
        _l('On that day, what you have submitted is released to your buyers.'),
    ]),
    "factory_progress_released_factory": (_l('Your progress report is released to your buyers'), [
        _l('The factory progress report of %(factory)s was released to your buyers today, %(date)s.'),
    ]),
    "factory_progress_released_buyer": (_l('Factory progress report released: %(factory)s'), [
        _l('%(factory)s released its progress report today, %(date)s; you can read it now.'),
    ]),
    "improvement_plan_released_buyer": (_l('Improvement plan shared: %(factory)s'), [
        _l('%(factory)s shared its improvement plan today, %(date)s: for each finding of the assessment, the action it takes, who is responsible and by when. You can read it now.'),
    ]),
    "factory_progress_overdue_factory": (_l('Your progress report is overdue'), [
        _l('The factory progress report of %(factory)s was due today, %(date)s, and has not been submitted.'),
        _l('Please submit it as soon as possible; your advisor has been told.'),
    ]),
    "factory_progress_overdue_advisor": (_l('Overdue: factory progress report of %(factory)s'), [
        _l('%(factory)s, cycle %(cycle)s, has not submitted its progress report due today, %(date)s.'),
    ]),
    "programme_progress_factory": (_l("The programme's progress report on %(factory)s is released"), [
        _l("The programme's progress report on %(factory)s is released today, %(date)s: achievements and the challenges that remain."),
    ]),
    "programme_progress_buyer": (_l('Programme progress report released: %(factory)s'), [
        _l("The programme's progress report on %(factory)s is released today, %(date)s; you can read it now."),
    ]),
    "programme_progress_advisor": (_l('Released: programme progress report on %(factory)s'), [
        _l('The programme progress report on %(factory)s, cycle %(cycle)s, was released today, %(date)s.'),
    ]),
    "differentiation_high_factory": (_l('%(factory)s is a high performer'), [
        _l('The performance of %(factory)s was measured today, %(date)s: all %(total)s differentiation criteria are met.'),
        _l("As a high performer, your factory's next cycle starts with the programme's advanced services: fewer "
           "advisory visits, led by your own self-assessment."),
    ]),
    "differentiation_factory": (_l('The performance of %(factory)s has been measured'), [
        _l('The performance of %(factory)s was measured today, %(date)s: %(passed)s of %(total)s differentiation criteria are met.'),
        _l('Your advisor will go through the results with you.'),
    ]),
    "differentiation_advisor": (_l('Differentiation results: %(factory)s'), [
        _l('%(factory)s, cycle %(cycle)s, meets %(passed)s of %(total)s differentiation criteria (%(verdict)s).'),
    ]),
    # A buyer's request to share and the factory's answer (services/sharing).
    "share_request_factory": (_l('%(buyer)s asks to see your results'), [
        _l('%(buyer)s, a buyer that sources from %(factory)s, asked on %(date)s to read the reports you release.'),
        _l('Accept or decline on your home page. Accepting gives %(buyer)s your consent to share; you can withdraw it at any time.'),
    ]),
    "share_request_accepted_buyer": (_l('%(factory)s now shares its results with you'), [
        _l('%(factory)s accepted your request to share on %(date)s: you can read its released reports now.'),
    ]),
    "share_request_declined_buyer": (_l('%(factory)s declined your request to share'), [
        _l('%(factory)s declined your request to share on %(date)s.'),
        _l('You can ask again from %(again)s.'),
    ]),
    # A factory's flag on its draft assessment report and staff's answer (services/report_review).
    "report_flag_staff": (_l('Factual error flagged by %(factory)s'), [
        _l('%(factory)s flagged a factual error in the draft assessment report of cycle %(cycle)s on %(date)s:'),
        _l('“%(comment)s”'),
        _l('Answer it in the panel before the release on %(release)s; the factory reads your answer beside its flag.'),
    ]),
    "report_flag_answered_factory": (_l('Your flag on the draft report was answered'), [
        _l('Programme staff answered on %(date)s the factual error you flagged in the draft assessment report of %(factory)s:'),
        _l('“%(answer)s”'),
        _l('You can read it beside your flag on the report page.'),
    ]),
}
# The buyer's own words with its request, when it wrote some: a sentence of its own, after the others.
SHARE_REQUEST_MESSAGE = _l('Their message: “%(message)s”')

GREETING = _l("Hello %(name)s,")
OPEN_LINK = _l("Open bwadmin")
FOOTER = _l("You receive this email because you take part in the factory-engagement programme.")
VERDICTS = (_l("high performer"), _l("not a high performer"))


def in_language(language: str, text, **values) -> str:
    with force_locale(language):
        return str(text) % values if values else str(text)


def message(kind: str, language: str, **values) -> tuple[str, list[str]]:
    """The subject and sentences of a notice, in `language` (English where the catalog has no entry)."""
    subject, lines = NOTICES[kind]
    with force_locale(language):
        return str(subject) % values, [str(line) % values for line in lines]


@lru_cache(maxsize=256)  # a release tells thousands of people about the same day
def local_day(moment: datetime, country: str | None, language: str) -> str:
    """The day `moment` (naive UTC) falls on in the country, written for a reader of `language`."""
    day = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(time_zone_of(country))).date()
    return format_date(day, "long", locale=language)
