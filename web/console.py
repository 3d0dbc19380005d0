"""The console: sign-in, the support inbox, and a customer's conversation with reply and hand-back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlmodel import func, select
from wtforms import EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

from accounts import signin_throttle
from accounts.audit import record_audit
from accounts.users import authenticate, biller_scope, end_sessions, sees_biller
from billing.customers import whatsapp_window_open
from billing.text import text_problem
from extensions import limiter
from models import Bill, Complaint, Conversation, ConversationMessage, Customer, OutboundMessage, User
from models.db import MAX_ID, get_session, utcnow
from models.vocab import Channel, Role
from shared_state import current_state
from web.security import INLINE_CSS
from workflows import user
from workflows.conversations import hand_back as hand_back_conversation
from workflows.conversations import post_to_conversation

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
login_manager = LoginManager()
login_manager.login_view = "console.login"


IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=12)
_SEEN_RESOLUTION = timedelta(minutes=1)  # rewrite the cookie at most once a minute


@dataclass
class ConsoleUser:
    """The signed-in user as Flask-Login sees it."""

    id: int
    email: str
    role: str
    biller_id: int | None
    session_version: int = 0
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False

    @classmethod
    def of(cls, user: User) -> ConsoleUser:
        """The console's view of a stored user."""
        return cls(user.id, user.email, user.role, user.biller_id, user.session_version)

    def get_id(self) -> str:
        # The version travels in the cookie: raising it on the user ends every session signed in before.
        return f"{self.id}:{self.session_version}"


@login_manager.user_loader
def load_user(user_id: str) -> ConsoleUser | None:
    """The signed-in user, unless their sessions were ended or this one was idle or lived too long."""
    id_part, _, version = user_id.partition(":")
    valid_id = id_part.isdigit() and int(id_part) <= MAX_ID
    # Read the row afresh: another request (or process) may just have ended this user's sessions.
    user = get_session().get(User, int(id_part), populate_existing=True) if valid_id else None
    if user is None or not user.is_active or version != str(user.session_version):
        return None
    if not _session_is_current(utcnow().timestamp()):
        return None
    return ConsoleUser.of(user)


def _start_session_clock(now: float) -> None:
    flask_session["signed_in_at"] = flask_session["seen_at"] = now


def _session_is_current(now: float) -> bool:
    signed_in_at, seen_at = flask_session.get("signed_in_at"), flask_session.get("seen_at")
    if not isinstance(signed_in_at, float | int) or not isinstance(seen_at, float | int):
        return False
    if now - seen_at > IDLE_TIMEOUT.total_seconds() or now - signed_in_at > ABSOLUTE_LIFETIME.total_seconds():
        return False
    if now - seen_at > _SEEN_RESOLUTION.total_seconds():
        flask_session["seen_at"] = now
    return True


class ConsoleForm(FlaskForm):
    """A console form that also refuses NUL, control and bidi-override characters in anything posted with it."""

    def validate(self, extra_validators=None) -> bool:
        """The form's own checks, then the text rule on every submitted value, each problem named and flashed."""
        valid = super().validate(extra_validators)
        for name, value in request.form.items(multi=True):
            problem = text_problem(value)
            if problem:
                field = self._fields.get(name)
                label = field.label.text if field is not None else name
                if field is not None:
                    field.errors = [*field.errors, problem]
                flash(f"{label}: {problem}.")
                valid = False
        return valid


class LoginForm(ConsoleForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class ReplyForm(ConsoleForm):
    body = TextAreaField("Reply", validators=[DataRequired(), Length(max=1600)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""


def staff_only(view):
    """Signed-in admins, biller admins and support staff."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role not in {role.value for role in Role}:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def scoped(statement, biller_column):
    """Limit a query to the user's biller (admins see every biller)."""
    biller_id = biller_scope(current_user)
    return statement if biller_id is None else statement.where(biller_column == biller_id)


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
        actor=f"user:{current_user.id}",
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
    )


def render(template: str, **context):
    return render_template(f"console/{template}", inline_css=INLINE_CSS, **context)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], scope="console-login")
