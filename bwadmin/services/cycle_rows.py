"""A cycle as plain values, for work done for thousands of cycles at once (a release): no ORM objects to build by
the thousand. The services that take a cycle or its people in a batch accept either a model or a row: the
protocols say what they read."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import NamedTuple, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from ..batches import chunked
from ..extensions import db
from ..models import Cycle, Factory, User


class Person(Protocol):
    """A User or a user row: whom a notice tells."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def role(self) -> str: ...


class Advisor(Person, Protocol):
    """A User or a PersonRow: a cycle's advisor, told only while the account is active."""

    @property
    def active(self) -> bool: ...


class FactoryHead(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def city(self) -> str | None: ...


class CycleLike(Protocol):
    """A Cycle or a CycleRow: what the release, the report headers and the notices read of a cycle."""

    @property
    def id(self) -> int: ...
    @property
    def factory_id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def signed_up_on(self) -> date: ...
    @property
    def status(self) -> str: ...
    @property
    def factory(self) -> FactoryHead: ...
    @property
    def advisor(self) -> Advisor | None: ...


class FactoryRow(NamedTuple):
    name: str
    country: str
    city: str | None


class PersonRow(NamedTuple):
    id: int
    email: str
    name: str | None
    language: str | None
    role: str
    active: bool


class CycleRow(NamedTuple):
    """A cycle, its factory and its advisor as read by a batch of releases."""

    id: int
    factory_id: int
    number: int
    signed_up_on: date
    status: str
    factory: FactoryRow
    advisor: PersonRow | None

    def __str__(self) -> str:
        return f"{self.factory.name}, cycle {self.number}"


@lru_cache(maxsize=None)
def _cycle_rows_stmt():
    advisor = aliased(User)
    return (select(Cycle.id, Cycle.factory_id, Cycle.number, Cycle.signed_up_on, Cycle.status,
                   Factory.name, Factory.country, Factory.city,
                   advisor.id, advisor.email, advisor.name, advisor.language, advisor.role, advisor.active)
            .join(Factory, Factory.id == Cycle.factory_id).outerjoin(advisor, advisor.id == Cycle.advisor_id)
            .where(Cycle.id.in_(bindparam("cycle_ids", expanding=True))))


def cycle_rows(cycle_ids) -> dict[int, CycleRow]:
    """cycle id → its CycleRow, one query per 500."""
    ids, found = sorted(set(cycle_ids)), {}
    for chunk in chunked(ids):
        for row in db.session.execute(_cycle_rows_stmt(), {"cycle_ids": list(chunk)}):
            found[row[0]] = CycleRow(*row[:5], FactoryRow(*row[5:8]),
                                     None if row[8] is None else PersonRow(*row[8:]))
    return found
