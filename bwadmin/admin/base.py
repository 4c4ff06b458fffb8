"""The base of every staff view: access, CSRF, audit, field-level messages and an indexed search."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import BaseForm
from flask_login import current_user
from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..services import audit
from ..services.constraints import message_for


def staff_only() -> bool:
    return current_user.is_authenticated and current_user.is_staff


def refuse():
    """Anonymous people go to the login page; logged-in non-staff are refused."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)


def prefix_range(column, term: str):
    """`lower(column)` starts with term, written as a range an index on lower(column) can serve."""
    term = term.lower()
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    key = func.lower(column)
    return and_(key >= term, key < upper, key.like(term.replace("%", r"\%").replace("_", r"\_") + "%", escape="\\"))


class StaffModelView(ModelView):
    # CSRF: the app-wide CSRFProtect checks every POST, and Flask-Admin's templates carry its token. A
    # SecureForm (WTForms session CSRF) would add a second `csrf_token` input after it and read the first
    # one, refusing every save from a browser.
    form_base_class = BaseForm
    page_size = 20
    can_view_details = True
    can_export = False
    admin_only = False  # only admins open it (users, questionnaires, schedule offsets)
    # Columns searched by prefix through an index on lower(column): [(column, join path or None)].
    prefix_search: list = []

    def __init__(self, model, *args, **kwargs):
        super().__init__(model, db, *args, **kwargs)

    # --- access -------------------------------------------------------------------------------
    def is_accessible(self) -> bool:
        if not staff_only():
            return False
        return current_user.is_admin or not self.admin_only

    def inaccessible_callback(self, name, **kwargs):
        return refuse()

    # --- search -------------------------------------------------------------------------------
    def init_search(self) -> bool:
        if self.prefix_search:
            self._search_supported = True
            self._search_fields = []
            return True
        return super().init_search()

    def search_placeholder(self) -> str:
        return "Starts with…" if self.prefix_search else super().search_placeholder()

    def _apply_search(self, query, count_query, joins, count_joins, search):
        if not self.prefix_search:
            return super()._apply_search(query, count_query, joins, count_joins, search)
        for term in search.split():
            clauses = []
            for column, path in self.prefix_search:
                if path is not None:
                    query, joins, _ = self._apply_path_joins(query, joins, [path], inner_join=False)
                    if count_query is not None:
                        count_query, count_joins, _ = self._apply_path_joins(
                            count_query, count_joins, [path], inner_join=False
                        )
                clauses.append(prefix_range(column, term))
            query = query.filter(or_(*clauses))
            if count_query is not None:
                count_query = count_query.filter(or_(*clauses))
        return query, count_query, joins, count_joins

    # --- validation beside the field ----------------------------------------------------------
    def check(self, form, model) -> None:
        """Subclasses add rule checks; each problem goes to `form.<field>.errors`."""

    def validate_form(self, form) -> bool:
        ok = super().validate_form(form)
        saving = request.endpoint in (f"{self.endpoint}.create_view", f"{self.endpoint}.edit_view")
        if ok and request.method == "POST" and saving and hasattr(form, "_fields"):
            editing = request.args.get("id") if request.endpoint == f"{self.endpoint}.edit_view" else None
            self.check(form, self.get_one(editing) if editing else None)
            ok = not any(field.errors for field in form)
        return ok

    def handle_view_exception(self, exc) -> bool:
        if isinstance(exc, IntegrityError):
            flash(message_for(exc), "error")
            return True
        return super().handle_view_exception(exc)

    # --- audit --------------------------------------------------------------------------------
    def update_model(self, form, model) -> bool:
        g._audit_before = audit.snapshot(model)
        return super().update_model(form, model)

    def on_model_change(self, form, model, is_created) -> None:
        db.session.flush()
        if is_created:
            audit.record("create", model, after=audit.snapshot(model))
        else:
            before, after = audit.changed(getattr(g, "_audit_before", {}), audit.snapshot(model))
            if after:
                audit.record("update", model, before=before, after=after)

    def on_model_delete(self, model) -> None:
        audit.record("delete", model, before=audit.snapshot(model))


class AdminOnlyModelView(StaffModelView):
    admin_only = True
