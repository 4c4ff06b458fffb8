"""Benchmark: a page of the buyer's factory list sorted by a figure (worst non-compliance first, latest assessment
first, largest rise first) against the name order, with BENCH_FACTORIES factories the buyer may see, in-process (no
HTTP): the time of factory_pages.page, median of BENCH_REPEAT runs after one warm-up.

The database is DATABASE_URL (PostgreSQL: its tables are created and dropped again) or a SQLite file of its own. The
reports are written as the release writes them through the ORM, with a body of realistic size (the data a sort by a
figure used to parse for every factory listed).

`--smoke` seeds 50 factories and times each sort twice: seconds."""
from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SMOKE = "--smoke" in sys.argv
FACTORIES = 50 if SMOKE else int(os.environ.get("BENCH_FACTORIES", "2000"))
REPEAT = 2 if SMOKE else int(os.environ.get("BENCH_REPEAT", "9"))
CLUSTERS = ("child_labour", "discrimination", "forced_labour", "freedom_of_association", "compensation",
            "contracts_hr", "osh", "working_time")


def seed():
    from bwadmin.extensions import db
    from bwadmin.models import Buyer, Factory, Report, Sourcing, User, utcnow
    from bwadmin.services import cycles

    now = utcnow()
    buyer = Buyer(name="Bench buyer")
    db.session.add(buyer)
    findings = [{"code": f"Q{j}", "question_id": j, "text": "A finding of some length " * 4, "cluster": "osh",
                 "compliance_point": "worker_protection", "zero_tolerance": False} for j in range(40)]
    points = {f"point_{j}": {"cluster": CLUSTERS[j % 8], "label": f"Point {j}", "questions": 10, "noncompliant": j % 5,
                             "rate": (j % 5) / 10} for j in range(38)}
    for i in range(FACTORIES):
        factory = Factory(name=f"Factory {i:05d}", country=("Vietnam", "Cambodia")[i % 2])
        db.session.add(factory)
        db.session.add(Sourcing(buyer=buyer, factory=factory, consent_given_at=now))
        first = cycles.start_cycle(factory, (now - timedelta(days=600)).date())
        second = cycles.start_cycle(factory, (now - timedelta(days=200)).date())
        db.session.flush()
        for cycle, shift in ((first, 3), (second, 0)):
            db.session.add(Report(
                cycle_id=cycle.id, kind="assessment", title=f"Assessment {i}", body_html="<p>Findings.</p>" * 200,
                data={"scores": {"clusters": {k: {"rate": ((i + j + shift) % 10) / 10, "label": k, "questions": 10,
                                                  "noncompliant": (i + j + shift) % 10}
                                              for j, k in enumerate(CLUSTERS)},
                                 "overall": {"questions": 80, "noncompliant": (i + shift) % 80,
                                             "rate": ((i + shift) % 80) / 80},
                                 "points": points, "findings": findings, "zero_tolerance": []},
                      "assessed_on": (now - timedelta(days=60 + shift * 100 + i % 30)).date().isoformat()},
                release_at=now - timedelta(days=1), released_at=now - timedelta(hours=1)))
        if i % 500 == 499:
            db.session.flush()
    user = User(email="bench@example.org", role="buyer", name="Bench", buyer=buyer)
    db.session.add(user)
    db.session.commit()
    return user.id


def main() -> int:
    from bwadmin import create_app
    from bwadmin.extensions import db

    url = os.environ.get("DATABASE_URL")
    work = Path(tempfile.mkdtemp(prefix="bwadmin-bench-"))
    if url:
        url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
    else:
        url = f"sqlite:///{work / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "BWADMIN_REPORTS_DIR": str(work / "reports")})
    with app.app_context(), app.test_request_context():
        from bwadmin.models import User
        from bwadmin.services import factory_pages

        db.drop_all()
        db.create_all()
        try:
            started = time.monotonic()
            user_id = seed()
            print(f"{db.engine.dialect.name}: seeded {FACTORIES} factories (2 released assessments each) in "
                  f"{time.monotonic() - started:.1f} s")
            # The planner's statistics, as a database in use has them (PostgreSQL's autovacuum; SQLite's ANALYZE).
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            user = db.session.get(User, user_id)
            user.is_authenticated  # noqa: B018
            for sort in ("name", "-rate", "-assessed", "-change"):
                listing, _ = factory_pages.Listing.parse(sort)
                times = []
                for run in range(REPEAT + 1):
                    began = time.perf_counter()
                    page = factory_pages.page(user, 100, listing=listing)
                    if run:
                        times.append(time.perf_counter() - began)
                    db.session.rollback()
                assert len(page.rows) == min(100, FACTORIES)
                print(f"  sort {sort:10} first page of 100: median {1000 * statistics.median(times):7.1f} ms "
                      f"(min {1000 * min(times):.1f})")
        finally:
            db.session.rollback()
            db.drop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
