"""Reminder cadences: a biller's ordered steps around a bill's due date."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class Cadence(SQLModel, table=True):
    """A named reminder plan a biller can choose per bill."""

    __tablename__ = "cadences"
    __table_args__ = (UniqueConstraint("biller_id", "name", name="uq_cadences_biller_name"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=60)
    is_default: bool = False
    repeat_every_days: int | None = None
    repeat_max_times: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CadenceStep(SQLModel, table=True):
    """One reminder of a cadence: when (relative to the due date), how, and with what words."""

    __tablename__ = "cadence_steps"
    __table_args__ = (UniqueConstraint("cadence_id", "position", name="uq_cadence_steps_position"),)

    id: int | None = Field(default=None, primary_key=True)
    cadence_id: int = Field(foreign_key="cadences.id", index=True, ondelete="CASCADE")
    position: int
    day_offset: int
    send_at: time = Field(default=time(10, 0))
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    template_key: str = Field(default="reminder", max_length=40)
    condition: str | None = Field(default=None, max_length=40)
