"""Generating reports: every report's header, language and HTML (one template per kind, for the portal and the PDF);
the data of the assessment report and the self-diagnosis results, and the cycle's assessment results as the other
reports read them; the improvement plans' opening at the release. The data of the progress reports (the programme's
and the factory's) and the differentiation results is written in services/progress_reports, which also readies the
released improvement plan; the PDF file in services/report_pdf.

Run by the worker at a milestone, never in a web request. A release is complete when its HTML is stored and
released_at set; the PDF is made afterwards by a job of its own per report (report_pdf.make_pdf), which
fills Report.file_path. Until then the portal says the PDF is being prepared.

Languages. A report's data (ReportContent.data) holds no sentence in any language: numbers, ISO dates, keys, the
bank's English labels, and the progress report's lines as phrases (`say`). The text is composed when it is
rendered, in the current Flask-Babel language, with the bank's own words in that language where the bank has them:
- the stored body (ReportContent.body_html) and the PDF are written in the factory's language (`factory_languages`:
  the language most of the factory's users chose, else English), which data["language"] records and the draft's
  stamp includes, so a factory that changes language gets its report made again at the release;
- a reader whose language is another gets the body made afresh from the data in theirs (`body_for`);
- the PDF is made in the factory's language after the release, and in a reader's on their asking; its file's name
  carries its language and its content's stamp (services/report_pdf).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import NamedTuple

from babel import numbers
from flask import current_app
from flask_babel import force_locale, format_date, format_decimal, format_percent, get_locale, gettext as _, ngettext
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import selectinload

from ..batches import chunked
from ..config import settings
from ..extensions import db
from ..i18n import current_language
from ..models import (
    CLUSTER_LABELS,
    LANGUAGE_NAMES,
    LANGUAGES,
    METHOD_LABELS,
    REPORT_LABELS,
    RTL_LANGUAGES,
    Assessment,
    Cycle,
    Milestone,
    Report,
    ReportContent,
    Response,
    User,
    utcnow,
)
from ..models import reports as models_reports
from . import (assessment_report, country_shares, evidence, progress_over_cycles, remediation, report_figures,
               scoring, self_diagnosis_report)
from .thresholds import legal_reference_text
from .cycle_rows import CycleLike
from .portal import chart_bars

PDF_KINDS = models_reports.PDF_KINDS


def english_label(kind: str) -> str:
    """The English name of a kind of report, for what is stored: Report.title and data["title"] stay English, as
    the rest of what staff and the API read of a report's row; pages name a report in the reader's language from
    REPORT_LABELS (and the report's own heading is written in the language it is rendered in)."""
    with force_locale("en"):
        return str(REPORT_LABELS.get(kind, kind))


def english_title(kind: str, cycle) -> str:
    return f"{english_label(kind)}: {cycle}"


def get_or_create(cycle: Cycle, kind: str) -> Report:
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == kind))
    if report is None:
        report = Report(cycle=cycle, kind=kind, title=english_title(kind, cycle))
        db.session.add(report)
    return report


# --- the language a report is written in ---------------------------------------------------------------
def factory_languages(factory_ids) -> dict[int, str]:
    """factory id → the language its reports are written in when no reader asks for one (the stored body, the
    worker's PDF): the language most of the factory's active users chose; a tie goes to the language listed first
    in LANGUAGES (English first); English for a factory without users. One query per thousand factories."""
    ids = sorted(set(factory_ids))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for chunk in chunked(ids):
        for factory_id, language, users in db.session.execute(
                select(User.factory_id, User.language, func.count())
                .where(User.factory_id.in_(chunk), User.role == "factory", User.active.is_(True))
                .group_by(User.factory_id, User.language)):
            if language in LANGUAGES:
                counts[factory_id][language] = users
    order = {language: position for position, language in enumerate(LANGUAGES)}
    return {factory_id: min(counts[factory_id].items(), key=lambda item: (-item[1], order[item[0]]))[0]
            if counts.get(factory_id) else "en" for factory_id in ids}


