"""The base of every staff view: access, CSRF, audit, field-level messages and an indexed search."""
from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, g, redirect, request, url_for
from flask_admin.actions import action as list_action
from flask_admin.babel import gettext, lazy_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.model.filters import BaseIntFilter, BaseIntListFilter
from flask_admin.model.template import DeleteRowAction, EditRowAction, ViewRowAction
from markupsafe import Markup
from flask_login import current_user
from sqlalchemy import Float, Numeric, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from forms.base import PageForm

from ..extensions import db
from ..input_bounds import MAX_ID, as_id
from ..services import audit
from ..services.constraints import message_for


class AdminForm(PageForm):
    """Flask-WTF CSRF for the panel, keeping the edited object where Flask-Admin's Unique validator looks."""

    def __init__(self, formdata=None, obj=None, prefix="", **kwargs):
        self._obj = obj
        super().__init__(formdata=formdata, obj=obj, prefix=prefix, **kwargs)


def _loads(attr, depth: int = 2, joined: bool = False):
    """selectinload (or joinedload) of a relationship, and of what its target's __str__ reads (`str_loads`)."""
    option = joinedload(attr) if joined else selectinload(attr)
    target = attr.property.mapper.class_
    nested = [getattr(target, name) for name in getattr(target, "str_loads", ())] if depth > 1 else []
    if not nested:
        return [option]
    return [option.joinedload(inner) if joined else option.selectinload(inner) for inner in nested]


def redraft(cycle_ids) -> None:
    """After staff change what a cycle's draft report is made from (the assessment's details, the factory's name
    or place, the cycle), a worker drafts it again: the factory reviews what the release will publish. Drafting
    leaves released reports and drafts still current alone."""
    from jobs import reports as report_jobs  # the queue is the workers' side: imported when used

    report_jobs.queue_drafts(list(cycle_ids))


def staff_only() -> bool:
    return current_user.is_authenticated and current_user.is_staff


def refuse():
    """Anonymous people go to the login page; logged-in non-staff are refused."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)


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


def binary_collation() -> bool:
    """SQLite compares text byte by byte: a prefix is exactly a range."""
    return db.session.get_bind().dialect.name == "sqlite"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value):
    """Prefix ' to a text cell starting with = + - @ (or tab, CR), so spreadsheets show it instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


ROW_ID = "__ROW_ID__"
LINK_ICONS = {ViewRowAction: (".details_view", "fa fa-eye glyphicon glyphicon-eye-open"),
              EditRowAction: (".edit_view", "fa fa-pencil glyphicon glyphicon-pencil")}


def fast_row_actions(actions, return_url) -> dict:
    """The list's row actions with their links built once per page: each row replaces ROW_ID by its id.

    Same markup as Flask-Admin's row_actions macros (templates/admin/model/row_actions.html); a url_for per
    action per row was most of a list page's time. Other actions keep their macros ("macro" below).
    """
    rows, delete = [], False
    for action in actions:
        kind = type(action)
        if kind in LINK_ICONS:
            endpoint, icon = LINK_ICONS[kind]
            action.bw_icon = icon
            rows.append(("link", url_for(endpoint, id=ROW_ID, url=return_url), action))
        elif kind is DeleteRowAction:
            delete = True
            rows.append(("delete", url_for(".delete_view"), action))
        else:
            rows.append(("macro", None, action))
    extra = {"fast_row_actions": rows}
    if delete:
        from flask_wtf.csrf import generate_csrf

        extra["fast_delete_fields"] = Markup(
            '<input type="hidden" name="url" value="{}">\n  <input type="hidden" name="csrf_token" value="{}">'
        ).format(return_url or "", generate_csrf())
        extra["fast_delete_confirm"] = gettext("Are you sure you want to delete this record?")
        extra["fast_delete_title"] = gettext("Delete Record")
    return extra


def _bounded(clean):
    """A number filter's parser that refuses numbers past MAX_ID as it refuses text: Flask-Admin then says the
    filter's value is invalid, where PostgreSQL would refuse the query (every integer column holds 32 bits)."""
    def bounded(value):
        cleaned = clean(value)
        if any(abs(number) > MAX_ID for number in (cleaned if isinstance(cleaned, list) else [cleaned])):
            raise ValueError(f"{value} is past the largest number stored")
        return cleaned
    return bounded