def login():
    """Email and password; the same answer whether the email exists or not."""
    form = LoginForm()
    if form.validate_on_submit():
        session, state, now = get_session(), current_state(), utcnow()
        wait = signin_throttle.seconds_to_wait(state=state, email=form.email.data, now=now)
        if wait:
            flash(f"Too many wrong passwords for this account. Try again in {wait} second{'s' * (wait != 1)}.")
            return render("login.html", form=form), 429, {"Retry-After": str(wait)}
        user = authenticate(session=session, email=form.email.data, password=form.password.data)
        session.commit()
        if user is None:
            signin_throttle.record_failure(state=state, email=form.email.data, now=now)
        else:
            signin_throttle.record_success(state=state, email=form.email.data)
            login_user(ConsoleUser.of(user))
            _start_session_clock(now.timestamp())
            record_audit(session=session, biller_id=user.biller_id, actor=f"user:{user.id}", action="user.login")
            session.commit()
            return redirect(url_for("console.inbox"))
        flash("Wrong email or password.")
        return render("login.html", form=form), 401
    return render("login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere (POST, with CSRF, so another site cannot sign you out): every copy of the cookie ends."""
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    user = session.get(User, current_user.id)
    end_sessions(session=session, user=user)
    record_audit(session=session, biller_id=user.biller_id, actor=f"user:{user.id}", action="user.logout")
    session.commit()
    logout_user()
    for key in ("signed_in_at", "seen_at"):
        flask_session.pop(key, None)
    return redirect(url_for("console.login"))


@bp.get("/")
@staff_only
def inbox():
    """Conversations that need a person: handovers, 'I already paid' claims, delivery failures."""
    session = get_session()
    query = scoped(
        select(Conversation, Customer)
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.needs_attention.is_not(None), Conversation.biller_id == Customer.biller_id)
        .order_by(Conversation.attention_since),
        Conversation.biller_id,
    )
    waiting = session.exec(query).all()
    counts: dict[str, int] = {}
    for conversation, _ in waiting:
        counts[conversation.needs_attention] = counts.get(conversation.needs_attention, 0) + 1
    complaints = {
        complaint.conversation_id: complaint
        for complaint in session.exec(
            select(Complaint)
            .where(Complaint.status == "open", Complaint.conversation_id.in_([c.id for c, _ in waiting]))
            .order_by(Complaint.id)
        ).all()
    }
    return render("inbox.html", waiting=waiting, counts=counts, complaints=complaints, action_form=ActionForm())


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


@bp.get("/conversations/<int:conversation_id>")
@staff_only
def conversation(conversation_id: int):
    """The customer's story: messages both ways with delivery status, and their bills."""
    conversation, customer = conversation_or_404(conversation_id)
    session = get_session()
    messages = session.exec(
        select(ConversationMessage, OutboundMessage)
        .join(OutboundMessage, OutboundMessage.id == ConversationMessage.outbound_message_id, isouter=True)
        .where(ConversationMessage.conversation_id == conversation.id)
        .order_by(ConversationMessage.id)
    ).all()
    bills = session.exec(select(Bill).where(Bill.customer_id == customer.id).order_by(Bill.due_date.desc())).all()
    window_open = conversation.channel != Channel.WHATSAPP or whatsapp_window_open(
        session=session, customer_id=customer.id, now=utcnow()
    )
    return render(
        "conversation.html",
        conversation=conversation,
        customer=customer,
        messages=messages,
        bills=bills,
        window_open=window_open,
        reply_form=ReplyForm(),
        action_form=ActionForm(),
    )


@bp.post("/conversations/<int:conversation_id>/reply")
@staff_only
def reply(conversation_id: int):
    """Answer the customer on their channel (free text only inside WhatsApp's 24-hour window)."""
    conversation, customer = conversation_or_404(conversation_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    if conversation.channel == Channel.WHATSAPP and not whatsapp_window_open(
        session=session, customer_id=customer.id, now=utcnow()
    ):
        flash("Outside the 24-hour WhatsApp window: only an approved template can be sent.")
        return redirect(url_for("console.conversation", conversation_id=conversation.id))
    post_as_agent(session, conversation, customer, body=form.body.data, action="conversation.reply")
    return redirect(url_for("console.conversation", conversation_id=conversation.id))


def post_as_agent(
    session,
    conversation: Conversation,
    customer: Customer,
    *,
    action: str,
    body: str | None = None,
    template_key: str | None = None,
    bill: Bill | None = None,
    variables: dict | None = None,
) -> None:
    """Queue a message from support in the conversation (free text, or a template about a bill), and audit it."""
    sequence = session.exec(
        select(func.count())
        .select_from(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation.id)
    ).one()
    post_to_conversation(
        session=session,
        actor=user(current_user.id),
        now=utcnow(),
        conversation=conversation,
        idempotency_key=f"agent:{conversation.id}:{sequence}:{current_user.id}",
        language=customer.language,
        body=body,
        template_key=template_key,
        bill=bill,
        variables=variables,
    )
    audit(
        session,
        customer.biller_id,
        action=action,
        subject_type="conversation",
        subject_id=conversation.id,
    )
    session.commit()


@bp.post("/conversations/<int:conversation_id>/hand-back")
@staff_only
def hand_back(conversation_id: int):
    """Give the conversation back to the bot and clear it from the inbox."""
    conversation, _customer = conversation_or_404(conversation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    hand_back_conversation(session=session, actor=user(current_user.id), now=utcnow(), conversation=conversation)
    session.commit()
    return redirect(url_for("console.inbox"))


# The console's other pages register their routes on bp.
from web import (  # noqa: E402,F401
    console_admin,
    console_jobs,
    console_senders,
    console_settings,
    console_simulator,
    console_support,
)
