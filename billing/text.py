"""Text fit to store and send: no NUL, control characters, ANSI escapes or bidi overrides.

One home for the rule, used at every edge: the API's JSON bodies, CSV cells, console forms and query
strings refuse such text with a message saying which character; customers' own chat messages are
scrubbed instead (they get a polite reply, not an error). None of it may reach SMS or WhatsApp text.
"""

from __future__ import annotations

import re
from datetime import date

from errors import InvalidInput

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_BIDI_OVERRIDE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(value: str, *, single_line: bool = False) -> str | None:
    """What makes this text unfit to store or send, in words; None when it is fine."""
    if single_line and ("\n" in value or "\r" in value):
        return "must not contain a line break"
    if "\x00" in value:
        return "must not contain a NUL character"
    if _ANSI_ESCAPE.search(value):
        return "must not contain ANSI escape sequences"
    if match := _BIDI_OVERRIDE.search(value):
        return f"must not contain a bidi override character (U+{ord(match.group()):04X})"
    if match := _CONTROL.search(value):
        return f"must not contain a control character (U+{ord(match.group()):04X})"
    return None


def check_text(value: str, *, field: str) -> str:
    """The value unchanged, or InvalidInput naming the field and the character at fault."""
    problem = text_problem(value)
    if problem:
        raise InvalidInput(problem, field=field)
    return value


def first_text_problem(data: object, path: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The dotted field and problem of the first unfit string anywhere in parsed JSON (keys too)."""
    if isinstance(data, str):
        problem = text_problem(data)
        return (".".join(path), problem) if problem else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        where = (*path, str(key))
        found = first_text_problem(key, where) if isinstance(key, str) else None
        found = found or first_text_problem(value, where)
        if found:
            return found
    return None


def scrub_text(value: str) -> str:
    """A customer's message with escapes, bidi overrides and control characters removed."""
    return _CONTROL.sub("", _BIDI_OVERRIDE.sub("", _ANSI_ESCAPE.sub("", value)))


def check_date_window(value: date, *, field: str) -> date:
    """The date, or InvalidInput when it falls outside 2000-01-01..2099-12-31."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(f"must be between {EARLIEST_DATE} and {LATEST_DATE}", field=field)
    return value
