"""Checks every request passes at the edge, before any route: ids in range, text in URLs fit to query."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from billing.text import text_problem
from models.db import MAX_ID

# The payment page checks its tokens' shape in the view, so that a miss counts against the miss limit.
SELF_CHECKING_BLUEPRINTS = frozenset({"pay"})


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: an id beyond the column's range matches no route, so it is a 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_edge_checks(app: Flask) -> None:
    """Bound every `<int:…>` id to its column; a path segment with NUL or control characters names nothing (404)."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _refuse_unfit_path_segments():
        if request.blueprint in SELF_CHECKING_BLUEPRINTS or request.endpoint == "short_link":
            return
        for value in (request.view_args or {}).values():
            if isinstance(value, str) and text_problem(value):
                abort(404)
