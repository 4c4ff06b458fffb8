"""Working the queue to empty in this process: `tick --run`, `simulate`, the benchmark and the tests."""
from __future__ import annotations


def work_until_empty(queue=None) -> bool:
    """A burst SimpleWorker (no fork) on the app's queue, with the scheduler so due retries run too."""
    from rq import SimpleWorker

    from bwadmin.queue import get_queue

    queue = queue or get_queue()
    worker = SimpleWorker([queue], connection=queue.connection)
    return worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
