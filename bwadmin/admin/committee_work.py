"""The committee as staff work it: set-up, members and balance, meetings, elections to certification."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from flask_babel import format_date, gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from forms.advisory import (
    BallotsForm,
    CandidateForm,
    CertifyForm,
    ElectionForm,
    MeetingForm,
    MemberForm,
    SetupCommitteeForm,
    TieForm,
    votes_form,
)

from ..extensions import db
from ..models import Committee, Cycle, Election, Factory
from ..services import committee as service
from ..services.constraints import message_for
from ..services.errors import FieldError
from .base import StaffPage, no_such_record


def _fresh(form_class):
    """A form not bound to the request: the other forms of a page re-rendered after one failed."""
    return form_class(formdata=None)


class CommitteeWorkView(StaffPage):
    def is_visible(self) -> bool:
        return False  # opened from a committee, a factory or a cycle

    # --- helpers ---------------------------------------------------------------------------------
    def _committee(self, committee_id: int) -> Committee:
        committee = db.session.get(Committee, committee_id)
        if committee is None:
            abort(no_such_record(url_for("committee.index_view"), committee_id))
        return committee

    def _election(self, election_id: int) -> Election:
        election = db.session.get(Election, election_id)
        if election is None:
            abort(no_such_record(url_for("election.index_view"), election_id))
        return election

    def _save(self, form, work) -> bool:
        """Run the service; a FieldError lands beside its field, a database refusal is flashed."""
        try:
            work()
            db.session.commit()
            return True
        except FieldError as exc:
            db.session.rollback()
            if not exc.put_on(form):
                if hasattr(form, "total_errors"):
                    form.total_errors.append(exc.message)
                else:
                    flash(exc.message, "error")
            return False
        except IntegrityError as exc:
            db.session.rollback()
            flash(message_for(exc), "error")
            return False

    @expose("/")
    def index(self):
        return redirect(url_for("committee.index_view"))

    # --- set-up ----------------------------------------------------------------------------------
    @expose("/setup/<int:factory_id>", methods=("GET", "POST"))
    def setup(self, factory_id: int):
        factory = db.session.get(Factory, factory_id) or abort(no_such_record(url_for("factory_admin.index_view"),
                                                                               factory_id))
        if factory.committee is not None:
            return redirect(url_for(".committee", committee_id=factory.committee.id))
        form = SetupCommitteeForm()
        if form.validate_on_submit():
            created = {}
            if self._save(form, lambda: created.update(c=service.setup_committee(factory, form.established_on.data))):
                flash(_("The committee of %(factory)s is set up. Add its management members and open an election "
                        "for the worker representatives.", factory=factory.name))
                return redirect(url_for(".committee", committee_id=created["c"].id))
        return self.render("admin/committee_setup.html", factory=factory, form=form)

    # --- the committee ---------------------------------------------------------------------------
    def _overview(self, committee: Committee, **forms):
        forms.setdefault("member_form", _fresh(MemberForm))
        forms.setdefault("meeting_form", _fresh(MeetingForm))
        forms.setdefault("election_form", _fresh(ElectionForm))
        elections = db.session.scalars(
            select(Election).where(Election.committee_id == committee.id).order_by(Election.id.desc())
        ).all()
        results = {e.id: service.election_result(e) for e in elections}
        return self.render("admin/committee_work.html", committee=committee, balance=service.side_balance(committee),
                           elections=elections, results=results, **forms)

    @expose("/<int:committee_id>")
    def committee(self, committee_id: int):
        return self._overview(self._committee(committee_id))

    @expose("/<int:committee_id>/member", methods=("POST",))
    def add_member(self, committee_id: int):
        committee = self._committee(committee_id)
        form = MemberForm()
        if form.validate_on_submit() and self._save(form, lambda: service.add_member(
                committee, form.name.data, form.side.data, position=form.position.data,
                department=form.department.data, gender=form.gender.data or None,
                union_representative=form.union_representative.data, term_start=form.term_start.data,
                term_end=form.term_end.data)):
            if form.side.data == "worker":
                flash(_("%(name)s added to the worker side.", name=form.name.data))
            else:
                flash(_("%(name)s added to the management side.", name=form.name.data))
            return redirect(url_for(".committee", committee_id=committee.id))
        return self._overview(committee, member_form=form)

    @expose("/<int:committee_id>/meeting", methods=("POST",))
    def add_meeting(self, committee_id: int):
        committee = self._committee(committee_id)
        form = MeetingForm()
        if form.validate_on_submit() and self._save(form, lambda: service.record_meeting(
                committee, form.held_on.data, form.attendance.data, form.minutes.data)):
            flash(_("Meeting of %(day)s recorded.", day=format_date(form.held_on.data, "medium")))
            return redirect(url_for(".committee", committee_id=committee.id))
        return self._overview(committee, meeting_form=form)

    @expose("/<int:committee_id>/election", methods=("POST",))
    def open_election(self, committee_id: int):
        committee = self._committee(committee_id)
        form = ElectionForm()
        created = {}
        if form.validate_on_submit():
            cycle = db.session.scalar(
                select(Cycle).where(Cycle.factory_id == committee.factory_id, Cycle.status != "closed")
                .order_by(Cycle.number.desc()).limit(1))
            if self._save(form, lambda: created.update(e=service.open_election(
                    committee, seats=form.seats.data, cycle=cycle, nominations_open_on=form.nominations_open_on.data,
                    held_on=form.held_on.data))):
                flash(_("Election opened: nominate the candidates."))
                return redirect(url_for(".election", election_id=created["e"].id))
        return self._overview(committee, election_form=form)

    # --- an election -----------------------------------------------------------------------------
    def _election_page(self, election: Election, **forms):
        result = service.election_result(election)
        forms.setdefault("candidate_form", _fresh(CandidateForm))
        if "ballots_form" not in forms:
            ballots = BallotsForm(formdata=None, data={"held_on": election.held_on,
                                                        "eligible_voters": election.eligible_voters,
                                                        "ballots_cast": election.ballots_cast})
            forms["ballots_form"] = ballots
        forms.setdefault("votes_form", votes_form(election.candidates, data={
            f"votes_{c.id}": c.votes for c in election.candidates}))
        tie = forms.setdefault("tie_form", _fresh(TieForm))
        tie.chosen.choices = [SelectChoice(c.id, ngettext("%(name)s (%(num)s vote)", "%(name)s (%(num)s votes)",
                                                          c.votes, name=c.name)) for c in result["tied"]]
        forms.setdefault("certify_form", _fresh(CertifyForm))
        return self.render("admin/election_work.html", election=election, committee=election.committee,
                           result=result, certify_errors=forms.pop("certify_errors", []),
                           certify_blocker=service.certify_blocker(election), ballot_rule=service.ballot_rule(election),
                           **forms)

    @expose("/election/<int:election_id>")
    def election(self, election_id: int):
        return self._election_page(self._election(election_id))

    @expose("/election/<int:election_id>/nominate", methods=("POST",))
    def nominate(self, election_id: int):
        election = self._election(election_id)
        form = CandidateForm()
        if form.validate_on_submit() and self._save(form, lambda: service.nominate(
                election, form.name.data, form.department.data, form.gender.data or None)):
            flash(_("%(name)s nominated.", name=form.name.data.strip()))
            return redirect(url_for(".election", election_id=election.id))
        return self._election_page(election, candidate_form=form)

    @expose("/election/<int:election_id>/ballots", methods=("POST",))
    def ballots(self, election_id: int):
        election = self._election(election_id)
        form = BallotsForm()
        if form.validate_on_submit() and self._save(form, lambda: service.record_ballots(
                election, form.held_on.data, form.eligible_voters.data, form.ballots_cast.data)):
            flash(_("Election day saved."))
            return redirect(url_for(".election", election_id=election.id))
        return self._election_page(election, ballots_form=form)

    @expose("/election/<int:election_id>/votes", methods=("POST",))
    def votes(self, election_id: int):
        election = self._election(election_id)
        form = votes_form(election.candidates)
        if form.validate_on_submit():
            values = {c.id: getattr(form, f"votes_{c.id}").data for c in election.candidates}
            if self._save(form, lambda: service.record_votes(election, values)):
                flash(_("Votes saved."))
                return redirect(url_for(".election", election_id=election.id))
        return self._election_page(election, votes_form=form)

    @expose("/election/<int:election_id>/resolve", methods=("POST",))
    def resolve(self, election_id: int):
        election = self._election(election_id)
        form = TieForm()
        form.chosen.choices = [SelectChoice(c.id, c.name) for c in service.election_result(election)["tied"]]
        if form.validate_on_submit() and self._save(form, lambda: service.resolve_tie(
                election, form.chosen.data or [], form.note.data, user=_user())):
            flash(_("The choice among the tied candidates is recorded."))
            return redirect(url_for(".election", election_id=election.id))
        return self._election_page(election, tie_form=form)

    @expose("/election/<int:election_id>/certify", methods=("POST",))
    def certify(self, election_id: int):
        election = self._election(election_id)
        form = CertifyForm()
        errors: list[str] = []
        if form.validate_on_submit():
            try:
                members = service.certify(election)
                db.session.commit()
                if members:
                    flash(_("Certified. Elected to the worker side: %(names)s.",
                            names=", ".join(m.name for m in members)))
                else:
                    flash(_("Certified. Nobody was elected to the worker side."))
                return redirect(url_for(".committee", committee_id=election.committee_id))
            except FieldError as exc:
                db.session.rollback()
                errors.append(exc.message)
        else:
            errors.append(_("The form expired: open the page again and certify."))
        return self._election_page(election, certify_errors=errors)


def _user():
    return current_user if current_user.is_authenticated else None


__all__ = ["CommitteeWorkView"]
