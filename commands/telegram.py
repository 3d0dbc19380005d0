"""`telegram set-webhook`: point Telegram at our webhook, with the secret it must echo back."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import click
from flask.cli import AppGroup

from channels.telegram_channel import telegram_bot
from config import current_settings

telegram_cli = AppGroup("telegram", help="Telegram bot set-up.")


@telegram_cli.command("set-webhook")
def set_webhook_command() -> None:
    """Register PUBLIC_BASE_URL/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET as its secret token."""
    settings = current_settings()
    if not settings.telegram_bot_token or not settings.telegram_webhook_secret:
        raise click.UsageError("TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET must be set")
    url = f"{settings.public_base_url}/webhooks/telegram"

    async def register() -> bool:
        async with telegram_bot(settings) as bot:
            return await bot.set_webhook(
                url=url,
                secret_token=settings.telegram_webhook_secret.get_secret_value(),
                allowed_updates=["message", "callback_query"],
            )

    # On a thread of its own, so it also works where the caller's thread already runs an event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        registered = pool.submit(asyncio.run, register()).result()
    if not registered:
        raise click.ClickException("Telegram refused the webhook")
    click.echo(f"Telegram webhook set to {url}")
