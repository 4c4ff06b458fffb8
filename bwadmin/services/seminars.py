"""Learning seminars: four group sessions per cycle for the factories of a country; invitations by email.

Invitations are notices like the milestones' (key "seminar:<seminar id>:<email>", the guard against emailing
twice), sent by the workers with the same batching, retries and failed state.
"""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import format_date, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..config import settings
from ..extensions import db
from ..models import Cycle, Factory, Notification, Seminar, SeminarAttendance, User, utcnow
from ..queue import send_soon
from . import audit, notify
from .errors import FieldError

SEMINARS_PER_CYCLE = 4
MONTHS_APART = 3
TOPICS = (
    "Social dialogue and the committee",
    "Occupational safety and health",
    "Wages, working time and contracts",
    "Management systems and continuous improvement",
)


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
        seminar = Seminar(country=country, number=number, title=f"Learning seminar {number}: {topic}",
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


def _invitation(seminar: Seminar, user: User) -> Notification | None:
    """The invitation notice of one person; None when it was recorded before (its key is the guard)."""
    when = f"{seminar.held_on:%A %d %B %Y}"
    where = f" at {seminar.location}" if seminar.location else ""
    link = settings().base_url
    body = (
        f"Dear {user.name or user.email},\n\n"
        f"{user.factory.name if user.factory else 'Your factory'} is invited to {seminar.title}, "
        f"a learning seminar for the factories of {seminar.country}, on {when}{where}.\n\n"
        "Please come with a management and a worker representative of your committee.\n\n"
        f"{link}\n"
    )
    return notify.record(f"seminar:{seminar.id}:{user.email}", user.email, "seminar_invitation",
                         f"Invitation: {seminar.title} on {seminar.held_on}", body, user=user,
                         language=user.language or "en")


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
    created = [note.id for note in (_invitation(seminar, user) for user in users) if note is not None]
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
