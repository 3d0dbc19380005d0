"""A biller's own senders in the console: its SMS and WhatsApp numbers (or Messaging Service)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from billing.senders import SENDER_CHANNELS, remove_sender, sender_for, set_sender
from errors import DomainError
from models.db import get_session
from web.console.base import ConsoleForm, audit, biller_admin_only, bp, managed_biller, render


class SenderForm(ConsoleForm):
    channel = SelectField("Channel", choices=[SelectChoice(str(c), str(c)) for c in SENDER_CHANNELS])
    address = StringField("Number customers write to (E.164, empty: the shared sender)", [Optional(), Length(max=20)])
    messaging_service_sid = StringField("Twilio Messaging Service SID (optional)", [Optional(), Length(max=34)])


@bp.route("/settings/senders", methods=["GET", "POST"])
@biller_admin_only
def biller_senders():
    """Set or clear the biller's own sender per channel; messages to it belong to this biller alone."""
    session = get_session()
    biller = managed_biller()
    form = SenderForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        channel = form.channel.data
        try:
            if form.address.data:
                sender = set_sender(
                    session=session,
                    biller_id=biller.id,
                    channel=channel,
                    address=form.address.data,
                    messaging_service_sid=form.messaging_service_sid.data or None,
                )
                detail = {"channel": channel, "address": sender.address}
                done = f"{channel} now goes from {sender.address}."
            else:
                remove_sender(session=session, biller_id=biller.id, channel=channel)
                detail, done = {"channel": channel}, f"{channel} now goes from the shared sender."
        except DomainError as exc:
            session.rollback()
            flash(f"{(exc.field or 'sender').replace('_', ' ')}: {exc.message}", "error")
        else:
            audit(
                session, biller.id, action="biller.sender", subject_type="biller", subject_id=biller.id, detail=detail
            )
            session.commit()
            flash(done, "success")
        return redirect(url_for("console.biller_senders", biller=biller.id))
    senders = {
        str(channel): sender_for(session=session, biller_id=biller.id, channel=channel) for channel in SENDER_CHANNELS
    }
    return render("senders.html", form=form, biller=biller, senders=senders)
