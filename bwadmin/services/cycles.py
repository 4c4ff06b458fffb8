"""Starting cycles: numbering, returning factories, the service package, milestones."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..extensions import db
from ..models import Cycle, Factory, User
from . import schedule, service_packages


def next_number(factory_id: int) -> int:
    # No autoflush: the caller may hold a pending cycle whose number is what we are computing.
    with db.session.no_autoflush:
        current = db.session.scalar(select(func.max(Cycle.number)).where(Cycle.factory_id == factory_id))
    return (current or 0) + 1


def start_cycle(
    factory: Factory,
    signed_up_on: date,
    advisor: User | None = None,
    training_days: Decimal | int = 0,
) -> Cycle:
    cycle = Cycle(
        factory=factory,
        number=next_number(factory.id) if factory.id else 1,
        signed_up_on=signed_up_on,
        advisor=advisor,
        training_days_allotted=Decimal(training_days),
    )
    db.session.add(cycle)
    # A high performer's next cycle starts with the advanced package: its visits and its advisory period.
    service_packages.apply(cycle)
    schedule.sync_milestones(cycle)
    return cycle
