"""Background-job tests run with a low threshold, so a few rows are already 'large'."""

from __future__ import annotations

import pytest

SMALL_LIMIT = 5  # rows a request may hold and still be answered at once


@pytest.fixture
def app_overrides() -> dict:
    return {"bulk_sync_max_rows": SMALL_LIMIT}


def answer_synchronously(app) -> None:
    """Raise the threshold so the next requests are answered at once, to compare with a job's report."""
    app.extensions["settings"] = app.extensions["settings"].model_copy(update={"bulk_sync_max_rows": 1_000_000})


def answer_in_background(app) -> None:
    """Put the low threshold back."""
    app.extensions["settings"] = app.extensions["settings"].model_copy(update={"bulk_sync_max_rows": SMALL_LIMIT})


def import_csv(count: int, *, bad_lines: tuple[int, ...] = (), prefix: str = "E") -> bytes:
    """A CSV of `count` bills; the rows numbered in bad_lines carry a phone that is not a mobile number."""
    lines = ["reference,customer_reference,customer_name,customer_phone,amount,due_date"]
    for n in range(count):
        phone = "12345" if n in bad_lines else f"98{n:08d}"
        lines.append(f"{prefix}-{n},CA-{n % 7},Customer {n},{phone},{1000 + n},2026-12-10")
    return ("\n".join(lines) + "\n").encode()