def factory_language(factory_id: int) -> str:
    return factory_languages([factory_id])[factory_id]


def language_of(data: dict | None) -> str:
    """The language a report's stored body was written in (reports made before they were written per language:
    English)."""
    language = (data or {}).get("language")
    return language if language in LANGUAGES else "en"


# --- the text, in the current language ------------------------------------------------------------------
class _Words:
    """The bank's words in one language for a report's data: its own text in that language where the bank has it,
    else the catalog's name of the cluster, else the English the data holds."""

    def __init__(self, questionnaire_id: int | None, language: str):
        self.language = language
        self.structure = None
        if questionnaire_id is not None and language != "en":
            try:
                self.structure = scoring.structure_for(questionnaire_id)
            except NoResultFound:  # the bank is gone: the English the data holds
                pass

    def cluster(self, key: str, stored: str | None) -> str:
        if self.language == "en":  # a bank without its own cluster names stored the key: the programme's name then
            return (stored if stored != key else None) or str(CLUSTER_LABELS.get(key, key))
        own = self.structure.cluster_label(key, self.language) if self.structure else None
        return own or (str(CLUSTER_LABELS[key]) if key in CLUSTER_LABELS else None) or stored or key

    def point(self, key: str, stored: str | None) -> str:
        own = self.structure.point_label(key, self.language) if self.structure else None
        return own or stored or key

    def question(self, question_id: int | None, stored: str | None) -> str:
        own = self.structure.question_text(question_id, self.language) if self.structure else None
        return own or stored or ""

    def scores(self, scores: dict) -> dict:
        if self.language == "en":
            return scores
        return scores | {
            "clusters": {key: row | {"label": self.cluster(key, row.get("label"))}
                         for key, row in (scores.get("clusters") or {}).items()},
            "points": {key: row | {"label": self.point(key, row.get("label"))}
                       for key, row in (scores.get("points") or {}).items()},
            "findings": [finding | {"text": self.question(finding.get("question_id"), finding.get("text"))}
                         for finding in scores.get("findings") or []],
        }


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else value or None


def _moment(value) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else value or None


def say(item, words: _Words | None = None) -> str:
    """One line of the progress report (a phrase of progress_reports.programme_progress_data) in the current
    language."""
    if isinstance(item, str):  # a line written before the lines were kept as phrases
        return item
    words = words or _Words(None, current_language())
    phrase = item.get("phrase")
    if phrase == "need_met":
        return _("Need met: %(title)s", title=item["title"])
    if phrase == "early_improvement":
        return _("Early improvement: %(title)s", title=item["title"])
    if phrase == "committee_in_place":
        return ngettext("Worker-management committee in place: %(worker)s worker and %(management)s management "
                        "representatives, %(num)s meeting held",
                        "Worker-management committee in place: %(worker)s worker and %(management)s management "
                        "representatives, %(num)s meetings held",
                        item["meetings"], worker=format_decimal(item["worker"]),
                        management=format_decimal(item["management"]))
    if phrase == "representatives_elected":
        held_on = _day(item.get("held_on"))
        return (_("Worker representatives elected (%(day)s)", day=format_date(held_on, "medium")) if held_on
                else _("Worker representatives elected"))
    if phrase == "training_used":
        return ngettext("%(num)s training session, %(days)s of %(allotted)s training days used",
                        "%(num)s training sessions, %(days)s of %(allotted)s training days used",
                        item["sessions"], days=format_decimal(item["days"]), allotted=format_decimal(item["allotted"]))
    if phrase == "cluster_noncompliant":
        return ngettext("%(cluster)s: %(noncompliant)s of %(num)s check non-compliant (%(rate)s)",
                        "%(cluster)s: %(noncompliant)s of %(num)s checks non-compliant (%(rate)s)",
                        item["questions"], cluster=words.cluster(item["cluster"], item.get("label")),
                        noncompliant=format_decimal(item["noncompliant"]), rate=format_percent(item["rate"]))
    if phrase == "zero_tolerance":
        return _("Zero-tolerance finding %(code)s", code=item["code"])
    if phrase == "open_need":
        return _("Open need: %(title)s", title=item["title"])
    if phrase == "point_noncompliant":
        return _("%(point)s: %(rate)s non-compliant", point=words.point(item["point"], item.get("label")),
                 rate=format_percent(item["rate"]))
    if phrase == "no_committee":
        return _("No worker-management committee is in place yet")
    if phrase == "committee_unbalanced":
        return _("The committee is unbalanced: %(worker)s worker and %(management)s management members",
                 worker=format_decimal(item["worker"]), management=format_decimal(item["management"]))
    if phrase == "few_meetings":
        return ngettext("The committee met %(num)s time; it should meet regularly",
                        "The committee met %(num)s times; it should meet regularly", item["meetings"])
    if phrase == "not_elected":
        return _("Worker representatives have not been elected")
    if phrase == "low_review_score":
        return _("Committee effectiveness review scored %(score)s", score=format_decimal(item["score"]))
    return str(item.get("text") or phrase or "")


