"""Template filters: money, dates and masked personal data, in the page's language."""

from __future__ import annotations

from flask import Flask
from jinja2 import pass_context

from billing.money import format_day, format_inr
from web.i18n import page_language as _language


def mask_name(name: str) -> str:
    """Enough of a name to recognise, not to read: 'Asha Verma' → 'As•• Ve•••'."""
    return " ".join(word[:2] + "•" * max(len(word) - 2, 0) for word in name.split())


def mask_reference(reference: str) -> str:
    """A consumer number with its middle hidden: 'CA-100234' → 'CA•••234'."""
    if len(reference) <= 5:
        return reference[0] + "•" * (len(reference) - 1)
    return reference[:2] + "•" * (len(reference) - 5) + reference[-3:]


def _in(context) -> str:
    """The page's language: as the template was given it (every page is), else asked of Flask-Babel again."""
    return context.get("page_language") or _language()


def register_filters(app: Flask) -> None:
    """Make the filters available to every template."""
    app.add_template_filter(pass_context(lambda context, paise: format_inr(paise, _in(context))), "inr")
    app.add_template_filter(pass_context(lambda context, day: format_day(day, _in(context))), "day")
    app.add_template_filter(lambda paise: f"{paise // 100}.{paise % 100:02d}", "rupees")
    app.add_template_filter(mask_name, "mask_name")
    app.add_template_filter(mask_reference, "mask_reference")
