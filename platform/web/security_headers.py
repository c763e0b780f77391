"""Security headers for every response that does not set its own: the public village sites and the
portal. (The team's pages set a stricter policy themselves, see ``pages.team_pages_csp``.)

The public policy says what the issue asks of a village page: nothing from a third-party host.
Scripts, styles, fonts and fetches come from the site itself; images from the site and its media
store (S3 or a CDN when configured); frames only from the four players a tap-to-load embed may
open (``etalase.platform.content.embeds``). Pure ASGI: it only appends headers, so it costs
nothing measurable, and it sits outside the page cache so cached pages carry it too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from etalase.platform.settings import Settings

EMBED_PLAYERS = (
    "https://www.youtube-nocookie.com https://www.facebook.com https://www.instagram.com "
    "https://www.tiktok.com"
)


def public_csp(settings: Settings) -> str:
    parts = urlsplit(settings.media_url)
    media = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        f"default-src 'self'; img-src 'self' data:{media}; style-src 'self'; script-src 'self'; "
        f"frame-src {EMBED_PLAYERS}; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'"
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", public_csp(settings).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                if extra:
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
