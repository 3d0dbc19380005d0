"""`bills import`: load a CSV of bills for one biller."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from config import current_settings
from jobs.bulk import IMPORT, import_is_staged, runs_in_background
from jobs.runner import JobRunner
from jobs.store import queue_job
from models import Biller
from models.db import current_db, utcnow
from models.jobs import JobStatus
from workflows import Actor
from workflows.bills import BulkAnswer, import_bills

bills_cli = AppGroup("bills", help="Manage bills.")
CLI = Actor("cli")


@bills_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--biller", "biller_id", type=int, required=True, help="Biller id the bills belong to.")
@click.option("--partial", is_flag=True, help="Import the good rows even if some rows are bad.")
def import_command(file: Path, biller_id: int, partial: bool) -> None:
    """Import bills from a CSV; any bad row stops the whole import unless --partial."""
    data = file.read_bytes()
    settings = current_settings()
    session = current_db().new_session()
    try:
        biller = session.get(Biller, biller_id)
        if biller is None:
            raise click.UsageError(f"--biller: no biller with id {biller_id}")
        if runs_in_background(data, settings=settings) and import_is_staged(session):
            answer = _import_as_job(session=session, biller=biller, data=data, partial=partial)
        else:
            answer = import_bills(
                session=session,
                actor=CLI,
                now=utcnow(),
                biller=biller,
                data=data,
                partial=partial,
                settings=settings,
            )
        report = answer.body
        for error in report.get("errors", []):
            click.echo(f"line {error['line']}: {error['message']}", err=True)
        if not answer.ok:
            session.rollback()
            if "rows" not in report:  # the job failed for another reason than its rows
                raise click.ClickException(report["error"]["message"])
            raise click.ClickException(
                f"{report['rejected']} bad row(s) of {report['rows']}; nothing imported "
                "(use --partial to import the good rows)"
            )
        session.commit()
    finally:
        session.close()
    click.echo(f"Imported {report['imported']} of {report['rows']} bill(s); {report['rejected']} rejected")


def _import_as_job(*, session: Session, biller: Biller, data: bytes, partial: bool) -> BulkAnswer:
    """A large file on SQLite: imported by the API's background job, run here, in short transactions (one writer at
    a time: in one transaction the file would hold the write lock, and payments and page opens wait, until its end).

    As a job it shows its progress to other processes, and one interrupted while publishing is finished by a worker.
    """
    params = {"partial": partial, "actor": str(CLI)}
    job = queue_job(session=session, biller_id=biller.id, kind=IMPORT, payload=data, params=params, now=utcnow())
    session.commit()
    job = JobRunner(current_app._get_current_object()).run_to_end(job.id)
    return BulkAnswer(200 if job.status == JobStatus.SUCCEEDED.value else 422, job.report)
