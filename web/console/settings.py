"""Biller settings in the console: payee details, payment apps, contact hours and days, Bharat Connect and UPI
purpose, over-payment tolerance, bill-fetch endpoint."""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from billing.apps import catalogue
from billing.biller_secrets import set_bill_fetch_endpoint, set_payment_webhook_secret
from billing.billers import update_biller_profile, update_payment_options
from billing.outbound import OutboundPolicy
from billing.upi import PURPOSE_CODES, vpa_looks_personal
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
    bbps_biller_id = StringField("Bharat Connect (BBPS) biller ID", validators=[Optional(), Length(max=20)])
    upi_purpose = SelectField(  # checked by billing.billers, whose refusal names the codes it accepts
        "UPI purpose code",
        choices=[SelectChoice("", "Not sent")]
        + [SelectChoice(code, f"{code} · {name}") for code, name in PURPOSE_CODES.items()],
        validate_choice=False,
    )
    overpayment_tolerance = StringField("Over-payment kept without a ticket (₹)", validators=[Length(max=20)])
    bill_fetch_url = StringField("Bill fetch endpoint", validators=[Optional(), Length(max=500)])
    bill_fetch_secret = PasswordField(
        "Bill fetch secret (leave empty to keep)", validators=[Optional(), Length(max=200)]
    )
    payment_webhook_secret = PasswordField(
        "Payment webhook secret (leave empty to keep)", validators=[Optional(), Length(max=200)]
    )


# A refusal from billing names the column; the form's field for it, where the two differ.
FORM_FIELD = {"overpayment_tolerance_paise": "overpayment_tolerance"}


def _paise(text: str | None) -> int:
    """Rupees as typed ("10", "2.50", "₹1,000"; empty is none) as paise."""
    try:
        value = Decimal((text or "").strip().replace(",", "").removeprefix("₹") or "0")
        if value != value.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        raise InvalidInput(
            "must be an amount in rupees, such as 10 or 2.50", field="overpayment_tolerance_paise"
        ) from None
    return int(value * 100)


def _hhmm(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidInput("must look like 09:00", field=field) from None


@bp.route("/settings", methods=["GET", "POST"])
@biller_admin_only
def biller_settings():
    """The biller's payee details, amount rule, payment apps, contact hours and days, Bharat Connect biller id,
    UPI purpose code, over-payment tolerance and bill-fetch endpoint; every change is in the audit log."""
    session = get_session()
    biller = managed_biller()
    form = ProfileForm(obj=biller) if request.method == "GET" else ProfileForm()
    if biller.timezone not in TIME_ZONES:
        form.timezone.choices = [*form.timezone.choices, SelectChoice(biller.timezone, biller.timezone)]
    if request.method == "POST" and not request.form.get("timezone"):
        form.timezone.data = biller.timezone  # a client that does not send the zone keeps the biller's
    if request.method == "POST":  # nor are fields a client does not send at all cleared (only empty ones)
        kept = {"bbps_biller_id": biller.bbps_biller_id, "upi_purpose": biller.upi_purpose}
        kept["overpayment_tolerance"] = f"{biller.overpayment_tolerance_paise / 100:.2f}"
        kept["holiday_state"] = biller.holiday_state or ""
        for name, value in kept.items():
            if name not in request.form:
                form[name].data = value
    if request.method == "GET":
        form.contact_hours_start.data = biller.contact_hours_start.strftime("%H:%M")
        form.contact_hours_end.data = biller.contact_hours_end.strftime("%H:%M")
        form.bill_fetch_secret.data = form.payment_webhook_secret.data = ""
        form.overpayment_tolerance.data = f"{biller.overpayment_tolerance_paise / 100:.2f}"
    elif form.validate_on_submit():
        before = biller.model_dump()
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
            update_payment_options(
                session=session,
                biller=biller,
                bbps_biller_id=form.bbps_biller_id.data,
                upi_purpose=form.upi_purpose.data,
                overpayment_tolerance_paise=_paise(form.overpayment_tolerance.data),
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
            name = FORM_FIELD.get(exc.field, exc.field or "")
            field = form._fields.get(name)
            if field is not None:
                field.errors.append(exc.message)  # next to the field, as well as at the top
            flash(f"{(name or 'settings').replace('_', ' ')}: {exc.message}", "error")
            return render(
                "settings.html", form=form, biller=biller, vpa_looks_personal=vpa_looks_personal(biller.upi_vpa)
            ), 422
        after = biller.model_dump()
        changed = sorted(name for name, value in after.items() if before.get(name) != value)  # names, not values
        audit(
            session,
            biller.id,
            action="biller.update",
            subject_type="biller",
            subject_id=biller.id,
            detail={"changed": changed},
        )
        session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("console.biller_settings", biller=biller.id))
    status = 422 if form.errors else 200
    return render(
        "settings.html", form=form, biller=biller, vpa_looks_personal=vpa_looks_personal(biller.upi_vpa)
    ), status
