"""The catalogue of UPI payment apps, loaded from payment_apps.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


def apps_for(enabled_ids: list[str], *, preferred: str | None = None) -> list[PaymentApp]:
    """The biller's enabled apps in catalogue order, the customer's preferred app first."""
    known = catalogue()
    apps = [known[app_id] for app_id in known if app_id in enabled_ids]
    return sorted(apps, key=lambda app: app.id != preferred)
