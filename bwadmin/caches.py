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

# The share of a country's factories non-compliant per compliance point (services/country_shares): the same for every
# viewer, and they move only when an assessment is released: a minute late is fine. One entry per country (and database).
country_shares: TTLCache = TTLCache(maxsize=256, ttl=60)

# The public transparency page (services/transparency): each country's table, built from its released assessments, and
# the pages rendered from it for anonymous readers. Emptied by the changes made in this process (transparency.forget);
# a release by a worker or an approval in another process shows within the minute.
TRANSPARENCY_SECONDS = 60
transparency_tables: TTLCache = TTLCache(maxsize=128, ttl=TRANSPARENCY_SECONDS)  # (database, what, country) → …


def _blocks(value) -> int:
    """A cached page's size in blocks of 16 kB (at least one): a country's page of 100 factories is about 200 kB."""
    parts = value if isinstance(value, tuple) else (value,)
    return 1 + sum(len(part) for part in parts if isinstance(part, (str, bytes))) // 16_384


# (database, language, page) → its body; bounded by size: 2,048 blocks, 32 MB at most.
transparency_pages: TTLCache = TTLCache(maxsize=2048, ttl=TRANSPARENCY_SECONDS, getsizeof=_blocks)
# What a released report says on its country's issues: a released report never changes, so this is kept until pushed
# out (about 300 bytes each; 10,000 hold several countries of 1,000 factories, history included; past that a rebuild
# reads the reports pushed out again).
transparency_states: LRUCache = LRUCache(maxsize=10_000)  # (issues, report id, released at) → states

# cachetools' caches are not safe to change from several threads (a threaded server, gunicorn's gthread workers).
# One condition guards them all, as each use is short; with `cachetools.cached(..., condition=lock)` a thread
# waits for a value another is building rather than building it again.
lock = threading.Condition()

ALL = (questionnaire_forms, question_ids, scoring_structures, country_shares, transparency_tables,
       transparency_pages, transparency_states)


def clear_all() -> None:
    with lock:
        for cache in ALL:
            cache.clear()
    decode_scalar.cache_clear()
