"""Cross-site request forgery protection for every state-changing request a cookie authenticates.

Each form carries a token that only our pages can know:
- signed in: an HMAC of the session (the ``__Host-`` session cookie cannot be planted by another
  subdomain, so neither can a matching token);
- not signed in (sign-in, forgotten password): an HMAC of a random cookie set with the form.
Requests must also not come from another origin when the browser says where they come from.
JSON clients send the token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from etalase.platform.accounts.tokens import keyed
from etalase.platform.settings import Settings
from etalase.platform.web.deps import settings_of

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def anon_cookie_name(settings: Settings) -> str:
    return "__Host-etalase_csrf" if settings.public_scheme == "https" else "etalase_csrf"


def _binding(request: Request, settings: Settings, *, create: bool) -> str | None:
    auth = getattr(request.state, "auth", None)
    if auth is not None:
        return f"s:{auth.session.token_hash}"
    name = anon_cookie_name(settings)
    value: str | None = request.cookies.get(name) or getattr(request.state, "new_csrf_cookie", None)
    if not value and create:
        value = secrets.token_urlsafe(24)
        request.state.new_csrf_cookie = value  # set on the response by templates.render
    return "a:" + value if value else None


def token_for(request: Request) -> str:
    settings = settings_of(request)
    binding = _binding(request, settings, create=True)
    assert binding is not None
    return keyed(settings.effective_secret_key, "csrf", binding)


def same_origin(request: Request) -> bool:
    """False only when the browser names another origin; a missing or opaque (``null``) origin,
    which privacy settings produce, leaves the decision to the token."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


async def verify(request: Request) -> bool:
    if request.method in SAFE_METHODS:
        return True
    if not same_origin(request):
        return False
    settings = settings_of(request)
    binding = _binding(request, settings, create=False)
    if binding is None:
        return False
    sent = request.headers.get(HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()  # cached by Starlette; the route reads the same form
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    expected = keyed(settings.effective_secret_key, "csrf", binding)
    return bool(sent) and hmac.compare_digest(sent or "", expected)