def sentences(items, words: _Words | None = None) -> list[str]:
    """The lines of a list of the progress report in the current language."""
    return [say(item, words) for item in items or []]


def localized(kind: str, data: dict, language: str | None = None) -> dict:
    """The report's data as `language` (default: the current one) reads it: the report's name, dates as dates for
    the |day and |moment filters, the bank's words in that language, the progress report's lines as sentences."""
    language = language or current_language()
    words = _Words(data.get("questionnaire_id"), language)
    view = data | {
        "title": str(REPORT_LABELS.get(kind, data.get("title") or kind)),
        "language_name": LANGUAGE_NAMES.get(language, language),
        "signed_up_on": _day(data.get("signed_up_on")),
        "assessed_on": _day(data.get("assessed_on")),
        "generated_at": _moment(data.get("generated_at")),
    }
    if data.get("scores"):
        view["scores"] = words.scores(data["scores"])
    if data.get("fixed"):
        view["fixed"] = [f | {"text": words.question(f.get("question_id"), f.get("text"))} for f in data["fixed"]]
    if data.get("gap"):
        view["gap"] = {key: row | {"label": words.point(key, row.get("label"))} for key, row in data["gap"].items()}
    for key in ("gap_questions", "committee_items"):
        if data.get(key):
            view[key] = [item | {"text": words.question(item.get("question_id"), item.get("text"))}
                         for item in data[key]]
    if "achievements" in data:
        view["achievements"] = sentences(data["achievements"], words)
    if "challenges" in data:
        view["challenges"] = {key: sentences(rows, words) for key, rows in (data["challenges"] or {}).items()}
    if kind in ("factory_progress", "programme_progress", "differentiation", "improvement_plan"):
        from . import progress_reports  # it reads this module's helpers

        view = progress_reports.localize(kind, view, words)
    return view


# The kinds with a template.
RENDERED_KINDS = ("assessment", "self_diagnosis", "programme_progress", "factory_progress", "differentiation",
                  "improvement_plan")
# The kinds whose page is written from the data whenever it is read: the plan's states change after its release
# (remediation.refresh_plan keeps them in the data).
LIVE_KINDS = ("improvement_plan",)


def point_namer(data: dict | None):
    """label(key, stored): a report's compliance point named in the current language."""
    return _Words((data or {}).get("questionnaire_id"), current_language()).point


def country_points(kind: str, data: dict, view: dict | None = None) -> tuple[list, country_shares.Shares | None]:
    """An assessment report's compliance points beside the country's shares it keeps (country_shares); nothing for
    the other kinds: the programme publishes its country figures from assessments."""
    if kind != "assessment" or not (data or {}).get("scores"):
        return [], None
    shares = country_shares.for_report(data)
    scores = (view or {}).get("scores") or data["scores"]  # the view's labels are in the reader's language already
    return country_shares.point_rows(scores, shares), shares


