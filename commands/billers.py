"""`biller create` and `user create`: onboarding from the command line."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from accounts.audit import record_audit
from accounts.users import create_user
from billing.billers import create_biller, issue_api_key
from billing.senders import SENDER_CHANNELS, remove_sender, set_sender
from errors import DomainError
from models import Biller
from models.db import current_db
from models.vocab import Role

biller_cli = AppGroup("biller", help="Manage billers.")
_BILLER_OPTIONS = {
    "name": "--name",
    "upi_vpa": "--vpa",
    "payee_name": "--payee-name",
    "merchant_category_code": "--mcc",
}
user_cli = AppGroup("user", help="Manage console users.")


@biller_cli.command("create")
@click.option("--name", required=True, help="The biller's name as customers know it.")
@click.option("--vpa", required=True, help="UPI merchant VPA that receives payments, e.g. power@icici.")
@click.option("--payee-name", default=None, help="Payee name shown in UPI apps (defaults to --name).")
@click.option("--mcc", default="4900", show_default=True, help="Merchant category code.")
@click.option("--json", "as_json", is_flag=True, help='Print {"id": …, "api_key": …} only.')
def create_biller_command(name: str, vpa: str, payee_name: str | None, mcc: str, as_json: bool) -> None:
    """Create a biller with the default cadence and print its API key (shown this once)."""
    try:
        with current_db().session_scope() as session:
            biller = create_biller(
                session=session, name=name, upi_vpa=vpa, payee_name=payee_name, merchant_category_code=mcc
            )
            api_key = issue_api_key(session=session, biller_id=biller.id)
            record_audit(
                session=session,
                biller_id=biller.id,
                actor="cli",
                action="biller.create",
                subject_type="biller",
                subject_id=biller.id,
            )
            biller_id = biller.id
    except DomainError as exc:
        raise click.UsageError(f"{_BILLER_OPTIONS.get(exc.field, exc.field)}: {exc.message}") from None
    if as_json:
        click.echo(json.dumps({"id": biller_id, "api_key": api_key}))
        return
    click.echo(f"Biller {biller_id} created: {name}")
    click.echo(f"API key (shown once, store it now): {api_key}")


@user_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--biller", "biller_id", type=int, default=None, help="Biller id (not for admins).")
def create_user_command(email: str, password: str, role: str, biller_id: int | None) -> None:
    """Create a console user with an argon2-hashed password."""
    try:
        with current_db().session_scope() as session:
            user = create_user(session=session, email=email, password=password, role=Role(role), biller_id=biller_id)
            record_audit(
                session=session,
                biller_id=biller_id,
                actor="cli",
                action="user.create",
                subject_type="user",
                subject_id=user.id,
                detail={"role": role},
            )
            user_id = user.id
    except DomainError as exc:
        raise click.UsageError(f"--{exc.field}: {exc.message}") from None
    click.echo(f"User {user_id} created with role {role}")


@biller_cli.command("sender")
@click.option("--biller", "biller_id", type=int, required=True, help="Biller id.")
@click.option("--channel", required=True, type=click.Choice([str(channel) for channel in SENDER_CHANNELS]))
@click.option("--number", default=None, help="The biller's own number customers write to (E.164).")
@click.option("--messaging-service-sid", default=None, help="Send through this Twilio Messaging Service (MG…).")
@click.option("--remove", is_flag=True, help="Go back to the platform's shared sender on this channel.")
def biller_sender_command(
    biller_id: int, channel: str, number: str | None, messaging_service_sid: str | None, remove: bool
) -> None:
    """Give a biller its own SMS or WhatsApp sender: messages to it belong to that biller alone."""
    if not remove and not number:
        raise click.UsageError("--number is required (or --remove)")
    try:
        with current_db().session_scope() as session:
            if session.get(Biller, biller_id) is None:
                raise click.UsageError(f"--biller: no biller {biller_id}")
            if remove:
                removed = remove_sender(session=session, biller_id=biller_id, channel=channel)
                action, detail = "biller.sender_remove", {"channel": channel}
            else:
                sender = set_sender(
                    session=session,
                    biller_id=biller_id,
                    channel=channel,
                    address=number,
                    messaging_service_sid=messaging_service_sid,
                )
                action, detail = "biller.sender_set", {"channel": channel, "address": sender.address}
            record_audit(
                session=session,
                biller_id=biller_id,
                actor="cli",
                action=action,
                subject_type="biller",
                subject_id=biller_id,
                detail=detail,
            )
    except DomainError as exc:
        option = {"address": "--number", "messaging_service_sid": "--messaging-service-sid"}.get(exc.field, "--channel")
        raise click.UsageError(f"{option}: {exc.message}") from None
    if remove:
        click.echo(f"Biller {biller_id} {'now uses' if removed else 'already used'} the shared {channel} sender")
    else:
        click.echo(f"Biller {biller_id} sends {channel} from its own sender {sender.address}")
