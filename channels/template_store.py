"""Saving a biller's templates: refused at save time if they could not be sent, never at send time."""

from __future__ import annotations

import re

from sqlmodel import Session

from channels.rendering import find_template
from channels.sms import segment_count
from channels.templates import DEFAULT_TEMPLATES, TemplateError, template_variables
from errors import InvalidInput
from models import MessageTemplate
from models.db import utcnow
from models.vocab import Channel, Language

REQUIRED_VARIABLES = {"receipt": {"reference"}}  # every other message carries the payment link
SAMPLE_VALUES = {
    "customer_name": "Customer Fullname Example",
    "amount": "₹1,24,550.00",
    "due_date": "10 Dec 2026",
    "link": "https://pay.example.in/p/AbCdEfGhIjKl",
    "biller_name": "Biller Name Example Limited",
    "bill_number": "BILL-2026-000001",
    "reference": "412345678901",
}
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")


def save_template(
    *,
    session: Session,
    biller_id: int,
    key: str,
    channel: str,
    language: str,
    body: str,
    content_sid: str | None = None,
    dlt_template_id: str | None = None,
    max_sms_segments: int,
) -> MessageTemplate:
    """Create or replace the biller's template for (key, channel, language) after checking it can be sent."""
    if key not in DEFAULT_TEMPLATES:
        raise InvalidInput(f"must be one of {', '.join(sorted(DEFAULT_TEMPLATES))}", field="key")
    if channel not in {c.value for c in Channel}:
        raise InvalidInput("is not a channel", field="channel")
    if language not in {lang.value for lang in Language}:
        raise InvalidInput("must be en, hi or bn", field="language")
    try:
        used = template_variables(body)
    except TemplateError as exc:
        raise InvalidInput(str(exc), field="body") from None
    missing = REQUIRED_VARIABLES.get(key, {"link"}) - used
    if missing:
        raise InvalidInput(f"must use {', '.join('{' + name + '}' for name in sorted(missing))}", field="body")
    if channel == Channel.SMS:
        if not dlt_template_id:
            raise InvalidInput("SMS templates need their DLT template id (TRAI)", field="dlt_template_id")
        segments = segment_count(body.format_map(SAMPLE_VALUES))
        if segments > max_sms_segments:
            raise InvalidInput(
                f"takes {segments} SMS segments with typical values; the limit is {max_sms_segments}", field="body"
            )
    if content_sid and not CONTENT_SID.match(content_sid):
        raise InvalidInput("must be a Twilio Content SID (HX followed by 32 hex digits)", field="content_sid")
    template = find_template(session=session, biller_id=biller_id, key=key, channel=channel, language=language)
    if template is None or template.language != language:
        template = MessageTemplate(biller_id=biller_id, key=key, channel=channel, language=language, body=body)
    template.body, template.content_sid, template.dlt_template_id = body, content_sid, dlt_template_id
    template.updated_at = utcnow()
    session.add(template)
    session.flush()
    return template
