"""Safe outbound HTTP to addresses billers give us (bill fetch, outbound webhooks): no SSRF, no redirects.

A URL must be https (plain http only outside production) and its host must resolve to public addresses only,
unless its `host:port` is in OUTBOUND_ALLOWED_HOSTS (tests, private networks). The name is resolved once, the
address checked, and the request sent to that very address with the name as Host header and TLS SNI, so a DNS
answer that changes between the check and the connection (rebinding) cannot reach an internal service.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from errors import InvalidInput

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class OutboundPolicy:
    """What outbound calls may reach: whether plain http is allowed, and hosts exempt from the public rule."""

    allow_http: bool
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings) -> OutboundPolicy:
        """The policy the app's settings describe (http allowed only outside production)."""
        return cls(allow_http=not settings.is_production, allowed_hosts=settings.outbound_allowed_host_set)


class OutboundRefused(InvalidInput):
    """An outbound URL or the address it resolves to is not one we may call."""

    code = "outbound_refused"


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def check_url(url: str, *, policy: OutboundPolicy, field: str = "url") -> Target:
    """Refuse a URL we must not call, resolving its host once; the Target says which address to connect to."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise OutboundRefused("is not a valid URL", field=field) from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS:
        raise OutboundRefused("must start with https://", field=field)
    if scheme == "http" and not policy.allow_http:
        raise OutboundRefused("must use https", field=field)
    if not host:
        raise OutboundRefused("has no host name", field=field)
    if parts.username or parts.password:
        raise OutboundRefused("must not carry a user name or password", field=field)
    port = port or DEFAULT_PORTS[scheme]
    address = _resolve(host, port, field=field)
    if (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") not in policy.allowed_hosts:
        refusal = _non_public_reason(address)
        if refusal:
            raise OutboundRefused(f"points to a {refusal} address, not a public one", field=field)
    return Target(url=url.strip(), scheme=scheme, host=host, port=port, address=address)


def post(
    url: str, *, policy: OutboundPolicy, content: bytes, headers: dict[str, str], timeout: float
) -> httpx.Response:
    """POST to a checked URL at the address that was checked; redirects are not followed (a 3xx is an error)."""
    target = check_url(url, policy=policy)
    parts = urlsplit(target.url)
    literal = f"[{target.address}]" if ":" in target.address else target.address
    direct = urlunsplit((target.scheme, f"{literal}:{target.port}", parts.path or "/", parts.query, ""))
    host_header = target.host if target.port == DEFAULT_PORTS[target.scheme] else f"{target.host}:{target.port}"
    # trust_env=False: a proxy from the environment would connect to the name again, not to the checked address.
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        request = client.build_request(
            "POST",
            direct,
            content=content,
            headers={**headers, "Host": host_header},
            extensions={"sni_hostname": target.host},
        )
        response = client.send(request)
    response.raise_for_status()  # raises on 3xx too: a redirect could lead anywhere
    return response


def _resolve(host: str, port: int, *, field: str) -> str:
    """One address for the host; when a name has several, every one must pass (we connect to the first)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundRefused("has a host name that does not resolve", field=field) from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if _non_public_reason(address):
            return address
    return addresses[0]


def _non_public_reason(address: str) -> str | None:
    """Why an address is not a public unicast one, or None when it is."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip.sixtofour):
        ip = ip.ipv4_mapped or ip.sixtofour  # ::ffff:127.0.0.1 and 6to4's 2002:7f00:1:: lead to the IPv4 inside
    for reason, flag in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    ):
        if flag:
            return reason
    return None
