"""Creating and authenticating console users."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, func, select

from config import current_settings
from errors import Conflict, InvalidInput
from models import Biller, User
from models.vocab import Role

MIN_PASSWORD_LENGTH = 10


def _hasher() -> PasswordHasher:
    """argon2 with the cost the settings ask for (PASSWORD_TIME_COST, PASSWORD_MEMORY_KIB)."""
    settings = current_settings()
    return _hasher_for(settings.password_time_cost, settings.password_memory_kib)


@cache
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def create_user(*, session: Session, email: str, password: str, role: Role, biller_id: int | None) -> User:
    """Create a console user; biller admins and support staff belong to exactly one biller."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput("is not an email address", field="email")
    _check_password(password)
    if role is Role.ADMIN and biller_id is not None:
        raise InvalidInput("admins see every biller and take no --biller", field="biller")
    if role is not Role.ADMIN and (biller_id is None or session.get(Biller, biller_id) is None):
        raise InvalidInput("must name an existing biller for this role", field="biller")
    if session.exec(select(User).where(func.lower(User.email) == email)).first():
        raise Conflict("A user with this email already exists", field="email", code="duplicate")
    user = User(email=email, password_hash=_hasher().hash(password), role=role.value, biller_id=biller_id)
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; rehashes when argon2 parameters change."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.is_active:
        _hasher().hash(password)  # spend the same time whether or not the email exists
        return None
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
        session.add(user)
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"must be at least {MIN_PASSWORD_LENGTH} characters", field="password")


def end_sessions(*, session: Session, user: User) -> None:
    """End every console session of the user, on every device (their cookies stop being accepted)."""
    session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    session.flush()
    session.refresh(user)


def change_password(*, session: Session, user: User, password: str) -> None:
    """Set a new password; every session signed in with the old one ends."""
    _check_password(password)
    user.password_hash = _hasher().hash(password)
    session.add(user)
    end_sessions(session=session, user=user)


def deactivate_user(*, session: Session, user: User) -> None:
    """Stop the user signing in, and end the sessions they have."""
    user.is_active = False
    session.add(user)
    end_sessions(session=session, user=user)


def biller_scope(user) -> int | None:
    """The one biller whose data a console user sees; None for an admin, who sees every biller's."""
    return None if user.role == Role.ADMIN else user.biller_id


def sees_biller(user, biller_id: int | None) -> bool:
    """The tenant check: a console user sees (and acts on) their own biller's data only; an admin, every biller's."""
    scope = biller_scope(user)
    return scope is None or (biller_id is not None and biller_id == scope)
