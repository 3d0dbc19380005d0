"""Console pages for biller admins: the dashboard, API keys, the audit log, and an admin's biller switcher."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask import session as flask_session
from flask_login import current_user
from sqlmodel import select

from accounts.actors import actor_names
from billing import reports
from billing.billers import issue_api_key, revoke_api_key
from models import ApiKey, AuditEvent, Biller
from models.db import get_session, utcnow
from models.vocab import Role
from support.labels import app_label, channel_label, failure_label
from web.console.base import (
    CHOSEN_BILLER,
    ActionForm,
    Done,
    audit,
    biller_admin_only,
    bp,
    console_action,
    managed_biller,
    render,
)

AUDIT_PAGE = 100


@bp.get("/dashboard")
@biller_admin_only
def dashboard():
    """What is outstanding and collected, and how reminders turn into payments."""
    session, now = get_session(), utcnow()
    biller = managed_biller()
    apps, qr_views = reports.apps_chosen(session=session, biller=biller)
    return render(
        "dashboard.html",
        biller=biller,
        totals=reports.totals(session=session, biller=biller),
        funnel=reports.funnel(session=session, biller=biller),
        paid_unreminded=reports.paid_without_reminder(session=session, biller=biller),
        apps=apps,
        qr_views=qr_views,
        failures=reports.failures(session=session, biller=biller),
        daily=reports.collected_by_day(session=session, biller=biller, now=now),
        by_step=reports.funnel_by_step(session=session, biller=biller),
        weekly_rate=reports.collection_rate_by_week(session=session, biller=biller, now=now),
        channel_name=channel_label,
        app_name=app_label,
        failure_name=failure_label,
    )


@bp.route("/billers", methods=["GET", "POST"])
@biller_admin_only
def choose_biller():
    """Admins: pick the biller the admin pages act on (kept for the session). Others: their own biller."""
    if current_user.role != Role.ADMIN:
        return redirect(url_for("console.dashboard"))
    session = get_session()
    next_page = request.values.get("next") or url_for("console.dashboard")
    if not next_page.startswith("/console/") or next_page.startswith("//"):
        next_page = url_for("console.dashboard")
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        biller = session.get(Biller, request.form.get("biller", type=int) or 0)
        if biller is None:
            abort(404)
        flask_session[CHOSEN_BILLER] = biller.id
        return redirect(next_page)
    billers = session.exec(select(Biller).order_by(Biller.name)).all()
    return render("billers.html", billers=billers, next_page=next_page, action_form=ActionForm())


def _keys(session, biller: Biller) -> list[ApiKey]:
    return session.exec(select(ApiKey).where(ApiKey.biller_id == biller.id).order_by(ApiKey.id)).all()


@bp.get("/api-keys")
@biller_admin_only
def api_keys():
    """The biller's API keys (never their secrets)."""
    biller = managed_biller()
    keys = _keys(get_session(), biller)
    return render("api_keys.html", keys=keys, biller=biller, action_form=ActionForm(), new_key=None)


@bp.post("/api-keys")
@biller_admin_only
def create_api_key():
    """Create a key and show it this once (so the page renders rather than redirects)."""
    biller = managed_biller()
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    name = (request.form.get("name") or "console").strip()[:80] or "console"
    plain = issue_api_key(session=session, biller_id=biller.id, name=name)
    audit(session, biller.id, action="api_key.create", detail={"name": name})
    session.commit()
    return render("api_keys.html", keys=_keys(session, biller), biller=biller, action_form=ActionForm(), new_key=plain)


@bp.post("/api-keys/<int:key_id>/revoke")
@biller_admin_only
@console_action("api_key.revoke", back=lambda **_: url_for("console.api_keys"))
def revoke_key(session, key_id: int):
    """Stop a key working at once."""
    biller = managed_biller()
    key = session.get(ApiKey, key_id)
    if key is None or key.biller_id != biller.id:
        abort(404)
    revoke_api_key(session=session, api_key=key)
    return Done(
        to=url_for("console.api_keys", biller=biller.id),
        message=f"Key “{key.name}” revoked.",
        biller_id=biller.id,
        subject_type="api_key",
        subject_id=key.id,
    )


@bp.get("/audit")
@biller_admin_only
def audit_log():
    """Every admin, agent and integration action on this biller, newest first, actors by email or key name."""
    biller = managed_biller()
    session = get_session()
    before = request.args.get("before", type=int)
    query = select(AuditEvent).where(AuditEvent.biller_id == biller.id)
    if before:
        query = query.where(AuditEvent.id < before)
    events = session.exec(query.order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)).all()
    names = actor_names(session=session, actors={event.actor for event in events})
    older = events[-1].id if len(events) == AUDIT_PAGE else None
    return render("audit.html", events=events, biller=biller, names=names, older=older)
