"""What the benches share: one page timed over several requests, with the statements its last request ran.
(Not a bench itself: `make bench` runs bench/*.py but files starting with "_".)"""
from __future__ import annotations

import statistics
import time

from sqlalchemy import event


def measure_get(client, url: str, runs: int, before_each=None) -> tuple[float, int, int]:
    """The median milliseconds of `runs` GETs of `url` after a warming one, the statements the last one ran, and its
    body's size; `before_each` is called before each timed request (a bench emptying caches, say)."""
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
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(statements), len(response.data)
