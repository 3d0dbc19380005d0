"""Telegram through python-telegram-bot's Bot, driven from the worker's own event loop."""

from __future__ import annotations

import asyncio
import os
import threading
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from channels.base import Delivery, InDoubt, Outgoing, SendError
from config import Settings

# Opt in to PTB 22's timedelta time periods (RetryAfter.retry_after), as PTB asks before v23.
os.environ.setdefault("PTB_TIMEDELTA", "true")


def telegram_bot(settings: Settings) -> Bot:
    """A Bot for our token; TELEGRAM_API_BASE_URL points it at another Bot API server."""
    base = settings.telegram_api_base_url or "https://api.telegram.org"
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connect_timeout=5, read_timeout=settings.provider_timeout_seconds),
    )


def keyboard(outgoing: Outgoing) -> InlineKeyboardMarkup | None:
    """A URL button that opens the payment link, and callback buttons for choices, one option per row."""
    rows = [[InlineKeyboardButton(outgoing.pay_label or "Pay", url=outgoing.pay_url)]] if outgoing.pay_url else []
    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in outgoing.choices]
    rows += [[button] for button in buttons]  # long Hindi and Bengali labels stay readable on a small phone
    return InlineKeyboardMarkup(rows) if rows else None


class TelegramChannel:
    """Sends with one Bot on one event loop of its own thread, whatever loop the caller's thread runs."""

    name = "telegram"
    # The Bot API cannot list what a bot sent. A reminder or reply shown twice is an annoyance; one
    # that never arrives leaves a customer without their link or answer: at least once.
    in_doubt = InDoubt.AT_LEAST_ONCE

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._bot: Bot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sender = "telegram:" + settings.telegram_bot_token.get_secret_value().split(":", 1)[0]

    def send(self, outgoing: Outgoing) -> Delivery:
        return self._run(self._send(outgoing))

    def _run(self, coroutine):
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="telegram-loop", daemon=True)
                self._thread.start()
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def _send(self, outgoing: Outgoing) -> Delivery:
        try:
            if self._bot is None:
                bot = telegram_bot(self._settings)
                await bot.initialize()
                self._bot = bot
            markup = keyboard(outgoing)
            sent = await self._bot.send_message(
                chat_id=int(outgoing.recipient), text=outgoing.text, reply_markup=markup
            )
        except Forbidden as exc:
            raise SendError(f"Telegram: {exc.message}", code="telegram_blocked") from None
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise SendError(
                "Telegram rate limit", code="telegram_retry_after", transient=True, retry_after=seconds
            ) from None
        except BadRequest as exc:
            raise SendError(f"Telegram: {exc.message}", code="telegram_bad_request") from None
        except (TimedOut, NetworkError) as exc:
            raise SendError(f"Telegram unreachable: {exc.message}", code="network", transient=True) from None
        except TelegramError as exc:
            raise SendError(f"Telegram: {exc.message}", code="telegram_error", transient=True) from None
        return Delivery(provider_id=f"tg-{sent.chat_id}-{sent.message_id}")

    def close(self) -> None:
        """Shut the bot's connections, then the loop and its thread."""
        if self._loop is None:
            return
        if self._bot is not None:
            self._run(self._bot.shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
        self._loop = self._bot = self._thread = None
