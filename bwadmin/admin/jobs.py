"""The jobs board: what RQ holds (queued, scheduled, running, failed), with requeue of failed jobs."""
from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from .base import StaffPage

LIMIT = 200
STATE_LABELS = {"queued": _l("Queued"), "scheduled": _l("Scheduled"), "started": _l("Started"), "failed": _l("Failed")}


def _describe(job: Job, state: str, registry=None) -> dict:
    args = ", ".join(repr(a) if not isinstance(a, list) else ngettext("[%(num)s id]", "[%(num)s ids]", len(a))
                     for a in (job.args or ()))
    error = None
    if state == "failed":
        result = job.latest_result()
        text = (result.exc_string if result is not None else None) or ""
        error = text.strip().splitlines()[-1] if text.strip() else None
    when = job.enqueued_at or job.created_at
    scheduled = None
    if state == "scheduled" and registry is not None:
        try:
            scheduled = registry.get_scheduled_time(job)
        except Exception:  # noqa: BLE001 - gone meanwhile
            scheduled = None
    return {"id": job.id, "func": (job.func_name or "").rsplit(".", 1)[-1], "args": args, "state": state,
            "when": when.replace(tzinfo=UTC) if when and when.tzinfo is None else when, "scheduled": scheduled,
            "retries_left": job.retries_left, "error": error}


class JobsView(StaffPage):
    def _queues(self):
        from ..queue import get_queues

        return get_queues()

    @expose("/")
    def index(self):
        # Every queue the app uses, in the order a worker takes them; each section lists all of them.
        queues = self._queues()
        conn = queues[0].connection
        sections = {state: {"state": state, "label": label, "count": 0, "jobs": []}
                    for state, label in STATE_LABELS.items()}
        for queue in queues:
            registries = [
                ("queued", None, queue.get_job_ids(0, LIMIT - 1)),
                ("scheduled", ScheduledJobRegistry(queue=queue), None),
                ("started", StartedJobRegistry(queue=queue), None),
                ("failed", FailedJobRegistry(queue=queue), None),
            ]
            for state, registry, ids in registries:
                if ids is None:
                    ids = registry.get_job_ids(0, LIMIT - 1, desc=True)
                jobs = [job for job in Job.fetch_many(ids, connection=conn) if job is not None]
                section = sections[state]
                section["count"] += len(queue) if registry is None else registry.count
                section["jobs"] += [_describe(job, state, registry) | {"queue": queue.name} for job in jobs]
        return self.render("admin/jobs.html", sections=list(sections.values()),
                           queue_name="”, “".join(queue.name for queue in queues))

    @expose("/requeue", methods=("POST",))
    def requeue(self):
        registries = [FailedJobRegistry(queue=queue) for queue in self._queues()]
        if request.form.get("all") == "1":
            wanted = [(registry, job_id) for registry in registries for job_id in registry.get_job_ids()]
        else:
            wanted = []
            for job_id in request.form.getlist("job_id"):
                holder = next((registry for registry in registries if job_id in registry), registries[0])
                wanted.append((holder, job_id))
        done = 0
        for registry, job_id in wanted:
            try:
                registry.requeue(job_id)
                done += 1
            except (InvalidJobOperation, NoSuchJobError):
                flash(_("Job %(job)s is no longer among the failed jobs.", job=job_id), "warning")
            except ValueError:  # RQ refuses an id with other than letters, digits, _ and - before looking it up
                flash(_("“%(job)s” is not a job id: pick failed jobs from the list.", job=job_id), "error")
        if done:
            # The English reads "job(s)" in both forms (as before); the catalogs give each language its plurals.
            flash(ngettext("Requeued %(num)s failed job(s); a worker will run them again.",
                           "Requeued %(num)s failed job(s); a worker will run them again.", done), "success")
        return redirect(url_for(".index"))
