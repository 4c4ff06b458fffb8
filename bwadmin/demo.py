"""Demo data: three-plus countries, twenty factories, five buyers, cycles at every stage of the timeline."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from .extensions import db
from .models import (
    AdvisoryVisit,
    Buyer,
    Candidate,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Election,
    Factory,
    Need,
    OtherAudit,
    Sourcing,
    TrainingSession,
    TransparencyResponse,
    User,
    utcnow,
)
from .services import assessments, cycles, questionnaires, report_docs, schedule, scoring, transparency, users
from .simulation import fill

COUNTRIES = {
    "Vietnam": ["Ho Chi Minh City", "Dong Nai", "Binh Duong", "Hai Phong"],
    "Cambodia": ["Phnom Penh", "Kampong Speu", "Kandal"],
    "Indonesia": ["Bandung", "Semarang", "Bogor"],
    "Bangladesh": ["Dhaka", "Gazipur", "Chattogram"],
    "Jordan": ["Irbid", "Al-Hassan", "Sahab"],
}
FACTORY_NAMES = [
    "Saigon Stitch Garment", "Mekong Apparel", "Dong Nai Knitwear", "Lotus Textile Vina", "Kampot Fashion",
    "Angkor Garments", "Tonle Sap Apparel", "Phnom Penh Knit", "Java Denim Works", "Priangan Sewing",
    "Nusantara Outerwear", "Semarang Shirts", "Padma Knit Composite", "Buriganga Fashions", "Gazipur Woven",
    "Karnaphuli Apparels", "Irbid Tailoring", "Hassan Industrial Garments", "Sahab Sportswear", "Dead Sea Denim",
]
BUYERS = [("Northwind Outfitters", "United States"), ("Aster & Finch", "United Kingdom"),
          ("Kestrel Sport", "Germany"), ("Maple Lane Kids", "Canada"), ("Sakura Basics", "Japan")]
# Days since sign-up, one per stage of the timeline (see DESIGN.md), spread over the factories.
STAGES = [10, 45, 95, 115, 140, 160, 200, 320, 350, 480, 500]
# The factory the demo's factory and buyer logins belong to, and how much worse its two earlier cycles' assessments
# were than its current one: its pages and reports show its progress over three cycles.
DEMO_FACTORY = 4
HISTORY = (2.2, 1.5)
CYCLE_DAYS = 480  # from one sign-up to the next: a cycle's sixteen months
NEEDS = [
    ("labour_compliance", "Pay overtime at the legal premium", "All overtime hours paid at 150% from next payroll"),
    ("labour_compliance", "Unlock and clear emergency exits", "Every exit checked daily and logged"),
    ("management_systems", "Written grievance procedure", "Procedure posted and explained to all workers"),
    ("management_systems", "Payroll records kept for 3 years", "Digital payroll archive in place"),
    ("training", "Supervisor training on respectful communication", "All line supervisors trained"),
    ("training", "Chemical handling training", "Workers in dyeing and printing trained"),
]
RESPONSE = ("We have paid the overtime owed that the assessment found and pay every overtime hour at the legal rate "
            "from the next payroll. The emergency exits are now checked every morning and the check is logged. The "
            "worker-management committee reviews both every month.")
WORKER_NAMES = ["Nguyen Thi Lan", "Tran Van Minh", "Sok Dara", "Chan Sreymom", "Siti Rahayu", "Dewi Lestari",
                "Rina Akter", "Fatema Begum", "Aisha Haddad", "Lina Saleh", "Pham Thu Ha", "Le Quang Huy"]


def already_seeded() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Factory))) or bool(
        db.session.scalar(select(func.count()).select_from(User))
    )


def seed(password: str, today: date | None = None) -> str:
    rng = random.Random(2026)
    today = today or utcnow().date()
    admin = users.create_user("admin@example.org", "admin", password, name="Programme Admin")
    advisor = users.create_user("advisor@example.org", "advisor", password, name="Mai Advisor")
    advisors = [advisor] + [
        users.create_user(f"advisor{i}@example.org", "advisor", password, name=f"Advisor {i}") for i in (2, 3)
    ]
    buyers = [Buyer(name=name, country=country) for name, country in BUYERS]
    db.session.add_all(buyers)

    questionnaires.ensure_default_questionnaires()
    questionnaires.ensure_country_versions()  # the assessment adapted to each country's law
    factories = []
    countries = list(COUNTRIES)
    for i, name in enumerate(FACTORY_NAMES):
        country = countries[i // 4]
        factory = Factory(name=name, country=country, city=rng.choice(COUNTRIES[country]),
                          workers=rng.randrange(300, 4000, 50))
        db.session.add(factory)
        factories.append(factory)
    db.session.flush()

    for i, factory in enumerate(factories):
        # Some factories are returning: an earlier cycle, closed.
        if i % 4 == 1:  # every fourth factory is returning, whoever advises it
            first = cycles.start_cycle(factory, today - timedelta(days=500 + STAGES[i % len(STAGES)]), advisors[i % 3], 5)
            first.status = "closed"
            for milestone in first.milestones:  # its history, done before this database began
                milestone.done_at, milestone.outcome = milestone.due_at, "done"
            db.session.flush()
        days_in = STAGES[i % len(STAGES)]
        if i == DEMO_FACTORY:
            for back, worse in zip(range(len(HISTORY), 0, -1), HISTORY):
                _assessed_history(factory, today - timedelta(days=days_in + back * CYCLE_DAYS), advisors[i % 3],
                                  (advisors[1], advisors[2], admin), rng, worse)
        cycle = cycles.start_cycle(factory, today - timedelta(days=days_in), advisors[i % 3], Decimal(rng.choice([4, 6, 8])))
        cycle.status = "advisory" if days_in < 100 else "reporting"
        db.session.flush()
        for k in range(min(cycle.expected_visits, 1 + days_in // 30)):
            db.session.add(AdvisoryVisit(cycle=cycle, advisor=cycle.advisor, visited_on=cycle.signed_up_on + timedelta(days=7 + 25 * k),
                                         focus="self_diagnosis" if cycle.returning else ["general", "committee", "needs"][k % 3]))
        for area, title, target in rng.sample(NEEDS, 3):
            db.session.add(Need(cycle=cycle, area=area, title=title, target=target, owner="HR manager",
                                due_on=cycle.signed_up_on + timedelta(days=90), early_improvement=area != "training",
                                status="done" if days_in > 200 else "in_progress"))
        if days_in > 60:
            db.session.add(TrainingSession(cycle=cycle, topic="Workplace cooperation", held_on=cycle.signed_up_on + timedelta(days=50),
                                           days=Decimal("1.0"), participants=rng.randrange(10, 30)))
        for b in rng.sample(buyers, 2 if i % 4 else 3):
            consent = i % 5 != 4  # every fifth factory has not consented
            db.session.add(Sourcing(buyer=b, factory=factory, consent_given_at=utcnow() if consent else None))
        if days_in > 30:
            _committee_with_election(factory, cycle, rng)
        _questionnaires(cycle, days_in, rng, (advisors[1], advisors[2], admin))

    for country in COUNTRIES:  # the public transparency page: the default list of issues in every country
        transparency.publish_default_issues(country)
    for factory in factories[::2]:  # half the assessed factories have a response approved, shown once released
        cycle = factory.cycles[-1]
        if cycle.assessment is not None:
            db.session.add(TransparencyResponse(cycle=cycle, text=RESPONSE, status="approved", approved_text=RESPONSE,
                                                approved_by=admin, approved_at=utcnow()))

    # Other audits buyers asked of the factories: about half replaced by the programme's report (audits avoided).
    for i, factory in enumerate(factories[::3]):
        for k, b in enumerate(s.buyer for s in factory.sourcing):
            db.session.add(OtherAudit(factory=factory, buyer=b, audited_on=today - timedelta(days=40 + 30 * k + i),
                                      scheme=("SMETA", "amfori BSCI", "Buyer code of conduct")[k % 3],
                                      days=(1.5, 2, 3)[(i + k) % 3], avoided=(i + k) % 2 == 0))

    demo_factory = factories[DEMO_FACTORY]
    demo_buyer = next(s.buyer for s in demo_factory.sourcing)
    for s in demo_factory.sourcing:
        s.consent_given_at = utcnow()
    users.create_user("factory@example.org", "factory", password, name="Factory Manager", factory_id=demo_factory.id)
    users.create_user("buyer@example.org", "buyer", password, name="Buyer Compliance Lead", buyer_id=demo_buyer.id)
    db.session.flush()
    del admin
    return (f"Seeded {len(factories)} factories in {len(COUNTRIES)} countries, {len(buyers)} buyers, "
            f"{db.session.scalar(select(func.count()).select_from(Sourcing))} sourcing links. "
            f"The factory login belongs to {demo_factory.name}; the buyer login to {demo_buyer.name}.")


def _questionnaires(cycle, days_in: int, rng: random.Random, staff: tuple[User, User, User]) -> None:
    """What the cycle has answered by now: a returning factory's self-diagnosis before its assessment, the
    assessment from day 95 (entered by two assessors over two days, approved by a third staff member two days
    later), the advisor's committee review. Milestones already due are left to the clock, which releases the
    reports and sends the notices on its first sweep."""
    if cycle.returning and days_in > 60:
        fill(cycle, "self_diagnosis", rng, cycle.signed_up_on + timedelta(days=60))
    if days_in > 100:
        assessed_on = cycle.signed_up_on + timedelta(days=95)
        response = fill(cycle, "assessment", rng, assessed_on)
        first, second, reviewer = staff
        assessments.record_details(cycle, response, assessed_on, first, second, days_on_site=2,
                                   worker_sample=rng.randrange(20, 60))
        assessments.submit_for_review(cycle, first)
        assessment = assessments.approve(cycle, reviewer)
        approved_at = datetime.combine(assessed_on + timedelta(days=4), time(17))  # the history, as it happened
        assessment.submitted_for_review_at = datetime.combine(assessed_on + timedelta(days=2), time(17))
        assessment.completed_at = assessment.reviews[-1].created_at = approved_at
        cycle.milestone("assessment_due").done_at = approved_at
        schedule.sync_milestones(cycle)  # the release counts from the assessment date
        review = fill(cycle, "committee_review", rng, assessed_on)
        cycle.committee_review_score = scoring.committee_review_score(review)


def _assessed_history(factory: Factory, signed_up_on: date, advisor: User, staff: tuple[User, User, User],
                      rng: random.Random, worse: float) -> None:
    """A closed cycle of the factory's past whose assessment was released a month after it, as it happened then."""
    cycle = cycles.start_cycle(factory, signed_up_on, advisor, 5)
    db.session.flush()
    assessed_on = signed_up_on + timedelta(days=95)
    response = fill(cycle, "assessment", rng, assessed_on, worse=worse)
    first, second, reviewer = staff
    assessments.record_details(cycle, response, assessed_on, first, second, days_on_site=2,
                               worker_sample=rng.randrange(20, 60))
    assessments.submit_for_review(cycle, first)
    assessments.approve(cycle, reviewer).completed_at = datetime.combine(assessed_on + timedelta(days=4), time(17))
    cycle.status = "closed"
    for milestone in cycle.milestones:  # its history, done before this database began
        milestone.done_at, milestone.outcome = milestone.due_at, "done"
    db.session.flush()
    report_docs.release_scored_many([cycle], "assessment", datetime.combine(assessed_on + timedelta(days=30), time(9)))


