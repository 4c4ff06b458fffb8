"""The programme's unit of results: the share of a country's factories non-compliant on each compliance point.

The one place the rule is kept; the assessment report (its page and its PDF), the buyer's factory page and the API
read the shares from here.

- Only released assessments count (access.released_clause, the rule buyers are held to), and of each factory only its
  latest released one: a factory is counted once, however many cycles it has had.
- A factory counts on a compliance point when its assessment scored at least one question of it, and is non-compliant
  on it when any of those questions was found non-compliant (the same reading as the public transparency page).
- A share is never given for fewer than MIN_FACTORIES factories: with four, a reader who knows three of them could
  work out the fourth. The unit is a share of factories, not an average of their rates, so no factory's own rate can
  be read back from it.

A report keeps the shares it was made with (`snapshot`, in its data): the page, the PDF and the API then say the same
figures, as of the day the report was made. The factory page of the buyer reads the report's figures too; a report
made before reports kept them is compared with the shares of today (`for_report`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cachetools import cached
from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, case, cast, func, literal_column, select, true, union_all
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased

from .. import caches
from ..extensions import db
from ..models import Cycle, Factory, Report, ReportContent, utcnow
from . import access
from .transparency import MIN_FACTORIES

POINTS_PATH = ("scores", "points")
CLUSTERS_PATH = ("scores", "clusters")
# What stands where a share is withheld, in the reader's language.
NOT_SHOWN = _l("fewer than five factories: not shown")


@dataclass(frozen=True)
class Share:
    """How many of the country's factories assessed on a compliance point were non-compliant on it."""

    noncompliant: int
    factories: int

    @property
    def shown(self) -> bool:
        return self.factories >= MIN_FACTORIES

    @property
    def rate(self) -> float | None:
        """The share (0–1), None when withheld."""
        return self.noncompliant / self.factories if self.shown else None


@dataclass(frozen=True)
class Shares:
    """A country's shares per compliance point, as of a moment. `get` never gives a withheld share's counts."""

    country: str
    as_of: datetime | None
    points: dict  # compliance point → Share (those with MIN_FACTORIES or more only)
    # cluster → Share: the factories non-compliant on any question of the cluster, read the same way (a report made
    # before the shares had clusters keeps none).
    clusters: dict = field(default_factory=dict)

    def get(self, point: str) -> Share | None:
        return self.points.get(point)

    def cluster(self, key: str) -> Share | None:
        return self.clusters.get(key)

    def to_data(self) -> dict:
        """What a report keeps: the shares shown, and when they were read."""
        return {"as_of": self.as_of.isoformat(timespec="minutes") if self.as_of else None,
                "points": {key: {"noncompliant": s.noncompliant, "factories": s.factories}
                           for key, s in sorted(self.points.items())},
                "clusters": {key: {"noncompliant": s.noncompliant, "factories": s.factories}
                             for key, s in sorted(self.clusters.items())}}

    @classmethod
    def from_data(cls, country: str, data: dict) -> Shares:
        as_of = data.get("as_of")
        return cls(country, datetime.fromisoformat(as_of) if isinstance(as_of, str) and as_of else None,
                   _shown(data.get("points")), _shown(data.get("clusters")))


