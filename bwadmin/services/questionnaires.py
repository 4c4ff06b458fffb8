"""The question bank: loading a data file as a new version, publishing, copying, exporting; which version a cycle
answers (`bank_for`).

A version belongs to a country or is the global template (country None). A cycle answers the newest published
version of its kind for its factory's country, else the newest published global one. Country versions ship as
files under data/questionnaires/countries/: each names the global file it adapts ("base") and gives the country's
thresholds and legal references (see `resolve`).

A published version never changes. Editing a published version means copying it into a new, unpublished
version (`new_version`), editing the copy, then publishing it. Responses stay bound to the version they
answered, so an old response keeps being read against the questions it was given.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import current_language
from ..models import LANGUAGES, Factory, Question, Questionnaire, utcnow
from ..models.questionnaire import QUESTION_TYPES, QUESTIONNAIRE_KINDS
from . import thresholds as figures

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "questionnaires"
COUNTRY_DIR = DATA_DIR / "countries"
CHOICE_TYPES = ("single_choice", "multiple_choice")
MAX_COUNTRY = 80  # Questionnaire.country, as Factory.country


class QuestionnaireError(ValueError):
    """A data file or an edit that the bank refuses; the message says what to fix."""


class PublishedVersionError(QuestionnaireError):
    """An attempt to change a published version."""


# --- reading a version in the reader's language -------------------------------------------------------
def in_language(texts, language: str, fallback: str = "") -> str:
    """A bank text ({"en": "...", "es": "..."}) in `language`, else in English, else in any language it has."""
    if not isinstance(texts, dict) or not texts:
        return texts if isinstance(texts, str) and texts else fallback
    return texts.get(language) or texts.get("en") or next(iter(texts.values())) or fallback


def title_in(questionnaire: Questionnaire, language: str) -> str:
    return in_language(questionnaire.title, language, questionnaire.kind.replace("_", " ").capitalize())


def label_in(questionnaire: Questionnaire, part: str, key: str, language: str) -> str:
    """A cluster's or a compliance point's name (part "clusters" or "compliance_points") as the version names it."""
    entry = ((questionnaire.structure or {}).get(part) or {}).get(key)
    return in_language(entry, language, key.replace("_", " ").capitalize()) if isinstance(entry, dict) else \
        key.replace("_", " ").capitalize()


def question_counts(questionnaire_ids) -> dict[int, int]:
    """questionnaire id → how many questions it has, in one query."""
    ids = list(questionnaire_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Question.questionnaire_id, func.count()).where(
        Question.questionnaire_id.in_(ids)).group_by(Question.questionnaire_id)).all())


def choices_for_filter() -> list[tuple[str, str]]:
    """Every version as a filter offers it: (id, "title, version n"), newest first, in the reader's language."""
    language = current_language()
    versions = db.session.scalars(select(Questionnaire).order_by(Questionnaire.kind, Questionnaire.version.desc()))
    return [(str(q.id), version_name(q, language)) for q in versions]


def version_name(questionnaire: Questionnaire, language: str) -> str:
    """"Compliance assessment, version 2" or "Compliance assessment (Bangladesh), version 2"."""
    title = title_in(questionnaire, language)
    if questionnaire.country and questionnaire.country.lower() not in title.lower():
        title = _("%(title)s (%(country)s)", title=title, country=questionnaire.country)
    return _("%(title)s, version %(version)s", title=title, version=questionnaire.version)


