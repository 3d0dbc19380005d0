"""`bills import`: load a CSV of bills for one biller."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from config import current_settings
from models import Biller
from models.db import current_db, utcnow
from workflows import Actor
from workflows.bills import import_bills

bills_cli = AppGroup("bills", help="Manage bills.")


@bills_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--biller", "biller_id", type=int, required=True, help="Biller id the bills belong to.")
@click.option("--partial", is_flag=True, help="Import the good rows even if some rows are bad.")
def import_command(file: Path, biller_id: int, partial: bool) -> None:
    """Import bills from a CSV; any bad row stops the whole import unless --partial."""
    session = current_db().new_session()
    try:
        biller = session.get(Biller, biller_id)
        if biller is None:
            raise click.UsageError(f"--biller: no biller with id {biller_id}")
        answer = import_bills(
            session=session,
            actor=Actor("cli"),
            now=utcnow(),
            biller=biller,
            data=file.read_bytes(),
            partial=partial,
            settings=current_settings(),
        )
        report = answer.body
        for error in report["errors"]:
            click.echo(f"line {error['line']}: {error['message']}", err=True)
        if not answer.ok:
            session.rollback()
            raise click.ClickException(
                f"{report['rejected']} bad row(s) of {report['rows']}; nothing imported "
                "(use --partial to import the good rows)"
            )
        session.commit()
    finally:
        session.close()
    click.echo(f"Imported {report['imported']} of {report['rows']} bill(s); {report['rejected']} rejected")
