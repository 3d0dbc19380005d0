"""`bills import`: load a CSV of bills for one biller."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from accounts.audit import record_audit
from billing.importer import import_bills_csv
from config import current_settings
from models import Biller
from models.db import current_db

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
        report = import_bills_csv(
            session=session, biller=biller, data=file.read_bytes(), partial=partial, settings=current_settings()
        )
        for error in report.errors:
            click.echo(f"line {error.line}: {error.message}", err=True)
        if not report.ok and not partial:
            session.rollback()
            raise click.ClickException(
                f"{len(report.errors)} bad row(s) of {report.rows}; nothing imported "
                "(use --partial to import the good rows)"
            )
        record_audit(
            session=session,
            biller_id=biller_id,
            actor="cli",
            action="bills.import",
            detail={"imported": report.imported, "rejected": len(report.errors)},
        )
        session.commit()
    finally:
        session.close()
    click.echo(f"Imported {report.imported} of {report.rows} bill(s); {len(report.errors)} rejected")
