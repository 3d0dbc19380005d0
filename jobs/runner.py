"""The job runner inside the worker process: claims one job at a time and keeps its lease while it runs.

A job's work and its final status commit in one transaction, so a worker killed mid-job leaves nothing
half-written: the lease runs out, another worker claims the job again and runs it from the start. A job that
writes in several transactions (an import on SQLite: billing/import_staging.py) commits through `checkpoint`,
which commits only while the job is still this worker's attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import defer

from errors import DomainError
from jobs.bulk import KINDS, BulkAnswer, clean_up
from jobs.store import claim_job, finish_job, job_error, release_job, renew_lease
from models import Biller
from models.db import current_db, utcnow
from models.jobs import Job, JobStatus

log = logging.getLogger(__name__)
_SQLITE_TURN_SECONDS = 0.11


class JobProgress:
    """Rows done and in all, set by the running job and written out by the lease heartbeat."""

    def __init__(self) -> None:
        self.done = 0
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total


class LeaseLost(Exception):
    """Another worker has taken the job over: this attempt must stop and commit nothing more."""


class JobRunner:
    """Runs background jobs one at a time; any number of worker processes may run one each."""

    def __init__(self, app: Flask, *, clock=utcnow) -> None:
        self.app = app
        self.clock = clock
        settings = app.extensions["settings"]
        self.settings = settings
        self.lease = timedelta(seconds=settings.job_lease_seconds)
        self.heartbeat_seconds = settings.job_heartbeat_seconds
        self.max_attempts = settings.job_max_attempts
        self.stopping = threading.Event()

    def start(self) -> threading.Thread:
        """Run jobs in a daemon thread beside the outbox worker; a job cut off by exit is simply rerun."""
        thread = threading.Thread(target=self.run, name="job-runner", daemon=True)
        thread.start()
        return thread

    def run(self, *, once: bool = False, idle_seconds: float = 1.0) -> int:
        """Run jobs until stopped; with once, until none is waiting. Returns how many were run."""
        ran = 0
        while not self.stopping.is_set():
            try:
                claimed = self.run_one()
            except SQLAlchemyError as exc:
                log.warning("jobs: database unavailable (%s); retrying", type(exc).__name__)
                claimed = False
            if claimed:
                ran += 1
            elif once:
                break
            else:
                self.stopping.wait(idle_seconds)
        return ran

    def run_one(self) -> bool:
        """Claim and run one job; False when none is waiting."""
        with self.app.app_context():
            with current_db().session_scope() as session:
                claimed = claim_job(session=session, now=self.clock(), lease=self.lease)
            if claimed is None:
                return False
            self._run_claimed(*claimed)
            return True

    def _run_claimed(self, job_id: int, attempt: int) -> None:
        if attempt > self.max_attempts:
            self._give_up(job_id, attempt, progress=JobProgress())
            return
        progress = JobProgress()
        finished = threading.Event()
        heartbeat = threading.Thread(target=self._keep_lease, args=(job_id, attempt, progress, finished))
        heartbeat.start()
        try:
            self._execute(job_id, attempt, progress)
        finally:
            finished.set()
            heartbeat.join()

    def run_to_end(self, job_id: int) -> Job:
        """Run this one job here until it has finished, and return it (a command running its own large import).

        Claimed, fenced and retried as in a worker. Should a worker hold it (it claimed the job first), this waits
        for that worker. Interrupted (Ctrl-C) before publishing, the job fails and nothing is imported, as when a
        one-transaction import is interrupted; while publishing, it is left for a worker to finish.
        """
        with self.app.app_context():
            while True:
                with current_db().session_scope() as session:
                    job = session.get(Job, job_id, options=[defer(Job.payload)])
                    if job.status in (JobStatus.SUCCEEDED.value, JobStatus.FAILED.value):
                        return job
                    claimed = claim_job(session=session, now=self.clock(), lease=self.lease, job_id=job_id)
                if claimed is None:
                    self.stopping.wait(self.heartbeat_seconds)
                    continue
                try:
                    self._run_claimed(*claimed)
                except KeyboardInterrupt:
                    self._cancel(*claimed)
                    raise

    def _execute(self, job_id: int, attempt: int, progress: JobProgress) -> None:
        session = current_db().new_session()
        checkpoint = self._checkpoint(session, job_id, attempt, progress)
        try:
            job = session.get(Job, job_id)
            try:
                answer = KINDS[job.kind](
                    session=session,
                    job=job,
                    biller=session.get(Biller, job.biller_id),
                    settings=self.settings,
                    on_progress=progress,
                    checkpoint=checkpoint,
                )
            except DomainError as exc:
                answer = BulkAnswer(exc.status, job_error(exc.code, exc.message, exc.field))
            if not answer.ok:
                session.rollback()
                clean_up(session=session, job=job, checkpoint=checkpoint)
            status = JobStatus.SUCCEEDED if answer.ok else JobStatus.FAILED
            total = progress.total if answer.ok else None
            owned = finish_job(
                session=session,
                job_id=job_id,
                attempt=attempt,
                status=status,
                report=answer.body,
                now=self.clock(),
                total=total,
            )
            if owned:
                session.commit()
                log.info("job %d (%s) %s", job_id, job.kind, status.value)
            else:
                session.rollback()
                log.warning("job %d: lease lost to another worker; this attempt's work is rolled back", job_id)
        except LeaseLost:
            session.rollback()
            log.warning("job %d: lease lost to another worker; this attempt stops", job_id)
        except Exception as exc:  # noqa: BLE001 - any failure of one job must not stop the worker; it is retried
            session.rollback()
            # The type only: messages of database errors can carry row values (names, phones).
            log.error("job %d attempt %d raised %s; it goes back in the queue", job_id, attempt, type(exc).__name__)
            release_job(session=session, job_id=job_id, attempt=attempt, now=self.clock())
            session.commit()
        finally:
            session.close()

    def _checkpoint(self, session, job_id: int, attempt: int, progress: JobProgress):
        def checkpoint() -> None:
            # The fenced lease renewal and the work commit together: a worker that lost the job commits nothing.
            if not self._renew(session, job_id, attempt, progress):
                raise LeaseLost
            session.commit()
            if session.get_bind().dialect.name == "sqlite":
                # Give waiting writers their turn: SQLite's busy handler retries every 100 ms at most, so
                # without a gap longer than that the next batch would take the lock again before they woke.
                time.sleep(_SQLITE_TURN_SECONDS)

        return checkpoint

    def _renew(self, session, job_id: int, attempt: int, progress: JobProgress) -> bool:
        """Extend the job's lease and record its progress; False when another worker has taken it over."""
        return renew_lease(
            session=session,
            job_id=job_id,
            attempt=attempt,
            now=self.clock(),
            lease=self.lease,
            done=progress.done,
            total=progress.total,
        )

    def _cancel(self, job_id: int, attempt: int) -> None:
        """Fail a job whose run here was interrupted, unless it is publishing (a worker will finish that)."""
        with current_db().session_scope() as session:
            if session.get(Job, job_id, options=[defer(Job.payload)]).stage == "publishing":
                return
        report = job_error("job_cancelled", "interrupted: nothing was imported")
        try:
            self._give_up(job_id, attempt, progress=JobProgress(), report=report)
        except LeaseLost:  # another worker has taken the job over: it is that worker's to finish
            return

    def _give_up(self, job_id: int, attempt: int, *, progress: JobProgress, report: dict | None = None) -> None:
        session = current_db().new_session()
        try:
            job = session.get(Job, job_id)
            message = f"gave up after {attempt - 1} attempts"
            if job.stage == "publishing":  # past the point of no return: what is published stays, say so
                message += " while publishing: part of the file is imported, the rest is not"
            report = report or job_error("job_failed", message)
            clean_up(session=session, job=job, checkpoint=self._checkpoint(session, job_id, attempt, progress))
            finish_job(
                session=session,
                job_id=job_id,
                attempt=attempt,
                status=JobStatus.FAILED,
                report=report,
                now=self.clock(),
                total=None,
            )
            session.commit()
        finally:
            session.close()

    def _keep_lease(self, job_id: int, attempt: int, progress: JobProgress, finished: threading.Event) -> None:
        while not finished.wait(self.heartbeat_seconds):
            try:
                with self.app.app_context(), current_db().session_scope() as session:
                    renewed = self._renew(session, job_id, attempt, progress)
            except SQLAlchemyError as exc:
                # SQLite: the job's own transaction may hold the write lock; try again next beat.
                log.warning("job %d: lease not renewed (%s)", job_id, type(exc).__name__)
                continue
            if not renewed:
                return
