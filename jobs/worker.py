"""Working the queues to empty in this process: `tick --run`, `simulate`, the benchmark and the tests."""
from __future__ import annotations

from rq import SimpleWorker

from bwadmin.queue import get_queues


def work_until_empty(queue=None) -> bool:
    """A burst SimpleWorker (no fork) on the app's queues in priority order (or on `queue`), with the scheduler
    so due retries run too."""
    queues = [queue] if queue is not None else get_queues()
    worker = SimpleWorker(queues, connection=queues[0].connection)
    return worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
