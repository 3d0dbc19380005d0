"""Message templates and a bill's messages, for billers' integrations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import select

from accounts.audit import record_audit
from api import route
from api.auth import current_biller
from api.errors import parse_json_body
from billing.bills import get_bill
from channels.template_store import save_template
from channels.templates import DEFAULT_TEMPLATES
from config import current_settings
from models import OutboundMessage
from models.db import get_session
from models.vocab import Channel, Language


class TemplateIn(BaseModel):
    """A biller's wording for one message, channel and language."""

    model_config = ConfigDict(extra="forbid")

    # Checked by save_template, the rule's one home; the enums tell integrators the choices up front.
    key: Annotated[str, Field(json_schema_extra={"enum": sorted(DEFAULT_TEMPLATES)})]
    channel: Annotated[str, Field(json_schema_extra={"enum": [channel.value for channel in Channel]})]
    language: Annotated[str, Field(json_schema_extra={"enum": [language.value for language in Language]})]
    body: Annotated[str, StringConstraints(min_length=1, max_length=1600)]
    content_sid: str | None = None
    dlt_template_id: Annotated[str, StringConstraints(max_length=40)] | None = None


class TemplatePublic(TemplateIn):
    """A saved template."""

    model_config = ConfigDict(extra="ignore")
    updated_at: datetime


class MessagePublic(BaseModel):
    """One message sent (or being sent) about a bill."""

    id: int
    channel: str
    template: str | None
    status: str
    error_code: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None


class MessageList(BaseModel):
    """A bill's messages, oldest first."""

    messages: list[MessagePublic]


@route(
    "POST", "/templates", summary="Create or replace a message template", request=TemplateIn, response=TemplatePublic
)
def put_template():
    """Save a template; one that names an unknown variable or lacks the link is refused now, not at send time."""
    data = parse_json_body(TemplateIn)
    session = get_session()
    biller = current_biller()
    template = save_template(
        session=session, biller_id=biller.id, max_sms_segments=current_settings().sms_max_segments, **data.model_dump()
    )
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=f"api_key:{g.api_key_id}",
        action="template.save",
        subject_type="template",
        subject_id=template.id,
        detail={"key": data.key, "channel": data.channel, "language": data.language},
    )
    session.commit()
    return jsonify(TemplatePublic.model_validate(template, from_attributes=True).model_dump(mode="json"))


@route(
    "GET",
    "/bills/<int:bill_id>/messages",
    summary="Messages sent about a bill, with delivery status",
    response=MessageList,
)
def bill_messages(bill_id: int):
    """Every message about the bill: channel, template, delivery status and error code."""
    session = get_session()
    bill = get_bill(session=session, biller_id=current_biller().id, bill_id=bill_id)
    rows = session.exec(
        select(OutboundMessage).where(OutboundMessage.bill_id == bill.id).order_by(OutboundMessage.id)
    ).all()
    messages = [
        MessagePublic(
            id=row.id,
            channel=row.channel,
            template=row.template_key,
            status=row.status,
            error_code=row.error_code,
            attempts=row.attempts,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )
        for row in rows
    ]
    return jsonify(MessageList(messages=messages).model_dump(mode="json"))