def _shown(entries) -> dict:
    found = {}
    for key, entry in (entries if isinstance(entries, dict) else {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("factories"), int) \
                and isinstance(entry.get("noncompliant"), int):
            share = Share(entry["noncompliant"], entry["factories"])
            if share.shown:  # a stored figure of too few factories (edited by hand) is still withheld
                found[key] = share
    return found


def _latest_released(country: str, now: datetime):
    """The report contents of each factory's latest released assessment in the country (the caller selects from
    them)."""
    later_report, later_cycle = aliased(Report), aliased(Cycle)
    later = (select(later_report.id).join(later_cycle, later_cycle.id == later_report.cycle_id)
             .where(later_cycle.factory_id == Cycle.factory_id, later_cycle.number > Cycle.number,
                    later_report.kind == "assessment", later_report.released_at.is_not(None),
                    later_report.released_at <= now)
             .exists())
    return (select(Cycle.factory_id)
            .select_from(Report)
            .join(Cycle, Cycle.id == Report.cycle_id)
            .join(Factory, Factory.id == Cycle.factory_id)
            .join(ReportContent, ReportContent.report_id == Report.id)
            .where(func.lower(Factory.country) == country.lower(), Report.kind == "assessment",
                   access.released_clause(now), ~later))


def _grouped(country: str, now: datetime, dialect: str, path: tuple = POINTS_PATH):
    """One grouped query: per compliance point (per cluster with CLUSTERS_PATH), the factories assessed on it and
    those non-compliant on it. The database walks each report's points (json_each) and counts: nothing but the
    counts comes back, whatever the number of factories (bench/country_shares.py)."""
    if dialect == "postgresql":
        # The points read once per report (a subquery kept apart by OFFSET 0), as jsonb: the column is json text,
        # parsed again by every operator that reads it. jsonb_each refuses anything but an object: a report without
        # points (made by hand, or by an old version) walks an empty one.
        reports = (_latest_released(country, now)
                   .with_only_columns(cast(ReportContent.data, JSONB)[path].label("points")).offset(0)
                   .subquery("report"))
        points = case((func.jsonb_typeof(reports.c.points) == "object", reports.c.points),
                      else_=literal_column("'{}'::jsonb"))
        each = func.jsonb_each(points).table_valued("key", "value").lateral("point")
        source = select().select_from(reports).join(each, true())

        def number(name):
            return cast(each.c.value.op("->>")(name), Numeric)
    else:
        each = func.json_each(ReportContent.data, "$." + ".".join(path)).table_valued("key", "value").alias("point")
        source = _latest_released(country, now).join(each, true())

        def number(name):
            return cast(func.json_extract(each.c.value, f"$.{name}"), Numeric)

    return (source.with_only_columns(each.c.key, func.count(),
                                     func.sum(case((number("noncompliant") > 0, 1), else_=0)))
            .where(number("questions") > 0).group_by(each.c.key))


def compute(country: str, now: datetime | None = None) -> Shares:
    """The country's shares now (see the module's docstring)."""
    now = now or utcnow()
    dialect = db.engine.dialect.name
    # The points and the clusters in one statement: the same reports walked twice, one round trip.
    rows = db.session.execute(union_all(
        _grouped(country, now, dialect).add_columns(literal_column("'point'").label("level")),
        _grouped(country, now, dialect, CLUSTERS_PATH).add_columns(literal_column("'cluster'").label("level")))).all()
    shown: dict[str, dict] = {"point": {}, "cluster": {}}
    for key, total, bad, level in rows:
        if total >= MIN_FACTORIES:
            shown[level][key] = Share(int(bad or 0), int(total))
    return Shares(country, now, shown["point"], shown["cluster"])


def shares(country: str | None) -> Shares:
    """The country's shares, computed at most once a minute per process (they are the same for every viewer and move
    only when an assessment is released)."""
    if not country:
        return Shares("", None, {})
    return _cached(db.engine.url, country.lower(), country)


# The database in the key: one app's shares are not another's (the tests, a CLI run against another database).
@cached(caches.country_shares, lock=caches.lock, key=lambda database, key, country: (database, key))
def _cached(database, key: str, country: str) -> Shares:
    return compute(country)


def snapshot(country: str | None) -> dict:
    """The shares a report made now keeps in its data (data["country_shares"])."""
    return shares(country).to_data()


def for_report(data: dict | None, country: str | None = None) -> Shares:
    """The shares a report is read with: those it keeps, else (a report made before reports kept them) today's."""
    data = data or {}
    country = data.get("country") or country or ""
    kept = data.get("country_shares")
    if isinstance(kept, dict):
        return Shares.from_data(country, kept)
    return shares(country)


@dataclass(frozen=True)
class PointRow:
    """A compliance point of a report beside the country's share: what the pages, the PDF and the API show."""

    key: str
    cluster: str | None
    label: str
    noncompliant: int
    questions: int
    rate: float
    share: Share | None  # None: withheld (fewer than MIN_FACTORIES factories)

    @property
    def country_rate(self) -> float | None:
        return self.share.rate if self.share is not None else None


def point_rows(scores: dict | None, country: Shares, label=None) -> list[PointRow]:
    """The report's compliance points (scores["points"], in its order), each with the country's share. `label(key,
    stored)` names a point in the reader's language (default: the label the report holds)."""
    rows = []
    for key, entry in ((scores or {}).get("points") or {}).items():
        if not isinstance(entry, dict):
            continue
        stored = entry.get("label")
        rows.append(PointRow(key, entry.get("cluster"), label(key, stored) if label else (stored or key),
                             int(entry.get("noncompliant") or 0), int(entry.get("questions") or 0),
                             float(entry.get("rate") or 0.0), country.get(key)))
    return rows
