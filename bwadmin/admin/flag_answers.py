"""Staff answer the factories' flags on their draft reports: the answer is shown to the factory beside its flag."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..services import report_review
from ..services.errors import FieldError
from .base import StaffPage, no_such_record


class FlagAnswerView(StaffPage):
    def is_visible(self) -> bool:
        return False  # reached from the home's rows and the emails

    @expose("/")
    def index(self):
        return self.render("admin/flag_answers.html", board={"flags": report_review.open_flags(current_user)})

    @expose("/<int:flag_id>", methods=("GET", "POST"))
    def answer(self, flag_id: int):
        try:
            flag = report_review.flag_for_staff(current_user, flag_id)
        except NotFound:
            return no_such_record(url_for(".index"), flag_id)
        error, text = None, flag.resolution or ""
        if request.method == "POST":
            text = request.form.get("answer") or ""
            try:
                report_review.answer(current_user, flag, text)
            except FieldError as exc:
                error = exc.message
            else:
                flash(_("Answer saved: the factory reads it beside its flag."), "success")
                return redirect(url_for("admin.index"))
        page = self.render("admin/flag_answer.html", flag=flag, error=error, answer=text,
                           release_at=report_review.release_time(flag.report), limit=report_review.MAX_ANSWER)
        return page, (400 if error else 200)
