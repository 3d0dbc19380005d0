"""The catalogue of UPI payment apps, loaded from payment_apps.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from models.billers import DEFAULT_PAYMENT_APPS

_CATALOGUE_FILE = Path(__file__).with_name("payment_apps.json")


@dataclass(frozen=True)
class PaymentApp:
    """A UPI app a customer can be handed to."""

    id: str
    name: str
    android_package: str
    ios_scheme: str | None  # None: no known iOS payment scheme, so the app is offered on Android only
    source: str  # where the package and scheme come from, on the app's own line of payment_apps.json

    def offered_on(self, platform: str) -> bool:
        """Whether the app can be opened on this platform (android, ios or desktop)."""
        return platform != "ios" or self.ios_scheme is not None


@cache
def catalogue() -> dict[str, PaymentApp]:
    """Every known app by id, in the catalogue's order."""
    entries = json.loads(_CATALOGUE_FILE.read_text(encoding="utf-8"))["apps"]
    return {entry["id"]: PaymentApp(**entry) for entry in entries}


def enabled_app_ids(configured: object) -> list[str]:
    """The known app ids a biller's payment_apps names; the default apps when it names none.

    The column is JSON and can be set outside the settings form (by hand, by a script) to null, a string or a list of
    something else: the biller's customers are then offered the default apps rather than a page that fails.
    """
    if isinstance(configured, list):
        known = catalogue()
        enabled = [app_id for app_id in configured if isinstance(app_id, str) and app_id in known]
        if enabled:
            return enabled
    return list(DEFAULT_PAYMENT_APPS)


def apps_for(configured: object, *, preferred: str | None = None) -> list[PaymentApp]:
    """The biller's enabled apps (enabled_app_ids of its payment_apps) in catalogue order, the preferred app first."""
    known, enabled = catalogue(), set(enabled_app_ids(configured))
    apps = [known[app_id] for app_id in known if app_id in enabled]
    return sorted(apps, key=lambda app: app.id != preferred)
