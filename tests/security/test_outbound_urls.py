"""Outbound calls reach only https URLs on public addresses, checked after DNS, at the address checked, no redirects."""

from __future__ import annotations

import httpx
import pytest

from billing.outbound import OutboundPolicy, OutboundRefused, check_url, post
from tests.security.loopback_servers import LoopbackServer

PRODUCTION = OutboundPolicy(allow_http=False)
DEVELOPMENT = OutboundPolicy(allow_http=True)


@pytest.fixture
def server():
    running = LoopbackServer().start()
    yield running
    running.stop()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/fetch", "loopback"),
        ("https://127.8.9.10:8443/fetch", "loopback"),
        ("https://[::1]/fetch", "loopback"),
        ("https://[::ffff:127.0.0.1]/fetch", "loopback"),
        ("https://localhost/fetch", "loopback"),
        ("https://10.0.0.5/fetch", "private"),
        ("https://172.16.4.2/fetch", "private"),
        ("https://192.168.1.1/fetch", "private"),
        ("https://[fd00::1]/fetch", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[fe80::1]/fetch", "link-local"),
        ("https://224.0.0.1/fetch", "multicast"),
        ("https://[ff02::1]/fetch", "multicast"),
        ("https://0.0.0.0/fetch", "unspecified"),
        ("https://100.64.0.1/fetch", "non-public"),
        ("https://2130706433/fetch", "loopback"),
    ],
)
def test_addresses_that_are_not_public_are_refused(url, reason):
    with pytest.raises(OutboundRefused) as refused:
        check_url(url, policy=PRODUCTION, field="bill_fetch_url")
    assert refused.value.field == "bill_fetch_url"
    assert f"points to a {reason} address" in refused.value.message


def test_a_name_is_judged_by_the_address_it_resolves_to():
    with pytest.raises(OutboundRefused, match="loopback"):
        check_url("https://localhost:8443/internal-admin", policy=PRODUCTION)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("gopher://93.184.215.14/", "must start with https://"),
        ("//93.184.215.14/fetch", "must start with https://"),
        ("https:///fetch", "has no host name"),
        ("https://user:pw@93.184.215.14/fetch", "must not carry a user name or password"),
        ("https://93.184.215.14:99999/fetch", "is not a valid URL"),
    ],
)
def test_urls_that_are_not_plain_https_are_refused(url, message):
    with pytest.raises(OutboundRefused, match=message):
        check_url(url, policy=PRODUCTION)


def test_plain_http_is_refused_in_production_and_allowed_elsewhere():
    with pytest.raises(OutboundRefused, match="must use https"):
        check_url("http://93.184.215.14/fetch", policy=PRODUCTION)
    assert check_url("http://93.184.215.14/fetch", policy=DEVELOPMENT).address == "93.184.215.14"


def test_a_public_address_is_accepted_with_its_default_port():
    target = check_url("https://93.184.215.14/fetch?x=1", policy=PRODUCTION)
    assert (target.scheme, target.host, target.port, target.address) == ("https", "93.184.215.14", 443, "93.184.215.14")


def test_allowed_hosts_exempt_exactly_that_host_and_port():
    policy = OutboundPolicy(allow_http=False, allowed_hosts=frozenset({"10.0.0.5:8443"}))
    assert check_url("https://10.0.0.5:8443/fetch", policy=policy).address == "10.0.0.5"
    with pytest.raises(OutboundRefused, match="private"):
        check_url("https://10.0.0.5:9443/fetch", policy=policy)
    with pytest.raises(OutboundRefused, match="private"):
        check_url("https://10.0.0.6:8443/fetch", policy=policy)


def test_an_ipv6_host_is_allowed_in_brackets():
    policy = OutboundPolicy(allow_http=False, allowed_hosts=frozenset({"[fd00::5]:8443"}))
    assert check_url("https://[fd00::5]:8443/fetch", policy=policy).address == "fd00::5"


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(server):
    policy = OutboundPolicy(allow_http=True, allowed_hosts=frozenset({f"localhost:{server.port}"}))
    response = post(f"http://localhost:{server.port}/fetch", policy=policy, content=b"{}", headers={}, timeout=2)
    assert response.status_code == 200
    assert server.requests == [{"host": f"localhost:{server.port}", "path": "/fetch"}]


def test_redirects_are_not_followed(server):
    inner = LoopbackServer().start()
    try:
        server.status, server.location = 302, f"http://127.0.0.1:{inner.port}/internal-admin"
        policy = OutboundPolicy(
            allow_http=True, allowed_hosts=frozenset({f"127.0.0.1:{server.port}", f"127.0.0.1:{inner.port}"})
        )
        with pytest.raises(httpx.HTTPStatusError):
            post(f"http://127.0.0.1:{server.port}/fetch", policy=policy, content=b"{}", headers={}, timeout=2)
        assert len(server.requests) == 1
        assert inner.requests == []
    finally:
        inner.stop()


def test_a_loopback_url_is_refused_before_any_connection(server):
    with pytest.raises(OutboundRefused, match="loopback"):
        post(f"http://127.0.0.1:{server.port}/fetch", policy=DEVELOPMENT, content=b"{}", headers={}, timeout=2)
    assert server.requests == []
