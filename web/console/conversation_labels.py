"""Labels on a conversation: support puts the biller's labels on it and takes them off (the inbox filters by them)."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext
from flask_login import current_user

from errors import NotFound
from models import Conversation
from models.db import utcnow
from support.conversation_labels import get_label
from web.console.base import Done, bp, console_action, conversation_or_404, staff_only
from workflows import user
from workflows.support_desk import label_conversation


def _back(conversation_id: int, **_) -> str:
    return url_for("console.conversation", conversation_id=conversation_id)


def _label_of(session, conversation: Conversation, label_id: int | None):
    try:
        return get_label(session=session, biller_id=conversation.biller_id, label_id=label_id or 0)
    except NotFound:
        abort(404)  # another biller's label does not exist here


def _label(session, conversation_id: int, label_id: int | None, *, on: bool, message: str) -> Done:
    conversation, _customer = conversation_or_404(conversation_id)
    label = _label_of(session, conversation, label_id)
    label_conversation(
        session=session, actor=user(current_user.id), now=utcnow(), conversation=conversation, label=label, on=on
    )
    return Done(to=_back(conversation.id), message=message % {"name": label.name}, audited=False)


@bp.post("/conversations/<int:conversation_id>/labels")
@staff_only
@console_action("conversation.label", back=_back)
def add_conversation_label(session, conversation_id: int):
    """Put one of the biller's labels on the conversation (the workflow writes the audit)."""
    label_id = request.form.get("label", type=int)
    return _label(session, conversation_id, label_id, on=True, message=gettext("Label “%(name)s” added."))


@bp.post("/conversations/<int:conversation_id>/labels/<int:label_id>/remove")
@staff_only
@console_action("conversation.unlabel", back=_back)
def remove_conversation_label(session, conversation_id: int, label_id: int):
    """Take a label off the conversation."""
    return _label(session, conversation_id, label_id, on=False, message=gettext("Label “%(name)s” removed."))
