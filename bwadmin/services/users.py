"""Accounts: creating users, passwords (argon2id), and ending sessions."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES_BY_NAME, User

# Explicit parameters (RFC 9106's second recommended option) so a library upgrade cannot weaken them.
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)
MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """A message for the person who typed the input, and the field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (bwadmin/data/common_passwords.txt), lower-cased."""
    path = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password.strip().lower() in common_passwords() or len(set(password)) <= 2:
        return "This password is too common and easy to guess. Choose another."
    return None


def set_password(user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise UserError(problem, "password")
    user.password_hash = _hasher.hash(password)
    # A new password ends every session and token that used the old one.
    user.session_version = (user.session_version or 0) + 1


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def deactivate(user: User) -> None:
    user.active = False
    user.session_version = (user.session_version or 0) + 1


def create_user(
    email: str,
    role: str,
    password: str | None = None,
    name: str = "",
    factory_id: int | None = None,
    buyer_id: int | None = None,
    language: str = "en",
) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise UserError("Enter an email address.", "email")
    if role not in ROLES_BY_NAME:
        raise UserError(f"Role must be one of {', '.join(ROLES_BY_NAME)}.", "role")
    if role == "factory" and not factory_id:
        raise UserError("A factory user needs the factory it belongs to.", "factory")
    if role == "buyer" and not buyer_id:
        raise UserError("A buyer user needs the buyer it belongs to.", "buyer")
    if by_email(email):
        raise UserError("A user with this email exists already.", "email")
    user = User(
        email=email,
        role=role,
        name=name,
        factory_id=factory_id if role == "factory" else None,
        buyer_id=buyer_id if role == "buyer" else None,
        language=language,
    )
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    return user
