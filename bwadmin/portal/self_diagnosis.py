"""The factory's online self-diagnosis: /factory/cycles/<cycle_id>/self-diagnosis.

Saving a draft works at any time, also with fields that do not validate (their messages stand beside them,
valid answers are kept, what was typed is kept). Autosave posts the form to a JSON endpoint. A post from a
browser whose session has ended is stashed and restored into the draft after the user logs in again.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.questionnaire import form_for, shown_names

from ..extensions import csrf, db
from ..queue import queue_drafts
from ..services import access, audit, draft_stash, responses, scoring
from . import role_required

bp = Blueprint("self_diagnosis", __name__, url_prefix="/factory")
KIND = "self_diagnosis"


def _language() -> str:
    return getattr(current_user, "language", None) or "en"


def _login_url() -> str:
    return url_for("auth.login", next=url_for("self_diagnosis.form", cycle_id=request.view_args["cycle_id"]))


def _factory_user_or_login():
    """None when a factory user is logged in; else the answer to give (login redirect, or 404 for others)."""
    if not current_user.is_authenticated:
        return redirect(_login_url())
    if not access.is_factory_user_of(current_user, current_user.factory_id):
        abort(404)
    return None


@bp.get("/cycles/", endpoint="cycles")
@role_required("factory")
def cycle_list():
    """The user's own cycles, each with its self-diagnosis state."""
    cycles = access.own_cycles(current_user)
    states = {c.id: responses.find(c.id, KIND) for c in cycles}
    return render_template("portal/cycles.html", cycles=cycles, states=states)


def _page(cycle, response, form, status: int = 200):
    language = _language()
    result = scoring.score(response) if response.status == "submitted" else None
    progress = responses.progress(form.questions, form.values())
    return render_template(
        "portal/self_diagnosis.html",
        cycle=cycle, response=response, form=form, shown=shown_names(form), progress=progress, result=result,
        language=language, draft_token=draft_stash.draft_token(current_user.id, response.id),
        autosave_url=url_for("self_diagnosis.autosave", cycle_id=cycle.id),
    ), status


def _open(cycle_id: int):
    cycle = access.cycle_for_factory_user(current_user, cycle_id)
    try:
        response = responses.response_for(cycle, KIND)
    except responses.NoQuestionnaire as exc:
        flash(str(exc), "warning")
        return cycle, None
    return cycle, response


def _open_page(cycle_id: int):
    """(cycle, response, None) for the page's views, or (None, None, the answer to give instead): the login,
    a 404, or the list of cycles when no questionnaire is published."""
    refused = _factory_user_or_login()
    if refused is not None:
        return None, None, refused
    cycle, response = _open(cycle_id)
    if response is None:
        return None, None, redirect(url_for("self_diagnosis.cycles"))
    return cycle, response, None


@bp.get("/cycles/<int:cycle_id>/self-diagnosis", endpoint="form")
def show(cycle_id: int):
    cycle, response, elsewhere = _open_page(cycle_id)
    if elsewhere is not None:
        return elsewhere
    if response.status == "draft":
        stashed = draft_stash.take(current_user.id, response.id)
        if stashed is not None:
            form = form_for(response, _language(), stashed)
            responses.save_draft(response, *form.answers())
            db.session.commit()
            flash(_("The answers you typed before your session ended were saved in your draft."), "info")
    db.session.commit()  # a new draft, if one was started
    return _page(cycle, response, form_for(response, _language()))


@bp.post("/cycles/<int:cycle_id>/self-diagnosis")
@csrf.exempt  # checked below once we know the user is logged in: an expired session still keeps the answers
def save(cycle_id: int):
    if not current_user.is_authenticated:
        kept = draft_stash.stash(request.form.get("draft_token"), request.form)
        if kept:
            flash(_("Your session ended. Log in again: the answers you typed are kept and will be saved."), "warning")
        return redirect(_login_url())
    csrf.protect()
    cycle, response, elsewhere = _open_page(cycle_id)
    if elsewhere is not None:
        return elsewhere
    if response.status == "submitted":
        flash(_("This self-diagnosis was submitted and can no longer be changed."), "warning")
        return redirect(url_for("self_diagnosis.form", cycle_id=cycle.id))
    form = form_for(response, _language(), request.form)
    responses.save_draft(response, *form.answers())
    if request.form.get("action") == "submit":
        if form.has_errors:
            db.session.commit()
            flash(_("Your draft is saved. Correct the answers marked below, then submit again."), "error")
            return _page(cycle, response, form)
        check = responses.submit(response, current_user)
        if not check.ok:
            db.session.commit()
            form.set_errors(check.fields)
            for message in check.general:
                flash(message, "error")
            flash(_("Your draft is saved."), "info")
            return _page(cycle, response, form)
        audit.record("submit", response, summary=f"Self-diagnosis submitted: {cycle}")
        db.session.commit()
        queue_drafts([cycle.id])  # the results, drafted for the factory and released with the report
        flash(_("Your self-diagnosis is submitted. Thank you."), "info")
        return redirect(url_for("self_diagnosis.form", cycle_id=cycle.id))
    db.session.commit()
    if form.has_errors:
        flash(_("Your draft is saved. Some answers need correcting: see the messages beside them."), "warning")
        return _page(cycle, response, form)
    flash(_("Your draft is saved."), "info")
    return redirect(url_for("self_diagnosis.form", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/self-diagnosis/autosave", endpoint="autosave")
@csrf.exempt
def autosave(cycle_id: int):
    """The page's script posts the whole form here a few seconds after a change."""
    if not current_user.is_authenticated:
        kept = draft_stash.stash(request.form.get("draft_token"), request.form)
        return jsonify(saved=False, session_ended=True, kept=kept,
                       login_url=url_for("auth.login", next=url_for("self_diagnosis.form", cycle_id=cycle_id))), 401
    csrf.protect()
    if not access.is_factory_user_of(current_user, current_user.factory_id):
        abort(404)
    cycle, response = _open(cycle_id)
    if response is None:
        return jsonify(saved=False, error=_("No questionnaire is published yet.")), 409
    if response.status == "submitted":
        return jsonify(saved=False, error=_("This self-diagnosis was submitted and can no longer be changed.")), 409
    form = form_for(response, _language(), request.form)
    changed = responses.save_draft(response, *form.answers())
    db.session.commit()
    progress = responses.progress(form.questions, form.values())
    return jsonify(
        saved=True, changed=changed, saved_at=response.updated_at.isoformat(timespec="seconds") + "Z",
        progress=progress.as_dict(), shown=sorted(shown_names(form)),
        errors={f.name: [str(e) for e in f.errors] for f in form if f.errors},  # lazy strings, read now
    )
