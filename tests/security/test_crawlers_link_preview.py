"""Link-preview crawlers see the stored bill: no live fetch from the biller, no open counted, no app chosen."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlmodel import func, select

from billing.bills import current_link
from models import LinkEvent, PaymentLink
from tests.builders import make_bill
from tests.fakes.biller_endpoint import FakeBillerEndpoint
from web.crawlers import is_link_preview

CRAWLERS = {
    "whatsapp": "WhatsApp/2.23.20.0 A",
    "telegram": "TelegramBot (like TwitterBot)",
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "twitter": "Twitterbot/1.0",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "linkedin": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "google": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "skype": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
}
PEOPLE = {
    "android-chrome": "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "iphone-safari": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "facebook-in-app": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.33.116]",
    "line-in-app": "Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 Chrome/119.0 "
    "Mobile Safari/537.36 Line/13.20.1",
}


@pytest.fixture
def endpoint():
    fake = FakeBillerEndpoint(secret="biller-fetch-secret").start()
    fake.answer({"status": "BILL_AVAILABLE", "amount": 123400, "due_date": "2026-12-20"})
    yield fake
    fake.stop()


@pytest.fixture
def app_overrides(endpoint):
    return {"outbound_allowed_hosts": urlsplit(endpoint.url).netloc}


@pytest.fixture
def token(session, api, endpoint) -> str:
    api.biller.bill_fetch_url = endpoint.url
    api.biller.bill_fetch_secret = endpoint.secret
    session.commit()
    bill = make_bill(session, api.biller, amount=100000)
    return current_link(session=session, bill_id=bill.id).token


def opens(session, token: str) -> tuple[int, int]:
    session.expire_all()
    link = session.exec(select(PaymentLink).where(PaymentLink.token == token)).one()
    events = session.exec(select(func.count()).select_from(LinkEvent).where(LinkEvent.kind == "opened")).one()
    return link.open_count, events


@pytest.mark.parametrize("user_agent", CRAWLERS.values(), ids=CRAWLERS.keys())
def test_a_crawler_gets_the_stored_bill_without_a_fetch_or_an_open(client, session, endpoint, token, user_agent):
    response = client.get(f"/p/{token}", headers={"User-Agent": user_agent})
    assert response.status_code == 200
    assert "₹1,000.00" in response.get_data(as_text=True)
    assert endpoint.requests == []
    assert opens(session, token) == (0, 0)


@pytest.mark.parametrize("user_agent", PEOPLE.values(), ids=PEOPLE.keys())
def test_a_person_gets_the_live_bill_and_the_open_is_counted(client, session, endpoint, token, user_agent):
    response = client.get(f"/p/{token}", headers={"User-Agent": user_agent})
    assert "₹1,234.00" in response.get_data(as_text=True)
    assert len(endpoint.requests) == 1
    assert opens(session, token) == (1, 1)


def test_a_crawler_following_an_app_button_chooses_no_app(client, session, token):
    response = client.get(f"/p/{token}/pay", query_string={"app": "gpay"}, headers={"User-Agent": CRAWLERS["whatsapp"]})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/p/{token}")
    session.expire_all()
    assert session.exec(select(func.count()).select_from(LinkEvent)).one() == 0


@pytest.mark.parametrize("user_agent", CRAWLERS.values(), ids=CRAWLERS.keys())
def test_a_crawler_fetching_the_qr_code_gets_none_and_nothing_is_counted(client, session, token, user_agent):
    assert client.get(f"/p/{token}/qr.svg", headers={"User-Agent": user_agent}).status_code == 404
    session.expire_all()
    assert session.exec(select(func.count()).select_from(LinkEvent)).one() == 0
    person = client.get(f"/p/{token}/qr.svg", headers={"User-Agent": PEOPLE["iphone-safari"]})
    assert person.status_code == 200 and person.mimetype == "image/svg+xml"


def test_crawler_names_match_anywhere_but_whatsapp_only_as_the_product_itself():
    assert is_link_preview("Mozilla/5.0 (compatible; GOOGLEBOT/2.1)")
    assert not is_link_preview("Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari/537.36 WhatsApp/2.23")
    assert not is_link_preview("")
