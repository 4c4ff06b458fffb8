"""A page of the factories a user may see, in name order: the buyer home and the API's list both show one.

Two plans give the same rows. `sorted` reads every factory the user sees, sorts them by name and cuts the page: its
work grows with the user's count of factories. `walk` reads all factories in name order from the name index, keeping
the ones the user sees until the page is full: its work grows with how far into all factories the page ends, far
less when the user sees most of them (a buyer sourcing from most of the programme's factories, or staff).

Which plan serves a user best depends on two figures each page brings back, the user's count of factories and the
highest factory id; the next page of the same viewer uses them. A stale figure costs only speed.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Select, bindparam, func, literal_column, select
from sqlalchemy.orm import aliased

from ..models import Factory
from . import access

LIMIT, OFFSET = "page_limit", "page_offset"

# Per process: a viewer's (count of factories seen, highest factory id) as of its last page.
_sizes: dict[tuple, tuple[int, int]] = {}


def _viewer(user) -> tuple:
    """Who sees the same factories: a role with its buyer or factory."""
    return access._role(user), getattr(user, "buyer_id", None), getattr(user, "factory_id", None)


@lru_cache(maxsize=None)
def page_stmt(role: str | None, walk: bool) -> Select:
    """A page of the factories a user of this role may see, by name: columns id, name, country and city;
    parameters viewer_params, LIMIT and OFFSET. The access rule is access.visible_factories_stmt, either way."""
    visible = access.visible_factories_stmt(role)
    if not walk:
        page = visible.with_only_columns(Factory.id, Factory.name, Factory.country, Factory.city)
    else:
        candidate = aliased(Factory, name="candidate")
        seen = visible.with_only_columns(literal_column("1")).order_by(None).where(Factory.id == candidate.id)
        page = (select(candidate.id, candidate.name, candidate.country, candidate.city).where(seen.exists())
                .order_by(candidate.name, candidate.id))
    return page.limit(bindparam(LIMIT)).offset(bindparam(OFFSET))


@lru_cache(maxsize=None)
def total_stmt(role: str | None) -> Select:
    """The count of factories a user of this role may see (parameters: viewer_params)."""
    return select(func.count()).select_from(access.visible_factories_stmt(role).order_by(None).subquery())


def highest_id():
    """The highest factory id, the measure of all factories the walk may read (one index lookup)."""
    return select(func.max(Factory.id)).scalar_subquery()


def walks(sizes: tuple[int, int] | None, offset: int, limit: int) -> bool:
    """Whether the walk reads fewer rows than the sort: it reads about (offset + limit) × factories / seen rows,
    each a lookup costing about two of the sort's reads; the sort reads every factory seen."""
    if not sizes or not sizes[0]:
        return False
    seen, factories = sizes
    return 2 * (offset + limit) * factories < seen * seen


def walk_for(user, offset: int, limit: int) -> bool:
    return walks(_sizes.get(_viewer(user)), offset, limit)


def learn(user, seen: int, factories: int | None) -> None:
    _sizes[_viewer(user)] = (seen, factories or 0)
