"""SMS and WhatsApp through Twilio's official SDK."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels.base import OUTCOME_UNKNOWN, Delivery, InDoubt, Outgoing, SendError
from config import Settings

TRANSIENT_STATUSES = {429, 500, 502, 503, 504}


_last_answer = threading.local()  # Retry-After of the last answer, per worker thread


def _remember_retry_after(response, *args, **kwargs):
    _last_answer.retry_after = response.headers.get("Retry-After")
    return response


def twilio_client(settings: Settings) -> Client:
    """A Twilio client from settings; TWILIO_API_BASE_URL points it at another host (tests, proxies)."""
    base_url = settings.twilio_api_base_url or "https://api.twilio.com"
    http_client = TwilioHttpClient(
        timeout=settings.provider_timeout_seconds,
        request_hooks={"response": [_remember_retry_after]},
        proxy=get_environ_proxies(base_url) or None,
    )
    # What requests would read from the environment on every send (proxies, the CA bundle; netrc is never used:
    # the SDK always passes its credentials) is read once, above and here: scanning os.environ and stat()ing
    # files for each message cost the worker more CPU than the message itself.
    http_client.session.trust_env = False
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        http_client.session.verify = bundle
    # Every sending thread keeps its own connection to Twilio (the SDK's default pool holds a handful).
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(settings.worker_concurrency, 10))
    http_client.session.mount("https://", adapter)
    http_client.session.mount("http://", adapter)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(), http_client=http_client)
    if settings.twilio_api_base_url:
        client.api.base_url = settings.twilio_api_base_url
    return client


class TwilioChannel:
    """One Twilio channel (sms or whatsapp); WhatsApp addresses carry the `whatsapp:` prefix."""

    # Twilio lists the messages sent to a number, so a message in doubt is looked for before a resend.
    in_doubt = InDoubt.ASK

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self._settings = settings
        # Built now, not on the first send: the SDK's lazy imports would delay that send and bunch it
        # up with the next one at the provider, breaking an even send rate.
        self._client = twilio_client(settings)
        self._messages = self._client.messages
        prefix = "whatsapp:" if name == "whatsapp" else ""
        sender = settings.twilio_whatsapp_from if name == "whatsapp" else settings.twilio_sms_from
        self._from = f"{prefix}{sender.removeprefix('whatsapp:')}" if sender else None
        self._prefix = prefix
        self.sender = f"twilio:{self._from or settings.twilio_messaging_service_sid}"

    def send(self, outgoing: Outgoing) -> Delivery:
        """Create the message; template content when a ContentSid is given, else the text."""
        fields: dict = {
            "to": f"{self._prefix}{outgoing.recipient}",
            # Our id travels in the callback URL, so a status can find its row even if we never saved the sid.
            "status_callback": f"{self._settings.public_base_url}/webhooks/twilio/status?m={outgoing.message_id}",
        }
        if outgoing.messaging_service_sid:
            fields["messaging_service_sid"] = outgoing.messaging_service_sid
        elif outgoing.from_number:
            fields["from_"] = f"{self._prefix}{outgoing.from_number}"
        elif self._settings.twilio_messaging_service_sid:
            fields["messaging_service_sid"] = self._settings.twilio_messaging_service_sid
        else:
            fields["from_"] = self._from
        if outgoing.content_sid:
            fields["content_sid"] = outgoing.content_sid
            fields["content_variables"] = json.dumps(outgoing.content_variables, ensure_ascii=False)
        else:
            fields["body"] = outgoing.text
        try:
            created = self._messages.create(**fields)
        except TwilioRestException as exc:
            raise SendError(
                exc.msg if isinstance(exc.msg, str) else "Twilio refused the message",
                code=str(exc.code) if exc.code else str(exc.status),
                transient=exc.status in TRANSIENT_STATUSES,
                retry_after=self._retry_after(),
            ) from None
        except requests.ConnectTimeout:
            raise SendError("Twilio unreachable: ConnectTimeout", code="network", transient=True) from None
        except requests.RequestException as exc:
            # The request may have reached Twilio (read timeout, connection reset): look before sending again.
            raise SendError(
                f"Twilio did not answer: {type(exc).__name__}", code=OUTCOME_UNKNOWN, transient=True
            ) from None
        return Delivery(provider_id=created.sid, status=created.status or "queued")

    def find_sent(self, outgoing: Outgoing, *, since: datetime) -> Delivery | None:
        """The message Twilio already has to this recipient with this text, sent since `since`, if any.

        Twilio's message resource does not echo the StatusCallback URL, so the match is on recipient,
        time and body. A template message (ContentSid) is worded by Twilio and cannot be matched: None.
        Network or API trouble raises SendError (transient), so the message is neither dropped nor doubled.
        """
        if outgoing.content_sid:
            return None
        try:
            for sent in self._messages.stream(to=f"{self._prefix}{outgoing.recipient}", date_sent_after=since):
                if sent.body == outgoing.text and sent.direction == "outbound-api":
                    return Delivery(provider_id=sent.sid, status=sent.status or "sent")
        except TwilioRestException as exc:
            raise SendError("Twilio could not list messages", code=str(exc.status), transient=True) from None
        except requests.RequestException as exc:
            raise SendError(f"Twilio unreachable: {type(exc).__name__}", code="network", transient=True) from None
        return None

    @staticmethod
    def _retry_after() -> float | None:
        value = getattr(_last_answer, "retry_after", None)
        try:
            return float(value) if value else None
        except ValueError:
            return None
