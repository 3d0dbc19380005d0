"""Biller settings in the console: payee details, payment apps, contact hours and days, bill-fetch endpoint."""

from __future__ import annotations

from datetime import time

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from billing.apps import catalogue
from billing.biller_secrets import set_bill_fetch_endpoint, set_payment_webhook_secret
from billing.billers import update_biller_profile
from billing.outbound import OutboundPolicy
from billing.upi import vpa_looks_personal
from config import current_settings
from errors import DomainError, InvalidInput
from models.db import get_session
from models.vocab import AmountExactness
from scheduler.calendar import indian_states
from web.console.base import ConsoleForm, audit, biller_admin_only, bp, managed_biller, render

TIME_ZONES = ("Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Dubai", "Asia/Singapore", "Europe/London", "UTC")
AMOUNT_RULES = {
    "EXACT": "exactly the amount due",
    "ANY": "any amount",
    "MIN": "at least a minimum",
    "RANGE": "between a minimum and a maximum",
}


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes (no Ctrl-click list cut off at the edge)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(ConsoleForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    upi_vpa = StringField("UPI VPA", validators=[DataRequired(), Length(max=255)])
    payee_name = StringField("Payee name", validators=[DataRequired(), Length(max=100)])
    merchant_category_code = StringField("Merchant category code", validators=[DataRequired(), Length(4, 4)])
    default_amount_exactness = SelectField(
        "Amount rule", choices=[SelectChoice(r.value, AMOUNT_RULES.get(r.value, r.value)) for r in AmountExactness]
    )
    payment_apps = CheckboxesField("Payment apps", choices=[SelectChoice(a.id, a.name) for a in catalogue().values()])
    contact_hours_start = StringField("Contact from (HH:MM)", validators=[DataRequired()])
    contact_hours_end = StringField("Contact until (HH:MM)", validators=[DataRequired()])
    skip_sundays = BooleanField("No reminders on Sundays")
    skip_public_holidays = BooleanField("No reminders on India's public holidays")
    holiday_state = SelectField(
        lazy_gettext("State whose holidays also count"),
        choices=[SelectChoice("", lazy_gettext("None: India's national holidays only"))]
        + [SelectChoice(code, name) for code, name in indian_states().items()],
    )
    timezone = SelectField("Time zone", choices=[SelectChoice(zone, zone) for zone in TIME_ZONES])
    bill_fetch_url = StringField("Bill fetch endpoint", validators=[Optional(), Length(max=500)])
    bill_fetch_secret = PasswordField(
        "Bill fetch secret (leave empty to keep)", validators=[Optional(), Length(max=200)]
    )
    payment_webhook_secret = PasswordField(
        "Payment webhook secret (leave empty to keep)", validators=[Optional(), Length(max=200)]
    )


def _hhmm(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidInput("must look like 09:00", field=field) from None


@bp.route("/settings", methods=["GET", "POST"])
@biller_admin_only
def biller_settings():
    """The biller's payee details, amount rule, payment apps, contact hours and days, and bill-fetch endpoint."""
    session = get_session()
    biller = managed_biller()
    form = ProfileForm(obj=biller) if request.method == "GET" else ProfileForm()
    if biller.timezone not in TIME_ZONES:
        form.timezone.choices = [*form.timezone.choices, SelectChoice(biller.timezone, biller.timezone)]
    if request.method == "POST" and not request.form.get("timezone"):
        form.timezone.data = biller.timezone  # a client that does not send the zone keeps the biller's
    if request.method == "POST" and "holiday_state" not in request.form:
        form.holiday_state.data = biller.holiday_state or ""  # nor one that does not send the state
    if request.method == "GET":
        form.contact_hours_start.data = biller.contact_hours_start.strftime("%H:%M")
        form.contact_hours_end.data = biller.contact_hours_end.strftime("%H:%M")
        form.bill_fetch_secret.data = form.payment_webhook_secret.data = ""
    elif form.validate_on_submit():
        try:
            update_biller_profile(
                session=session,
                biller=biller,
                name=form.name.data,
                upi_vpa=form.upi_vpa.data,
                payee_name=form.payee_name.data,
                merchant_category_code=form.merchant_category_code.data,
                default_amount_exactness=form.default_amount_exactness.data,
                payment_apps=form.payment_apps.data,
                contact_hours_start=_hhmm(form.contact_hours_start.data, "contact_hours_start"),
                contact_hours_end=_hhmm(form.contact_hours_end.data, "contact_hours_end"),
                skip_sundays=form.skip_sundays.data,
                skip_public_holidays=form.skip_public_holidays.data,
                timezone=form.timezone.data,
                holiday_state=form.holiday_state.data or None,
            )
            set_bill_fetch_endpoint(
                session=session,
                biller=biller,
                url=form.bill_fetch_url.data,
                secret=form.bill_fetch_secret.data or None,
                policy=OutboundPolicy.from_settings(current_settings()),
            )
            if form.payment_webhook_secret.data:
                set_payment_webhook_secret(session=session, biller=biller, secret=form.payment_webhook_secret.data)
        except DomainError as exc:
            session.rollback()
            flash(f"{(exc.field or 'settings').replace('_', ' ')}: {exc.message}", "error")
            return render(
                "settings.html", form=form, biller=biller, vpa_looks_personal=vpa_looks_personal(biller.upi_vpa)
            ), 422
        audit(session, biller.id, action="biller.update", subject_type="biller", subject_id=biller.id)
        session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("console.biller_settings", biller=biller.id))
    status = 422 if form.errors else 200
    return render(
        "settings.html", form=form, biller=biller, vpa_looks_personal=vpa_looks_personal(biller.upi_vpa)
    ), status
