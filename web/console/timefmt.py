"""One way to show a moment in the console: in the biller's time zone, with the zone named ("10:00 IST")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import g
from flask_login import current_user

from models import Biller
from models.db import get_session
from support.labels import app_label, channel_label, failure_label, status_label, template_label
from web.console.base import bp

DEFAULT_ZONE = "Asia/Kolkata"
FORMATS = {"full": "%d %b %Y %H:%M", "short": "%d %b %H:%M", "day": "%a %d %b %Y %H:%M", "time": "%H:%M"}


def _zone_of(biller: Biller | int | None) -> str:
    if isinstance(biller, Biller):
        return biller.timezone
    biller_id = biller if isinstance(biller, int) else getattr(current_user, "biller_id", None)
    if biller_id is None:
        return DEFAULT_ZONE
    cache = g.setdefault("console_zones", {})
    if biller_id not in cache:
        row = get_session().get(Biller, biller_id)
        cache[biller_id] = row.timezone if row else DEFAULT_ZONE
    return cache[biller_id]


def local_time(moment: datetime | date | None, biller: Biller | int | None = None, style: str = "full") -> str:
    """The moment in the biller's zone (the signed-in user's biller if none is given), labelled with the zone."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return moment.strftime("%d %b %Y")
    if moment.tzinfo is None:  # stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(_zone_of(biller)))
    return f"{local.strftime(FORMATS.get(style, style))} {local.tzname()}"


bp.add_app_template_filter(local_time, "at")
bp.add_app_template_filter(channel_label, "channel_name")
bp.add_app_template_filter(app_label, "app_name")
bp.add_app_template_filter(failure_label, "failure_name")
bp.add_app_template_filter(status_label, "status_name")
bp.add_app_template_filter(template_label, "template_name")
