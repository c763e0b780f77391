"""Video and social posts in a body: a YouTube, Facebook, Instagram or TikTok address alone on its
line (a paragraph holding only that URL, linked or not) becomes a tap-to-load embed.

Nothing is requested from the other site until the reader taps: the page carries a link to the
original post and the address of the player in ``data-embed``; ``/static/base/embed.js`` swaps the
link for the iframe on tap. Without JavaScript the link opens the post on its own site. Only
addresses recognised here produce an embed, and the player address is built by Etalase from the
video's id, never taken from the body.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from etalase.platform.i18n import _

# A paragraph that holds one URL and nothing else; nh3 writes tags in this shape.
_LONE_URL = re.compile(
    r"<p>\s*(?:<a\s[^>]*>)?\s*(https?://[^\s<>\"]+)\s*(?:</a>)?\s*(?:<br>)?\s*</p>",
    re.IGNORECASE,
)
_ID = re.compile(r"^[A-Za-z0-9_-]{5,64}$")
_DIGITS = re.compile(r"^\d{5,30}$")


@dataclass(frozen=True)
class Embed:
    provider: str  # YouTube, Facebook, Instagram, TikTok
    url: str  # the original post (the link without JavaScript)
    player: str  # the iframe's address
    tall: bool = False  # portrait players (Instagram, TikTok, Shorts)


def recognise(url: str) -> Embed | None:
    """The embed for a post address, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    if host in ("youtube.com", "youtu.be", "music.youtube.com"):
        return _youtube(url, host, segments, parts.query)
    if host in ("facebook.com", "fb.watch", "web.facebook.com"):
        return _facebook(url, host, segments)
    if host == "instagram.com" and len(segments) >= 2 and segments[0] in ("p", "reel", "tv"):
        player = f"https://www.instagram.com/{segments[0]}/{segments[1]}/embed"
        return Embed("Instagram", url, player, True) if _ID.match(segments[1]) else None
    if host == "tiktok.com" and len(segments) >= 3 and segments[1] == "video" and _DIGITS.match(segments[2]):
        return Embed("TikTok", url, f"https://www.tiktok.com/embed/v2/{segments[2]}", True)
    return None


def _facebook(url: str, host: str, segments: list[str]) -> Embed | None:
    if not segments:
        return None
    video = "videos" in segments or "watch" in segments or "reel" in segments or host == "fb.watch"
    plugin = "video.php" if video else "post.php"
    player = f"https://www.facebook.com/plugins/{plugin}?href={quote(url, safe='')}&show_text=true"
    return Embed("Facebook", url, player)


def _youtube(url: str, host: str, segments: list[str], query: str) -> Embed | None:
    video = ""
    if host == "youtu.be" and segments:
        video = segments[0]
    elif segments[:1] == ["watch"]:
        video = (parse_qs(query).get("v") or [""])[0]
    elif len(segments) >= 2 and segments[0] in ("shorts", "live", "embed"):
        video = segments[1]
    if not _ID.match(video):
        return None
    tall = segments[:1] == ["shorts"]
    return Embed("YouTube", url, f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1", tall)


def expand(body: str) -> str:
    """``body`` (sanitised HTML) with every lone post address turned into a tap-to-load embed."""
    if "http" not in body:
        return body
    expanded = _LONE_URL.sub(_replace, body)
    if expanded != body:  # the script that loads a player on tap, only where there is one
        expanded += '<script src="/static/base/embed.js" defer></script>'
    return expanded


def _replace(match: re.Match[str]) -> str:
    url = html.unescape(match.group(1))
    embed = recognise(url)
    if embed is None:
        return match.group(0)
    if embed.provider in ("YouTube", "TikTok") or "video" in embed.player:
        label = _("Putar video dari {provider}").format(provider=embed.provider)
    else:
        label = _("Tampilkan kiriman dari {provider}").format(provider=embed.provider)
    note = _("Konten dari {provider} baru dimuat setelah Anda mengetuknya.").format(provider=embed.provider)
    shape = " tall" if embed.tall else ""
    return (
        f'<figure class="embed{shape}" data-embed="{html.escape(embed.player)}" '
        f'data-provider="{html.escape(embed.provider)}">'
        f'<a class="embed-load" href="{html.escape(embed.url)}" rel="noopener nofollow ugc">'
        f'<span class="embed-play" aria-hidden="true">▶</span> {html.escape(label)}</a>'
        f"<figcaption>{html.escape(note)}</figcaption></figure>"
    )
