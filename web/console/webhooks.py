"""Webhook endpoints in the console: register one for the biller's systems, send a test event, read the log."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from sqlmodel import select
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from billing.outbound import OutboundPolicy
from config import current_settings
from errors import DomainError
from models.db import MAX_ID, get_session
from models.webhooks import EventType, WebhookDelivery
from web.console.base import ConsoleForm, audit, biller_admin_only, bp, managed_biller, render
from webhooks_out.endpoints import (
    WebhookEndpointIn,
    create_endpoint,
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    send_test,
)

LOG_SIZE = 50


class EndpointForm(ConsoleForm):
    url = StringField("URL of your system (https)", [DataRequired(), Length(max=2000)])
    events = SelectMultipleField(
        "Events",
        [DataRequired()],
        choices=[SelectChoice(str(event), str(event)) for event in EventType],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class EndpointActionForm(ConsoleForm):
    endpoint = IntegerField("Endpoint", [InputRequired(), NumberRange(min=1, max=MAX_ID)])


@bp.route("/settings/webhooks", methods=["GET", "POST"])
@biller_admin_only
def webhooks():
    """The biller's endpoints and their latest deliveries; POST registers a new endpoint."""
    session = get_session()
    biller = managed_biller()
    form = EndpointForm()
    new_secret = None
    if form.is_submitted():
        if not form.validate():
            abort(400)
        try:
            data = WebhookEndpointIn(url=form.url.data, events=form.events.data)
            policy = OutboundPolicy.from_settings(current_settings())
            endpoint = create_endpoint(session=session, biller_id=biller.id, data=data, policy=policy)
        except DomainError as exc:
            session.rollback()
            flash(f"{(exc.field or 'url').replace('_', ' ')}: {exc.message}")
        else:
            new_secret = endpoint.secret  # shown once, on this answer only (never put in the session cookie)
            audit(
                session,
                biller.id,
                action="webhook_endpoint.create",
                subject_type="webhook_endpoint",
                subject_id=endpoint.id,
            )
            session.commit()
            form = EndpointForm(formdata=None)
    endpoints = list_endpoints(session=session, biller_id=biller.id)
    log = session.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.biller_id == biller.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(LOG_SIZE)
    ).all()
    urls = {endpoint.id: endpoint.url for endpoint in endpoints}
    return render(
        "webhooks.html",
        form=form,
        action=EndpointActionForm(formdata=None),
        biller=biller,
        endpoints=endpoints,
        log=log,
        urls=urls,
        new_secret=new_secret,
    )


@bp.post("/settings/webhooks/test")
@biller_admin_only
def webhook_test():
    """Queue a signed `webhook.test` event for one endpoint; the worker sends it within a second or two."""
    session = get_session()
    biller = managed_biller()
    endpoint = _posted_endpoint(session, biller.id)
    try:
        send_test(session=session, endpoint=endpoint)
    except DomainError as exc:
        session.rollback()
        flash(exc.message)
        return redirect(url_for("console.webhooks", biller=biller.id))
    audit(session, biller.id, action="webhook_endpoint.test", subject_type="webhook_endpoint", subject_id=endpoint.id)
    session.commit()
    flash(f"A test event is on its way to {endpoint.url}.")
    return redirect(url_for("console.webhooks", biller=biller.id))


@bp.post("/settings/webhooks/delete")
@biller_admin_only
def webhook_delete():
    """Remove an endpoint and its log."""
    session = get_session()
    biller = managed_biller()
    endpoint = _posted_endpoint(session, biller.id)
    endpoint_id, url = endpoint.id, endpoint.url
    delete_endpoint(session=session, endpoint=endpoint)
    audit(session, biller.id, action="webhook_endpoint.delete", subject_type="webhook_endpoint", subject_id=endpoint_id)
    session.commit()
    flash(f"Removed {url}.")
    return redirect(url_for("console.webhooks", biller=biller.id))


def _posted_endpoint(session, biller_id: int):
    form = EndpointActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        return get_endpoint(session=session, biller_id=biller_id, endpoint_id=form.endpoint.data)
    except DomainError:
        abort(404)
