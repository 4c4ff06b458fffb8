"""Benchmark: the share of a country's factories non-compliant per compliance point (services/country_shares), over N
factories with a released assessment each (default 2,000, about the programme's largest country ten times over),
their reports carrying the scores of the shipped assessment bank's compliance points, on SQLite (or DATABASE_URL).

Prints the time of one computation (what a page pays when the minute's cache is empty, and what a batch of releases
pays once per country) and of a cached read.

    python bench/country_shares.py [--factories 2000] [--repeat 5]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factories", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

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
        times = []
        for _ in range(args.repeat):
            db.session.expire_all()
            started = time.perf_counter()
            shares = country_shares.compute("Vietnam")
            times.append(time.perf_counter() - started)
        cached = []
        country_shares.shares("Vietnam")
        for _ in range(args.repeat):
            started = time.perf_counter()
            country_shares.shares("Vietnam")
            cached.append(time.perf_counter() - started)
        point = next(iter(shares.points.values()))
        print(f"{args.factories} factories, {len(shares.points)} compliance points "
              f"(e.g. {point.noncompliant} of {point.factories} non-compliant)")
        print(f"compute: median {statistics.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f} ms)")
        print(f"cached:  median {statistics.median(cached) * 1e6:.1f} µs")
        caches.clear_all()
        db.drop_all()


if __name__ == "__main__":
    main()
