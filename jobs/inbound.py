"""Answering stored inbound messages, the worker's inbound step (an entry point, like jobs.runner): one message
per transaction, oldest first in each conversation. The webhooks only authenticate and store; the bot's work
happens here."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from billing.senders import own_sender_numbers
from bot.engine import Inbound, handle_inbound
from bot.understanding import prepare as prepare_understanding
from channels.inbox import next_inbound, settle_inbound
from config import Settings, current_settings
from models import InboundMessage
from models.db import current_db, utcnow
from models.inbound import InboundStatus

log = logging.getLogger(__name__)


def answer_inbound_message(*, session: Session, message: InboundMessage, settings: Settings, now) -> None:
    """Let the bot answer one stored message (never one we sent ourselves: no loops), and settle it."""
    if not _from_ourselves(session, message, settings):
        inbound = Inbound(
            channel=message.channel,
            address=message.address,
            text=message.text,
            provider_message_id=message.provider_message_id,
            received_at=message.received_at,
            payload=message.payload,
            start_payload=message.start_payload,
            to=message.to,
        )
        handle_inbound(session=session, inbound=inbound, settings=settings)
    settle_inbound(session=session, message=message, status=InboundStatus.ANSWERED, now=now)
    session.flush()


def answer_inbound(app: Flask, *, limit: int = 200, clock=utcnow) -> int:
    """The worker's inbound step: answer up to `limit` waiting messages; returns how many were answered."""
    answered = 0
    with app.app_context():
        settings = current_settings()
        while answered < limit:
            session = current_db().new_session()
            message_id = None
            try:
                message = next_inbound(session=session)
                if message is None:
                    break
                message_id = message.id
                answer_inbound_message(session=session, message=message, settings=settings, now=clock())
                session.commit()
                answered += 1
            except SQLAlchemyError as exc:
                session.rollback()
                log.warning("inbound: database unavailable (%s); the message waits", type(exc).__name__)
                break
            except Exception:
                session.rollback()
                log.exception("inbound: message %s could not be answered; given up", message_id)
                _give_up(message_id, clock())
            finally:
                session.close()
    return answered


def serve_inbound(app: Flask, *, stopping: threading.Event, answered: Callable[[], None], idle_seconds=0.2):
    """Answer inbound messages until stopped, waking `answered` (the outbox) when replies were queued."""
    prepare_understanding()  # before the first message arrives, not while its customer waits
    while not stopping.is_set():
        if answer_inbound(app):
            answered()
        else:
            stopping.wait(idle_seconds)


def _give_up(message_id: int | None, now) -> None:
    """A message the bot fails on must not hold its conversation up for ever."""
    if message_id is None:
        return
    try:
        with current_db().session_scope() as session:
            message = session.get(InboundMessage, message_id)
            settle_inbound(session=session, message=message, status=InboundStatus.FAILED, now=now)
    except SQLAlchemyError:
        log.warning("inbound: could not set message %s aside; it is tried again", message_id)


def _from_ourselves(session: Session, message: InboundMessage, settings: Settings) -> bool:
    if message.channel == "telegram":
        return False
    ours = {
        number.removeprefix("whatsapp:")
        for number in (settings.twilio_sms_from, settings.twilio_whatsapp_from)
        if number
    } | own_sender_numbers(session=session)
    return message.address in ours
