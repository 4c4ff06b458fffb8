"""What the benches share: one page timed over several requests, with the statements its last request ran.
(Not a bench itself: `make bench` runs bench/*.py but files starting with "_".)"""
from __future__ import annotations

import statistics
import time

from sqlalchemy import event


def measure_get(client, url: str, runs: int, before_each=None) -> tuple[float, int, int]:
    """The median milliseconds of `runs` GETs of `url` after a warming one, the statements the last one ran, and its
    body's size; `before_each` is called before each timed request (a bench emptying caches, say).
    Each request starts with an empty session, as in the app: a bench's requests share its app context, whose
    session would otherwise keep what an earlier request loaded (and a page's lazy loads would cost nothing)."""
    from bwadmin.extensions import db

    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    response = client.get(url)  # warm (and fill the caches for the cached runs)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        if before_each is not None:
            before_each()
        db.session.remove()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(statements), len(response.data)


def _percentile_ms(sorted_seconds: list[float], share: float) -> float | None:
    if not sorted_seconds:
        return None
    return 1000 * sorted_seconds[min(len(sorted_seconds) - 1, int(len(sorted_seconds) * share))]


def http_load(port: int, path: str, seconds: float, threads: int, headers: dict, timeout: float = 10) -> dict:
    """GETs of `path` from `threads` keep-alive connections for `seconds` (run it in a process of its own, so the
    client does not share the server's interpreter): requests per second answered 200, how many, the errors, and
    the median, 95th and 99th percentile in ms (None without a single answer)."""
    import http.client
    import threading

    stop = time.monotonic() + seconds
    errors, latencies = [0] * threads, [[] for _ in range(threads)]

    def worker(i: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    latencies[i].append(time.perf_counter() - started)
                else:
                    errors[i] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.close()

    began = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - began
    answered = sorted(x for per in latencies for x in per)
    return {"rps": len(answered) / elapsed, "ok": len(answered), "errors": sum(errors),
            "p50_ms": _percentile_ms(answered, 0.5), "p95_ms": _percentile_ms(answered, 0.95),
            "p99_ms": _percentile_ms(answered, 0.99)}


def wrk_load(wrk: str, port: int, path: str, headers: dict, seconds: float, connections: int,
             timeout: str = "10s") -> dict:
    """The same figures from wrk (C, epoll: a client far cheaper than the server it loads), one thread. wrk prints
    the 50th, 75th, 90th and 99th percentiles: no 95th (None)."""
    import re
    import subprocess

    args = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", timeout]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)) * (total - bad) / max(total, 1),
            "ok": total - bad, "errors": bad + (sum(int(x) for x in socket.groups()) if socket else 0),
            "p50_ms": ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)), "p95_ms": None,
            "p99_ms": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))}
