"""Where a visit came from, by its referrer and its UTM tags: the platforms the field reports on."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

SOURCES = ("facebook", "instagram", "tiktok", "whatsapp", "x", "youtube", "search", "direct", "other")

_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.me", "fb.watch", "messenger.com"),
    "instagram": ("instagram.com",),
    "tiktok": ("tiktok.com",),
    "whatsapp": ("whatsapp.com", "wa.me"),
    "x": ("x.com", "twitter.com", "t.co"),
    "youtube": ("youtube.com", "youtu.be"),
    "search": (
        "google.com", "google.co.id", "bing.com", "duckduckgo.com", "yahoo.com", "yandex.com",
        "yandex.ru", "ecosia.org", "baidu.com", "search.brave.com", "startpage.com",
    ),
}  # fmt: skip
# utm_source values people actually type, mapped to a source.
_UTM = {
    "fb": "facebook", "facebook": "facebook", "ig": "instagram", "instagram": "instagram",
    "tiktok": "tiktok", "tt": "tiktok", "wa": "whatsapp", "whatsapp": "whatsapp", "twitter": "x",
    "x": "x", "youtube": "youtube", "yt": "youtube", "google": "search", "bing": "search",
}  # fmt: skip


def _match(host: str) -> str | None:
    host = host.lower().removeprefix("www.")
    for source, domains in _HOSTS.items():
        for domain in domains:
            if host == domain or host.endswith("." + domain):
                return source
    if host.startswith("google.") or ".google." in host:  # google.co.id, news.google.com…
        return "search"
    return None


_APPS = (
    ("whatsapp", "com.whatsapp"),
    ("facebook", "com.facebook"),
    ("instagram", "com.instagram"),
    ("tiktok", "com.zhiliaoapp"),
    ("x", "com.twitter"),
    ("youtube", "com.google.android.youtube"),
    ("search", "com.google.android.googlequicksearchbox"),
)


def _app(package: str) -> str:
    """Android apps send their package as the referrer: ``android-app://com.whatsapp/``."""
    return next((source for source, prefix in _APPS if package.startswith(prefix)), "other")


def classify(referrer: str, query: str, own_host: str) -> str | None:
    """The source of a page view; None when the reader came from the site itself (a page inside
    a visit is not a new arrival from anywhere)."""
    utm = (parse_qs(query).get("utm_source") or [""])[0].strip().lower() if "utm_" in query else ""
    if utm:
        return _UTM.get(utm) or _match(utm) or "other"
    if not referrer:
        return "direct"
    parts = urlsplit(referrer)
    host = (parts.hostname or "").lower()
    if not host:
        return "direct"
    if host == own_host.split(":", maxsplit=1)[0].lower():
        return None
    if parts.scheme == "android-app":
        return _app(host)
    return _match(host) or "other"
