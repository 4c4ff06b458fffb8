"""The base of every staff view: access, CSRF, audit, field-level messages and an indexed search."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.helpers import get_redirect_target
from flask_admin.actions import action as list_action
# Flask-Admin's own words ("Delete", its confirmation) come from Flask-Admin's catalog, not ours.
from flask_admin.babel import lazy_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.model import template, typefmt
from flask_admin.model.filters import BaseIntFilter, BaseIntListFilter
from flask_babel import format_date, format_decimal, gettext as _
from flask_login import current_user
from sqlalchemy import Float, Numeric, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forms.base import PageForm

from ..extensions import db
from ..i18n import moment
from .dates import NativeDateConverter
from .labels import COLUMN_LABELS
from .pickers import CYCLE_ARGS
from ..input_bounds import MAX_ID, as_id
from ..queue import queue_drafts
from ..services import audit
from ..services.constraints import message_for


class AdminForm(PageForm):
    """Flask-WTF CSRF for the panel, keeping the edited object where Flask-Admin's Unique validator looks."""

    def __init__(self, formdata=None, obj=None, prefix="", **kwargs):
        self._obj = obj
        super().__init__(formdata=formdata, obj=obj, prefix=prefix, **kwargs)


def _loads(attr, depth: int = 3) -> list:
    """selectinload of a relationship, and of what its target's __str__ reads (`str_loads`), down the chain: an
    answer's response names its cycle, which names its factory."""
    target = attr.property.mapper.class_
    names = getattr(target, "str_loads", ()) if depth > 1 else ()
    inner = [loader for name in names for loader in _loads(getattr(target, name), depth - 1)]
    return [selectinload(attr).options(*inner) if inner else selectinload(attr)]


def redraft(cycle_ids) -> None:
    """After staff change what a cycle's draft report is made from (the assessment's details, the factory's name
    or place, the cycle), a worker drafts it again: the factory reviews what the release will publish. Drafting
    leaves released reports and drafts still current alone."""
    queue_drafts(list(cycle_ids))


def staff_only() -> bool:
    return current_user.is_authenticated and current_user.is_staff


def refuse():
    """Anonymous people go to the login page; logged-in non-staff are refused."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)


class StaffPage(BaseView):
    """A page of the panel for staff only (everyone else is refused as refuse() says)."""

    def is_accessible(self) -> bool:
        return staff_only()

    def inaccessible_callback(self, name, **kwargs):
        return refuse()


def no_such_record(back: str, record_id=None):
    """An address naming no record (never was, or deleted since): say so, and go back to where the record would be
    listed."""
    if record_id in (None, ""):
        flash(_("No such record: the address does not say which record to open."), "error")
    else:
        flash(_("No such record: nothing here has the id “%(id)s”. It may have been deleted.", id=record_id), "error")
    return redirect(back)


def prefix_range(column, term: str, exact_range: bool = False):
    """`lower(column)` starts with term, written as a range an index on lower(column) can serve.

    Under a binary collation (SQLite) the range is the prefix exactly, and is answered from the index alone;
    elsewhere (a PostgreSQL locale collation may place other strings inside the range) a LIKE checks each row.
    """
    term = term.lower()
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    key = func.lower(column)
    if exact_range:
        return and_(key >= term, key < upper)
    return and_(key >= term, key < upper, key.like(term.replace("%", r"\%").replace("_", r"\_") + "%", escape="\\"))


def _path(path) -> list:
    return [] if path is None else (path if isinstance(path, list) else [path])


def _through(path: list, condition):
    """`condition` on the record at the end of `path`, a chain of many-to-one links, as nested
    `fk IN (SELECT id ... WHERE ...)`: the database starts from the few matching names in their index."""
    for link in reversed(path):
        (foreign_key,) = link.property.local_columns
        (primary_key,) = link.property.mapper.primary_key
        condition = foreign_key.in_(select(primary_key).where(condition))
    return condition


def binary_collation() -> bool:
    """SQLite compares text byte by byte: a prefix is exactly a range."""
    return db.session.get_bind().dialect.name == "sqlite"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value):
    """Prefix ' to a text cell starting with = + - @ (or tab, CR), so spreadsheets show it instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _bounded(clean):
    """A number filter's parser that refuses numbers past MAX_ID as it refuses text: Flask-Admin then says the
    filter's value is invalid, where PostgreSQL would refuse the query (every integer column holds 32 bits)."""
    def bounded(value):
        cleaned = clean(value)
        if any(abs(number) > MAX_ID for number in (cleaned if isinstance(cleaned, list) else [cleaned])):
            raise ValueError(f"{value} is past the largest number stored")
        return cleaned
    return bounded


def _readable_day(view, value, name=None):
    """A date or a time as staff read it, in their language: a time to the minute with its zone (staff read
    UTC, the database's clock), never with microseconds."""
    if isinstance(value, datetime):
        return moment(value)
    return format_date(value, "medium")


