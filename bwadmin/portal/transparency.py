"""/factory/transparency/: what the public transparency page shows of the factory and when, and the factory's response
(written and submitted here, published once staff approve it)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models.transparency import MAX_RESPONSE
from ..services import transparency
from ..services.errors import FieldError
from . import role_required

bp = Blueprint("factory_transparency", __name__, url_prefix="/factory/transparency")


@bp.route("/", methods=["GET", "POST"])
@role_required("factory")
def response():
    error, typed = None, None
    if request.method == "POST":
        submit = request.form.get("action") == "submit"
        typed = request.form.get("text") or ""
        try:
            transparency.save_response(current_user, typed, submit)
        except FieldError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(_("Response submitted: programme staff review it before it is published.") if submit
                  else _("Draft saved. It is not published until you submit it and staff approve it."))
            return redirect(url_for(".response"))
    view = transparency.portal_view(current_user)
    text = typed if typed is not None else (view.response.text if view.response is not None else "")
    return render_template("transparency/portal.html", view=view, text=text, error=error,
                           max_length=MAX_RESPONSE), (400 if error else 200)
