"""Accounts: creating users, passwords (argon2id), and ending sessions."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES_BY_NAME, User
from .errors import FieldError

# Explicit parameters (RFC 9106's second recommended option) so a library upgrade cannot weaken them.
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)
MIN_PASSWORD_LENGTH = 12


class UserError(FieldError):
    """A refused account value, with the field it belongs beside."""


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
        return gettext("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
    if password.strip().lower() in common_passwords() or len(set(password)) <= 2:
        return gettext("This password is too common and easy to guess. Choose another.")
    return None


def set_password(user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise UserError("password", problem)
    user.password_hash = _hasher.hash(password)
    # A new password ends every session and token that used the old one.
    user.session_version = (user.session_version or 0) + 1


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and _verify(user.password_hash, password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password")


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, else None. One password check whatever the outcome, so
    the time an answer takes does not tell whether an account exists."""
    user = by_email(email)
    if user is None or not user.active or not user.password_hash:
        _verify(_dummy_hash(), password)
        return None
    return user if check_password(user, password) else None


def deactivate(user: User) -> None:
    user.active = False
    user.session_version = (user.session_version or 0) + 1


def account_problems(email: str, role: str, factory_id, buyer_id, user_id: int | None = None) -> list[UserError]:
    """What is wrong with these account details; `user_id` is the account being edited, if any."""
    problems = []
    email = normalise_email(email)
    if "@" not in email:
        problems.append(UserError("email", gettext("Enter an email address.")))
    else:
        existing = by_email(email)
        if existing is not None and existing.id != user_id:
            problems.append(UserError("email", gettext("A user with this email exists already.")))
    if role not in ROLES_BY_NAME:
        problems.append(UserError("role", gettext("Choose a role.") if not role else
                                  gettext("Role must be one of %(roles)s.", roles=", ".join(ROLES_BY_NAME))))
    if role == "factory" and not factory_id:
        problems.append(UserError("factory", gettext("A factory user needs the factory it belongs to.")))
    if role == "buyer" and not buyer_id:
        problems.append(UserError("buyer", gettext("A buyer user needs the buyer it belongs to.")))
    return problems


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
    problems = account_problems(email, role, factory_id, buyer_id)
    if problems:
        raise problems[0]
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
