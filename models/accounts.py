"""Console users and the audit trail of what they and integrations did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import Role


class User(SQLModel, table=True):
    """Someone who signs in to the console: an admin, a biller's admin or support staff."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.SUPPORT.value, max_length=20)
    biller_id: int | None = Field(default=None, foreign_key="billers.id", index=True, ondelete="CASCADE")
    is_active: bool = True
    # Raised to end every console session of the user at once: sign-out, a new password, deactivation.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AuditEvent(SQLModel, table=True):
    """A record of an action taken by a person or an API key, kept for the biller to read."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int | None = Field(default=None, foreign_key="billers.id", index=True, ondelete="CASCADE")
    actor: str = Field(max_length=80)
    action: str = Field(max_length=60)
    subject_type: str | None = Field(default=None, max_length=40)
    subject_id: int | None = None
    detail: dict | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CustomerNote(SQLModel, table=True):
    """An internal note support staff keep on a customer (never sent to the customer)."""

    __tablename__ = "customer_notes"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True, ondelete="CASCADE")
    author_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    body: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
