"""Email over SMTP: multipart text + HTML, the link as a button, one-click unsubscribe headers."""

from __future__ import annotations

import html
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from channels.base import Delivery, InDoubt, Outgoing, SendError
from config import Settings


class EmailChannel:
    """smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (TLS from the start)."""

    name = "email"
    # SMTP has no way to ask whether a message was accepted earlier; a second copy of an email is
    # harmless, a lost reminder or receipt is not: at least once.
    in_doubt = InDoubt.AT_LEAST_ONCE

    def __init__(self, settings: Settings) -> None:
        parts = urlsplit(settings.smtp_url)
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._tls else 587)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._from = settings.mail_from
        self._timeout = settings.provider_timeout_seconds
        self.sender = f"smtp:{parseaddr(settings.mail_from)[1]}"

    def send(self, outgoing: Outgoing) -> Delivery:
        message = build_email(outgoing, mail_from=self._from)
        try:
            smtp_class = smtplib.SMTP_SSL if self._tls else smtplib.SMTP
            with smtp_class(self._host, self._port, timeout=self._timeout) as smtp:
                if not self._tls and smtp.has_extn("starttls"):
                    smtp.starttls()
                if self._user:
                    smtp.login(self._user, self._password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise SendError("The mail server refused the recipient", code="smtp_recipient_refused") from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(
                f"SMTP {exc.smtp_code}", code=f"smtp_{exc.smtp_code}", transient=400 <= exc.smtp_code < 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"Mail server unreachable: {type(exc).__name__}", code="network", transient=True) from None
        return Delivery(provider_id=message["Message-ID"].strip("<>"))


def build_email(outgoing: Outgoing, *, mail_from: str) -> EmailMessage:
    """The email for one outgoing message."""
    message = EmailMessage()
    name, address = parseaddr(mail_from)
    message["From"] = formataddr((name, address))
    message["To"] = outgoing.recipient
    message["Subject"] = outgoing.subject or "Your bill"
    message["Message-ID"] = make_msgid(domain=address.rsplit("@", 1)[-1] or "localhost")
    if outgoing.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(outgoing.text)
    message.add_alternative(_html_body(outgoing), subtype="html")
    return message


def _html_body(outgoing: Outgoing) -> str:
    text = html.escape(outgoing.text).replace("\n", "<br>")
    button = ""
    if outgoing.pay_url:
        button = (
            f'<p><a href="{html.escape(outgoing.pay_url, quote=True)}" style="display:inline-block;'
            "padding:12px 20px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none;"
            f'font-weight:600">{html.escape(outgoing.pay_label or "Pay now")}</a></p>'
        )
    unsubscribe = ""
    if outgoing.unsubscribe_url:
        unsubscribe = (
            f'<p style="font-size:12px;color:#555"><a href="{html.escape(outgoing.unsubscribe_url)}">'
            "Stop these emails</a></p>"
        )
    return f'<!doctype html><html><body style="font-family:sans-serif"><p>{text}</p>{button}{unsubscribe}</body></html>'
