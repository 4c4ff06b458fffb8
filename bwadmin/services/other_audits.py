"""Audits avoided: a factory records each other audit a buyer asked of it (the day, the buyer, the scheme, the days on
site) and whether the buyer accepted the programme's report instead. Those accepted are audits avoided, their days on
site days saved; the buyer's overview counts them per factory (of the factories it may see), the staff dashboard in
all.

Only the factory's own users record, change and delete its audits; every value is checked here, each refusal a
message for beside its field."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask_babel import format_decimal, gettext as _
from sqlalchemy import case, func, select
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..i18n import time_zone_of
from ..input_bounds import as_id
from ..models import Buyer, Factory, OtherAudit, Sourcing
from ..models.audits import AUDIT_BUYER_MAX, AUDIT_DAYS_MAX, AUDIT_DAYS_MIN, AUDIT_SCHEME_MAX
from . import access, audit, text_limits
from .errors import FieldError

EARLIEST = date(2000, 1, 1)  # an older day is a typing mistake, not an audit this programme could have replaced
OTHER_BUYER = "other"  # the buyer field's value for a buyer named in the text field
FIELDS = ("audited_on", "buyer", "buyer_name", "scheme", "days", "avoided")
_DAYS = re.compile(r"^\d{1,2}([.,]\d)?$")


class Totals(NamedTuple):
    recorded: int  # other audits recorded
    avoided: int  # of those, the ones the buyer replaced with the programme's report
    days_saved: float  # the avoided ones' days on site


def _factory_user(user) -> int:
    if access.role_of(user) != "factory" or user.factory_id is None:
        raise NotFound()
    return user.factory_id


def of_factory(user) -> list[OtherAudit]:
    """The factory user's own factory's audits, the latest first."""
    return db.session.scalars(select(OtherAudit).where(OtherAudit.factory_id == _factory_user(user))
                              .order_by(OtherAudit.audited_on.desc(), OtherAudit.id.desc())).all()


def buyers_of(user) -> list[tuple[int, str]]:
    """(id, name) of the buyers the factory user's factory supplies, by name: the buyer field's choices."""
    return [tuple(row) for row in db.session.execute(
        select(Buyer.id, Buyer.name).join(Sourcing, Sourcing.buyer_id == Buyer.id)
        .where(Sourcing.factory_id == _factory_user(user)).order_by(Buyer.name, Buyer.id))]


def one_of_factory(user, audit_id: int) -> OtherAudit:
    row = db.session.get(OtherAudit, audit_id)
    if row is None or row.factory_id != _factory_user(user):
        raise NotFound()
    return row


def local_today(country: str | None) -> date:
    return datetime.now(ZoneInfo(time_zone_of(country))).date()


def _day(text: str | None, today: date) -> tuple[date | None, str | None]:
    text = (text or "").strip()
    if not text:
        return None, _("Enter the day of the audit.")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, _("Enter the day as year-month-day, for example 2026-03-14.")
    if day > today:
        return None, _("The audit's day cannot be in the future: record an audit once it has taken place.")
    if day < EARLIEST:
        return None, _("Enter a day from %(day)s on.", day=EARLIEST.isoformat())
    return day, None


def _days(text: str | None) -> tuple[float | None, str | None]:
    text = (text or "").strip()
    limits = _("Enter the days on site as a number from %(low)s to %(high)s, in half or tenth days (for example 1.5).",
               low=format_decimal(AUDIT_DAYS_MIN), high=format_decimal(AUDIT_DAYS_MAX))
    if not text:
        return None, limits
    if not _DAYS.match(text):
        return None, limits
    days = float(text.replace(",", "."))
    if not AUDIT_DAYS_MIN <= days <= AUDIT_DAYS_MAX:
        return None, limits
    return days, None


def save(user, form, row: OtherAudit | None = None) -> tuple[OtherAudit | None, dict[str, str]]:
    """Record a new audit of the factory user's factory (or change `row`, one of its own) from the form's fields
    (FIELDS); returns it and {} when every value is right, else (None, field → message) and nothing is written."""
    factory_id = _factory_user(user)
    factory = db.session.get(Factory, factory_id)
    errors: dict[str, str] = {}
    day, message = _day(form.get("audited_on"), local_today(factory.country if factory else None))
    if message:
        errors["audited_on"] = message
    buyer_id, buyer_name = None, None
    chosen = (form.get("buyer") or "").strip()
    if chosen == OTHER_BUYER or not chosen:
        try:
            buyer_name = text_limits.bounded("buyer_name", form.get("buyer_name"), AUDIT_BUYER_MAX)
        except FieldError as exc:
            errors["buyer_name"] = exc.message
        else:
            if not buyer_name:
                errors["buyer_name" if chosen else "buyer"] = _("Choose the buyer, or write its name.")
    else:
        buyer_id = as_id(chosen)
        if buyer_id is None or buyer_id not in {b for b, _name in buyers_of(user)}:
            errors["buyer"] = _("Choose one of your buyers, or 'Another buyer' and write its name.")
    try:
        scheme = text_limits.bounded("scheme", form.get("scheme"), AUDIT_SCHEME_MAX)
    except FieldError as exc:
        errors["scheme"], scheme = exc.message, ""
    else:
        if not scheme:
            errors["scheme"] = _("Name the scheme or standard of the audit.")
    days, message = _days(form.get("days"))
    if message:
        errors["days"] = message
    if errors:
        return None, errors
    created = row is None
    if created:
        row = OtherAudit(factory_id=factory_id, created_by_id=user.id)
        db.session.add(row)
    row.audited_on, row.buyer_id, row.buyer_name, row.scheme, row.days = day, buyer_id, buyer_name, scheme, days
    row.avoided = form.get("avoided") in ("1", "on", "yes", "true")
    db.session.flush()
    audit.record("create" if created else "update", row, user=user,
                 summary=f"Other audit {'recorded' if created else 'changed'}: {row}")
    return row, {}


def form_values(row: OtherAudit) -> dict[str, str]:
    """The form's fields as a saved audit fills them (to change it)."""
    return {"audited_on": row.audited_on.isoformat(), "buyer": str(row.buyer_id) if row.buyer_id else OTHER_BUYER,
            "buyer_name": row.buyer_name or "", "scheme": row.scheme, "days": f"{row.days:g}",
            "avoided": "1" if row.avoided else ""}


def delete(user, row: OtherAudit) -> None:
    if row.factory_id != _factory_user(user):
        raise NotFound()
    audit.record("delete", row, user=user, summary=f"Other audit deleted: {row}")
    db.session.delete(row)
    db.session.flush()


def _totals(query) -> Totals:
    recorded, avoided, days = db.session.execute(query).one()
    return Totals(recorded or 0, int(avoided or 0), float(days or 0))


def _sums():
    avoided = OtherAudit.avoided.is_(True)
    return select(func.count(OtherAudit.id), func.sum(case((avoided, 1), else_=0)),
                  func.sum(case((avoided, OtherAudit.days), else_=0)))


def totals_for(user) -> Totals:
    """The audits of the factories the user may see (a buyer: those it sources from that share), in one query."""
    visible = access.visible_factories(user).with_only_columns(Factory.id).order_by(None)
    return _totals(_sums().where(OtherAudit.factory_id.in_(visible)))


def totals() -> Totals:
    """Every factory's audits: the programme's own count, for its staff."""
    return _totals(_sums())
