"""Column helpers shared by the model modules."""
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, Index, func


def utcnow() -> datetime:
    """Naive UTC: every timestamp column stores UTC without a zone (SQLite keeps none)."""
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")


def lower_index(model, *columns: str) -> None:
    """Indexes on lower(column): the admin's prefix search is a range over them, not a scan."""
    for column in columns:
        Index(f"ix_{model.__tablename__}_lower_{column}", func.lower(getattr(model, column)))