# --- reading and checking a data file -----------------------------------------------------------------
def read(source) -> dict:
    """A data file's content: a path, an open file, a JSON string or an already-parsed dict."""
    if isinstance(source, dict):
        return source
    if isinstance(source, (str, Path)) and not str(source).lstrip().startswith("{"):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise QuestionnaireError(f"cannot read {source}: {exc.strerror or exc}") from exc
    elif hasattr(source, "read"):
        text = source.read()
    else:
        text = str(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QuestionnaireError(f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise QuestionnaireError("the file must hold one JSON object")
    return resolve(data)


def resolve(data: dict) -> dict:
    """A country file made whole: the global file it names ("base"), with the country, its title, thresholds and
    languages, and each question's legal reference from "legal_references" (keyed by question code, else by
    compliance point; a question neither names keeps the base's reference). A file without "base" is whole."""
    base_name = data.get("base")
    if not base_name:
        return data
    path = (DATA_DIR / str(base_name)).resolve()
    if DATA_DIR not in path.parents or not path.is_file():
        raise QuestionnaireError(f"base {base_name} is not a file of {DATA_DIR.name}")
    base = json.loads(path.read_text(encoding="utf-8"))
    references = data.get("legal_references") or {}
    overrides = data.get("questions") or {}
    questions = []
    for question in base["questions"]:
        question = dict(question) | (overrides.get(question["code"]) or {})
        reference = references.get(question["code"]) or references.get(question["compliance_point"])
        if reference:
            question["legal_reference"] = reference
        questions.append(question)
    whole = {key: value for key, value in base.items() if key not in ("questions", "version")}
    whole.update({key: data[key] for key in ("kind", "country", "title", "languages", "thresholds", "sources")
                  if key in data})
    whole["questions"] = questions
    return whole


def check(data: dict) -> list[str]:
    """Every problem of a data file, as plain sentences; empty when it can be loaded. Staff read them when they
    publish a version from the panel; the file's keys (kind, show_if…) stay as they are in every language."""
    problems: list[str] = []
    if data.get("kind") not in QUESTIONNAIRE_KINDS:
        problems.append(_("kind must be one of %(kinds)s", kinds=", ".join(QUESTIONNAIRE_KINDS)))
    country = data.get("country")
    if country is not None and (not isinstance(country, str) or not country.strip() or len(country) > MAX_COUNTRY):
        problems.append(_("country must be a name of up to %(most)s characters, or null for the global template",
                          most=MAX_COUNTRY))
    limits = data.get("thresholds") or {}
    if not isinstance(limits, dict) or not all(isinstance(entry, dict) for entry in limits.values()):
        problems.append(_("thresholds must be an object of objects keyed by their name, such as %(example)s",
                          example='{"minimum_age": {"value": 15, "source": "..."}}'))
    clusters = data.get("clusters") or {}
    points = data.get("compliance_points") or {}
    if not isinstance(clusters, dict) or not isinstance(points, dict):
        return problems + [_("clusters and compliance_points must be objects keyed by their code")]
    for key, point in points.items():
        if not isinstance(point, dict) or point.get("cluster") not in clusters:
            problems.append(_("compliance point %(point)s names no known cluster", point=key))
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        return problems + [_("questions must be a non-empty list")]
    seen: dict[str, dict] = {}
    for n, q in enumerate(questions, 1):
        code = q.get("code") if isinstance(q, dict) else None
        where = code or n  # the question, by its code or its place in the file
        if not code or not isinstance(code, str):
            problems.append(_("question %(question)s has no code", question=n))
            continue
        if code in seen:
            problems.append(_("question %(question)s appears twice", question=where))
        if q.get("compliance_point") not in points:
            problems.append(_("question %(question)s names an unknown compliance point %(point)s", question=where,
                              point=repr(q.get("compliance_point"))))
        if q.get("type") not in QUESTION_TYPES:
            problems.append(_("question %(question)s has an unknown type %(type)s", question=where,
                              type=repr(q.get("type"))))
        if not isinstance(q.get("text"), dict) or not q["text"].get("en"):
            problems.append(_("question %(question)s needs an English text", question=where))
        if q.get("noncompliant_answer") not in (None, "yes", "no"):
            problems.append(_("question %(question)s: noncompliant_answer must be yes, no or null", question=where))
        if q.get("type") in CHOICE_TYPES:
            choices = q.get("choices") or []
            values = [c.get("value") for c in choices if isinstance(c, dict)]
            if not values or None in values or len(set(values)) != len(values):
                problems.append(_("question %(question)s needs choices with distinct values", question=where))
        low, high = q.get("min"), q.get("max")
        if low is not None and high is not None and low > high:
            problems.append(_("question %(question)s: min is above max", question=where))
        reference = q.get("legal_reference")
        if reference is not None and not (isinstance(reference, dict) and isinstance(reference.get("law"), str)):
            problems.append(_("question %(question)s: legal_reference must be an object with a law and an article",
                              question=where))
        anticipated = q.get("anticipates")
        if anticipated is not None and not (isinstance(anticipated, list)
                                            and all(isinstance(code, str) for code in anticipated)):
            problems.append(_("question %(question)s: anticipates must be a list of question codes", question=where))
        rule = q.get("show_if")
        if rule:
            parent = seen.get(rule.get("question")) if isinstance(rule, dict) else None
            if parent is None:
                problems.append(_("question %(question)s: show_if must name an earlier question", question=where))
            elif "equals" not in rule:
                problems.append(_("question %(question)s: show_if needs the value to equal", question=where))
        seen[code] = q
    return problems


# --- versions -----------------------------------------------------------------------------------------
def same_country(country: str | None):
    """The condition "a version of this country" (None: the global template), without regard to case or spaces."""
    if country is None or not country.strip():
        return Questionnaire.country.is_(None)
    return func.lower(Questionnaire.country) == country.strip().lower()


def next_version(kind: str, country: str | None = None) -> int:
    current = db.session.scalar(select(func.max(Questionnaire.version)).where(Questionnaire.kind == kind,
                                                                              same_country(country)))
    return (current or 0) + 1


def load(source, publish_now: bool = False, country: str | None = None) -> Questionnaire:
    """A new version of the file's kind and country (`country` given: that one instead), numbered after the newest
    one of that kind and country (the file's own number is ignored)."""
    data = read(source)
    if country is not None:
        data = data | {"country": country}
    problems = check(data)
    if problems:
        raise QuestionnaireError("; ".join(problems))
    points = data["compliance_points"]
    country = (data.get("country") or "").strip() or None
    questionnaire = Questionnaire(
        kind=data["kind"],
        country=country,
        version=next_version(data["kind"], country),
        title=data.get("title") or {"en": data["kind"].replace("_", " ").capitalize()},
        languages=data.get("languages") or ["en"],
        structure={"clusters": data["clusters"], "compliance_points": points},
        thresholds=data.get("thresholds") or {},
    )
    for position, q in enumerate(data["questions"], 1):
        questionnaire.questions.append(Question(
            position=position,
            code=q["code"],
            cluster=points[q["compliance_point"]]["cluster"],
            compliance_point=q["compliance_point"],
            type=q["type"],
            text=q["text"],
            help=q.get("help"),
            choices=q.get("choices"),
            required=bool(q.get("required", True)),
            allow_na=bool(q.get("allow_na", False)),
            noncompliant_answer=q.get("noncompliant_answer"),
            zero_tolerance=bool(q.get("zero_tolerance", False)),
            committee=bool(q.get("committee", False)),
            show_if=q.get("show_if") or None,
            min_value=q.get("min"),
            max_value=q.get("max"),
            legal_reference=q.get("legal_reference") or None,
            anticipates=q.get("anticipates") or None,
        ))
    db.session.add(questionnaire)
    db.session.flush()
    if publish_now:
        publish(questionnaire)
    return questionnaire


def publish(questionnaire: Questionnaire) -> Questionnaire:
    """Publish the version, once nothing is missing (`publish_problems`): else QuestionnaireError naming each gap."""
    if questionnaire.published:
        return questionnaire
    problems = check(export_data(questionnaire)) + publish_problems(questionnaire)
    if problems:
        raise QuestionnaireError(_("cannot publish: %(problems)s", problems="; ".join(problems)))
    questionnaire.published_at = utcnow()
    return questionnaire


def needs_legal_reference(questionnaire: Questionnaire, question: Question) -> bool:
    """An assessment question that can be a finding checks a point of law, which it must cite."""
    return questionnaire.kind == "assessment" and question.noncompliant_answer in ("yes", "no")


def publish_problems(questionnaire: Questionnaire) -> list[str]:
    """What a version lacks before it may be published, one sentence per kind of gap naming the questions: a text in
    one of the version's languages, the legal reference of an assessment question that can be a finding, a
    threshold a question's text (or help) reads that the version does not give a value."""
    languages = list(questionnaire.languages or ["en"])
    limits = questionnaire.thresholds or {}
    untranslated: dict[str, list[str]] = {}
    unreferenced: list[str] = []
    unknown: dict[str, list[str]] = {}
    for question in questionnaire.questions:
        texts = question.text if isinstance(question.text, dict) else {}
        for language in languages:
            if not (texts.get(language) or "").strip():
                untranslated.setdefault(language, []).append(question.code)
        if needs_legal_reference(questionnaire, question) and not (
                question.legal_reference and str(question.legal_reference.get("law") or "").strip()):
            unreferenced.append(question.code)
        for name in sorted(figures.names_in(question.text) | figures.names_in(question.help)):
            if figures.missing(limits.get(name)):
                unknown.setdefault(name, []).append(question.code)
    problems = [_("no text in %(language)s for %(questions)s", language=language, questions=", ".join(codes))
                for language, codes in untranslated.items()]
    if unreferenced:
        problems.append(_("no legal reference for %(questions)s", questions=", ".join(unreferenced)))
    problems += [_("the threshold %(name)s, which %(questions)s read, has no value in this version", name=name,
                   questions=", ".join(codes)) for name, codes in unknown.items()]
    return problems


def new_version(questionnaire: Questionnaire, country: str | None = None) -> Questionnaire:
    """An unpublished copy, numbered after the newest version of its kind and country: the place to make edits.
    `country` given: a copy for that country (a global template adapted to a country's law, say)."""
    data = export_data(questionnaire)
    if country is not None:
        data["country"] = country.strip() or None
    return load(data)


def copy_to_country(questionnaire: Questionnaire, country: str) -> Questionnaire:
    """An unpublished draft of `questionnaire` for `country`, numbered after that country's versions."""
    country = (country or "").strip()
    if not country or len(country) > MAX_COUNTRY:
        raise QuestionnaireError(_("A country is a name of up to %(most)s characters.", most=MAX_COUNTRY))
    return new_version(questionnaire, country)


def export_data(questionnaire: Questionnaire) -> dict:
    """The version in the data files' format; loading it again gives an equal new version."""
    structure = questionnaire.structure or {}
    data = {
        "kind": questionnaire.kind,
        "version": questionnaire.version,
        "title": questionnaire.title,
        "languages": questionnaire.languages,
        "clusters": structure.get("clusters", {}),
        "compliance_points": structure.get("compliance_points", {}),
        "questions": [
            {
                "code": q.code,
                "compliance_point": q.compliance_point,
                "type": q.type,
                "text": q.text,
                "help": q.help,
                "required": q.required,
                "allow_na": q.allow_na,
                "noncompliant_answer": q.noncompliant_answer,
                "zero_tolerance": q.zero_tolerance,
                "committee": q.committee,
                "show_if": q.show_if,
                "choices": q.choices,
                "min": q.min_value,
                "max": q.max_value,
            } | ({"legal_reference": q.legal_reference} if q.legal_reference else {})
              | ({"anticipates": q.anticipates} if q.anticipates else {})
            for q in questionnaire.questions
        ],
    }
    # Only where there is one: the global files without thresholds export as they were written.
    if questionnaire.country:
        data["country"] = questionnaire.country
    if questionnaire.thresholds:
        data["thresholds"] = questionnaire.thresholds
    return data


def export(questionnaire_id: int) -> dict:
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        raise QuestionnaireError(f"no questionnaire with id {questionnaire_id}")
    return export_data(questionnaire)


def latest_published(kind: str, country: str | None = None) -> Questionnaire | None:
    """The newest published version of this kind for exactly this country (None: the global template)."""
    return db.session.scalar(
        select(Questionnaire)
        .where(Questionnaire.kind == kind, same_country(country), Questionnaire.published_at.is_not(None))
        .order_by(Questionnaire.version.desc())
        .limit(1)
    )


def bank_for(kind: str, country: str | None) -> Questionnaire | None:
    """The version a cycle of a factory in `country` answers: the newest published one of its country, else the
    newest published global one; None when neither exists. Every new response chooses its version here."""
    if country and country.strip():
        own = latest_published(kind, country)
        if own is not None:
            return own
    return latest_published(kind)


def ensure_default_questionnaires(kinds=QUESTIONNAIRE_KINDS) -> list[Questionnaire]:
    """Load and publish each shipped global file whose kind has no global version yet; returns what was loaded."""
    loaded = []
    for kind in kinds:
        exists = db.session.scalar(select(Questionnaire.id).where(Questionnaire.kind == kind,
                                                                  Questionnaire.country.is_(None)).limit(1))
        path = DATA_DIR / f"{kind}.json"
        if exists is None and path.exists():
            loaded.append(load(path, publish_now=True))
    return loaded


def known_countries() -> list[str]:
    """The countries a version may be copied to, as the factories name them, and those with a version already."""
    named = set(db.session.scalars(select(Factory.country).distinct()))
    named |= set(db.session.scalars(select(Questionnaire.country).where(Questionnaire.country.is_not(None))
                                    .distinct()))
    return sorted({country.strip() for country in named if country and country.strip()}, key=str.lower)


def shipped_country_files() -> list[Path]:
    return sorted(COUNTRY_DIR.glob("*.json")) if COUNTRY_DIR.is_dir() else []


def ensure_country_versions() -> list[Questionnaire]:
    """Load and publish each shipped country file whose kind and country have no version yet."""
    loaded = []
    for path in shipped_country_files():
        data = read(path)
        exists = db.session.scalar(select(Questionnaire.id).where(
            Questionnaire.kind == data.get("kind"), same_country(data.get("country"))).limit(1))
        if exists is None:
            loaded.append(load(data, publish_now=True))
    return loaded


# --- wording: a version's text in more languages, or corrected --------------------------------------------
def _is_wording(node) -> bool:
    return isinstance(node, dict) and isinstance(node.get("en"), str)


def _substance(node, languages=("en",)):
    """What a version says in `languages` (English: its substance), apart from its number and list of languages."""
    if _is_wording(node):
        return {key: value for key, value in node.items() if key in languages or key not in LANGUAGES}
    if isinstance(node, dict):
        # A key left out of the file and one given as null say the same.
        return {key: _substance(value, languages) for key, value in node.items()
                if key not in ("version", "languages") and value is not None}
    if isinstance(node, list):
        return [_substance(value, languages) for value in node]
    return node


def update_wording(source) -> list[Questionnaire]:
    """Write the file's wording into every version of its kind that says the same in English: a translation
    added or corrected by editing the data file. The English text, the questions, their choices and scoring
    are the version's substance and never change once published (refuse_if_published); this changes only what
    a reader of another language sees. Returns the versions changed."""
    data = read(source)
    problems = check(data)
    if problems:
        raise QuestionnaireError("; ".join(problems))
    wanted = _substance(data)
    changed = []
    for questionnaire in db.session.scalars(select(Questionnaire).where(Questionnaire.kind == data["kind"],
                                                                        same_country(data.get("country")))):
        current = export_data(questionnaire)
        if _substance(current) != wanted or _substance(current, LANGUAGES) == _substance(data, LANGUAGES):
            continue
        # Thresholds and legal references are substance: only the words change here.
        questionnaire.title = data.get("title") or questionnaire.title
        questionnaire.languages = [language for language in LANGUAGES
                                   if language in set(data.get("languages") or []) | set(questionnaire.languages)]
        questionnaire.structure = {"clusters": data["clusters"], "compliance_points": data["compliance_points"]}
        for question, given in zip(questionnaire.questions, data["questions"]):
            question.text, question.help, question.choices = given["text"], given.get("help"), given.get("choices")
        changed.append(questionnaire)
    db.session.flush()
    return changed


def update_shipped_wording() -> list[Questionnaire]:
    """update_wording() from each data file shipped with the code."""
    return [changed for kind in QUESTIONNAIRE_KINDS if (DATA_DIR / f"{kind}.json").exists()
            for changed in update_wording(DATA_DIR / f"{kind}.json")]


# --- the rule that a published version never changes ---------------------------------------------------
def refuse_if_published(questionnaire: Questionnaire | None) -> None:
    if questionnaire is not None and questionnaire.published:
        raise PublishedVersionError(_(
            "Version %(version)s of this questionnaire is published and never changes. "
            "Use “New version” on the questionnaire to edit a copy.", version=questionnaire.version
        ))
