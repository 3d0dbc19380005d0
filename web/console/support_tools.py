"""Support's tools a biller admin keeps: canned replies per language, and the labels conversations can carry.

Support staff use them in the conversation view and the inbox (web/console/conversations.py); an admin manages
the biller chosen in the switcher. Another biller's reply or label is 404, as if it did not exist.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from errors import DomainError, NotFound
from models.db import get_session, utcnow
from support.canned_replies import MAX_BODY, MAX_TITLE, PLACEHOLDERS, get_canned_reply, list_canned_replies
from support.conversation_labels import MAX_NAME, biller_labels, get_label
from web.console.base import ConsoleForm, Done, biller_admin_only, bp, console_action, managed_biller, render
from web.i18n import LANGUAGES
from workflows import user
from workflows.support_desk import create_label, delete_canned_reply, delete_label, save_canned_reply


class CannedReplyForm(ConsoleForm):
    title = StringField(lazy_gettext("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    language = SelectField(
        lazy_gettext("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    body = TextAreaField(lazy_gettext("Reply"), validators=[DataRequired(), Length(max=MAX_BODY)])


class LabelForm(ConsoleForm):
    name = StringField(lazy_gettext("Label"), validators=[DataRequired(), Length(max=MAX_NAME)])


def _refused(exc: DomainError, form: ConsoleForm) -> None:
    """Show a refusal beside its field (and flashed, for the top of the page)."""
    get_session().rollback()
    field = form._fields.get(exc.field or "")
    if field is not None:
        field.errors = [*field.errors, exc.message]
    label = field.label.text if field is not None else gettext("Error")
    flash(f"{label}: {exc.message}", "error")


def _saved_reply(form: CannedReplyForm, reply=None):
    """Save the posted reply through the workflow; the page again (422) when refused."""
    session = get_session()
    biller = managed_biller()
    try:
        saved = save_canned_reply(
            session=session,
            actor=user(current_user.id),
            now=utcnow(),
            biller_id=biller.id,
            title=form.title.data,
            language=form.language.data,
            body=form.body.data,
            reply=reply,
        )
    except DomainError as exc:
        _refused(exc, form)
        return None
    session.commit()
    flash(gettext("Canned reply “%(title)s” saved.", title=saved.title), "success")
    return redirect(url_for("console.canned_replies", biller=biller.id))


@bp.route("/canned-replies", methods=["GET", "POST"])
@biller_admin_only
def canned_replies():
    """The biller's canned replies by language; POST adds one."""
    biller = managed_biller()
    form = CannedReplyForm()
    if form.validate_on_submit() and (done := _saved_reply(form)):
        return done
    replies = list_canned_replies(session=get_session(), biller_id=biller.id)
    status = 422 if form.errors else 200
    return render(
        "canned_replies.html", form=form, biller=biller, replies=replies, languages=LANGUAGES, placeholders=PLACEHOLDERS
    ), status


def _reply_or_404(reply_id: int):
    try:
        return get_canned_reply(session=get_session(), biller_id=managed_biller().id, reply_id=reply_id)
    except NotFound:
        abort(404)


@bp.route("/canned-replies/<int:reply_id>", methods=["GET", "POST"])
@biller_admin_only
def edit_canned_reply(reply_id: int):
    """Change one canned reply."""
    reply = _reply_or_404(reply_id)
    form = CannedReplyForm(obj=reply) if request.method == "GET" else CannedReplyForm()
    if form.validate_on_submit() and (done := _saved_reply(form, reply)):
        return done
    status = 422 if form.errors else 200
    return render(
        "canned_reply.html", form=form, biller=managed_biller(), reply=reply, placeholders=PLACEHOLDERS
    ), status


def _back_to_replies(**_) -> str:
    return url_for("console.canned_replies")


@bp.post("/canned-replies/<int:reply_id>/delete")
@biller_admin_only
@console_action("canned_reply.delete", back=_back_to_replies)
def remove_canned_reply(session, reply_id: int):
    """Delete a canned reply (the workflow writes the audit)."""
    reply = _reply_or_404(reply_id)
    title, biller_id = reply.title, reply.biller_id
    delete_canned_reply(session=session, actor=user(current_user.id), now=utcnow(), reply=reply)
    message = gettext("Canned reply “%(title)s” deleted.", title=title)
    return Done(to=url_for("console.canned_replies", biller=biller_id), message=message, audited=False)


@bp.route("/labels", methods=["GET", "POST"])
@biller_admin_only
def labels():
    """The biller's labels; POST adds one."""
    session = get_session()
    biller = managed_biller()
    form = LabelForm()
    if form.validate_on_submit():
        try:
            label = create_label(
                session=session, actor=user(current_user.id), now=utcnow(), biller_id=biller.id, name=form.name.data
            )
        except DomainError as exc:
            _refused(exc, form)
        else:
            session.commit()
            flash(gettext("Label “%(name)s” added.", name=label.name), "success")
            return redirect(url_for("console.labels", biller=biller.id))
    status = 422 if form.errors else 200
    return render(
        "labels.html", form=form, biller=biller, labels=biller_labels(session=session, biller_id=biller.id)
    ), status


def _back_to_labels(**_) -> str:
    return url_for("console.labels")


@bp.post("/labels/<int:label_id>/delete")
@biller_admin_only
@console_action("label.delete", back=_back_to_labels)
def remove_label(session, label_id: int):
    """Delete a label; conversations that carried it lose it."""
    try:
        label = get_label(session=session, biller_id=managed_biller().id, label_id=label_id)
    except NotFound:
        abort(404)
    name, biller_id = label.name, label.biller_id
    delete_label(session=session, actor=user(current_user.id), now=utcnow(), label=label)
    message = gettext("Label “%(name)s” deleted.", name=name)
    return Done(to=url_for("console.labels", biller=biller_id), message=message, audited=False)
