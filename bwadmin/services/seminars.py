"""Learning seminars: four group sessions per cycle for the factories of a country; invitations by email.

Invitations are Notification rows (key "seminar:<seminar id>:<email>", the guard against emailing twice),
sent by `send_notification`, the one function to swap for the general sender at merge.
"""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db, mail
from ..models import Cycle, Factory, Notification, Seminar, SeminarAttendance, User, utcnow
from . import audit
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
        raise SeminarError("country", "Enter the country the seminars are for.")
    if first_date is None:
        raise SeminarError("first_date", "Enter the day of the first seminar.")
    if months_apart is None or months_apart < 1:
        raise SeminarError("months_apart", "Seminars are at least one month apart.")
    clash = db.session.scalar(
        select(Seminar).where(Seminar.country == country, Seminar.held_on == first_date)
    )
    if clash is not None:
        raise SeminarError("first_date", f"{country} already has a seminar on {first_date}.")
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


def _invitation(seminar: Seminar, user: User) -> Notification:
    when = f"{seminar.held_on:%A %d %B %Y}"
    where = f" at {seminar.location}" if seminar.location else ""
    link = current_app.config.get("BWADMIN_BASE_URL", "")
    body = (
        f"Dear {user.name or user.email},\n\n"
        f"{user.factory.name if user.factory else 'Your factory'} is invited to {seminar.title}, "
        f"a learning seminar for the factories of {seminar.country}, on {when}{where}.\n\n"
        "Please come with a management and a worker representative of your committee.\n\n"
        f"{link}\n"
    )
    return Notification(key=f"seminar:{seminar.id}:{user.email}", kind="seminar_invitation", user_id=user.id,
                        email=user.email, language=user.language or "en",
                        subject=f"Invitation: {seminar.title} on {seminar.held_on}", body_text=body)


def invite(seminar: Seminar, send: bool = True) -> dict:
    """Record the invitation of every running cycle of the seminar's country and email its factory users,
    each once however often this runs. Commits."""
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
    keys = [f"seminar:{seminar.id}:{u.email}" for u in users]
    known = set(db.session.scalars(select(Notification.key).where(Notification.key.in_(keys)))) if keys else set()
    created = 0
    for user in users:
        note = _invitation(seminar, user)
        if note.key in known:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(note)
            created += 1
        except IntegrityError:  # another process recorded it between our look and our insert
            pass
    audit.record("invite", seminar, summary=f"Invited {len(cycles)} cycles, {created} new emails")
    db.session.commit()
    sent = failed = 0
    if send:
        pending = db.session.scalars(
            select(Notification).where(Notification.key.like(f"seminar:{seminar.id}:%"),
                                       Notification.status != "sent")
        ).all()
        for note in pending:
            if send_notification(note):
                sent += 1
            else:
                failed += 1
            db.session.commit()
    return {"cycles": len(cycles), "users": len(users), "created": created, "sent": sent, "failed": failed}


def send_notification(notification: Notification) -> bool:
    """Send one Notification over SMTP unless it went already; record the outcome on the row (the caller
    commits). True when sent now."""
    if notification.status == "sent":
        return False
    notification.attempts = (notification.attempts or 0) + 1
    # The mail settings are read now, not when the app was made: a changed MAIL_SERVER / MAIL_PORT applies,
    # and only an explicit MAIL_SUPPRESS_SEND suppresses sending (not TESTING).
    state = mail.init_mail(current_app.config, current_app.debug, testing=False)
    try:
        with Connection(state) as connection:
            connection.send(Message(subject=notification.subject, recipients=[notification.email],
                                    body=notification.body_text, html=notification.body_html,
                                    sender=current_app.config.get("MAIL_DEFAULT_SENDER")))
    except Exception as exc:  # SMTP refused or unreachable: kept for the next try
        notification.status = "failed"
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        return False
    notification.status = "sent"
    notification.sent_at = utcnow()
    notification.last_error = None
    return True


def record_attendance(seminar: Seminar, cycle: Cycle, attended: bool, attendees: int | None) -> SeminarAttendance:
    if attendees is not None and attendees < 0:
        raise SeminarError("attendees", "Attendees cannot be negative.")
    if attended and not attendees:
        raise SeminarError("attendees", "Enter how many people of the factory came (at least 1).")
    if seminar.held_on > utcnow().date() and attended:
        raise SeminarError("attended", "This seminar has not been held yet.")
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
