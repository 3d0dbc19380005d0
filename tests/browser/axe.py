"""axe-core (vendored from the npm package, see vendor/README) run inside a Playwright page."""

from __future__ import annotations

from functools import cache
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor"
BLOCKING = {"serious", "critical"}


@cache
def _axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page) -> list[str]:
    """axe's serious and critical findings on the page as it stands, one line each (empty when clean)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())  # through the DevTools protocol: the page's CSP stays strict
    results = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]