def _readable_number(view, value, name=None):
    """A decimal (training days, a threshold, a share) as the reader writes numbers: 1.5, or 1,5 in Spanish."""
    return format_decimal(value)


def _named_blanks(form):
    """A choice that may be left empty says so ("none"), where Flask-Admin showed its internal value `__None`."""
    for field in form:
        if getattr(field, "allow_blank", False) and not getattr(field, "blank_text", None):
            field.blank_text = _("(none)")
    return form


class StaffModelView(ModelView):
    # Flask-WTF forms: one CSRF scheme for the panel and the portals (CSRFProtect checks every POST).
    form_base_class = AdminForm
    model_form_converter = NativeDateConverter
    # A datetime is a date: one formatter tells them apart (Flask-Admin takes the first type that matches).
    # Whole numbers (ids, counts, a cycle's number) are shown as they are.
    column_type_formatters = typefmt.BASE_FORMATTERS | {date: _readable_day, Decimal: _readable_number,
                                                        float: _readable_number}
    column_type_formatters_detail = typefmt.DETAIL_FORMATTERS | {date: _readable_day, Decimal: _readable_number,
                                                                 float: _readable_number}
    page_size = 20
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    can_view_details = True
    details_template = "admin/bw_details.html"
    can_export = True
    export_types = ["csv"]
    export_max_rows = 50000
    admin_only = False  # only admins open it (users, questionnaires, schedule offsets)
    # Columns searched by prefix through an index on lower(column): [(column, join path or None)].
    prefix_search: list = []

    # Related rows shown in the list are loaded by get_list, not joined into the paged query.
    column_auto_select_related = False

    def __init__(self, model, *args, **kwargs):
        # Password and token hashes are shown nowhere: not in a list, a details page or an export.
        secrets = [c.key for c in model.__table__.columns if c.key in audit.SECRET_COLUMNS]
        for name in ("column_exclude_list", "column_details_exclude_list", "column_export_exclude_list"):
            setattr(self, name, list(getattr(self, name, None) or ()) + secrets)
        # Headers, filters and form labels in the reader's language; a stored value shown by its label.
        self.column_labels = {**COLUMN_LABELS, **(self.column_labels or {})}
        self.column_choices = {**(self.form_choices or {}), **(self.column_choices or {})}
        if "cycle" in (self.form_columns or ()) and "cycle" in model.__mapper__.relationships:
            self.form_args = {"cycle": dict(CYCLE_ARGS), **(self.form_args or {})}
        if self.prefix_search:  # Flask-Admin shows its search box for these; get_list searches them by prefix
            self.column_searchable_list = [".".join([link.key for link in _path(path)] + [column.key])
                                           for column, path in self.prefix_search]
        super().__init__(model, db, *args, **kwargs)

    def get_list_row_actions(self):
        # A list row opens its record (details, edit); deleting is "With selected → Delete" on the list or the
        # button on the record's page. A delete form on each of the page's rows costs a third of the list's time.
        return [action for action in super().get_list_row_actions()
                if not isinstance(action, template.DeleteRowAction)]

    def _related(self) -> list:
        return [
            getattr(self.model, name) for name in (self.column_list or ())
            if isinstance(name, str) and name in self.model.__mapper__.relationships
            and not self.model.__mapper__.relationships[name].uselist
        ]


    def get_query(self):
        return self._searched(super().get_query())

    def get_count_query(self):
        # count(*), not Flask-Admin's count('*'): SQLite answers count(*) from the smallest index (or the
        # table's page count), while count(?) evaluates the bound '*' for every row.
        return self._searched(db.session.query(func.count()).select_from(self.model))

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        # A page whose first row lies past any id the table can hold is empty: 404 rather than an OFFSET the
        # database refuses.
        if page is not None and not 0 <= page <= MAX_ID // self.get_safe_page_size(page_size or self.page_size):
            abort(404)
        if self.prefix_search:
            # The term reaches get_query and get_count_query through `g`: Flask-Admin builds both queries
            # itself, and its own search (a LIKE '%term%' on every column) is left out.
            g.bw_prefix_search, search = " ".join((search or "").split()), None
        count, query = super().get_list(page, sort_column, sort_desc, search, filters, execute=False,
                                        page_size=page_size)
        if execute:
            # Related rows by one extra query each (selectin), for the page's rows only: a join in the paged
            # query would join every row the OFFSET skips.
            query = query.options(*(loader for attr in self._related() for loader in _loads(attr))).all()
        return count, query

    def _searched(self, query):
        """Rows whose searched columns start with the typed text, each through an index on lower(column):
        "lotus text" finds "Lotus Textile Vina", as staff type a name."""
        term = g.get("bw_prefix_search") if self.prefix_search else None
        if not term:
            return query
        exact = binary_collation()
        return query.filter(or_(*(_through(_path(path), prefix_range(column, term, exact))
                                  for column, path in self.prefix_search)))

    # --- ids and pages from the URL: out of the database's range they name nothing -------------
    def get_one(self, id):
        # Flask-Admin passes the id as typed; past an INTEGER column PostgreSQL raises rather than find nothing.
        # None makes every view answer as for a deleted record ("Record does not exist.").
        key = as_id(id) if self._int_pk() else id
        return None if key is None else super().get_one(str(key))

    # Details, edit and delete of an id that names no record say so (Flask-Admin went back to the list in silence
    # when the id was missing, and said "Record does not exist." in its own words otherwise).
    def _unknown(self, raw):
        if raw not in (None, "") and self.get_one(raw) is not None:
            return None
        return no_such_record(get_redirect_target() or self.get_url(".index_view"), raw)

    @expose("/details/")
    def details_view(self):
        return (self.can_view_details and self._unknown(request.args.get("id"))) or super().details_view()

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        return (self.can_edit and self._unknown(request.args.get("id"))) or super().edit_view()

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        return (self.can_delete and self._unknown(request.form.get("id"))) or super().delete_view()

    def _int_pk(self) -> bool:
        pk = self.model.__mapper__.primary_key
        return len(pk) == 1 and pk[0].type.python_type is int

    def get_filters(self):
        filters = super().get_filters()
        for flt in filters or ():
            if isinstance(flt, (BaseIntFilter, BaseIntListFilter)):
                flt.clean = _bounded(flt.clean)
        return filters

    def chosen(self, ids) -> list:
        """The records of the ids a list action was given (ticked rows, as text); ids no record can have are
        left out, as a record deleted meanwhile is."""
        keys = {key for key in map(as_id, ids) if key is not None}
        pk = self.model.__mapper__.primary_key[0]
        return self.get_query().filter(pk.in_(keys)).order_by(pk).all() if keys else []

    @list_action("delete", lazy_gettext("Delete"), lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        # The form sends ids as text: PostgreSQL compares an INTEGER key with text only after a cast, so the
        # list's bulk delete is given numbers (and ids no record can have are dropped).
        if self._int_pk():
            ids = [key for key in map(as_id, ids) if key is not None]
        return super().action_delete(ids)

    def create_form(self, obj=None):
        return _named_blanks(super().create_form(obj))

    def edit_form(self, obj=None):
        return _named_blanks(super().edit_form(obj))

    # --- CSV export: a cell a spreadsheet would run as a formula is written as text -------------
    def get_export_value(self, model, name):
        value = super().get_export_value(model, name)
        if value is not None and not isinstance(value, (str, int, float, Decimal, date)):
            value = str(value)  # a related record (a buyer, a factory, a cycle) by its name, escaped as any text
        return escape_csv_cell(value)

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        response = super().export(export_type)
        # Flask pushes a streamed body's contexts again only after the request's teardown closed the session
        # that loaded the rows: the body is written here, while they can still load what they name.
        if response.is_streamed:
            response.set_data(b"".join(response.iter_encoded()))
        return response

    # --- access -------------------------------------------------------------------------------
    def is_accessible(self) -> bool:
        if not staff_only():
            return False
        return current_user.is_admin or not self.admin_only

    def inaccessible_callback(self, name, **kwargs):
        return refuse()

    # --- search -------------------------------------------------------------------------------
    def search_placeholder(self) -> str:
        return _("Starts with…") if self.prefix_search else super().search_placeholder()

    # --- validation beside the field ----------------------------------------------------------
    def check(self, form, model) -> None:
        """Subclasses add rule checks; each problem goes to `form.<field>.errors`."""

    def validate_form(self, form) -> bool:
        ok = super().validate_form(form) and self._numbers_fit(form)
        saving = request.endpoint in (f"{self.endpoint}.create_view", f"{self.endpoint}.edit_view")
        if ok and request.method == "POST" and saving and hasattr(form, "_fields"):
            editing = request.args.get("id") if request.endpoint == f"{self.endpoint}.edit_view" else None
            self.check(form, self.get_one(editing) if editing else None)
            ok = not any(field.errors for field in form)
        return ok

    def _numbers_fit(self, form) -> bool:
        """A decimal that would overflow its NUMERIC(p, s) column is refused beside its field."""
        ok = True
        columns = self.model.__table__.columns
        for field in form:
            column = columns.get(field.name)
            kind = getattr(column, "type", None)
            # Float's precision counts binary digits, not decimal ones: only NUMERIC columns are bounded here.
            if not isinstance(kind, Numeric) or isinstance(kind, Float) or not kind.precision or field.errors:
                continue
            if isinstance(field.data, bool) or not isinstance(field.data, (int, float, Decimal)):
                continue
            limit = 10 ** (kind.precision - (kind.scale or 0))
            if not -limit < field.data < limit:
                field.errors = list(field.errors) + [_("Enter a number smaller than %(limit)s.",
                                                       limit=format_decimal(limit))]
                ok = False
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
