"""Who takes part: users, factories, buyers and the sourcing links between them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import lower_index, one_of, utcnow

ROLES = ("admin", "advisor", "factory", "buyer")
ROLES_BY_NAME = {"admin": "Admin", "advisor": "Advisor", "factory": "Factory user", "buyer": "Buyer user"}
STAFF_ROLES = ("admin", "advisor")
# Each language named in its own script: a person looking for theirs may not read the others.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "vi": "Tiếng Việt", "km": "ខ្មែរ", "id": "Bahasa Indonesia",
                  "bn": "বাংলা", "ar": "العربية"}
LANGUAGES = tuple(LANGUAGE_NAMES)
RTL_LANGUAGES = ("ar",)


class Factory(db.Model):
    __tablename__ = "factory"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(80), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    workers: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycles: Mapped[list[Cycle]] = relationship(  # noqa: F821
        back_populates="factory", order_by="Cycle.number", cascade="all, delete-orphan"
    )
    sourcing: Mapped[list[Sourcing]] = relationship(back_populates="factory", cascade="all, delete-orphan")
    committee: Mapped[Committee | None] = relationship(back_populates="factory", uselist=False)  # noqa: F821

    __table_args__ = (
        CheckConstraint("workers IS NULL OR workers >= 0", name="workers_positive"),
        # Pages of factories go in (name, id) order and start after a (name, id) (services/factory_pages).
        Index("ix_factory_name_id", "name", "id"),
    )

    def __str__(self) -> str:
        return self.name


class Buyer(db.Model):
    __tablename__ = "buyer"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sourcing: Mapped[list[Sourcing]] = relationship(back_populates="buyer", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class Sourcing(db.Model):
    """A buyer sources from a factory; the factory's consent to share its results with that buyer."""

    __tablename__ = "sourcing"
    str_loads = ("buyer", "factory")  # what __str__ reads: the admin lists load it with the row
    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyer.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"), index=True)
    consent_given_at: Mapped[datetime | None]
    consent_withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    buyer: Mapped[Buyer] = relationship(back_populates="sourcing")
    factory: Mapped[Factory] = relationship(back_populates="sourcing")

    __table_args__ = (
        UniqueConstraint("buyer_id", "factory_id"),
        # Covers what the portals ask of a buyer's links (consent stands or not, which factory) without reading
        # the rows: the buyer home walks every link of the buyer to sort and count its factories.
        Index("ix_sourcing_buyer_consent", "buyer_id", "consent_given_at", "consent_withdrawn_at", "factory_id"),
    )

    @property
    def consent_stands(self) -> bool:
        return self.consent_stands_for(self.consent_given_at, self.consent_withdrawn_at)

    @staticmethod
    def consent_stands_for(given_at, withdrawn_at) -> bool:
        """The rule, for callers that read the two columns without loading Sourcing objects."""
        return given_at is not None and (withdrawn_at is None or withdrawn_at < given_at)

    def __str__(self) -> str:
        return f"{self.buyer} ← {self.factory}"


class User(db.Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored lower-cased (services.users.normalise_email), so the unique index is case-blind.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16), index=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factory.id", ondelete="SET NULL"), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyer.id", ondelete="SET NULL"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on deactivation and password change: sessions and tokens carrying an older value stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    factory: Mapped[Factory | None] = relationship()
    buyer: Mapped[Buyer | None] = relationship()

    __table_args__ = (
        one_of("role", ROLES),
        one_of("language", LANGUAGES),
        CheckConstraint("role != 'factory' OR factory_id IS NOT NULL", name="factory_user_has_factory"),
        CheckConstraint("role != 'buyer' OR buyer_id IS NOT NULL", name="buyer_user_has_buyer"),
    )

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return self.active

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __str__(self) -> str:
        return self.name or self.email


lower_index(Factory, "name", "country", "city")
lower_index(Buyer, "name")
lower_index(User, "email", "name")