def _committee_with_election(factory: Factory, cycle, rng: random.Random) -> None:
    committee = Committee(factory=factory, established_on=cycle.signed_up_on + timedelta(days=20))
    db.session.add(committee)
    election = Election(committee=committee, cycle=cycle, nominations_open_on=cycle.signed_up_on + timedelta(days=14),
                        held_on=cycle.signed_up_on + timedelta(days=28), seats=3, eligible_voters=factory.workers,
                        ballots_cast=int((factory.workers or 500) * 0.8), status="certified")
    db.session.add(election)
    names = rng.sample(WORKER_NAMES, 5)
    votes = sorted(rng.sample(range(40, 400), 5), reverse=True)
    for rank, (name, count) in enumerate(zip(names, votes, strict=True)):
        db.session.add(Candidate(election=election, name=name, department=rng.choice(["Sewing", "Cutting", "Finishing", "QC"]),
                                 gender=rng.choice(["female", "female", "male"]), votes=count, elected=rank < 3))
        if rank < 3:
            db.session.add(CommitteeMember(committee=committee, name=name, side="worker", election=election,
                                           term_start=election.held_on, term_end=election.held_on + timedelta(days=730)))
    for title in ("HR manager", "Production manager", "Compliance officer"):
        db.session.add(CommitteeMember(committee=committee, name=f"{factory.name} {title}", side="management", position=title,
                                       term_start=election.held_on))
    db.session.add(CommitteeMeeting(committee=committee, held_on=election.held_on + timedelta(days=14), attendance=6,
                                    minutes="Agreed the needs list and the targets."))
