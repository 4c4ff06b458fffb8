"""Learning seminars: four group sessions per cycle for the factories of a country; invitations by email.

Invitations are notices like the milestones' (key "seminar:<seminar id>:<email>", the guard against emailing
twice), sent by the workers with the same batching, retries and failed state.
"""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from babel.dates import format_date as format_day
from flask_babel import force_locale, format_date, gettext as _, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..config import settings
from ..extensions import db
from ..models import Cycle, Factory, Seminar, SeminarAttendance, User, utcnow
from ..queue import send_soon
from . import audit, messages, notify
from .errors import FieldError

SEMINARS_PER_CYCLE = 4
MONTHS_APART = 3
TOPICS = (
    _l("Social dialogue and the committee"),
    _l("Occupational safety and health"),
    _l("Wages, working time and contracts"),
    _l("Management systems and continuous improvement"),
)
DEFAULT_TITLE = _l("Learning seminar %(number)s: %(topic)s")


class SeminarError(FieldError):
    pass


def plan_seminars(country: str, first_date: date | None, months_apart: int = MONTHS_APART,
                  location: str | None = None) -> list[Seminar]:
    """Four seminars for a country, the first on first_date, then every `months_apart` months."""
    country = (country or "").strip()
    if not country:
        raise SeminarError("country", _("Enter the country the seminars are for."))
    if first_date is None:
        raise SeminarError("first_date", _("Enter the day of the first seminar."))
    if months_apart is None or months_apart < 1:
        raise SeminarError("months_apart", _("Seminars are at least one month apart."))
    clash = db.session.scalar(
        select(Seminar).where(Seminar.country == country, Seminar.held_on == first_date)
    )
    if clash is not None:
        raise SeminarError("first_date", _("%(country)s already has a seminar on %(day)s.", country=country,
                                           day=format_date(first_date, "medium")))
    seminars = []
    for number, topic in enumerate(TOPICS[:SEMINARS_PER_CYCLE], start=1):
        with force_locale("en"):  # stored in English; each reader gets it in their language (title_in)
            title = str(DEFAULT_TITLE) % {"number": number, "topic": topic}
        seminar = Seminar(country=country, number=number, title=title,
                          held_on=first_date + relativedelta(months=months_apart * (number - 1)), location=location)
        db.session.add(seminar)
        seminars.append(seminar)
    db.session.flush()
    for seminar in seminars:
        audit.record("create", seminar, after=audit.snapshot(seminar))
    return seminars


def running_cycles(country: str) -> list[Cycle]:
    return db.session.scalars(
        select(Cycle).join(Cycle.factory).options(joinedload(Cycle.factory))
        .where(Factory.country == country, Cycle.status != "closed").order_by(Factory.name)
    ).all()


def title_in(seminar: Seminar, language: str) -> str:
    """The seminar's title for a reader: the planned title in their language, or as staff retitled it."""
    if seminar.number and seminar.number <= len(TOPICS):
        values = {"number": seminar.number, "topic": TOPICS[seminar.number - 1]}
        if seminar.title == messages.in_language("en", DEFAULT_TITLE, **values):
            return messages.in_language(language, DEFAULT_TITLE, **values)
    return seminar.title


INVITATION_SUBJECT = _l("Invitation: %(title)s on %(day)s")
INVITATION = _l("%(factory)s is invited to %(title)s, a learning seminar for the factories of %(country)s, on "
                "%(day)s.")
INVITATION_PLACE = _l("The seminar is held at %(place)s.")
INVITATION_WHO = _l("Please come with a management and a worker representative of your committee.")


def _invitation(seminar: Seminar, user: User) -> dict:
    """The invitation notice of one person, in their language (a row for notify.record_many; its key is the
    guard against a second email)."""
    language = user.language or "en"
    values = {"factory": user.factory.name if user.factory else "", "title": title_in(seminar, language),
              "country": seminar.country, "day": format_day(seminar.held_on, "full", locale=language),
              "place": seminar.location or ""}
    lines = [messages.in_language(language, INVITATION, **values)]
    if seminar.location:
        lines.append(messages.in_language(language, INVITATION_PLACE, **values))
    lines.append(messages.in_language(language, INVITATION_WHO))
    parts = {"template": "notice", "lines": lines, "link": settings().base_url + "/factory/",
             "greeting": messages.in_language(language, messages.GREETING, name=user.name or user.email)}
    return notify.row(f"seminar:{seminar.id}:{user.email}", user.email, "seminar_invitation",
                      messages.in_language(language, INVITATION_SUBJECT, **values), None, user=user,
                      language=language, parts=parts)


def invite(seminar: Seminar) -> dict:
    """Record the invitation of every running cycle of the seminar's country and queue an email to each of
    its factory users, once however often this runs; the workers send them with the milestone notices'
    retries, and a failed one is retried from the notification log. Commits."""
    now = utcnow()
    cycles = running_cycles(seminar.country)
    attendances = {a.cycle_id: a for a in db.session.scalars(
        select(SeminarAttendance).where(SeminarAttendance.seminar_id == seminar.id))}
    for cycle in cycles:
        attendance = attendances.get(cycle.id)
        if attendance is None:
            attendance = attendances[cycle.id] = SeminarAttendance(seminar=seminar, cycle=cycle)
            db.session.add(attendance)
        if attendance.invited_at is None:
            attendance.invited_at = now
    factory_ids = {c.factory_id for c in cycles}
    users = db.session.scalars(
        select(User).options(joinedload(User.factory))
        .where(User.role == "factory", User.active, User.factory_id.in_(factory_ids)).order_by(User.email)
    ).all() if factory_ids else []
    created = list(notify.record_many([_invitation(seminar, user) for user in users]).values())
    audit.record("invite", seminar, summary=f"Invited {len(cycles)} cycles, {len(created)} new emails")
    db.session.commit()
    send_soon(created)
    return {"cycles": len(cycles), "users": len(users), "created": len(created)}


def record_attendance(seminar: Seminar, cycle: Cycle, attended: bool, attendees: int | None) -> SeminarAttendance:
    if attendees is not None and attendees < 0:
        raise SeminarError("attendees", _("Attendees cannot be negative."))
    if attended and not attendees:
        raise SeminarError("attendees", _("Enter how many people of the factory came (at least 1)."))
    if seminar.held_on > utcnow().date() and attended:
        raise SeminarError("attended", _("This seminar has not been held yet."))
    attendance = db.session.scalar(select(SeminarAttendance).where(
        SeminarAttendance.seminar_id == seminar.id, SeminarAttendance.cycle_id == cycle.id))
    if attendance is None:
        attendance = SeminarAttendance(seminar=seminar, cycle=cycle)
        db.session.add(attendance)
    attendance.attended = bool(attended)
    attendance.attendees = attendees if attended else None
    db.session.flush()
    return attendance


def for_cycle(cycle: Cycle) -> list[SeminarAttendance]:
    return db.session.scalars(
        select(SeminarAttendance).join(SeminarAttendance.seminar).options(joinedload(SeminarAttendance.seminar))
        .where(SeminarAttendance.cycle_id == cycle.id).order_by(Seminar.held_on)
    ).all()
