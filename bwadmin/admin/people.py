"""Factories, buyers, sourcing links and users."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import PasswordField
from wtforms.validators import Optional

from ..extensions import db
from ..models import LANGUAGE_NAMES, ROLES_BY_NAME, Buyer, Cycle, Factory, Sourcing, User
from ..services import account_mail, progress_over_cycles, users
from .base import AdminOnlyModelView, StaffModelView, redraft
from .labels import value_label


class FactoryView(StaffModelView):
    column_list = ("name", "country", "city", "workers", "created_at")
    prefix_search = [(Factory.name, None), (Factory.country, None), (Factory.city, None)]
    column_filters = ("country", "workers")
    column_default_sort = "name"
    form_columns = ("name", "country", "city", "address", "workers")
    details_template = "admin/factory_details.html"

    def render(self, template, **kwargs):
        model = kwargs.get("model")
        if template == self.details_template and model is not None:
            kwargs["trend"] = progress_over_cycles.chart_for(current_user, model.id, model.country)
        return super().render(template, **kwargs)

    def after_model_change(self, form, model, is_created) -> None:
        if not is_created:  # the name and place head the factory's draft reports
            redraft(db.session.scalars(select(Cycle.id).where(Cycle.factory_id == model.id, Cycle.status != "closed")))


class BuyerView(StaffModelView):
    column_list = ("name", "country", "created_at")
    prefix_search = [(Buyer.name, None)]
    column_filters = ("country",)
    column_default_sort = "name"
    form_columns = ("name", "country")


class SourcingView(StaffModelView):
    column_list = ("buyer", "factory", "consent_given_at", "consent_withdrawn_at")
    column_labels = {"buyer.name": _l("Buyer"), "factory.name": _l("Factory")}
    prefix_search = [(Factory.name, Sourcing.factory), (Buyer.name, Sourcing.buyer)]
    column_filters = ("buyer.name", "factory.name", "consent_given_at", "consent_withdrawn_at")
    form_columns = ("buyer", "factory", "consent_given_at", "consent_withdrawn_at")


# Each role by its label in the reader's language (each language keeps its own name: LANGUAGE_NAMES).
ROLE_CHOICES = [(role, value_label(role)) for role in ROLES_BY_NAME]


class UserView(AdminOnlyModelView):
    column_list = ("email", "name", "role", "factory", "buyer", "active", "last_login_at")
    column_exclude_list = ("password_hash",)
    prefix_search = [(User.email, None), (User.name, None)]
    column_filters = ("role", "active", "language")
    column_default_sort = "email"
    column_choices = {"role": ROLE_CHOICES}
    form_choices = {"role": ROLE_CHOICES, "language": list(LANGUAGE_NAMES.items())}
    form_columns = ("email", "name", "role", "factory", "buyer", "language", "active", "new_password")
    form_extra_fields = {
        "new_password": PasswordField(
            _l("New password"), validators=[Optional()],
            description=_l("At least %(count)d characters. Leave empty to keep the current one.",
                           count=users.MIN_PASSWORD_LENGTH)),
    }

    def create_form(self, obj=None):
        # A new account's role is chosen, never Admin by default, and its password is set by the person invited.
        form = super().create_form(obj)
        form.role.choices = [("", _("Choose a role…"))] + ROLE_CHOICES
        if not form.role.raw_data:
            form.role.data = ""
        form.new_password.description = _("Leave empty: an email invites the person to set their own password "
                                          "(at least %(count)d characters).", count=users.MIN_PASSWORD_LENGTH)
        return form

    def check(self, form, model) -> None:
        form.email.data = users.normalise_email(form.email.data)
        for problem in users.account_problems(form.email.data, form.role.data, form.factory.data, form.buyer.data,
                                              model.id if model is not None else None):
            problem.put_on(form)
        if form.new_password.data:
            problem = users.password_problem(form.new_password.data)
            if problem:
                form.new_password.errors.append(problem)
        if model is not None and model.id == current_user.id and not form.active.data:
            form.active.errors.append(_("You cannot deactivate your own account."))

    def on_model_change(self, form, model, is_created) -> None:
        model.email = users.normalise_email(model.email)
        if model.role != "factory":
            model.factory = None
        if model.role != "buyer":
            model.buyer = None
        if form.new_password.data:
            users.set_password(model, form.new_password.data)
        before = getattr(self, "_was_active", None)
        if not is_created and not model.active and before is not False:
            users.deactivate(model)
        super().on_model_change(form, model, is_created)

    def update_model(self, form, model) -> bool:
        self._was_active = model.active
        return super().update_model(form, model)

    def after_model_change(self, form, model, is_created) -> None:
        # A new user without a password receives a link to set one.
        if is_created and not model.password_hash:
            account_mail.send_invitation(model)
            flash(_("An invitation to set a password is on its way to %(email)s "
                    "(Reports and notices → Notifications shows when it went).", email=model.email))
