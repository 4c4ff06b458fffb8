"""Benchmark: the share of a country's factories non-compliant per compliance point (services/country_shares), over N
factories with a released assessment each (default 2,000, about the programme's largest country ten times over),
their reports carrying the scores of the shipped assessment bank's compliance points, on SQLite (or DATABASE_URL).

Prints the time of one computation (what a page pays when the minute's cache is empty, and what a batch of releases
pays once a minute per country) beside a baseline measured in the same run: the same figures counted in Python from
each report's points, read one row per factory (the way the country average was computed before); and a cached read.

    python bench/country_shares.py [--factories 2000] [--repeat 5] [--smoke]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def points_of_the_bank() -> dict[str, str]:
    """compliance point → its cluster, as the shipped assessment bank has them."""
    bank = json.loads((ROOT / "bwadmin/data/questionnaires/assessment.json").read_text())
    return {key: entry["cluster"] for key, entry in bank["compliance_points"].items()}


def build(factories: int, rng: random.Random) -> None:
    from sqlalchemy import insert

    from bwadmin.extensions import db
    from bwadmin.models import Cycle, Factory, Report, ReportContent, utcnow

    points = points_of_the_bank()
    now = utcnow()
    for start in range(0, factories, 1000):
        ids = range(start + 1, min(factories, start + 1000) + 1)
        db.session.execute(insert(Factory), [{"id": i, "name": f"Factory {i}", "country": "Vietnam"} for i in ids])
        db.session.execute(insert(Cycle), [{"id": i, "factory_id": i, "number": 1, "signed_up_on": date(2026, 1, 5),
                                            "status": "reporting"} for i in ids])
        db.session.execute(insert(Report), [{"id": i, "cycle_id": i, "kind": "assessment", "title": "Assessment",
                                             "release_at": now - timedelta(days=1),
                                             "released_at": now - timedelta(days=1)} for i in ids])
        contents = []
        for i in ids:
            scored = {}
            for key, cluster in points.items():
                questions = rng.randint(2, 8)
                bad = sum(rng.random() < 0.15 for _ in range(questions))
                scored[key] = {"cluster": cluster, "label": key.replace("_", " ").capitalize(), "questions": questions,
                               "noncompliant": bad, "rate": bad / questions}
            contents.append({"report_id": i, "data": {"country": "Vietnam", "scores": {
                "overall": {"questions": 1, "noncompliant": 0, "rate": 0.0}, "points": scored,
                "findings": [{"code": f"Q{n}", "text": "A finding of some length, as reports hold them"}
                             for n in range(rng.randint(5, 30))]}}})
        db.session.execute(insert(ReportContent), contents)
    db.session.commit()


def baseline(country: str):
    """The shares counted in Python from each latest released report's points, read one row per factory."""
    from bwadmin.extensions import db
    from bwadmin.models import ReportContent, utcnow
    from bwadmin.services import country_shares

    counted: dict[str, list[int]] = {}
    now = utcnow()
    rows = db.session.execute(country_shares._latest_released(country, now).with_only_columns(
        ReportContent.data[country_shares.POINTS_PATH]))
    for (points,) in rows:
        for key, entry in (points or {}).items():
            if entry.get("questions", 0) > 0:
                tally = counted.setdefault(key, [0, 0])
                tally[1] += 1
                tally[0] += entry.get("noncompliant", 0) > 0
    return {key: country_shares.Share(bad, total) for key, (bad, total) in counted.items()
            if total >= country_shares.MIN_FACTORIES}


def timed(function, repeat: int) -> tuple[float, object]:
    from bwadmin.extensions import db

    times, result = [], None
    for _ in range(repeat):
        db.session.expire_all()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factories", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="a few factories: does it run")
    args = parser.parse_args()
    if args.smoke:
        args.factories, args.repeat = 20, 1

    from bwadmin import caches, create_app
    from bwadmin.extensions import db
    from bwadmin.services import country_shares

    folder = tempfile.mkdtemp(prefix="bench-shares-")
    url = os.environ.get("DATABASE_URL", f"sqlite:///{folder}/bench.db").replace(
        "postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        build(args.factories, random.Random(7))
        grouped, shares = timed(lambda: country_shares.compute("Vietnam"), args.repeat)
        python, counted = timed(lambda: baseline("Vietnam"), args.repeat)
        assert counted == shares.points, "the grouped query and the baseline disagree"
        country_shares.shares("Vietnam")
        cached, _ = timed(lambda: country_shares.shares("Vietnam"), args.repeat)
        print(f"{args.factories} factories, {len(shares.points)} compliance points, {db.engine.dialect.name}")
        print(f"one grouped query: median {grouped * 1000:.1f} ms")
        print(f"baseline, each report's points read and counted in Python: median {python * 1000:.1f} ms "
              f"({python / grouped:.1f}x the grouped query)")
        print(f"cached read: median {cached * 1e6:.1f} µs")
        caches.clear_all()
        db.drop_all()


if __name__ == "__main__":
    main()
