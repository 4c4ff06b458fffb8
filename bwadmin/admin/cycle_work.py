"""Work on one cycle from its page (needs from findings) and the learning seminars of a country."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from flask_babel import format_date, gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.advisory import AttendanceForm, InviteForm, NeedFromFindingForm, PlanSeminarsForm

from ..input_bounds import as_id
from ..extensions import db
from ..models import Cycle, Question, Seminar, SeminarAttendance
from ..services import needs, seminars
from ..services.errors import FieldError
from .base import StaffPage, no_such_record


class CycleWorkView(StaffPage):
    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("cycle.index_view"))

    @expose("/<int:cycle_id>/need-from-finding", methods=("POST",))
    def need_from_finding(self, cycle_id: int):
        cycle = db.session.get(Cycle, cycle_id) or abort(no_such_record(url_for("cycle.index_view"), cycle_id))
        form = NeedFromFindingForm()
        back = url_for("cycle.details_view", id=cycle.id) + "#findings"
        if not form.validate_on_submit():
            flash(_("The form expired: open the cycle page again and add the need."), "error")
            return redirect(back)
        question_id = as_id(form.question_id.data or "")
        question = db.session.get(Question, question_id) if question_id else None
        if question is None:
            flash(_("That finding's question no longer exists."), "error")
            return redirect(back)
        try:
            need = needs.need_from_finding(cycle, question, form.source.data, form.area.data)
            db.session.commit()
        except FieldError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(back)
        flash(_("Need added: %(title)s. Set its owner, target and due date.", title=need.title))
        return redirect(url_for("need.edit_view", id=need.id, url=back))


class SeminarWorkView(StaffPage):
    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = PlanSeminarsForm()
        if form.validate_on_submit():
            try:
                planned = seminars.plan_seminars(form.country.data, form.first_date.data, form.months_apart.data,
                                                 form.location.data or None)
                db.session.commit()
                flash(_("Four seminars planned for %(country)s, from %(first)s to %(last)s.",
                        country=form.country.data.strip(), first=format_date(planned[0].held_on, "medium"),
                        last=format_date(planned[-1].held_on, "medium")))
                return redirect(url_for(".index"))
            except FieldError as exc:
                db.session.rollback()
                exc.put_on(form) or flash(exc.message, "error")
        listing = db.session.scalars(
            select(Seminar).options(selectinload(Seminar.attendances)).order_by(Seminar.held_on.desc()).limit(100)
        ).all()
        return self.render("admin/seminar_work.html", form=form, seminars=listing, invite_form=InviteForm(formdata=None))

    @expose("/<int:seminar_id>/invite", methods=("POST",))
    def invite(self, seminar_id: int):
        seminar = db.session.get(Seminar, seminar_id) or abort(no_such_record(url_for(".index"), seminar_id))
        if not InviteForm().validate_on_submit():
            flash(_("The form expired: open the page again."), "error")
            return redirect(url_for(".seminar", seminar_id=seminar.id))
        outcome = seminars.invite(seminar)
        flash(ngettext("%(num)s running cycle invited.", "%(num)s running cycles invited.", outcome["cycles"]) + " "
              + ngettext("%(num)s new invitation email queued (see Reports and notices → Notifications).",
                         "%(num)s new invitation emails queued (see Reports and notices → Notifications).",
                         outcome["created"]))
        return redirect(url_for(".seminar", seminar_id=seminar.id))

    def _seminar_page(self, seminar, failed=None):
        rows = db.session.scalars(
            select(SeminarAttendance).options(selectinload(SeminarAttendance.cycle).joinedload(Cycle.factory))
            .where(SeminarAttendance.seminar_id == seminar.id)
        ).all()
        forms = []
        for row in sorted(rows, key=lambda r: r.cycle.factory.name):
            if failed is not None and failed.cycle_id.data == str(row.cycle_id):
                forms.append((row, failed))
            else:
                forms.append((row, AttendanceForm(formdata=None, data={
                    "cycle_id": row.cycle_id, "attended": row.attended, "attendees": row.attendees})))
        return self.render("admin/seminar_attendance.html", seminar=seminar, rows=forms,
                           invite_form=InviteForm(formdata=None))

    @expose("/<int:seminar_id>")
    def seminar(self, seminar_id: int):
        seminar = db.session.get(Seminar, seminar_id) or abort(no_such_record(url_for(".index"), seminar_id))
        return self._seminar_page(seminar)

    @expose("/<int:seminar_id>/attendance", methods=("POST",))
    def attendance(self, seminar_id: int):
        seminar = db.session.get(Seminar, seminar_id) or abort(no_such_record(url_for(".index"), seminar_id))
        form = AttendanceForm()
        cycle_id = as_id(form.cycle_id.data or "")
        cycle = db.session.get(Cycle, cycle_id) if cycle_id else None
        if cycle is None:
            abort(404)
        if form.validate_on_submit():
            try:
                seminars.record_attendance(seminar, cycle, form.attended.data, form.attendees.data)
                db.session.commit()
                flash(_("Attendance of %(factory)s saved.", factory=cycle.factory.name))
                return redirect(url_for(".seminar", seminar_id=seminar.id))
            except FieldError as exc:
                db.session.rollback()
                exc.put_on(form) or flash(exc.message, "error")
        return self._seminar_page(seminar, failed=form)


__all__ = ["CycleWorkView", "SeminarWorkView"]
