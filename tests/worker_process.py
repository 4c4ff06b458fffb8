"""A real RQ worker in a process of its own, for the fault tests: `python -m tests.worker_process [--stuck KIND]`.

With --stuck, the milestones of KIND never finish (the work-horse waits), so the test can kill the worker while its
job is running. The app is configured from the environment, as `rq worker` would be."""
from __future__ import annotations

import argparse
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stuck", help="a milestone kind whose work never finishes")
    args = parser.parse_args()
    from rq import Worker

    import jobs
    from bwadmin.queue import get_queues

    app = jobs.app()
    if args.stuck:
        from bwadmin.services import milestones

        def never_finishes(milestone, now):
            while True:
                time.sleep(1)

        milestones.HANDLERS[args.stuck] = milestones.Handler(one=never_finishes)
    with app.app_context():
        queues = get_queues()
    Worker(queues, connection=queues[0].connection).work(logging_level="WARNING")


if __name__ == "__main__":
    main()
