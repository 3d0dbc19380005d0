"""The console's frame: its stylesheet, and a navigation that fits the signed-in user's role."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import Response, request, url_for
from flask import session as flask_session
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlmodel import select

from channels.registry import console_only
from config import current_settings
from models import Biller
from models.db import get_session
from models.vocab import Role
from web.console.base import CHOSEN_BILLER, MANAGE_BILLER, SUPPORT, SWITCH_BILLER, WEB_DIR, bp, can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


SUPPORT_PAGES = (NavItem("console.inbox", "Inbox"), NavItem("console.search_customers", "Customers"))
ADMIN_PAGES = (
    NavItem("console.dashboard", "Dashboard"),
    NavItem("console.list_bills", "Bills"),
    NavItem("console.upload_bills", "Upload"),
    NavItem("console.reconciliation", "Reconciliation"),
    NavItem("console.cadences", "Cadences"),
    NavItem("console.templates", "Templates"),
    NavItem("console.canned_replies", lazy_gettext("Canned replies")),
    NavItem("console.labels", lazy_gettext("Labels")),
    NavItem("console.biller_settings", "Settings"),
    NavItem("console.users", "Users"),
    NavItem("console.api_keys", "API keys"),
    NavItem("console.audit_log", "Audit"),
)


@cache
def _stylesheet() -> bytes:
    return (WEB_DIR / "static" / "console.css").read_bytes()


@bp.get("/style.css")
def stylesheet():
    """The console's stylesheet, served from our origin (CSP: style-src 'self'; no CDN)."""
    return Response(_stylesheet(), mimetype="text/css")


def navigation() -> dict:
    """What the page frame shows: the links this user may follow, and for admins the biller switcher."""
    if not current_user.is_authenticated:
        return {"nav": [], "switcher_billers": [], "chosen_biller": None}
    items = list(SUPPORT_PAGES) if can(SUPPORT) else []
    if can(SUPPORT) and console_only(current_settings()):
        items.append(NavItem("console.simulator", "Simulator"))
    billers, chosen = [], None
    if can(SWITCH_BILLER):
        billers = get_session().exec(select(Biller.id, Biller.name).order_by(Biller.name)).all()
        chosen = flask_session.get(CHOSEN_BILLER)
    if can(MANAGE_BILLER) and (current_user.role != Role.ADMIN or chosen):
        items += ADMIN_PAGES
    elif can(MANAGE_BILLER):
        items.append(NavItem("console.choose_biller", "Choose a biller"))
    links = [
        {"href": url_for(item.endpoint), "label": item.label, "current": request.endpoint == item.endpoint}
        for item in items
    ]
    return {"nav": links, "switcher_billers": billers, "chosen_biller": chosen}


@bp.app_context_processor
def _frame() -> dict:
    """Console pages, and error pages under /console or at the root, get the frame; nothing else pays for it."""
    from web.console.errors import is_console_page

    return navigation() if is_console_page(request.path) else {}