def render(kind: str, data: dict, for_pdf: bool = False) -> str:
    """The report's HTML from its data in the current language (the reader's in a request; a job forces the
    factory's with flask_babel.force_locale): the same template, and the same chart, for the portal and the PDF
    (`for_pdf`: links to evidence files in full, read off the site)."""
    # The compiled template straight from the app's Jinja environment (cached there): a report needs none of
    # render_template's request context, and the release renders thousands of them in a row.
    language = current_language()
    view = localized(kind, data, language)
    rtl = language in RTL_LANGUAGES
    template = current_app.jinja_env.get_template(f"reports/{kind}.html")
    points, shares = country_points(kind, data, view)
    groups = assessment_report.sections(view, shares) if kind == "assessment" else []
    return template.render(data=view, for_pdf=for_pdf, bars=chart_bars(view), lang=language,
                           dir="rtl" if rtl else "ltr", rtl=rtl, pct=partial(_percent, str(get_locale())),
                           methods=METHOD_LABELS, files_at=_files_at(for_pdf), points=points, shares=shares,
                           sections=groups, fixed=assessment_report.fixed_by_cluster(view) if groups else [],
                           states=remediation.STATE_LABELS, legal=legal_reference_text)


def _files_at(for_pdf: bool) -> str:
    """Where a report's links to its evidence files lead: the guarded route, in full in a PDF (read off the site)."""
    return (settings().base_url.rstrip("/") if for_pdf else "") + "/attachments/"


@lru_cache(maxsize=4096)
def _percent(locale: str, rate: float) -> str:
    """flask_babel.format_percent (the |percent filter), remembered: a report writes some fifty rates, most of them
    the same few fractions, and a release renders thousands of reports."""
    return numbers.format_percent(rate, locale=locale)


def body_for(kind: str, data: dict | None, stored: str | None) -> str | None:
    """The report's HTML for the reader (Flask-Babel's current language): the stored body when it was written in
    that language, else made afresh from the data (the plan always: its states move after its release). A report
    whose data predates its kind's template (no header) keeps its body, or the portal's plain sections."""
    if not data or kind not in RENDERED_KINDS or "factory" not in data:  # a report made before it had a template
        return stored
    if stored and kind not in LIVE_KINDS and language_of(data) == current_language():
        return stored
    return render(kind, data)


def publish(report: Report, data: dict, now: datetime) -> Report:
    """Store the data and the HTML, in the factory's language, and release; the PDF follows in its own job
    (report_pdf.pending_pdf_ids)."""
    language = factory_language(report.cycle.factory_id)
    data = data | {"language": language}
    report.data = data
    with force_locale(language):
        report.body_html = render(report.kind, data)
    report.file_path = None
    report.release_at = report.release_at or now
    report.released_at = now
    return report


# --- the data of each kind ----------------------------------------------------------------------------
def _header(cycle: CycleLike, now: datetime) -> dict:
    factory = cycle.factory
    return {"factory": factory.name, "country": factory.country, "city": factory.city, "cycle": cycle.number,
            "signed_up_on": cycle.signed_up_on.isoformat(), "generated_at": now.isoformat(timespec="minutes")}


def report_header(cycle: CycleLike, now: datetime) -> dict:
    """The header every report's data starts with: the factory, its place, the cycle, the sign-up day and when the
    data was written (the page's heading and the PDF's cover read it)."""
    return _header(cycle, now)


def _response(cycle: Cycle, kind: str) -> Response | None:
    if kind == "assessment":
        assessment = db.session.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        if assessment is not None and assessment.response is not None:
            return assessment.response
    return db.session.scalar(select(Response).where(Response.cycle_id == cycle.id, Response.kind == kind))


def assessment_results(cycle: Cycle) -> tuple[dict | None, int | None]:
    """The cycle's assessment results and the bank version they were scored against: as its report holds them, else
    scored from the answers; (None, None) before any. The programme progress report reads both
    (services/progress_reports); the differentiation and the factory progress report the results alone."""
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "assessment"))
    if report is not None and report.data and report.data.get("scores"):
        questionnaire_id = report.data.get("questionnaire_id")
        if questionnaire_id is None:  # a report made before its data named its bank
            response = _response(cycle, "assessment")
            questionnaire_id = response.questionnaire_id if response is not None else None
        return report.data["scores"], questionnaire_id
    response = _response(cycle, "assessment")
    if response is None or not response.answers:
        return None, None
    return scoring.score(response), response.questionnaire_id


