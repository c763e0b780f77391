"""Turning a source's body into plain HTML and reading text out of it.

Everything here works on strings and never decides what is safe: the writer's sanitiser does that.
What is done here is what the sanitiser cannot know: that a Gutenberg comment is markup, that a
classic WordPress body has its paragraphs as blank lines, that a Blogger caption table is a figure,
that an ``<iframe>`` (which the sanitiser drops silently) was a video worth a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from etalase.tenants.slugs import slugify

MAX_SLUG = 180  # what etalase.platform.content.service keeps of a title, leaving room for "-2"


# --- text -------------------------------------------------------------------------------------
_COMMENT_OPEN = re.compile(r"<!--")
_COMMENT_END = re.compile(r"-->")
_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b[^<>]{0,4000}>", re.IGNORECASE)
_INVISIBLE_CLOSERS = {
    tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in ("script", "style", "noscript", "template")
}
_ANY_TAG = re.compile(r"</?[A-Za-z!?][^<>]{0,8000}>")


def without_comments(fragment: str) -> str:
    return replace_elements(fragment, _COMMENT_OPEN, lambda _: _COMMENT_END, lambda _m, _inner: "")


def html_to_text(fragment: str) -> str:
    """The readable text of an HTML fragment, whitespace collapsed.

    Regular expressions in linear time rather than :class:`html.parser.HTMLParser`, which takes
    quadratic time on some malformed input (thousands of unclosed ``<!--``) in the Pythons we run.
    """
    text = without_comments(fragment)
    text = replace_elements(
        text, _INVISIBLE, lambda m: _INVISIBLE_CLOSERS[m.group(1).lower()], lambda _m, _inner: " "
    )
    text = _ANY_TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def clean_text(value: str | None) -> str:
    """A title or name: entities decoded (Blogger double-escapes them), tags dropped, one line."""
    if not value:
        return ""
    text = html.unescape(value)
    if "<" in text:
        text = html_to_text(text)
    return " ".join(text.split())


def title_from_body(body: str, words: int = 8) -> str:
    text = html_to_text(body).split()
    title = " ".join(text[:words])
    if len(text) > words:
        title += "…"
    return title[:120]


def shorten(text: str, limit: int = 300) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


_MORE = re.compile(r"<!--\s*more\b[^>]*-->|<a\s+name\s*=\s*[\"']?more[\"']?\s*>\s*</a>", re.IGNORECASE)


def summary_before_more(body: str) -> str:
    """The text before a "read more" break (``<!--more-->``, Blogger's ``<a name="more">``), or ""."""
    match = _MORE.search(body)
    if not match:
        return ""
    return shorten(html_to_text(body[: match.start()]))


# --- slugs ------------------------------------------------------------------------------------
_BLOGGER_AUTO_SLUG = re.compile(r"^(?:blog-post|post)(?:[_-]\d+)?$")


def slug_from_path(path: str | None) -> str:
    """``/2023/05/musyawarah-desa.html`` → ``musyawarah-desa``; ``/p/profil.html`` → ``profil``.

    Blogger names posts whose title it cannot transliterate ``blog-post_12.html``: that is no name,
    so "" is returned and the caller falls back to the title.
    """
    if not path:
        return ""
    last = unquote(urlsplit(path).path.rstrip("/").rsplit("/", 1)[-1])
    last = re.sub(r"\.html?$", "", last, flags=re.IGNORECASE)
    if _BLOGGER_AUTO_SLUG.match(last):
        return ""
    return clean_slug(last)


def clean_slug(text: str) -> str:
    slug = slugify(text.replace("_", "-"))
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0]
    return slug.strip("-")


class SlugBook:
    """Slugs given out in one import, per kind, so two items never share one."""

    def __init__(self) -> None:
        self._taken: dict[str, set[str]] = {}
        self._next: dict[tuple[str, str], int] = {}  # where to resume counting for a base

    def claim(self, kind: str, wanted: str, fallback: str) -> tuple[str, bool]:
        """The slug for an item and whether it had to change from ``wanted``."""
        base = wanted or clean_slug(fallback) or ("halaman" if kind == "page" else "berita")
        taken = self._taken.setdefault(kind, set())
        slug, n = base, self._next.get((kind, base), 1)
        if n > 1 or slug in taken:
            n = max(n, 2)
            slug = f"{base}-{n}"
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            self._next[(kind, base)] = n + 1
        taken.add(slug)
        return slug, bool(wanted) and slug != wanted


