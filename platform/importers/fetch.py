"""Downloading a picture of the old blog, without letting an export aim the server at itself.

An export names any URL it likes, so a hostile one could point at the machine's own services
(``http://127.0.0.1:6379/``), the private network or the cloud's metadata service
(``http://169.254.169.254/``). :func:`fetch_image` therefore:

- accepts only ``http``/``https`` URLs with a host name or a public address;
- resolves the host itself and refuses it when any of its addresses is private, loopback,
  link-local, multicast, reserved, unspecified, shared (carrier-grade NAT) or a known metadata
  address (:func:`address_refused`), then connects to the address it checked (no second lookup
  that a rebinding DNS server could answer differently), with TLS still verified for the name;
- follows at most :data:`MAX_REDIRECTS` redirects by hand, checking every new address the same way;
- gives up after :data:`TIMEOUT` seconds per connection, takes only ``image/*`` answers with status
  200, and stops reading past ``max_bytes`` (the media library's upload limit).

Every refusal or failure returns ``None``; the writer reports the picture as not brought over.
Only the standard library is used (``httpx`` is a development dependency only).
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
TIMEOUT = 10.0
USER_AGENT = "Etalase-importir/1.0 (+https://github.com/etalase)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Metadata services that are not already covered by the ranges below on every cloud.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, DigitalOcean, OpenStack…
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
_REDIRECTS = {301, 302, 303, 307, 308}


def address_refused(address: str | IPAddress) -> bool:
    """True when the server must not connect to ``address``: anything that is not a plain public
    unicast address. IPv4 inside IPv6 (``::ffff:127.0.0.1``, 6to4, Teredo) is judged as IPv4."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None and address_refused(inner):
            return True
    return bool(
        ip in METADATA_ADDRESSES
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def safe_address(url: str, resolver: Resolver = system_resolver) -> tuple[str, int, str] | None:
    """``(host, port, address to connect to)`` when ``url`` may be fetched, else None. The host is
    refused when any of its addresses is refused (a name that also resolves inside is not public)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in {"http", "https"} or not host:
        return None
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError):
        return None
    if not addresses or any(address_refused(a) for a in addresses):
        return None
    return host, port, addresses[0]


def _connection(scheme: str, host: str, port: int, address: str) -> http.client.HTTPConnection:
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)

    def pinned(_address: object, timeout: float | None = TIMEOUT, source: object = None) -> socket.socket:
        # The checked address, never a new lookup of the name; TLS still verifies the name (SNI).
        return socket.create_connection((address, port), timeout)

    connection._create_connection = pinned  # type: ignore[attr-defined]
    return connection


def _image(response: http.client.HTTPResponse, max_bytes: int) -> bytes | None:
    """The body of a final answer when it is a picture (status 200, ``image/*``) within the limit."""
    kind = (response.getheader("content-type") or "").split(";")[0].strip().lower()
    declared = response.getheader("content-length") or ""
    if response.status != 200 or not kind.startswith("image/"):
        return None
    if declared.isdecimal() and int(declared) > max_bytes:
        return None
    data = response.read(max_bytes + 1)
    return data if len(data) <= max_bytes else None


def fetch_image(url: str, *, max_bytes: int, resolver: Resolver = system_resolver) -> bytes | None:
    """The bytes of the picture at ``url``, or None when it is refused, missing, not an image,
    larger than ``max_bytes``, or the server is slow or unreachable."""
    for _hop in range(MAX_REDIRECTS + 1):
        target = safe_address(url, resolver)
        if target is None:
            log.info("import: refused to fetch %s", url)
            return None
        host, port, address = target
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection = _connection(parts.scheme.lower(), host, port, address)
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
            response = connection.getresponse()
            if response.status in _REDIRECTS:
                location = response.getheader("location")
                if not location:
                    return None
                url = urljoin(url, location)
                continue
            return _image(response, max_bytes)
        except (OSError, http.client.HTTPException, ValueError):
            log.info("import: could not fetch %s", url, exc_info=True)
            return None
        finally:
            connection.close()
    return None


def fetcher(max_bytes: int) -> Callable[[str], bytes | None]:
    """The ``fetch`` the writer takes: :func:`fetch_image` with the upload limit."""

    def fetch(url: str) -> bytes | None:
        return fetch_image(url, max_bytes=max_bytes)

    return fetch
