"""Message templates: the defaults that ship in English, Hindi and Bengali, and safe rendering.

English here is the msgid; Hindi and Bengali are in the `templates` gettext catalogue
(web/translations/<language>/LC_MESSAGES/templates.po). Billers override them in the console (template_store)."""

from __future__ import annotations

import string

from catalogues import catalogue, marked

VARIABLES = frozenset(
    {"customer_name", "amount", "due_date", "link", "biller_name", "bill_number", "reference"}
    | {"balance", "receipt_link"}
)

DEFAULT_TEMPLATES: dict[str, str] = {
    "reminder_before_due": marked(
        "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} is due on {due_date}. "
        "Pay securely: {link}"
    ),
    "reminder_due_today": marked(
        "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} is due today. Pay: {link}"
    ),
    "reminder_overdue": marked(
        "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} was due on {due_date}. "
        "Please pay: {link}"
    ),
    "notify": marked(
        "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} is ready, due {due_date}. Pay: {link}"
    ),
    "receipt": marked(
        "Thank you, {customer_name}. We received {amount} for {biller_name} bill {bill_number}. "
        "Reference: {reference}. Balance: {balance}. Receipt: {receipt_link}"
    ),
}


class TemplateError(ValueError):
    """A template that names a variable we do not have, or is not a valid template."""


def template_variables(text: str) -> set[str]:
    """The variables a template uses; raises TemplateError if it is malformed or uses unknown ones."""
    try:
        fields = [
            (name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text) if name is not None
        ]
    except ValueError as exc:
        raise TemplateError(f"is not a valid template: {exc}") from exc
    if any(not name or not name.isidentifier() or spec or conversion for name, spec, conversion in fields):
        raise TemplateError("uses a placeholder that is not a plain {name}")
    names = {name for name, _, _ in fields}
    unknown = names - VARIABLES
    if unknown:
        raise TemplateError(f"uses unknown variable(s): {', '.join(sorted(unknown))}")
    return names


def render(text: str, variables: dict[str, str]) -> str:
    """Fill a template; every variable it uses must be supplied."""
    missing = template_variables(text) - variables.keys()
    if missing:
        raise TemplateError(f"is missing variable(s): {', '.join(sorted(missing))}")
    return text.format_map(variables)


def default_template(key: str, language: str) -> str:
    """The shipped template for this message in this language (English if not translated)."""
    return catalogue("templates", language).gettext(DEFAULT_TEMPLATES[key])
