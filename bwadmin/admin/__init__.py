"""The staff panel at /admin/: every entity, grouped by what staff do with it."""
from __future__ import annotations

from flask import Flask
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..models import Buyer, Cycle, Factory, Milestone, ScheduleOffset, ServicePackage, Sourcing, User
from ..services import dashboard
from . import advisory, records
from .base import refuse, staff_only
from .assessment_exchange import AssessmentExchangeView
from .committee_work import CommitteeWorkView
from .cycle_work import CycleWorkView, SeminarWorkView
from .cycles import CycleView, MilestoneView, ScheduleOffsetView, ServicePackageView
from .flag_answers import FlagAnswerView
from .jobs import JobsView
from .programme_progress import ProgrammeProgressView
from .remediation import RemediationView
from .labels import CYCLES, FACTORIES_AND_BUYERS, PEOPLE, REPORTS_AND_NOTICES, value_label
from .people import BuyerView, FactoryView, SourcingView, UserView
from .questionnaire_entry import init_entry_views
from .transparency import init_transparency_views


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return staff_only()

    def inaccessible_callback(self, name, **kwargs):
        return refuse()

    @expose("/")
    def index(self):
        return self.render("admin/index.html", board=dashboard.for_user(current_user))


def init_admin(app: Flask) -> Admin:
    admin = Admin(
        app,
        name="bwadmin",
        theme=Bootstrap4Theme(swatch="default", fluid=True, base_template="admin/bw_master.html"),
        index_view=HomeView(name=_l("Home"), url="/admin"),
    )
    # View names and categories are lazy: each request reads them in its own language. Every view names its
    # endpoint (or has a model to name it after), so a name never becomes a URL.
    # Endpoints "factory" and "buyer" belong to the portals' blueprints; the admin URLs stay /admin/factory/ and /admin/buyer/.
    admin.add_view(FactoryView(Factory, name=_l("Factories"), category=FACTORIES_AND_BUYERS, endpoint="factory_admin",
                               url="factory"))
    admin.add_view(BuyerView(Buyer, name=_l("Buyers"), category=FACTORIES_AND_BUYERS, endpoint="buyer_admin",
                             url="buyer"))
    admin.add_view(SourcingView(Sourcing, name=_l("Sourcing and consent"), category=FACTORIES_AND_BUYERS))
    admin.add_view(CycleView(Cycle, name=_l("Cycles"), category=CYCLES))
    admin.add_view(MilestoneView(Milestone, name=_l("Milestones"), category=CYCLES))
    admin.add_view(ScheduleOffsetView(ScheduleOffset, name=_l("Schedule offsets"), category=CYCLES))
    admin.add_view(ServicePackageView(ServicePackage, name=_l("Service packages"), category=CYCLES))
    for view, model, name, category in advisory.VIEWS + records.VIEWS:
        admin.add_view(view(model, name=name, category=category))
    admin.add_view(UserView(User, name=_l("Users"), category=PEOPLE))
    admin.add_view(CommitteeWorkView(name=_l("Committee work"), endpoint="committee_work", url="/admin/committee-work"))
    admin.add_view(CycleWorkView(name=_l("Cycle work"), endpoint="cycle_work", url="/admin/cycle-work"))
    admin.add_view(SeminarWorkView(name=_l("Seminar planning"), endpoint="seminar_work", url="/admin/seminar-work",
                                   category=CYCLES))

    init_entry_views(admin)
    admin.add_view(FlagAnswerView(name=_l("Flags to answer"), endpoint="flag_answers", url="/admin/flag-answers"))
    admin.add_view(RemediationView(name=_l("Actions to verify"), category=REPORTS_AND_NOTICES, endpoint="remediation",
                                   url="/admin/remediation"))
    admin.add_view(ProgrammeProgressView(name=_l("Programme progress drafts"), category=REPORTS_AND_NOTICES,
                                         endpoint="programme_progress", url="/admin/programme-progress"))
    init_transparency_views(admin)

    admin.add_view(AssessmentExchangeView(name=_l("Import an assessment"), endpoint="assessment_exchange",
                                          url="/admin/assessment-exchange", category=REPORTS_AND_NOTICES))
    admin.add_view(JobsView(name=_l("Jobs"), endpoint="jobs", url="/admin/jobs", category=REPORTS_AND_NOTICES))
    # A stored value (a status, a side, a kind) in the panel's pages by its label: {{ cycle.status|value_label }}.
    app.add_template_filter(value_label, "value_label")
    app.extensions["bwadmin.admin"] = admin
    return admin
