"""Bodies of content (posts, pages, agenda, pengumuman): what a form sends becomes safe HTML once,
when it is saved; what a page shows is that HTML with its embeds made tap-to-load.

A phone without JavaScript sends plain text from the textarea (blank lines between paragraphs);
the rich-text editor sends HTML. Both go through :func:`to_safe_html`, so every stored body has
passed nh3's allowlist (:mod:`etalase.platform.content.sanitize`).
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from etalase.platform.content import embeds
from etalase.platform.content.sanitize import clean_html

MAX_BODY = 200_000  # characters of HTML: a long article with tables, far from a denial of service
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]")  # a tag, not "11 < 12"


def text_to_html(text: str) -> str:
    """Plain text as typed on a phone: blank lines separate paragraphs, single breaks stay breaks."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


# An empty paragraph ("<p><br></p>"): the editor leaves one after the last line (where the cursor
# was), which would be published as blank space under every post.
_BLANK_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|<br\s*/?>)*</p>\s*")


def _trim_blank_paragraphs(body: str) -> str:
    """``body`` without empty paragraphs at its start and end (linear: no backtracking over a
    hostile run of thousands of them)."""
    body = body.strip()
    start = 0
    while (found := _BLANK_PARAGRAPH.match(body, start)) is not None:
        start = found.end()
    end = len(body)
    while end > start:
        last = body.rfind("<p>", start, end)
        if last < 0 or _BLANK_PARAGRAPH.fullmatch(body, last, end) is None:
            break
        end = last
    return body[start:end].strip()


def to_safe_html(raw: str) -> str:
    """The body to store: HTML cleaned by nh3, or plain text turned into paragraphs first.
    Callers check the length against :data:`MAX_BODY` with their own message."""
    return _trim_blank_paragraphs(clean_html(raw if _LOOKS_LIKE_HTML.search(raw) else text_to_html(raw)))


def render_body(stored: str) -> Markup:
    """A stored (already sanitised) body for a page, with lone video and social-post addresses
    made tap-to-load embeds (:mod:`etalase.platform.content.embeds`)."""
    return Markup(embeds.expand(stored))  # noqa: S704 - stored bodies passed nh3 when they were saved
