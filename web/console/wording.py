"""The template editor: a biller's own wording per message, channel and language, previewed with sample values.

Choosing the message is a GET (it loads that message's wording: the biller's own, or the shipped one); the edit
form carries the choice in hidden fields, so the text in the box always belongs to the message named above it.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from sqlmodel import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from channels.template_store import SAMPLE_VALUES, save_template
from channels.templates import DEFAULT_TEMPLATES, TemplateError, default_template
from channels.templates import render as render_template_text
from config import current_settings
from errors import DomainError
from models import MessageTemplate
from models.db import get_session
from models.vocab import Channel
from support.labels import channel_label, template_label
from web.console.base import ConsoleForm, audit, biller_admin_only, bp, managed_biller, render

LANGUAGES = {"en": "English", "hi": "Hindi", "bn": "Bengali"}
CHANNELS = [c.value for c in Channel]


class ChooseForm(ConsoleForm):
    """Which message to edit (a GET form: no CSRF needed, nothing changes)."""

    class Meta:
        csrf = False

    key = SelectField(
        "Message",
        choices=[SelectChoice(key, template_label(key)) for key in DEFAULT_TEMPLATES],
        default="reminder_due_today",
    )
    channel = SelectField("Channel", choices=[SelectChoice(c, channel_label(c)) for c in CHANNELS], default="whatsapp")
    language = SelectField(
        "Language", choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()], default="en"
    )


class TemplateForm(ConsoleForm):
    key = HiddenField("Message", validators=[AnyOf(list(DEFAULT_TEMPLATES))])
    channel = HiddenField("Channel", validators=[AnyOf(CHANNELS)])
    language = HiddenField("Language", validators=[AnyOf(list(LANGUAGES))])
    body = TextAreaField("Text", validators=[DataRequired(), Length(max=1600)])
    content_sid = StringField("WhatsApp ContentSid", validators=[Optional(), Length(max=64)])
    dlt_template_id = StringField("SMS DLT template id", validators=[Optional(), Length(max=40)])


def _saved(session, biller_id: int, key: str, channel: str, language: str) -> MessageTemplate | None:
    return session.exec(
        select(MessageTemplate).where(
            MessageTemplate.biller_id == biller_id,
            MessageTemplate.key == key,
            MessageTemplate.channel == channel,
            MessageTemplate.language == language,
        )
    ).first()


@bp.route("/templates", methods=["GET", "POST"])
@biller_admin_only
def templates():
    """The biller's own wording per message, channel and language, previewed with sample values."""
    session = get_session()
    biller = managed_biller()
    form = TemplateForm()
    preview, status = None, 200
    if request.method == "GET":
        choice = ChooseForm(request.args if "key" in request.args else None)
        if not choice.validate():
            choice = ChooseForm(formdata=None)
        key, channel, language = choice.key.data, choice.channel.data, choice.language.data
        own = _saved(session, biller.id, key, channel, language)
        form.key.data, form.channel.data, form.language.data = key, channel, language
        form.body.data = own.body if own else default_template(key, language)
        form.content_sid.data = own.content_sid if own else ""
        form.dlt_template_id.data = own.dlt_template_id if own else ""
    elif form.validate_on_submit():
        choice = ChooseForm(
            formdata=None, data={"key": form.key.data, "channel": form.channel.data, "language": form.language.data}
        )
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
                audit(session, biller.id, action="template.save", subject_type="template", subject_id=template.id)
                session.commit()
                flash(
                    f"Template saved: {template_label(template.key)}, {channel_label(template.channel)}, "
                    f"{LANGUAGES[template.language]}.",
                    "success",
                )
                return redirect(
                    url_for(
                        "console.templates",
                        biller=biller.id,
                        key=template.key,
                        channel=template.channel,
                        language=template.language,
                    )
                )
        except (DomainError, TemplateError) as exc:
            session.rollback()
            flash(f"Not saved: {getattr(exc, 'message', str(exc))}", "error")
            preview, status = None, 422
    else:
        choice = ChooseForm(formdata=None)
        status = 422 if request.method == "POST" else 200
    saved = session.exec(
        select(MessageTemplate)
        .where(MessageTemplate.biller_id == biller.id)
        .order_by(MessageTemplate.key, MessageTemplate.channel, MessageTemplate.language)
    ).all()
    return render(
        "templates.html", form=form, choice=choice, saved=saved, preview=preview, biller=biller, languages=LANGUAGES
    ), status
