"""The service package a cycle starts with: standard, or advanced for the factory whose previous cycle was measured a
high performer (services/differentiation). A package sets the advisory visits the cycle expects and, where it says
so, the length of the advisory period (the advisory end and the assessment due, counted from sign-up): the advanced
package has fewer visits and a shorter advisory period, the factory leading with its own self-assessment.

What each package gives is data staff edit (ServicePackage rows; DEFAULTS until a row exists). It is applied when a
cycle is created and kept on the cycle (Cycle.service_package, planned_visits, advisory_days): a later change to a
package moves no running cycle; staff change one cycle's package on the cycle itself.
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from ..extensions import db
from ..models import SERVICE_PACKAGES, Cycle, ServicePackage


class Package(NamedTuple):
    code: str
    first_cycle_visits: int
    returning_visits: int
    advisory_days: int | None  # None: the schedule's offsets


DEFAULTS = {
    "standard": Package("standard", 3, 1, None),
    # A returning factory that performed well: no advisory visit it must have, and its assessment after 60 days.
    "advanced": Package("advanced", 1, 0, 60),
}
# The advisory period's milestones a package's advisory_days places, from sign-up.
ADVISORY_KINDS = ("advisory_end", "assessment_due")


def ensure_defaults() -> list[ServicePackage]:
    """A row per package (the defaults where one is missing), for staff to edit; in the packages' order."""
    rows = {row.code: row for row in db.session.scalars(select(ServicePackage))}
    for code in SERVICE_PACKAGES:
        if code not in rows:
            default = DEFAULTS[code]
            rows[code] = ServicePackage(code=code, first_cycle_visits=default.first_cycle_visits,
                                        returning_visits=default.returning_visits,
                                        advisory_days=default.advisory_days)
            db.session.add(rows[code])
    db.session.flush()
    return [rows[code] for code in SERVICE_PACKAGES]


def package(code: str) -> Package:
    """What the package gives now: its row as staff left it, else the default."""
    with db.session.no_autoflush:  # the caller may hold a cycle being given its package, pending
        row = db.session.scalar(select(ServicePackage).where(ServicePackage.code == code))
    if row is None:
        return DEFAULTS[code]
    return Package(row.code, row.first_cycle_visits, row.returning_visits, row.advisory_days)


def earned_by(factory_id: int | None, number: int) -> str:
    """The package the factory's cycle `number` starts with: advanced when the cycle before it was measured a high
    performer, else standard."""
    if not factory_id:
        return "standard"
    with db.session.no_autoflush:  # the caller may hold the new cycle, pending
        high = db.session.scalar(select(Cycle.high_performer).where(Cycle.factory_id == factory_id,
                                                                    Cycle.number < number)
                                 .order_by(Cycle.number.desc()).limit(1))
    return "advanced" if high else "standard"


def apply(cycle: Cycle, code: str | None = None) -> Cycle:
    """Give the cycle a package (default: the one it earned) and what that package sets."""
    code = code or earned_by(cycle.factory_id or (cycle.factory.id if cycle.factory else None), cycle.number)
    chosen = package(code)
    cycle.service_package = code
    cycle.planned_visits = chosen.returning_visits if cycle.number > 1 else chosen.first_cycle_visits
    cycle.advisory_days = chosen.advisory_days
    return cycle


def adjusted(table: dict[str, tuple[str, int, int]], cycle: Cycle) -> dict[str, tuple[str, int, int]]:
    """The schedule's offsets as they apply to this cycle: its package's advisory period in place of the schedule's."""
    days = getattr(cycle, "advisory_days", None)
    if days is None:
        return table
    return table | {kind: ("signup", 0, days) for kind in ADVISORY_KINDS}
