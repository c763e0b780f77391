"""What is not a visit: crawlers, link-preview fetchers (WhatsApp and Facebook read a page to draw
its card), uptime checks, prefetches and prerenders the reader never saw."""

from __future__ import annotations

import functools
import re

# Substrings of user agents that are machines. Lower-case; kept short on purpose: the common
# crawlers all say "bot", "crawl", "spider" or "preview" somewhere.
_MACHINE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|whatsapp/|"
    r"telegrambot|twitterbot|linkedinbot|embedly|quora link|pinterest|vkshare|w3c_validator|"
    r"lighthouse|headlesschrome|python-requests|python-httpx|curl/|wget/|go-http-client|"
    r"okhttp/|java/|libwww|httpclient|uptime|monitor|pingdom|statuscake|scrapy|axios/|node-fetch",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)  # a site sees the same few hundred browsers all day
def is_machine(user_agent: str) -> bool:
    """A crawler, a preview fetcher, a script or an empty user agent."""
    return not user_agent.strip() or bool(_MACHINE.search(user_agent))


def is_prefetch(headers: dict[str, str]) -> bool:
    """A page fetched ahead of time (the reader may never open it)."""
    purpose = (headers.get("sec-purpose") or headers.get("purpose") or headers.get("x-purpose") or "").lower()
    return "prefetch" in purpose or "prerender" in purpose or headers.get("x-moz", "").lower() == "prefetch"