# --- replacing elements in linear time --------------------------------------------------------
# Bodies are untrusted and may be megabytes long: no pattern here may backtrack across the body, so
# opening tags are matched with bounded patterns and each closing tag is searched for once.
Replace = Callable[[re.Match[str], str | None], str | None]


def replace_elements(
    body: str,
    opening: re.Pattern[str],
    closing: Callable[[re.Match[str]], re.Pattern[str] | None],
    replace: Replace,
) -> str:
    """Replace each ``opening`` match, with what follows it up to its ``closing`` pattern (``None``
    for a void element), by ``replace(match, inner)``; ``inner`` is None when no closer follows.
    ``replace`` returning None keeps the opening tag as it was."""
    out: list[str] = []
    pos = 0
    found: dict[str, tuple[int, tuple[int, int] | None]] = {}  # closer → (searched from, span)
    while True:
        match = opening.search(body, pos)
        if match is None:
            break
        closer = closing(match)
        span: tuple[int, int] | None = None
        if closer is not None:
            searched_from, cached = found.get(closer.pattern, (-1, (-1, -1)))
            if (
                searched_from != -1
                and searched_from <= match.end()
                and (cached is None or cached[0] >= match.end())
            ):
                span = cached
            else:
                close_match = closer.search(body, match.end())
                span = close_match.span() if close_match else None
                found[closer.pattern] = (match.end(), span)
        inner = body[match.end() : span[0]] if span else None
        end = span[1] if span else match.end()
        new = replace(match, inner)
        if new is None:
            out.append(body[pos : match.end()])
            pos = match.end()
            continue
        out.append(body[pos : match.start()])
        out.append(new)
        pos = end
    out.append(body[pos:])
    return "".join(out)


# --- WordPress markup -------------------------------------------------------------------------
_BLOCK_OPEN = re.compile(r"<!--[ \t\n]{0,20}/?wp:")


def has_blocks(body: str) -> bool:
    return bool(re.search(r"<!--\s*wp:", body))


def strip_block_comments(body: str) -> str:
    """Gutenberg's ``<!-- wp:paragraph -->`` delimiters are markup for the editor, not content."""
    text = replace_elements(body, _BLOCK_OPEN, lambda _: _COMMENT_END, lambda _m, inner: "")
    return re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text).strip()


_BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
    "blockquote|address|math|style|script|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|"
    "header|footer|nav|figure|figcaption|details|menu|summary|iframe|object|embed|video|audio"
)
_OPENS_BLOCK = re.compile(rf"(<(?:{_BLOCK_TAGS})[\s/>])", re.IGNORECASE)
_CLOSES_BLOCK = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.IGNORECASE)
_STARTS_BLOCK = re.compile(rf"^</?(?:{_BLOCK_TAGS})[\s/>]", re.IGNORECASE)
_PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)