def assessment_scores(cycle: Cycle) -> dict | None:
    """The cycle's assessment results: as its report holds them, else scored from the answers; None before any."""
    return assessment_results(cycle)[0]


def _responses_of(cycles: list[CycleLike], kind: str) -> tuple[dict[int, object], dict[int, object]]:
    """cycle id → its response of `kind` (for the assessment: the one the Assessment names, else the cycle's
    response of that kind), and cycle id → its Assessment row; plain rows, a few queries for all cycles."""
    cycle_ids = [c.id for c in cycles]
    assessments = {}
    if kind == "assessment":
        assessments = {row.cycle_id: row for row in db.session.execute(
            select(Assessment.cycle_id, Assessment.response_id, Assessment.assessed_on, Assessment.assessors,
                   Assessment.completed_at, Assessment.days_on_site, Assessment.worker_sample)
            .where(Assessment.cycle_id.in_(cycle_ids)))}
    columns = (Response.id, Response.cycle_id, Response.questionnaire_id, Response.status, Response.updated_at,
               Response.thresholds)
    own = {row.cycle_id: row for row in db.session.execute(
        select(*columns).where(Response.cycle_id.in_(cycle_ids), Response.kind == kind))}
    by_id = {row.id: row for row in own.values()}
    named = [a.response_id for a in assessments.values() if a.response_id is not None and a.response_id not in by_id]
    if named:  # an assessment naming a response of another cycle or kind: rare
        by_id.update({row.id: row for row in db.session.execute(select(*columns).where(Response.id.in_(named)))})
    responses = {}
    for cycle_id in cycle_ids:
        assessment = assessments.get(cycle_id)
        named_response = by_id.get(assessment.response_id) if assessment is not None else None
        response = named_response or own.get(cycle_id)
        if response is not None:
            responses[cycle_id] = response
    return responses, assessments


# --- the assessment report and the self-diagnosis results -------------------------------------------------
# The worker drafts them when the assessment is completed or the self-diagnosis submitted: the factory reviews
# the draft in the month before the release, and the release publishes that draft as it is, unless what it was
# made from has changed since (then the release makes it again). So a release is a few statements, not scoring
# and rendering, when thousands fall due at once.
SCORED_KINDS = ("assessment", "self_diagnosis")


class _Source(NamedTuple):
    """What a scored report is made from: the response, the assessment's details, the language it is written in
    (the factory's), and a stamp of them all and of the header."""

    response: object
    assessment: object | None
    language: str
    stamp: str
    # An assessment report: the previous cycle's report, the plans' actions and the flags on the draft
    # (assessment_report.contexts_of). The self-diagnosis results: the cycle's completed assessment response, which
    # they are set against (None before it).
    context: assessment_report.Context = assessment_report.EMPTY
    assessed: object | None = None

    @property
    def recurring(self) -> frozenset:
        """The codes of the questions whose finding recurs (the action on it verified in the cycle before)."""
        return self.context.recurring


def _stamp(cycle: CycleLike, response, assessment, language: str,
           context: assessment_report.Context = assessment_report.EMPTY, assessed=None) -> str:
    factory = cycle.factory
    parts = (response.id, response.questionnaire_id, response.updated_at.isoformat(),
             str(assessment.assessed_on) if assessment else None, assessment.assessors if assessment else None,
             factory.name, factory.country, factory.city, cycle.number, str(cycle.signed_up_on), language)
    if context is not assessment_report.EMPTY:  # the cycle before, the plan or a flag changes what the report says
        parts += (context.stamp(),)
    if assessed is not None:  # the self-diagnosis results set against the assessment, once it is completed
        parts += (assessed.id, assessed.updated_at.isoformat())
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


