"""HTML error pages for the console and the site root (never the customer's payment-link page)."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException

TITLES = {
    400: ("That request could not be read", "The form may have expired. Go back, reload the page and try again."),
    401: ("Please sign in", "Sign in to the console to continue."),
    403: ("Not for your role", "Your account cannot open this page. Ask a biller admin if you need it."),
    404: ("Page not found", "There is nothing here, or it belongs to another biller."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "The file or form is larger than the console accepts."),
    422: ("Could not be processed", "Check the form and try again."),
    429: ("Slow down", "Too many requests. Wait a minute and try again."),
    500: ("Something went wrong", "The error was logged. Try again in a moment."),
}


def is_console_page(path: str) -> bool:
    """Pages for staff (and the bare site root), as opposed to the API, webhooks and customers' payment pages."""
    return path == "/" or path == "/console" or path.startswith("/console/")


def render_error_page(exc: HTTPException):
    """The console's own page for an HTTP error, with its status code."""
    code = exc.code or 500
    title, advice = TITLES.get(code, (exc.name, exc.description or ""))
    response = render_template("console/error.html", code=code, title=title, advice=advice, on_root=request.path == "/")
    headers = (
        {"Retry-After": exc.response.headers["Retry-After"]}
        if exc.response is not None and ("Retry-After" in exc.response.headers)
        else {}
    )
    return response, code, headers
