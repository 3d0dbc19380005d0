"""Turning an outbox row into the words for one channel: the biller's template, else the shipped default."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from channels.templates import default_template, render
from models import MessageTemplate, OutboundMessage

# Twilio Content templates number their placeholders; ours map to them in this order.
WHATSAPP_VARIABLE_ORDER = ("customer_name", "biller_name", "bill_number", "amount", "due_date", "link", "reference")


@dataclass(frozen=True)
class Rendered:
    """A message's words for one channel, and the approved template behind them when there is one."""

    text: str
    content_sid: str | None = None
    dlt_template_id: str | None = None


def find_template(*, session: Session, biller_id: int, key: str, channel: str, language: str) -> MessageTemplate | None:
    """The biller's template for this message, channel and language (English if that language has none)."""
    for lang in dict.fromkeys((language, "en")):
        template = session.exec(
            select(MessageTemplate).where(
                MessageTemplate.biller_id == biller_id,
                MessageTemplate.key == key,
                MessageTemplate.channel == channel,
                MessageTemplate.language == lang,
            )
        ).first()
        if template:
            return template
    return None


def render_for_channel(*, session: Session, message: OutboundMessage, channel: str) -> Rendered:
    """The row's text for `channel`: free text as written, or its template filled with its variables."""
    if not message.template_key:
        return Rendered(text=message.body or "")
    variables = message.content_variables or {}
    template = find_template(
        session=session,
        biller_id=message.biller_id,
        key=message.template_key,
        channel=channel,
        language=message.language,
    )
    text = template.body if template else default_template(message.template_key, message.language)
    return Rendered(
        text=render(text, variables),
        content_sid=template.content_sid if template else None,
        dlt_template_id=template.dlt_template_id if template else None,
    )


def numbered_variables(variables: dict) -> dict[str, str]:
    """ContentVariables for a Twilio Content template: {"1": customer_name, "2": biller_name, …}."""
    return {str(index): str(variables.get(name, "")) for index, name in enumerate(WHATSAPP_VARIABLE_ORDER, start=1)}