def mark_recurring(scores: dict, codes: frozenset) -> dict:
    """The scores with each finding on a question of `codes` marked recurring."""
    if not codes:
        return scores
    return scores | {"findings": [f | {"recurring": True} if f.get("code") in codes else f
                                  for f in scores.get("findings") or []]}


def _sources(cycles: list[CycleLike], kind: str, finished_only: bool) -> dict[int, _Source]:
    """cycle id → the source of its report of `kind`. `finished_only`: only a completed assessment or a submitted
    self-diagnosis, so that a draft never shows answers still being entered."""
    responses, assessments = _responses_of(cycles, kind)
    languages = factory_languages(c.factory_id for c in cycles if c.id in responses)
    contexts = assessment_report.contexts_of([c for c in cycles if c.id in responses]) if kind == "assessment" else {}
    assessed = self_diagnosis_report.completed_assessments([c for c in cycles if c.id in responses]) \
        if kind == "self_diagnosis" else {}
    sources = {}
    for cycle in cycles:
        response, assessment = responses.get(cycle.id), assessments.get(cycle.id)
        if response is None:
            continue
        # An assessment is released, or drafted, only once approved (completed); a self-diagnosis drafted once
        # submitted.
        if not (assessment is not None and assessment.completed_at is not None if kind == "assessment"
                else not finished_only or response.status == "submitted"):
            continue
        language = languages[cycle.factory_id]
        context = contexts.get(cycle.id, assessment_report.EMPTY)
        against = assessed.get(cycle.id)
        sources[cycle.id] = _Source(response, assessment, language,
                                    _stamp(cycle, response, assessment, language, context, against), context, against)
    return sources


def _existing(cycle_ids: list[int], kind: str) -> dict[int, object]:
    return {row.cycle_id: row for row in db.session.execute(
        select(Report.id, Report.cycle_id, Report.release_at, Report.released_at, Report.source_stamp,
               ReportContent.body_html.is_not(None).label("has_body"),
               ReportContent.report_id.is_not(None).label("has_content"))
        .outerjoin(ReportContent).where(Report.cycle_id.in_(cycle_ids), Report.kind == kind))}


def _current(row, source: _Source | None) -> bool:
    return row is not None and source is not None and row.has_body and row.source_stamp == source.stamp


