"""Signing in and out of the console, and the session rules: idle timeout, absolute lifetime, ended sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import abort, flash, redirect, url_for
from flask import session as flask_session
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlmodel import select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from accounts import signin_throttle
from accounts.audit import record_audit
from accounts.users import authenticate, end_sessions
from extensions import limiter
from models import User
from models.db import MAX_ID, get_session, utcnow
from shared_state import current_state
from web.console.base import ActionForm, ConsoleForm, bp, render

login_manager = LoginManager()
login_manager.login_view = "console.login"
login_manager.login_message_category = "info"

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


class LoginForm(ConsoleForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], scope="console-login")
def login():
    """Email and password; the same answer whether the email exists or not."""
    form = LoginForm()
    if form.validate_on_submit():
        session, state, now = get_session(), current_state(), utcnow()
        wait = signin_throttle.seconds_to_wait(state=state, email=form.email.data, now=now)
        if wait:
            flash(f"Too many wrong passwords for this account. Try again in {wait} second{'s' * (wait != 1)}.", "error")
            return render("login.html", form=form), 429, {"Retry-After": str(wait)}
        user = authenticate(session=session, email=form.email.data, password=form.password.data)
        session.commit()
        if user is None:
            signin_throttle.record_failure(state=state, email=form.email.data, now=now)
            known = session.exec(select(User).where(User.email == form.email.data.strip().lower())).first()
            if known is not None:  # an unknown email names no biller's user: nothing to audit, and no PII kept
                record_audit(
                    session=session,
                    biller_id=known.biller_id,
                    actor="anonymous",
                    action="user.login_failed",
                    subject_type="user",
                    subject_id=known.id,
                )
                session.commit()
        else:
            signin_throttle.record_success(state=state, email=form.email.data)
            login_user(ConsoleUser.of(user))
            _start_session_clock(now.timestamp())
            record_audit(session=session, biller_id=user.biller_id, actor=f"user:{user.id}", action="user.login")
            session.commit()
            return redirect(url_for("console.inbox"))
        flash("Wrong email or password.", "error")
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
