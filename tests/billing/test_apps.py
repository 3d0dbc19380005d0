"""The UPI app catalogue (billing/payment_apps.json): one line per app, each naming the source of its schemes."""

from __future__ import annotations

import json
from pathlib import Path

from billing.apps import apps_for, catalogue
from models.billers import DEFAULT_PAYMENT_APPS

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "billing" / "payment_apps.json"


def test_every_app_is_one_line_naming_the_source_of_each_scheme():
    lines = [line for line in CATALOGUE_FILE.read_text(encoding="utf-8").splitlines() if '"id":' in line]
    assert len(lines) == len(catalogue()) == len(json.loads(CATALOGUE_FILE.read_text())["apps"])
    for line, app in zip(lines, catalogue().values(), strict=True):
        entry = json.loads(line.strip().rstrip(","))  # each line is a whole entry on its own
        assert entry["id"] == app.id
        android, _, ios = app.source.partition("; iOS: ")
        assert android.startswith("Android: ") and ios, app.id
        if app.ios_scheme is None:
            assert ios.startswith("none"), app.id  # and says why it is Android only
        else:
            assert app.ios_scheme.split("//")[0] + "//" in ios, app.id  # the source names the scheme it vouches for


def test_the_default_apps_are_the_catalogue_in_order():
    assert list(catalogue()) == DEFAULT_PAYMENT_APPS
    assert [app.id for app in apps_for(["bhim", "gpay"], preferred="bhim")] == ["bhim", "gpay"]


def test_stored_payment_apps_that_name_no_known_app_mean_the_default_apps():
    for stored in (None, "gpay", 7, {"gpay": True}, [1, {"id": "gpay"}], ["no-such-app"], []):
        assert [app.id for app in apps_for(stored)] == DEFAULT_PAYMENT_APPS, stored
    assert [app.id for app in apps_for(["bhim", 3, "no-such-app", None])] == ["bhim"]
