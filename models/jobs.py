"""Background jobs: bulk work (large imports, bulk notifications) that runs in the worker, not the request."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class JobStatus(StrEnum):
    """Where a job is: waiting for a worker, being run, or finished one way or the other."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(SQLModel, table=True):
    """One bulk request taken off the web request: its upload, progress, lease and final report."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_lease", "status", "lease_expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=40)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=16)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The uploaded bytes, kept until the job finishes (then cleared: the report is what stays).
    payload: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    progress_done: int = 0
    progress_total: int = 0
    report: dict | None = Field(default=None, sa_column=Column(JSON))
    # A staged import passes "publishing" once all its rows are staged: from then on it is finished, not redone.
    stage: str | None = Field(default=None, max_length=16)
    # Each claim increments attempts; a worker writes only while its attempt is the current one (fencing).
    attempts: int = 0
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