class StaffModelView(ModelView):
    # Flask-WTF forms: one CSRF scheme for the panel and the portals (CSRFProtect checks every POST).
    form_base_class = AdminForm
    page_size = 20
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    export_max_rows = 50000
    admin_only = False  # only admins open it (users, questionnaires, schedule offsets)
    # Columns searched by prefix through an index on lower(column): [(column, join path or None)].
    prefix_search: list = []

    # Related rows shown in the list are loaded by one extra query each (selectin), not joined into the
    # paged query: a join there makes a deep page walk and join every skipped row.
    column_auto_select_related = False

    list_template = "admin/model/bw_list.html"

    def __init__(self, model, *args, **kwargs):
        super().__init__(model, db, *args, **kwargs)

    # --- list rendering -----------------------------------------------------------------------
    def render(self, template, **kwargs):
        if template == self.list_template and "list_row_actions" in kwargs:
            kwargs.update(fast_row_actions(kwargs["list_row_actions"], kwargs.get("return_url")))
        return super().render(template, **kwargs)

    def _related(self) -> list:
        return [
            getattr(self.model, name) for name in (self.column_list or ())
            if isinstance(name, str) and name in self.model.__mapper__.relationships
            and not self.model.__mapper__.relationships[name].uselist
        ]


    def get_count_query(self):
        # count(*), not Flask-Admin's count('*'): SQLite answers count(*) from the smallest index (or the
        # table's page count), while count(?) evaluates the bound '*' for every row.
        return db.session.query(func.count()).select_from(self.model)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        count, query = super().get_list(page, sort_column, sort_desc, search, filters, execute=False,
                                        page_size=page_size)
        if execute:
            query = self._deferred_page(query).all()
        return count, query

    def _deferred_page(self, query):
        """A deferred join: the page's ids are picked (ORDER BY, OFFSET) from the sort index alone, then only
        those rows are read. A plain OFFSET reads every skipped row from the table."""
        statement = query.statement
        if statement._limit_clause is None:  # every row, no page: related rows by one extra query each
            return query.options(*(loader for attr in self._related() for loader in _loads(attr)))
        pk = self.model.__mapper__.primary_key
        if len(pk) != 1:
            return query.options(*(loader for attr in self._related() for loader in _loads(attr)))
        ids = statement.with_only_columns(pk[0]).subquery()
        page = query.limit(None).offset(None).filter(pk[0].in_(select(ids.c[0])))
        # The page is a handful of rows by now: its related rows come joined in the same query.
        return page.options(*(loader for attr in self._related() for loader in _loads(attr, joined=True)))

    # --- ids and pages from the URL: out of the database's range they name nothing -------------
    def get_one(self, id):
        # Flask-Admin passes the id as typed; past an INTEGER column PostgreSQL raises rather than find nothing.
        # None makes every view answer as for a deleted record ("Record does not exist.").
        key = as_id(id) if self._int_pk() else id
        return None if key is None else super().get_one(str(key))

    def _int_pk(self) -> bool:
        pk = self.model.__mapper__.primary_key
        return len(pk) == 1 and pk[0].type.python_type is int

    def get_filters(self):
        filters = super().get_filters()
        for flt in filters or ():
            if isinstance(flt, (BaseIntFilter, BaseIntListFilter)):
                flt.clean = _bounded(flt.clean)
        return filters

    def _get_list_extra_args(self):
        args = super()._get_list_extra_args()
        # A page whose first row lies past any id the table can hold is empty: 404 rather than an OFFSET the
        # database refuses.
        if args.page is not None and not 0 <= args.page <= MAX_ID // self.get_safe_page_size(args.page_size):
            abort(404)
        return args

    def chosen(self, ids) -> list:
        """The records of the ids a list action was given (ticked rows, as text); ids no record can have are
        left out, as a record deleted meanwhile is."""
        keys = {key for key in map(as_id, ids) if key is not None}
        pk = self.model.__mapper__.primary_key[0]
        return db.session.scalars(select(self.model).where(pk.in_(keys)).order_by(pk)).all() if keys else []

    @list_action("delete", lazy_gettext("Delete"), lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        # The form sends ids as text: PostgreSQL compares an INTEGER key with text only after a cast, so the
        # list's bulk delete is given numbers (and ids no record can have are dropped).
        if self._int_pk():
            ids = [key for key in map(as_id, ids) if key is not None]
        return super().action_delete(ids)

    # --- CSV export: a cell a spreadsheet would run as a formula is written as text -------------
    def get_export_value(self, model, name):
        return escape_csv_cell(super().get_export_value(model, name))

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
        columns = []
        for column, path in self.prefix_search:
            path = [] if path is None else (path if isinstance(path, list) else [path])
            # Inner joins: a LEFT JOIN would pin the listed table as the outer loop (a scan of all its rows);
            # an inner join lets the database start from the matching names in the index.
            query, joins, alias = self._apply_path_joins(query, joins, path, inner_join=True)
            count_alias = None
            if count_query is not None:
                count_query, count_joins, count_alias = self._apply_path_joins(
                    count_query, count_joins, path, inner_join=True
                )
            columns.append((
                getattr(alias, column.key) if alias is not None else column,
                getattr(count_alias, column.key) if count_alias is not None else column,
            ))
        # The whole text is one prefix: "lotus text" finds "Lotus Textile Vina", as staff type a name.
        term = " ".join(search.split())
        if term:
            exact = binary_collation()
            query = query.filter(or_(*(prefix_range(column, term, exact) for column, _ in columns)))
            if count_query is not None:
                count_query = count_query.filter(or_(*(prefix_range(column, term, exact) for _, column in columns)))
        return query, count_query, joins, count_joins

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
        for field in getattr(form, "_fields", {}).values():
            column = columns.get(field.name)
            kind = getattr(column, "type", None)
            # Float's precision counts binary digits, not decimal ones: only NUMERIC columns are bounded here.
            if not isinstance(kind, Numeric) or isinstance(kind, Float) or not kind.precision or field.errors:
                continue
            if isinstance(field.data, bool) or not isinstance(field.data, (int, float, Decimal)):
                continue
            limit = 10 ** (kind.precision - (kind.scale or 0))
            if not -limit < field.data < limit:
                field.errors = list(field.errors) + [f"Enter a number smaller than {limit:,}."]
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
