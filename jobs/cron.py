"""The schedule `rq cron jobs/cron.py` runs: one sweep a minute."""
from rq import cron

from jobs.sweep import sweep

cron.register(sweep, "default", interval=60, name="bwadmin-sweep")
