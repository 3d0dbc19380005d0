"""`secrets payment-webhook` and `secrets rotate`: biller secrets kept encrypted in the database."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from accounts.audit import record_audit
from billing.biller_secrets import reencrypt_biller_secrets, set_payment_webhook_secret
from errors import DomainError
from models import Biller
from models.db import current_db
from reconciliation.providers import PROVIDERS, reencrypt_provider_secrets, set_provider_secret

secrets_cli = AppGroup("secrets", help="Biller secrets, stored encrypted with SECRETS_ENCRYPTION_KEYS.")


@secrets_cli.command("payment-webhook")
@click.option("--biller", "biller_id", type=int, required=True, help="Biller id.")
@click.option("--secret", default=None, help="The secret to use (16-200 characters); a random one when omitted.")
def payment_webhook_secret_command(biller_id: int, secret: str | None) -> None:
    """Give a biller its own secret for POST /webhooks/payments and print it (shown this once)."""
    try:
        with current_db().session_scope() as session:
            biller = session.get(Biller, biller_id)
            if biller is None:
                raise click.UsageError(f"--biller: no biller has id {biller_id}")
            secret = set_payment_webhook_secret(session=session, biller=biller, secret=secret)
            record_audit(
                session=session,
                biller_id=biller.id,
                actor="cli",
                action="biller.payment_webhook_secret",
                subject_type="biller",
                subject_id=biller.id,
            )
    except DomainError as exc:
        raise click.UsageError(f"--secret: {exc.message}") from None
    click.echo(f"Payment-webhook secret for biller {biller_id} (shown once, give it to the payment provider): {secret}")


@secrets_cli.command("payment-provider")
@click.option("--biller", "biller_id", type=int, required=True, help="Biller id.")
@click.option("--provider", type=click.Choice(PROVIDERS), required=True, help="The payment provider.")
@click.option("--secret", required=True, help="The webhook secret set in the provider's dashboard.")
def payment_provider_secret_command(biller_id: int, provider: str, secret: str) -> None:
    """Store the secret a biller's Razorpay or Cashfree webhooks are signed with, encrypted."""
    try:
        with current_db().session_scope() as session:
            if session.get(Biller, biller_id) is None:
                raise click.UsageError(f"--biller: no biller has id {biller_id}")
            set_provider_secret(session=session, biller_id=biller_id, provider=provider, secret=secret)
            record_audit(
                session=session,
                biller_id=biller_id,
                actor="cli",
                action="biller.provider_secret",
                subject_type="biller",
                subject_id=biller_id,
                detail={"provider": provider},
            )
    except DomainError as exc:
        raise click.UsageError(f"--{exc.field}: {exc.message}") from None
    click.echo(
        f"{provider} webhook secret stored for biller {biller_id}; "
        f"point its webhook at /webhooks/payments/{provider}/{biller_id}"
    )


@secrets_cli.command("rotate")
def rotate_command() -> None:
    """Re-encrypt every stored biller secret under the first key of SECRETS_ENCRYPTION_KEYS."""
    with current_db().session_scope() as session:
        count = reencrypt_biller_secrets(session=session) + reencrypt_provider_secrets(session=session)
    click.echo(f"Re-encrypted {count} secret(s) under the newest key; older keys may now be removed.")
