"""Message templates: the defaults that ship in English, Hindi and Bengali, and safe rendering."""

from __future__ import annotations

import string

VARIABLES = frozenset(
    {"customer_name", "amount", "due_date", "link", "biller_name", "bill_number", "reference"}
    | {"balance", "receipt_link"}
)

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "reminder_before_due": {
        "en": "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} is due on {due_date}. "
        "Pay securely: {link}",
        "hi": "प्रिय {customer_name}, आपका {biller_name} बिल {bill_number} ({amount}) {due_date} को देय है। "
        "सुरक्षित भुगतान करें: {link}",
        "bn": "প্রিয় {customer_name}, আপনার {biller_name} বিল {bill_number} ({amount}) {due_date} তারিখে দেয়। "
        "নিরাপদে পেমেন্ট করুন: {link}",
    },
    "reminder_due_today": {
        "en": "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} is due today. Pay: {link}",
        "hi": "प्रिय {customer_name}, आपका {biller_name} बिल {bill_number} ({amount}) आज देय है। भुगतान करें: {link}",
        "bn": "প্রিয় {customer_name}, আপনার {biller_name} বিল {bill_number} ({amount}) আজ দেয়। পেমেন্ট করুন: {link}",
    },
    "reminder_overdue": {
        "en": "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} was due on {due_date}. "
        "Please pay: {link}",
        "hi": "प्रिय {customer_name}, आपका {biller_name} बिल {bill_number} ({amount}) {due_date} को देय था। "
        "कृपया भुगतान करें: {link}",
        "bn": "প্রিয় {customer_name}, আপনার {biller_name} বিল {bill_number} ({amount}) {due_date} তারিখে দেয় ছিল। "
        "অনুগ্রহ করে পেমেন্ট করুন: {link}",
    },
    "notify": {
        "en": "Dear {customer_name}, your {biller_name} bill {bill_number} of {amount} is ready, due {due_date}. "
        "Pay: {link}",
        "hi": "प्रिय {customer_name}, आपका {biller_name} बिल {bill_number} ({amount}) तैयार है, देय तिथि {due_date}। "
        "भुगतान करें: {link}",
        "bn": "প্রিয় {customer_name}, আপনার {biller_name} বিল {bill_number} ({amount}) প্রস্তুত, দেয় {due_date}। "
        "পেমেন্ট করুন: {link}",
    },
    "receipt": {
        "en": "Thank you, {customer_name}. We received {amount} for {biller_name} bill {bill_number}. "
        "Reference: {reference}. Balance: {balance}. Receipt: {receipt_link}",
        "hi": "धन्यवाद, {customer_name}। {biller_name} बिल {bill_number} के लिए {amount} प्राप्त हुए। संदर्भ: {reference}। "
        "शेष राशि: {balance}। रसीद: {receipt_link}",
        "bn": "ধন্যবাদ, {customer_name}। {biller_name} বিল {bill_number}-এর জন্য {amount} পাওয়া গেছে। রেফারেন্স: {reference}। "
        "বাকি: {balance}। রসিদ: {receipt_link}",
    },
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
    versions = DEFAULT_TEMPLATES[key]
    return versions.get(language, versions["en"])