def _write_scored(cycles: list[CycleLike], kind: str, sources: dict[int, _Source], existing: dict[int, object],
                  now: datetime, release: bool) -> dict[int, int]:
    """Score, render and store the reports of `cycles` (drafts, or released now), each in its factory's language:
    cycle id → report id, leaving out cycles whose response has no answers. Answers are read in one query and
    scored by scoring.score_many; the rows are written with one statement per kind of change."""
    sources = {c.id: sources[c.id] for c in cycles if c.id in sources}
    counts = scoring.answer_counts(s.response.id for s in sources.values())
    sources = {cycle_id: s for cycle_id, s in sources.items() if counts.get(s.response.id)}
    if not sources:
        return {}
    values = scoring.load_values(s.response.id for s in sources.values())
    scores = scoring.score_many((s.response for s in sources.values()), values)
    if kind == "self_diagnosis":  # the answers of the assessments they are set against, in one query
        against = self_diagnosis_report.Against([s.assessed for s in sources.values() if s.assessed is not None])
    if kind == "assessment":  # the evidence behind each finding, for all these reports at once
        proofs = evidence.report_evidence(s.response.id for s in sources.values())
        suggested = evidence.suggested_statements(
            f["question_id"] for s in sources.values() for f in scores[s.response.id]["findings"])
    title = english_label(kind)
    issues = report_figures.issues_by_country() if kind == "assessment" else {}
    # The country's shares, kept in the report with their day: computed once a minute per country at most, however
    # many batches of releases fall in it.
    shares: dict[str, dict] = {}
    if kind == "assessment":
        for country in {c.factory.country for c in cycles if c.id in sources}:
            shares[country] = country_shares.snapshot(country)
    structures: dict[int, scoring.Structure] = {}
    # The factory's earlier cycles, for the trend: one query for the batch (none for first cycles).
    earlier = progress_over_cycles.for_reports([c for c in cycles if c.id in sources], now) if kind == "assessment" \
        else {}
    inserts, updates, order, contents_changed, contents_new = [], [], [], [], []
    for cycle in cycles:
        source = sources.get(cycle.id)
        if source is None:
            continue
        data = _header(cycle, now) | {"kind": kind, "title": title,
                                      "scores": mark_recurring(scores[source.response.id], source.recurring),
                                      "questionnaire_id": source.response.questionnaire_id,
                                      "language": source.language}
        if kind == "self_diagnosis":
            data |= against.report_data(source.response, values.get(source.response.id, {}), source.assessed)
        if kind == "assessment":
            questionnaire_id = source.response.questionnaire_id
            if questionnaire_id not in structures:
                structures[questionnaire_id] = scoring.structure_for(questionnaire_id)
            data |= assessment_report.report_data(data["scores"], structures[questionnaire_id], source.context)
            assessment = source.assessment
            data["assessed_on"] = assessment.assessed_on.isoformat() if assessment else None
            data["assessors"] = assessment.assessors if assessment else None
            data["days_on_site"] = assessment.days_on_site if assessment else None
            data["worker_sample"] = assessment.worker_sample if assessment else None
            findings = {str(f["question_id"]) for f in data["scores"]["findings"]}
            data["evidence"] = {qid: proof for qid, proof in proofs.get(source.response.id, {}).items()
                                if qid in findings}
            data["suggested"] = {qid: suggested[qid] for qid in findings if qid in suggested}
            data["country_shares"] = shares.get(cycle.factory.country) or {}
            data["trend"] = progress_over_cycles.with_current(earlier.get(cycle.id), data)
        with force_locale(source.language):
            content = {"data": data, "body_html": render(kind, data)}
        values = {"file_path": None, "source_stamp": source.stamp, "released_at": now if release else None}
        if kind == "assessment":  # the lists sort by these without reading the data
            values |= report_figures.for_data(data, cycle.factory.country, issues)
        row = existing.get(cycle.id)
        if row is None:
            inserts.append((values | {"cycle_id": cycle.id, "kind": kind, "title": f"{title}: {cycle}",
                                      "release_at": now if release else None}, content))
        else:
            updates.append(values | {"report_id": row.id,
                                     "release_at": (row.release_at or now) if release else row.release_at})
            (contents_changed if row.has_content else contents_new).append(content | {"report_id": row.id})
        order.append(cycle.id)
    ids = {row.cycle_id: row.id for row in existing.values()}
    # Core statements, not the ORM's bulk ones: the session needs none of these rows.
    table, content_table = Report.__table__, ReportContent.__table__
    if inserts:
        made = {row.cycle_id: row.id for row in db.session.execute(
            table.insert().returning(table.c.id, table.c.cycle_id), [values for values, _ in inserts])}
        ids.update(made)
        contents_new += [content | {"report_id": made[values["cycle_id"]]} for values, content in inserts]
    if updates:
        db.session.execute(table.update().where(table.c.id == bindparam("report_id")), updates)
    if contents_changed:
        db.session.execute(content_table.update().where(content_table.c.report_id == bindparam("content_of")),
                           [{"content_of": c["report_id"], "data": c["data"], "body_html": c["body_html"]}
                            for c in contents_changed])
    if contents_new:
        db.session.execute(content_table.insert(), contents_new)
    return {cycle_id: ids[cycle_id] for cycle_id in order}


def draft_scored_many(cycles: list[CycleLike], kind: str, now: datetime) -> dict[int, int]:
    """Draft the reports of `kind` whose assessment is completed (self-diagnosis submitted), unless released or
    drafted from the same source already: cycle id → report id of each draft made."""
    cycles = [c for c in cycles if c.id is not None]
    if not cycles:
        return {}
    sources = _sources(cycles, kind, finished_only=True)
    existing = _existing(list(sources), kind) if sources else {}
    todo = [c for c in cycles if c.id in sources and not (
        existing.get(c.id) is not None and existing[c.id].released_at is not None
        or _current(existing.get(c.id), sources[c.id]))]
    return _write_scored(todo, kind, sources, existing, now, release=False)


