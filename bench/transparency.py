"""The public transparency page of a country of 1,000 factories: its median time cached and uncached.

Each factory has a released assessment report scored from 179 plausible answers of the shipped assessment bank (as
the release makes them); a third are returning, with an earlier released cycle (their history), and some of those
have a newer assessment under review (recorded, its report not released: never read). The country publishes the
default list of 27 issues. Each page is asked through the app's test client (no server: the time is the app's own),
beside the login page measured the same way in the same run (a page of the same base template with next to nothing
on it: the floor any page pays). "none" empties every cache of the process before each request, so the table is
built from the database each time, as in a process that has read nothing yet; "expired" empties the caches that
expire each minute (the table, the rendered pages) but keeps what each released report says on the issues (it never
changes): the rebuild a process does once a minute; "warm" is what an anonymous reader meets the rest of the minute.
Goal: the country page under 100 ms at the median (cached), and built from a constant number of queries.

    .venv/bin/python bench/transparency.py [--factories 1000] [--runs 21] [--smoke]
    DATABASE_URL=postgresql://127.0.0.1/bw_transparency .venv/bin/python bench/transparency.py  # tables replaced
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from bwadmin import caches, create_app  # noqa: E402
from bwadmin.extensions import db  # noqa: E402
from bwadmin.models import (Assessment, Cycle, Factory, Report, ReportContent,  # noqa: E402
                            TransparencyResponse, utcnow)
from _timing import measure_get  # noqa: E402 - bench/_timing.py, beside this script

COUNTRY = "Cambodia"
WORDS = ["Angkor", "Mekong", "Tonle", "Lotus", "Kampot", "Siem", "Golden", "Orchid", "Delta", "Silk", "Jade", "Pearl"]
KINDS = ["Garment", "Apparel", "Knitwear", "Textile", "Fashion", "Denim", "Sewing", "Outerwear"]


def load(n_factories: int, rng: random.Random) -> None:
    """n_factories of COUNTRY with released assessments, written with core inserts (scored as the release does)."""
    from bwadmin.services import questionnaires, scoring, transparency

    bank = questionnaires.ensure_default_questionnaires(("assessment",))[0]
    db.session.commit()
    structure = scoring.structure_for(bank.id)
    risk = {"compensation": 0.3, "working_time": 0.35, "osh": 0.25, "contracts_hr": 0.15}
    now = utcnow()

    def scores() -> dict:
        values = {}
        for q in structure.questions:
            if q.noncompliant_answer in ("yes", "no"):
                bad = q.noncompliant_answer
                values[q.id] = bad if rng.random() < risk.get(q.cluster, 0.03) else ("no" if bad == "yes" else "yes")
            else:
                values[q.id] = rng.choice(["yes", "no"])
        return scoring.score_values(structure, values)

    factories = [{"name": f"{rng.choice(WORDS)} {rng.choice(KINDS)} {i:04d}", "country": COUNTRY,
                  "city": "Phnom Penh", "address": f"Street {i}", "workers": rng.randrange(200, 5000)}
                 for i in range(n_factories)]
    ids = list(db.session.scalars(insert(Factory).returning(Factory.id), factories))
    cycles, plan = [], []
    for factory_id in ids:
        returning = rng.random() < 1 / 3
        numbers = [1, 2] if returning else [1]
        for number in numbers:
            signed = date(2024, 1, 1) + timedelta(days=rng.randrange(600)) + timedelta(days=400 * (number - 1))
            cycles.append({"factory_id": factory_id, "number": number, "signed_up_on": signed,
                           "training_days_allotted": 5, "status": "reporting"})
            # A returning factory's newer assessment is under review one time in three.
            plan.append(not (returning and number == 2 and rng.random() < 1 / 3))
    cycle_ids = list(db.session.scalars(insert(Cycle).returning(Cycle.id, sort_by_parameter_order=True), cycles))
    assessments, reports, released_cycles = [], [], []
    for cycle_id, cycle, released in zip(cycle_ids, cycles, plan, strict=True):
        assessed = cycle["signed_up_on"] + timedelta(days=100)
        assessments.append({"cycle_id": cycle_id, "assessed_on": assessed, "assessors": "Two assessors",
                            "completed_at": datetime.combine(assessed, datetime.min.time())})
        at = datetime.combine(assessed + timedelta(days=30), datetime.min.time())
        reports.append({"cycle_id": cycle_id, "kind": "assessment", "title": "Assessment report",
                        "release_at": at if released else None, "released_at": at if released else None})
        if released:
            released_cycles.append(cycle_id)
    db.session.execute(insert(Assessment), assessments)
    report_ids = list(db.session.scalars(insert(Report).returning(Report.id, sort_by_parameter_order=True), reports))
    db.session.execute(insert(ReportContent), [
        {"report_id": rid, "data": {"factory": "(name)", "country": COUNTRY, "kind": "assessment", "scores": scores()},
         "body_html": "<p>The report.</p>"} for rid in report_ids])
    db.session.execute(insert(TransparencyResponse), [
        {"cycle_id": cid, "text": "We fixed it.", "status": "approved", "approved_text": "We fixed it.",
         "approved_at": now, "updated_at": now} for cid in released_cycles[::4]])
    transparency.publish_default_issues(COUNTRY)
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def empty(mode: str) -> None:
    if mode == "none":  # a process that has read nothing yet
        caches.clear_all()
    elif mode == "expired":  # the minute is over: the table and the pages go, what each report says is kept
        caches.transparency_tables.clear()
        caches.transparency_pages.clear()


def measure(client, url: str, runs: int, mode: str) -> tuple[float, int, int]:
    """Median ms, queries of the last request, and the body's size; `mode` says which caches are emptied before each
    request (none: all of them, expired: those that expire, warm: none)."""
    return measure_get(client, url, runs, before_each=lambda: empty(mode))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factories", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds: that the bench still runs")
    args = parser.parse_args()
    if args.smoke:
        args.factories, args.runs = 30, 2

    workdir = Path(tempfile.mkdtemp(prefix="bwadmin-bench-"))
    os.environ.setdefault("BWADMIN_INSTANCE", str(workdir / "instance"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        load(args.factories, random.Random(11))
        shown = db.session.scalar(select(db.func.count()).select_from(Report).where(Report.released_at.is_not(None)))
        print(f"loaded {args.factories:,} factories of {COUNTRY} ({shown:,} released assessments) in "
              f"{time.perf_counter() - t0:.1f} s ({db.engine.dialect.name})")

        from bwadmin.services import transparency

        slug = transparency.slug_of(COUNTRY)
        caches.clear_all()
        t0 = time.perf_counter()
        table = transparency.build_table(slug)
        built = (time.perf_counter() - t0) * 1000
        assert len(table.rows) == args.factories, (len(table.rows), args.factories)
        factory_id = table.rows[len(table.rows) // 2].factory_id
        term = table.rows[len(table.rows) // 3].name.split()[0].lower()
        client = app.test_client()
        base = f"/transparency/{slug}/"
        last_page = -(-len(table.rows) // transparency.PER_PAGE)
        pages = [
            ("login page (baseline)", "/login", "warm"),
            ("country page", base, "none"),
            ("country page", base, "expired"),
            ("country page", base, "warm"),
            ("country page, last page by date", f"{base}?sort=date&dir=desc&page={last_page}", "warm"),
            ("country page, by non-compliance", f"{base}?sort=noncompliance", "warm"),
            (f"country page, search '{term}'", f"{base}?q={term}", "warm"),
            ("factory page", f"{base}factories/{factory_id}", "none"),
            ("factory page", f"{base}factories/{factory_id}", "warm"),
            ("CSV download", f"/transparency/{slug}.csv", "expired"),
            ("CSV download", f"/transparency/{slug}.csv", "warm"),
            ("JSON download", f"/transparency/{slug}.json", "expired"),
            ("JSON download", f"/transparency/{slug}.json", "warm"),
        ]
        print(f"\nthe table built alone (every cache empty): {built:.1f} ms\n")
        print(f"{'page':40} {'cache':>8} {'median ms':>10} {'queries':>8} {'kB':>7} {'x baseline':>11}")
        baseline = None
        for label, path, mode in pages:
            ms, queries, size = measure(client, path, args.runs, mode)
            baseline = baseline or ms
            print(f"{label:40} {mode:>8} {ms:10.1f} {queries:8d} {size / 1024:7.0f} {ms / baseline:10.1f}x")
        print(f"\ngoal: the country page of {args.factories:,} factories under 100 ms at the median (warm cache), "
              "in a constant number of queries")


if __name__ == "__main__":
    main()
