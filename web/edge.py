"""Checks every request passes at the edge, before any route: ids in range, text in URLs fit to query."""

from __future__ import annotations

from flask import Flask, abort, request

from billing.text import text_problem
from models.db import MAX_ID

# The payment page checks its tokens' shape in the view, so that a miss counts against the miss limit.
SELF_CHECKING_BLUEPRINTS = frozenset({"pay"})


def register_edge_checks(app: Flask) -> None:
    """Bound every `<int:…>` id to its column; a path segment with NUL or control characters names nothing (404).

    The id bound is checked after routing, not in the converter: werkzeug matches methods before it converts, so
    an id the converter refused made `DELETE /webhook-endpoints/2147483648` a 405 (the GET rule still matched).
    """

    @app.before_request
    def _refuse_unfit_path_segments():
        for value in (request.view_args or {}).values():
            if isinstance(value, int) and not 0 <= value <= MAX_ID:
                abort(404)
        if request.blueprint in SELF_CHECKING_BLUEPRINTS or request.endpoint == "short_link":
            return
        for value in (request.view_args or {}).values():
            if isinstance(value, str) and text_problem(value):
                abort(404)
