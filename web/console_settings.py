"""Biller settings in the console: profile and payment apps, message templates with preview, users."""

from __future__ import annotations

from datetime import time

from flask import abort, flash, redirect, request, url_for
from sqlmodel import select
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from accounts.users import create_user
from billing.apps import catalogue
from billing.biller_secrets import set_bill_fetch_endpoint, set_payment_webhook_secret
from billing.billers import VPA_PATTERN
from billing.errors import DomainError
from billing.outbound import OutboundPolicy
from billing.upi import vpa_looks_personal
from channels.template_store import SAMPLE_VALUES, save_template
from channels.templates import DEFAULT_TEMPLATES, TemplateError, default_template
from channels.templates import render as render_template_text
from config import current_settings
from models import MessageTemplate, User
from models.db import get_session
from models.vocab import AmountExactness, Channel, Role
from web.console import ConsoleForm, audit, bp, render
from web.console_admin import biller_admin_only, managed_biller


class ProfileForm(ConsoleForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    upi_vpa = StringField("UPI VPA", validators=[DataRequired(), Length(max=255)])
    payee_name = StringField("Payee name", validators=[DataRequired(), Length(max=100)])
    merchant_category_code = StringField("Merchant category code", validators=[DataRequired(), Length(4, 4)])
    default_amount_exactness = SelectField(
        "Amount rule", choices=[SelectChoice(r.value, r.value) for r in AmountExactness]
    )
    payment_apps = SelectMultipleField(
        "Payment apps", choices=[SelectChoice(a.id, a.name) for a in catalogue().values()]
    )
    contact_hours_start = StringField("Contact from (HH:MM)", validators=[DataRequired()])
    contact_hours_end = StringField("Contact until (HH:MM)", validators=[DataRequired()])
    bill_fetch_url = StringField("Bill fetch endpoint", validators=[Optional(), Length(max=500)])
    bill_fetch_secret = PasswordField(
        "Bill fetch secret (leave empty to keep)", validators=[Optional(), Length(max=200)]
    )
    payment_webhook_secret = PasswordField(
        "Payment webhook secret (leave empty to keep)", validators=[Optional(), Length(max=200)]
    )


class TemplateForm(ConsoleForm):
    key = SelectField("Message", choices=[SelectChoice(key, key) for key in DEFAULT_TEMPLATES])
    channel = SelectField("Channel", choices=[SelectChoice(c.value, c.value) for c in Channel])
    language = SelectField("Language", choices=[SelectChoice(code, code) for code in ("en", "hi", "bn")])
    body = TextAreaField("Text", validators=[DataRequired(), Length(max=1600)])
    content_sid = StringField("WhatsApp ContentSid", validators=[Optional(), Length(max=64)])
    dlt_template_id = StringField("SMS DLT template id", validators=[Optional(), Length(max=40)])


class UserForm(ConsoleForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=200)])
    role = SelectField(
        "Role",
        choices=[SelectChoice(Role.SUPPORT.value, "support"), SelectChoice(Role.BILLER_ADMIN.value, "biller admin")],
    )


def _hhmm(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise DomainError("must look like 09:00", field=field) from None


@bp.route("/settings", methods=["GET", "POST"])
@biller_admin_only
def biller_settings():
    """The biller's payee details, amount rule, payment apps, contact hours and bill-fetch endpoint."""
    session = get_session()
    biller = managed_biller()
    form = ProfileForm(obj=biller) if request.method == "GET" else ProfileForm()
    if request.method == "GET":
        form.contact_hours_start.data = biller.contact_hours_start.strftime("%H:%M")
        form.contact_hours_end.data = biller.contact_hours_end.strftime("%H:%M")
        form.bill_fetch_secret.data = form.payment_webhook_secret.data = ""
    elif form.validate_on_submit():
        try:
            if not VPA_PATTERN.match(form.upi_vpa.data):
                raise DomainError("is not a UPI virtual payment address such as biller@bank", field="upi_vpa")
            if not form.merchant_category_code.data.isdigit():
                raise DomainError("must be four digits", field="merchant_category_code")
            start = _hhmm(form.contact_hours_start.data, "contact_hours_start")
            end = _hhmm(form.contact_hours_end.data, "contact_hours_end")
            if start >= end:
                raise DomainError("must end after it starts", field="contact_hours_end")
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
            flash(f"{exc.field.replace('_', ' ')}: {exc.message}")
        else:
            for field in (
                "name",
                "upi_vpa",
                "payee_name",
                "merchant_category_code",
                "default_amount_exactness",
                "payment_apps",
            ):
                setattr(biller, field, getattr(form, field).data)
            biller.contact_hours_start, biller.contact_hours_end = start, end
            session.add(biller)
            audit(
                session,
                biller.id,
                action="biller.update",
                subject_type="biller",
                subject_id=biller.id,
            )
            session.commit()
            flash("Saved.")
            return redirect(url_for("console.biller_settings", biller=biller.id))
    return render("settings.html", form=form, biller=biller, vpa_looks_personal=vpa_looks_personal(biller.upi_vpa))


@bp.route("/templates", methods=["GET", "POST"])
@biller_admin_only
def templates():
    """The biller's own wording per message, channel and language, previewed with sample values."""
    session = get_session()
    biller = managed_biller()
    form = TemplateForm()
    preview = None
    if request.method == "GET":
        form.body.data = default_template(form.key.data or "reminder_due_today", form.language.data or "en")
    elif form.validate_on_submit():
        try:
            preview = render_template_text(form.body.data, {**SAMPLE_VALUES, "biller_name": biller.name})
            if request.form.get("save") == "yes":
                template = save_template(
                    session=session,
                    biller_id=biller.id,
                    key=form.key.data,
                    channel=form.channel.data,
                    language=form.language.data,
                    body=form.body.data,
                    content_sid=form.content_sid.data or None,
                    dlt_template_id=form.dlt_template_id.data or None,
                    max_sms_segments=current_settings().sms_max_segments,
                )
                audit(
                    session,
                    biller.id,
                    action="template.save",
                    subject_type="template",
                    subject_id=template.id,
                )
                session.commit()
                flash("Template saved.")
                return redirect(url_for("console.templates", biller=biller.id))
        except (DomainError, TemplateError) as exc:
            flash(f"Not saved: {getattr(exc, 'message', str(exc))}")
            preview = None
    saved = session.exec(
        select(MessageTemplate)
        .where(MessageTemplate.biller_id == biller.id)
        .order_by(MessageTemplate.key, MessageTemplate.channel, MessageTemplate.language)
    ).all()
    return render("templates.html", form=form, saved=saved, preview=preview, biller=biller)


@bp.route("/users", methods=["GET", "POST"])
@biller_admin_only
def users():
    """The biller's console users; biller admins add support staff and other admins."""
    session = get_session()
    biller = managed_biller()
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                session=session,
                email=form.email.data,
                password=form.password.data,
                role=Role(form.role.data),
                biller_id=biller.id,
            )
        except DomainError as exc:
            flash(f"Not added: {exc.field}: {exc.message}")
        else:
            audit(
                session,
                biller.id,
                action="user.create",
                subject_type="user",
                subject_id=user.id,
                detail={"role": form.role.data},
            )
            session.commit()
            flash("User added.")
            return redirect(url_for("console.users", biller=biller.id))
    elif request.method == "POST":
        abort(400)
    people = session.exec(select(User).where(User.biller_id == biller.id).order_by(User.email)).all()
    return render("users.html", form=form, people=people, biller=biller)