def autop(body: str) -> str:
    """WordPress's ``wpautop`` in short: a classic-editor body keeps its paragraphs as blank lines
    and its line breaks as newlines, and WordPress adds ``<p>``/``<br>`` only when it shows the page.
    Without this an imported classic post would be one long paragraph."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\n\n<pre>\x00{len(kept) - 1}\x00</pre>\n\n"

    text = _PRE.sub(keep, text)
    text = _OPENS_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSES_BLOCK.sub(r"\1\n\n", text)
    out = []
    for raw_chunk in re.split(r"\n\s*\n", text):
        chunk = raw_chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"[ \t]*\n\s*", "<br>\n", chunk) + "</p>")
    joined = "\n".join(out)
    return re.sub(r"<pre>\x00(\d+)\x00</pre>", lambda m: kept[int(m.group(1))], joined)


_BARE_URL_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"']+)[ \t]*$", re.MULTILINE)


def link_bare_urls(body: str) -> str:
    """A URL alone on its line is an auto-embed in WordPress (YouTube, Instagram…): keep it as a link."""
    return _BARE_URL_LINE.sub(
        lambda m: f'{m.group(1)}<a href="{html.escape(m.group(2))}">{html.escape(m.group(2))}</a>', body
    )


# --- embeds the sanitiser would drop ----------------------------------------------------------
@dataclass(slots=True, frozen=True)
class Replaced:
    what: str  # "iframe", "script", "object"
    url: str


_IFRAME = re.compile(r"<iframe\b(?P<attrs>[^<>]{0,4000})>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SCRIPT = re.compile(r"<(script|object|embed|applet)\b[^<>]{0,4000}>", re.IGNORECASE)
_CLOSERS = {
    tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    for tag in ("iframe", "script", "object", "applet", "table", "td")
}


def _embed_link(src: str) -> tuple[str, str]:
    """A page URL and a label for what an iframe showed."""
    url = html.unescape(src.strip())
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith(("youtube.com", "youtube-nocookie.com")) and parts.path.startswith("/embed/"):
        video = parts.path.split("/")[2] if len(parts.path.split("/")) > 2 else ""
        if video and video != "videoseries":
            return f"https://www.youtube.com/watch?v={video}", "Tonton video di YouTube"
        playlist = parse_qs(parts.query).get("list", [""])[0]
        if playlist:
            return f"https://www.youtube.com/playlist?list={playlist}", "Tonton video di YouTube"
    if "google." in host and "/maps" in parts.path:
        return url, "Buka peta"
    if host.endswith("blogger.com") and parts.path.startswith("/video"):
        return url, "Tonton video (tersimpan di Blogger)"
    if host.endswith(("docs.google.com", "drive.google.com")):
        return url, "Buka dokumen"
    return url, "Buka konten sematan"


def replace_embeds(body: str) -> tuple[str, list[Replaced]]:
    """``<iframe>`` → a paragraph with a link to what it showed; ``<script>``/``<object>`` removed.

    Returns the new body and what was replaced, for the report.
    """
    replaced: list[Replaced] = []

    def iframe(match: re.Match[str], inner: str | None) -> str:
        src_match = _SRC.search(match.group("attrs"))
        src = next((g for g in src_match.groups() if g), "") if src_match else ""
        if not src or src.lower().startswith(("javascript:", "data:")):
            replaced.append(Replaced("iframe", ""))
            return ""
        url, label = _embed_link(src)
        if not url.lower().startswith(("http://", "https://")):
            replaced.append(Replaced("iframe", ""))
            return ""
        replaced.append(Replaced("iframe", url))
        return f'<p><a href="{html.escape(url)}">{label}</a></p>'

    def script(match: re.Match[str], inner: str | None) -> str:
        replaced.append(Replaced(match.group(1).lower(), ""))
        return ""

    body = replace_elements(body, _IFRAME, lambda _: _CLOSERS["iframe"], iframe)
    body = replace_elements(body, _SCRIPT, lambda m: _CLOSERS.get(m.group(1).lower()), script)
    return body, replaced


# --- Blogger markup ---------------------------------------------------------------------------
_CAPTION_TABLE = re.compile(r"<table\b(?=[^<>]{0,2000}\btr-caption-container\b)[^<>]{0,2000}>", re.IGNORECASE)
_IMAGE_PART = re.compile(
    r"(?:<a\b[^<>]{0,4000}>\s{0,200})?<img\b[^<>]{0,4000}>(?:\s{0,200}</a\s*>)?", re.IGNORECASE
)
_CAPTION_CELL = re.compile(r"<td\b(?=[^<>]{0,2000}\btr-caption\b)[^<>]{0,2000}>", re.IGNORECASE)


def figure(image_html: str, caption_html: str) -> str:
    caption_html = caption_html.strip()
    caption = f"<figcaption>{caption_html}</figcaption>" if html_to_text(caption_html) else ""
    return f"<figure>{image_html.strip()}{caption}</figure>"


def blogger_captions(body: str) -> str:
    """Blogger puts a captioned picture in ``<table class="tr-caption-container">``: make it a figure."""

    def one(match: re.Match[str], inner: str | None) -> str | None:
        image = _IMAGE_PART.search(inner or "")
        if inner is None or image is None:
            return None
        cell = _CAPTION_CELL.search(inner)
        caption = ""
        if cell:
            close = _CLOSERS["td"].search(inner, cell.end())
            caption = inner[cell.end() : close.start() if close else len(inner)]
        return figure(image.group(0), caption)

    return replace_elements(body, _CAPTION_TABLE, lambda _: _CLOSERS["table"], one)
