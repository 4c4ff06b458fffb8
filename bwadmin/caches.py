"""The process's caches, in one place, each bounded. `clear_all()` empties them: the tests call it after each test,
since the rows a cache was built from are deleted and their ids given out again.

The functions that build a SQLAlchemy statement once (`functools.lru_cache` on a function of no data) are not
here: what they hold never goes stale."""
from __future__ import annotations

import functools
import json
import threading

from cachetools import LRUCache, TTLCache

# A published questionnaire version never changes, so what is built from one is kept until pushed out. A process
# meets a few versions per kind and country, each in a few languages: 256 holds them all with room to spare.
questionnaire_forms: LRUCache = LRUCache(maxsize=256)  # (version, language) → its form class
question_ids: LRUCache = LRUCache(maxsize=256)  # version → the ids of its questions
scoring_structures: LRUCache = LRUCache(maxsize=256)  # version → its questions and labels, as scoring reads them

# Most answers are one of a few short JSON texts (`true`, `"no"`, a small number), decoded tens of thousands of
# times in a batch of releases; 4,096 holds those and keeps typed-in numbers from growing it without end.
# functools' cache, in C and thread-safe, rather than cachetools': it is read once per answer, and a cachetools
# lookup under a lock cost nearly as much as json.loads itself (0.6 µs against 0.8 µs; functools' 0.1 µs).
# Give it only texts of scalars: a list or a dict it returned could be changed by whoever received it.
decode_scalar = functools.lru_cache(maxsize=4096)(json.loads)

# The same for every viewer, and they move only when a report is released: a minute late is fine on a chart.
# One entry per country (and database).
country_averages: TTLCache = TTLCache(maxsize=256, ttl=60)

# cachetools' caches are not safe to change from several threads (a threaded server, gunicorn's gthread workers).
# One condition guards them all, as each use is short; with `cachetools.cached(..., condition=lock)` a thread
# waits for a value another is building rather than building it again.
lock = threading.Condition()

ALL = (questionnaire_forms, question_ids, scoring_structures, country_averages)


def clear_all() -> None:
    with lock:
        for cache in ALL:
            cache.clear()
    decode_scalar.cache_clear()
