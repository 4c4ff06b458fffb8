"""Asking for a password reset link, and setting a password from an invitation or reset link."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from forms.base import PageForm

from .auth import home_for, safe_next
from .extensions import db
from .i18n import SESSION_KEY
from .models import LANGUAGE_NAMES, LANGUAGES
from .services import account_links, account_mail, audit, login_guard, users

bp = Blueprint("account", __name__)

SENT = _l("If an account uses that address, we have sent it a link to set a new password. "
          "The link works once, within an hour.")


class ForgotForm(PageForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")),
                                                Email(_l("Enter a valid email address.")), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(PageForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")), Length(max=1000)],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("At least %(count)d characters, not a common one.",
                                            count=users.MIN_PASSWORD_LENGTH))
    confirm = PasswordField(_l("Repeat the password"), render_kw={"autocomplete": "new-password"},
                            validators=[EqualTo("password", _l("The two passwords differ."))])
    submit = SubmitField(_l("Set password"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        # Counted against the address only: what a request for one account meets, a request for any meets.
        wait = login_guard.address_refused(request.remote_addr)
        if wait:
            return render_template("auth/message.html", title=_("Too many attempts"),
                                   message=login_guard.message(wait)), 429
        account_mail.request_reset(form.email.data)
        flash(str(SENT))
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/<any(invite, reset):purpose>/<token>", methods=["GET", "POST"])
def set_password(purpose: str, token: str):
    user = account_links.user_for_token(token, purpose)
    if user is None:
        return render_template("auth/message.html", title=_("This link no longer works"),
                               message=_("The link has expired or was used already. Ask for a new one."),
                               link=url_for("account.forgot")), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        problem = users.password_problem(form.password.data)
        if problem:
            form.password.errors = [problem]
        else:
            users.set_password(user, form.password.data)
            audit.record("password", user, user=user, summary=f"Password set from {purpose} link")
            db.session.commit()
            flash(_("Your password is set. Log in with it now."))
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.post("/language")
def language():
    """Each person reads the pages, questionnaires and emails in the language they choose here. Before logging in
    the choice is kept in the session: someone who cannot read the login page must be able to change it."""
    chosen = request.form.get("language")
    if not current_user.is_authenticated:
        if chosen in LANGUAGES:
            session[SESSION_KEY] = chosen
        return redirect(safe_next(request.form.get("next")) or url_for("auth.login"))
    if chosen in LANGUAGES and chosen != current_user.language:
        current_user.language = chosen
        audit.record("update", current_user, summary=f"Language set to {chosen}", after={"language": chosen})
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or home_for(current_user))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


__all__ = ["LANGUAGE_NAMES", "bp"]
