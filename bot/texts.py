"""Everything the bot says. English here is the msgid; Hindi and Bengali are in the `bot` gettext catalogue
(web/translations/<language>/LC_MESSAGES/bot.po), which translators edit; `make translations` re-extracts."""

from __future__ import annotations

from catalogues import catalogue, marked, marked_in

DOMAIN = "bot"

TEXTS: dict[str, str] = {
    "menu": marked(
        "Reply with a number:\n1 My bills\n2 Pay\n3 I already paid\n4 Remind me later\n5 Payment app\n"
        "6 Language\n7 Talk to a person\n8 Stop messages\nYou can also send a link to check it is genuine."
    ),
    "unknown_sender": marked(
        "We could not find your account from this number. Please use the link in your bill message, "
        "or contact your biller."
    ),
    "no_bills": marked("You have no bills due. Thank you!"),
    "bill_line": marked("{biller}: {amount} due {due_date}. Pay: {link}"),
    "pay_line": marked("Pay {biller} {amount}{app}: {link}"),
    "with_app": marked(" with {app}"),
    "paid_ack": marked("Thank you. We have paused reminders for 48 hours and our team will confirm your payment{utr}."),
    "utr_note": marked(" (reference {utr})"),
    "later_ack": marked("OK, we will remind you after {date}."),
    "choose_biller": marked("Which biller is this about? Reply with a number:\n{options}"),
    "choose_app": marked("Which app do you pay with? Reply with a number:\n{options}"),
    "app_saved": marked("Saved: {app} will be shown first."),
    "choose_language": marked("Choose a language:\n1 English\n2 हिन्दी\n3 বাংলা"),
    # TRANSLATORS: confirms the switch to the language of this catalogue: name it, not English.
    "language_saved": marked("Language set to English."),
    "stopped": marked("You will not get messages here any more. Reply START to get them again."),
    "started": marked("Welcome back. You will get bill messages here again."),
    "agent_ack": marked("A member of our team will reply here soon."),
    "link_genuine": marked("This is a genuine link from {biller} for bill {bill}."),
    "link_fake": marked("Warning: this link is not from us. Do not pay through it or share any PIN."),
    "connected": marked("Connected. You will get {biller} bill reminders here."),
    "greeting": marked("Hello! How can I help? Send MENU to see what I can do."),
    "thanks": marked("You're welcome!"),
    "did_you_mean": marked("Sorry, I am not sure I understood. Did you mean:\n{options}\nReply with a number."),
    "offer_agent": marked("Sorry, I still did not understand. Reply with a number:\n1 Talk to a person\n2 Menu"),
    "paid_confirmed": marked("Thank you. Your payment of {amount} to {biller} (reference {utr}) is confirmed."),
    "complaint_opened": marked(
        "We have registered your complaint ({category}). Your reference is {reference}; our team will reply here."
    ),
    "send_link": marked(
        "Forward me the message or link and I will tell you if it is from us. Our links start with {domain}."
    ),
    "complaint_wrong_amount": marked("wrong amount"),
    "complaint_charged_twice": marked("charged twice"),
    "complaint_payment_not_credited": marked("money taken, bill not paid"),
    "complaint_service": marked("service"),
    "complaint_other": marked("other"),
}
INTENT_LABELS: dict[str, str] = {
    "bill": marked("My bills"),
    "pay": marked("Pay"),
    "paid": marked("I already paid"),
    "later": marked("Remind me later"),
    "app": marked("Payment app"),
    "language": marked("Language"),
    "agent": marked("Talk to a person"),
    "complaint": marked("Make a complaint"),
    "link_check": marked("Check a link"),
    "menu": marked("Menu"),
    "stop": marked("Stop messages"),
}
# The menu as buttons (label, callback data ≤ 64 bytes); the labels are shorter than the intents' names.
MENU_BUTTONS: tuple[tuple[tuple[str, str], str], ...] = (
    (marked_in("menu button", "My bills"), "bills"),
    (marked_in("menu button", "Pay"), "pay"),
    (marked_in("menu button", "I already paid"), "paid"),
    (marked_in("menu button", "Remind me later"), "later"),
    (marked_in("menu button", "Payment app"), "app"),
    (marked_in("menu button", "Language"), "language"),
    (marked_in("menu button", "Talk to a person"), "agent"),
)


def intent_label(intent: str, language: str) -> str:
    """A short name for an intent, offered as a choice when the bot is unsure."""
    return catalogue(DOMAIN, language).gettext(INTENT_LABELS[intent])


def say(key: str, language: str, **values: str) -> str:
    """A bot text in the customer's language (English when not translated), filled in."""
    return catalogue(DOMAIN, language).gettext(TEXTS[key]).format(**values)


def menu_choices(language: str) -> tuple[tuple[str, str], ...]:
    """The menu as buttons (label, callback data ≤ 64 bytes) for channels that show them."""
    translations = catalogue(DOMAIN, language)
    return tuple((translations.pgettext(context, label), data) for (context, label), data in MENU_BUTTONS)
