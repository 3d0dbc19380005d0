"""What every console page shares: the blueprint, forms, who may see what, and the one action decorator.

Area modules (conversations, customers, admin, …) import from here and register their routes on `bp`;
`web/console/__init__.py` imports the areas, so nothing here knows about them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from accounts.audit import record_audit
from accounts.users import biller_scope, sees_biller
from billing.text import text_problem
from errors import DomainError
from models import Biller, Conversation, Customer
from models.db import get_session
from models.vocab import Role
from workflows import user

WEB_DIR = Path(__file__).resolve().parent.parent
bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder=str(WEB_DIR / "templates"),
)

# Permissions by role: the navigation and the decorators read the same table.
MANAGE_BILLER = "manage_biller"
SUPPORT = "support"
SWITCH_BILLER = "switch_biller"
PERMISSIONS = {
    Role.ADMIN.value: {MANAGE_BILLER, SUPPORT, SWITCH_BILLER},
    Role.BILLER_ADMIN.value: {MANAGE_BILLER, SUPPORT},
    Role.SUPPORT.value: {SUPPORT},
}
CHOSEN_BILLER = "console_biller"  # the biller an admin works on, kept in the signed session cookie


def can(permission: str) -> bool:
    """Whether the signed-in user holds this permission."""
    return current_user.is_authenticated and permission in PERMISSIONS.get(current_user.role, set())


class ConsoleForm(FlaskForm):
    """A console form that also refuses NUL, control and bidi-override characters in anything posted with it."""

    def validate(self, extra_validators=None) -> bool:
        """The form's own checks, then the text rule on every submitted value, each problem named and flashed."""
        valid = super().validate(extra_validators)
        for name, value in request.form.items(multi=True):
            problem = text_problem(value)
            if problem:
                form_field = self._fields.get(name)
                label = form_field.label.text if form_field is not None else name
                if form_field is not None:
                    form_field.errors = [*form_field.errors, problem]
                flash(f"{label}: {problem}.", "error")
                valid = False
        return valid


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""


def staff_only(view):
    """Signed-in admins, biller admins and support staff."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can(SUPPORT):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def biller_admin_only(view):
    """Biller admins (for their biller) and admins (for the biller they pick); support staff get 403."""

    @wraps(view)
    @staff_only
    def wrapped(*args, **kwargs):
        if not can(MANAGE_BILLER):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def scoped(statement, biller_column):
    """Limit a query to the user's biller (admins see every biller)."""
    biller_id = biller_scope(current_user)
    return statement if biller_id is None else statement.where(biller_column == biller_id)


def chosen_biller_id() -> int | None:
    """The biller the pages act on: the user's own; for admins ?biller=, the form's biller, or the one chosen."""
    if current_user.role != Role.ADMIN:
        return current_user.biller_id
    picked = request.args.get("biller", type=int) or request.form.get("biller", type=int)
    if picked:
        flask_session[CHOSEN_BILLER] = picked
        return picked
    return flask_session.get(CHOSEN_BILLER)


def managed_biller() -> Biller:
    """The biller these pages act on; an admin who has not chosen one is sent to choose (never a dead end)."""
    biller_id = chosen_biller_id()
    biller = get_session().get(Biller, biller_id) if biller_id else None
    if biller is None:
        if current_user.role == Role.ADMIN:
            flask_session.pop(CHOSEN_BILLER, None)
            abort(redirect(url_for("console.choose_biller", next=request.full_path)))
        abort(404)
    return biller


def conversation_or_404(conversation_id: int) -> tuple[Conversation, Customer]:
    """One biller's conversation with its customer; 404 for another biller's, or the person's own thread."""
    session = get_session()
    conversation = session.get(Conversation, conversation_id)
    customer = session.get(Customer, conversation.customer_id) if conversation and conversation.customer_id else None
    if customer is None or conversation.biller_id != customer.biller_id:
        abort(404)  # a thread of no biller (the person's own) is no biller's to read
    if not sees_biller(current_user, conversation.biller_id):
        abort(404)  # another biller's conversation does not exist, as far as this user can tell
    return conversation, customer


def actor() -> str:
    """How the audit log names the signed-in user."""
    return str(user(current_user.id))


def audit(
    session,
    biller_id: int | None,
    *,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    detail: dict | None = None,
) -> None:
    """Record that the signed-in user did this."""
    record_audit(
        session=session,
        biller_id=biller_id,
        actor=actor(),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
    )


def render(template: str, **context):
    return render_template(f"console/{template}", **context)


@dataclass
class Done:
    """What a console action did: where to go next, what to tell the user, and what to audit."""

    to: str
    message: str | None = None
    biller_id: int | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    detail: dict | None = None
    audited: bool = True
    kind: str = field(default="success")


def console_action(action: str, *, back: Callable[..., str]):
    """The console's POST pattern, written once: CSRF check → the view acts → audit → commit → flash → redirect.

    The view gets the session and the route's arguments and returns `Done`; a `DomainError` it raises is rolled
    back and flashed as an error, and the user goes `back(**route arguments)`.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(**kwargs):
            if not ActionForm().validate_on_submit():
                abort(400)
            session = get_session()
            try:
                done = view(session=session, **kwargs)
            except DomainError as exc:
                session.rollback()
                flash(exc.message, "error")
                return redirect(back(**kwargs))
            if done.audited:
                audit(
                    session,
                    done.biller_id,
                    action=action,
                    subject_type=done.subject_type,
                    subject_id=done.subject_id,
                    detail=done.detail,
                )
            session.commit()
            if done.message:
                flash(done.message, done.kind)
            return redirect(done.to)

        return wrapped

    return decorate
