"""Staff prepare the programme progress report before its release: draft it from the data, write a summary and a note
per area beside the lines the data writes, and read it as the factory and its buyers will. The release (the clock's
programme_progress_report milestone) publishes the draft as it is (services/progress_reports). The clock drafts it a
month before it is due; until staff save that draft, the release writes it again from the data of its day."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import utcnow
from ..services import progress_reports
from .base import StaffPage, no_such_record


class ProgrammeProgressView(StaffPage):
    @expose("/")
    def index(self):
        return self.render("admin/programme_progress.html", rows=progress_reports.drafts_to_prepare(current_user),
                           days=progress_reports.DRAFT_DAYS_AHEAD, clock_draft=progress_reports.clock_draft)

    @expose("/<int:cycle_id>", methods=("GET", "POST"))
    def draft(self, cycle_id: int):
        cycle = progress_reports.cycle_for(cycle_id)
        if cycle is None:
            return no_such_record(url_for(".index"), cycle_id)
        report = progress_reports.programme_report(cycle)
        errors, form = {}, request.form
        if request.method == "POST":
            step = form.get("step")
            if report is not None and report.released_at is not None:
                errors["report"] = _("This report was released and can no longer change.")
            elif step == "draft":
                report = progress_reports.draft_programme_progress(cycle, utcnow(), current_user)
                db.session.commit()
                flash(_("Draft written from the data as it is now; your text is kept."), "success")
                return redirect(url_for(".draft", cycle_id=cycle.id))
            elif step == "save" and report is not None:
                errors = progress_reports.save_staff_text(current_user, report, form)
                db.session.commit()
                if not errors:
                    flash(_("Draft saved: the release publishes it as you see it below."), "success")
                    return redirect(url_for(".draft", cycle_id=cycle.id))
            else:
                errors["report"] = _("Draft the report first.")
        staff = progress_reports.staff_text((report.data or {}).get("staff") if report is not None else None)
        page = self.render("admin/programme_progress_draft.html", cycle=cycle, report=report, staff=staff,
                           errors=errors, form=form if errors else {}, areas=progress_reports.AREAS,
                           limit=progress_reports.STAFF_TEXT_MAX,
                           due=cycle.milestone("programme_progress_report"),
                           clock_drafted_at=progress_reports.clock_drafted_at(report))
        return page, (400 if errors else 200)