def release_scored_many(cycles: list[CycleLike], kind: str, now: datetime) -> dict[int, int]:
    """Release the reports of `kind` of many cycles: cycle id → report id of each released report (cycles
    without answers of `kind` are left out). A current draft is released as it is, in one statement for all;
    the others are made now."""
    cycles = [c for c in cycles if c.id is not None]
    if not cycles:
        return {}
    sources = _sources(cycles, kind, finished_only=False)
    existing = _existing(list(sources), kind) if sources else {}
    drafted = {c.id: existing[c.id].id for c in cycles
               if _current(existing.get(c.id), sources.get(c.id)) and existing[c.id].released_at is None}
    ids = list(drafted.values())
    for chunk in chunked(ids):
        db.session.execute(update(Report).where(Report.id.in_(chunk))
                           .values(released_at=now, release_at=func.coalesce(Report.release_at, now), file_path=None)
                           .execution_options(synchronize_session=False))
    made = _write_scored([c for c in cycles if c.id not in drafted], kind, sources, existing, now, release=True)
    released = drafted | made
    return {c.id: released[c.id] for c in cycles if c.id in released}


def draft_reports(cycle_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """The worker's drafting job: both scored reports of these cycles, where due. Returns how many of each kind
    were drafted. Commits."""
    now = now or utcnow()
    made = {}
    ids = sorted(set(cycle_ids))
    for chunk in chunked(ids):
        cycles = list(db.session.scalars(select(Cycle).where(Cycle.id.in_(chunk))
                                         .options(selectinload(Cycle.factory))))
        for kind in SCORED_KINDS:
            made[kind] = made.get(kind, 0) + len(draft_scored_many(cycles, kind, now))
        db.session.commit()
    return made


def pending_draft_cycle_ids() -> list[int]:
    """Cycles before their release whose completed assessment or submitted self-diagnosis has no report drafted
    yet (its job was lost with Redis, or never queued)."""
    def missing(kind):
        return ~select(Report.id).join(ReportContent).where(Report.cycle_id == Cycle.id, Report.kind == kind,
                                                            ReportContent.body_html.is_not(None)).exists()

    completed = select(Assessment.id).where(Assessment.cycle_id == Cycle.id,
                                            Assessment.completed_at.is_not(None)).exists()
    submitted = select(Response.id).where(Response.cycle_id == Cycle.id, Response.kind == "self_diagnosis",
                                          Response.status == "submitted").exists()
    before_release = select(Milestone.id).where(Milestone.cycle_id == Cycle.id, Milestone.kind == "release",
                                                Milestone.done_at.is_(None)).exists()
    return list(db.session.scalars(
        select(Cycle.id).where(Cycle.status != "closed", before_release,
                               or_(and_(completed, missing("assessment")), and_(submitted, missing("self_diagnosis"))))
        .order_by(Cycle.id)))


def open_improvement_plan(cycle: Cycle, now: datetime) -> None:
    """The plan is opened at the release; buyers see it once the factory submits it."""
    open_improvement_plans([cycle], now)


def open_improvement_plans(cycles: list[CycleLike], now: datetime) -> None:
    """open_improvement_plan for many cycles: one insert for the missing plans, one update for the others."""
    ids = [c.id for c in cycles]
    if not ids:
        return
    existing = set(db.session.scalars(select(Report.cycle_id).where(
        Report.cycle_id.in_(ids), Report.kind == "improvement_plan")))
    db.session.execute(update(Report).where(Report.cycle_id.in_(ids), Report.kind == "improvement_plan",
                                            Report.release_at.is_(None))
                       .values(release_at=now).execution_options(synchronize_session=False))
    label = english_label("improvement_plan")
    missing = [{"cycle_id": c.id, "kind": "improvement_plan", "title": f"{label}: {c}", "release_at": now}
               for c in cycles if c.id not in existing]
    if missing:
        db.session.execute(Report.__table__.insert(), missing)
