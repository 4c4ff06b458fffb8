"""The staff panel at /admin/: every entity, grouped by what staff do with it."""
from __future__ import annotations

from flask import Flask
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user

from ..models import Buyer, Cycle, Factory, Milestone, ScheduleOffset, Sourcing, User
from ..services import dashboard
from . import advisory, records
from .base import refuse, staff_only
from .committee_work import CommitteeWorkView
from .cycle_work import CycleWorkView, SeminarWorkView
from .cycles import CycleView, MilestoneView, ScheduleOffsetView
from .jobs import JobsView
from .people import BuyerView, FactoryView, SourcingView, UserView
from .questionnaire_entry import init_entry_views


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
        index_view=HomeView(name="Home", url="/admin"),
    )
    # Endpoints "factory" and "buyer" belong to the portals' blueprints; the admin URLs stay /admin/factory/ and /admin/buyer/.
    admin.add_view(FactoryView(Factory, name="Factories", category="Factories and buyers", endpoint="factory_admin", url="factory"))
    admin.add_view(BuyerView(Buyer, name="Buyers", category="Factories and buyers", endpoint="buyer_admin", url="buyer"))
    admin.add_view(SourcingView(Sourcing, name="Sourcing and consent", category="Factories and buyers"))
    admin.add_view(CycleView(Cycle, name="Cycles", category="Cycles"))
    admin.add_view(MilestoneView(Milestone, name="Milestones", category="Cycles"))
    admin.add_view(ScheduleOffsetView(ScheduleOffset, name="Schedule offsets", category="Cycles"))
    for view, model, name, category in advisory.VIEWS + records.VIEWS:
        admin.add_view(view(model, name=name, category=category))
    admin.add_view(UserView(User, name="Users", category="People"))
    admin.add_view(CommitteeWorkView(name="Committee work", endpoint="committee_work", url="/admin/committee-work"))
    admin.add_view(CycleWorkView(name="Cycle work", endpoint="cycle_work", url="/admin/cycle-work"))
    admin.add_view(SeminarWorkView(name="Seminar planning", endpoint="seminar_work", url="/admin/seminar-work",
                                   category="Cycles"))

    init_entry_views(admin)

    admin.add_view(JobsView(name="Jobs", endpoint="jobs", url="/admin/jobs", category="Reports and notices"))
    app.extensions["bwadmin.admin"] = admin
    return admin
