"""A biller's console users: add, deactivate, and set a temporary password (which ends their sessions)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlmodel import select
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from accounts.users import change_password, create_user, deactivate_user
from errors import DomainError, InvalidInput
from models import User
from models.db import get_session
from models.vocab import Role
from web.console.base import ConsoleForm, Done, audit, biller_admin_only, bp, console_action, managed_biller, render


class UserForm(ConsoleForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=200)])
    role = SelectField(
        "Role",
        choices=[SelectChoice(Role.SUPPORT.value, "support"), SelectChoice(Role.BILLER_ADMIN.value, "biller admin")],
    )


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
            session.rollback()
            flash(f"Not added: {exc.field}: {exc.message}", "error")
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
            flash(f"{user.email} added.", "success")
            return redirect(url_for("console.users", biller=biller.id))
    elif request.method == "POST":
        abort(400)
    people = session.exec(select(User).where(User.biller_id == biller.id).order_by(User.email)).all()
    return render("users.html", form=form, people=people, biller=biller)


def _user_of_biller(session, user_id: int) -> User:
    """A user of the biller being managed; 404 for anyone else's, and no acting on yourself here."""
    biller = managed_biller()
    user = session.get(User, user_id)
    if user is None or user.biller_id != biller.id:
        abort(404)
    if user.id == current_user.id:
        raise InvalidInput("Change your own account from another admin's session, not your own", field="user")
    return user


def _back(**_) -> str:
    return url_for("console.users")


@bp.post("/users/<int:user_id>/deactivate")
@biller_admin_only
@console_action("user.deactivate", back=_back)
def deactivate(session, user_id: int):
    """The user can no longer sign in; their open sessions end at once."""
    user = _user_of_biller(session, user_id)
    deactivate_user(session=session, user=user)
    return Done(
        to=_back(),
        message=f"{user.email} deactivated: signed out everywhere.",
        biller_id=user.biller_id,
        subject_type="user",
        subject_id=user.id,
    )


@bp.post("/users/<int:user_id>/password")
@biller_admin_only
@console_action("user.reset_password", back=_back)
def reset_password(session, user_id: int):
    """Set a temporary password to hand over in person; every session with the old one ends."""
    user = _user_of_biller(session, user_id)
    password = request.form.get("password") or ""
    if len(password) > 200:
        raise InvalidInput("Password: at most 200 characters", field="password")
    try:
        change_password(session=session, user=user, password=password)
    except InvalidInput as exc:
        raise InvalidInput(f"Password {exc.message}", field="password") from None
    return Done(
        to=_back(),
        message=f"Temporary password set for {user.email}; their sessions ended.",
        biller_id=user.biller_id,
        subject_type="user",
        subject_id=user.id,
    )
