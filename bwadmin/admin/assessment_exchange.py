"""Assessments that travel, in the panel: the export of a cycle's released assessment, and the import of one
exported by another bwadmin instance."""
from __future__ import annotations

from flask import Response, flash, redirect, url_for
from flask_admin import expose
from flask_babel import gettext as _

from forms.travel import AssessmentImportForm

from ..extensions import db
from ..services import assessment_export, assessment_import, audit
from .base import StaffPage, no_such_record


class AssessmentExchangeView(StaffPage):
    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = AssessmentImportForm()
        if form.validate_on_submit():
            upload = form.file.data
            raw = upload.read(assessment_import.IMPORT_MAX_BYTES + 1) if upload is not None else b""
            try:
                assessment = assessment_import.import_file(raw)
            except assessment_import.ImportRefused as refused:
                db.session.rollback()
                form.file.errors = list(form.file.errors) + [refused.message]
            else:
                db.session.commit()
                flash(_("Imported: the assessment of %(factory)s, cycle %(number)s, with its released report.",
                        factory=assessment.cycle.factory.name, number=assessment.cycle.number))
                return redirect(url_for("cycle.details_view", id=assessment.cycle_id))
        return self.render("admin/assessment_exchange.html", form=form,
                           schema_url=url_for("api.assessment_schema"))

    @expose("/cycle/<int:cycle_id>.json")
    def export(self, cycle_id: int):
        report = assessment_export.released_report_of(cycle_id)
        if report is None:  # no such cycle, or its assessment not released yet
            return no_such_record(url_for("cycle.index_view"), cycle_id)
        body = assessment_export.dumps(assessment_export.build(report))
        audit.record("download", report, summary=f"Assessment export of {report}")
        db.session.commit()
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="{assessment_export.file_name(report)}"'})
