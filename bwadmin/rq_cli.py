"""rq's command line (`rq worker`, `rq cron`) with bwadmin's log lines: one per event, with the job's id, JSON when
LOG_FORMAT=json. The Procfile and the systemd units start workers and cron through it."""
from rq.cli import main

from . import logs

if __name__ == "__main__":
    logs.configure()
    main()
