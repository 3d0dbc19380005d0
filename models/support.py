"""What support staff work with besides the conversations: a biller's canned replies and labels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class CannedReply(SQLModel, table=True):
    """A reply support keeps ready, in one language, with placeholders filled in when it is used."""

    __tablename__ = "canned_replies"
    __table_args__ = (UniqueConstraint("biller_id", "language", "title", name="uq_canned_replies_title"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=5)
    title: str = Field(max_length=80)
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Label(SQLModel, table=True):
    """A word a biller's support staff tag conversations with (e.g. "meter reading", "refund")."""

    __tablename__ = "labels"
    # Unique per biller ignoring case ("Refund" and "refund" are one label), so two admins adding both at once
    # cannot make two. (SQLite's lower() folds ASCII only; create_label compares casefolded names before that.)
    __table_args__ = (Index("uq_labels_biller_name_lower", "biller_id", text("lower(name)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ConversationLabel(SQLModel, table=True):
    """A label on a conversation (the same biller's, checked where it is added)."""

    __tablename__ = "conversation_labels"

    conversation_id: int = Field(foreign_key="conversations.id", primary_key=True, ondelete="CASCADE")
    label_id: int = Field(foreign_key="labels.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
