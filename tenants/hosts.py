"""What a Host header means.

Rules (tests/test_hosts.py pins each one):
- Compare lower case, without the port and without a trailing dot: ``Sidomulyo.Desa.ID.:443`` is
  ``sidomulyo.desa.id``.
- A Host longer than 253 characters, with a label longer than 63, with characters outside
  ``a-z 0-9 - .``, empty labels, or an IP literal is *malformed*: it gets the portal's 404.
  Browsers send international names as punycode (``xn--…``), which passes.
- ``<BASE_DOMAIN>`` and ``www.<BASE_DOMAIN>`` are the portal.
- ``<slug>.<BASE_DOMAIN>`` (exactly one label more) is a village by slug; deeper names are not.
- Any other well-formed name may be a village's custom domain (``www.`` of it too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_HOST = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PORT = re.compile(r":\d{1,5}$")


def normalize_host(raw: str | None) -> str | None:
    """The canonical host name, or None when the header is missing or malformed."""
    if not raw or len(raw) > MAX_HOST + 7:  # room for ":65535" and a trailing dot
        return None
    host = raw.strip().lower()
    if host.startswith("["):  # IPv6 literal: never a village
        return None
    host = _PORT.sub("", host).rstrip(".") if host.count(":") <= 1 else host
    if not host or len(host) > MAX_HOST or ":" in host:
        return None
    labels = host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return None
    if all(label.isdigit() for label in labels):  # an IPv4 literal
        return None
    return host


@dataclass(frozen=True, slots=True)
class HostKind:
    kind: Literal["portal", "slug", "domain", "invalid"]
    value: str = ""


def classify_host(raw: str | None, base_domain: str) -> HostKind:
    host = normalize_host(raw)
    if host is None:
        return HostKind("invalid")
    if host in (base_domain, f"www.{base_domain}"):
        return HostKind("portal")
    suffix = "." + base_domain
    if host.endswith(suffix):
        label = host[: -len(suffix)]
        return HostKind("slug", label) if "." not in label else HostKind("invalid")
    return HostKind("domain", host)


def normalize_domain(raw: str) -> str | None:
    """A custom domain as an operator types it (``https://Desa.ID/``) in canonical form, or None."""
    value = raw.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0]
    host = normalize_host(value)
    if host is None or "." not in host:
        return None
    return host
