"""Finding the files a body points at, and the one URL to fetch for each.

Blogger serves every picture at many sizes from one address with a size segment (``/s1600/``,
``/w640-h480/``, ``=s1600``); ``s0`` asks for the original upload. Jetpack's Photon CDN
(``i0.wp.com/<site>/…``) wraps a WordPress upload. Both are reduced to the original so a picture
that appears as a thumbnail and as a link to its full size is fetched once, at its best.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from etalase.platform.importers.bodies import without_comments

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "bmp", "avif", "heic", "tif", "tiff"})
DOCUMENT_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "csv", "rtf", "zip", "rar"}
)
# Attributes that hold the picture itself; lazy-loading plugins move it out of src.
_IMG_SRC = ("src", "data-src", "data-lazy-src", "data-original", "data-orig-file")
_SRCSET = ("srcset", "data-srcset", "data-lazy-srcset")

_BLOGGER_SIZE = re.compile(r"^[swh]\d+(?:-[a-z0-9]+)*$|^d$")
_BLOGGER_SUFFIX = re.compile(r"=[swh]\d+[a-z0-9-]*$|=[a-z](?:-[a-z0-9]+)*$")
_PHOTON = re.compile(r"^i[0-3]\.wp\.com$")
_WP_SIZE = re.compile(r"-\d{1,5}x\d{1,5}(?=\.[A-Za-z0-9]{2,5}$)")
_WP_SCALED = re.compile(r"-(?:scaled|rotated)(?=\.[A-Za-z0-9]{2,5}$)")


_BLOGGER_HOSTS = re.compile(r"^(?:(?:\d+\.)?bp\.blogspot\.com|(?:blogger|lh\d)\.googleusercontent\.com)$")


def is_blogger_image_host(host: str) -> bool:
    """Hosts that serve Blogger's pictures and understand its size segments."""
    return bool(_BLOGGER_HOSTS.match(host))


def absolute_url(url: str, base: str | None = None) -> str | None:
    """``url`` as an absolute http(s) URL (protocol-relative → https), or None (data:, mailto:, …)."""
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    if url.startswith("//"):
        url = "https:" + url
    elif base and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
        url = urljoin(base, url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def normalise_image_url(url: str) -> str:
    """The original-size address of a picture. Only Blogger/Google and Photon URLs are rewritten."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if is_blogger_image_host(host):
        segments = parts.path.split("/")
        if len(segments) >= 3 and _BLOGGER_SIZE.match(segments[-2]):
            segments[-2] = "s0"
            path = "/".join(segments)
        elif _BLOGGER_SUFFIX.search(segments[-1]):
            path = parts.path[: parts.path.rfind("=")] + "=s0"
        else:
            path = parts.path
        # ?imgmax=800 and friends only ever shrink the picture.
        return urlunsplit(("https", parts.netloc.lower(), path, "", ""))
    if _PHOTON.match(host):
        inner = parts.path.lstrip("/")
        if "/" in inner:
            return "https://" + inner
    return url


def wordpress_original(url: str, uploads: Mapping[str, str]) -> str:
    """A WordPress resized copy (``foto-1024x768.jpg``, ``foto-scaled.jpg``) → the attachment URL the
    export lists for it, if any. ``uploads`` maps :func:`wordpress_key` of each attachment URL to it."""
    return uploads.get(wordpress_key(url), url)


def wordpress_key(url: str) -> str:
    parts = urlsplit(url)
    path = _WP_SCALED.sub("", _WP_SIZE.sub("", parts.path))
    return f"{(parts.hostname or '').lower().removeprefix('www.')}{path}"


def extension(url: str) -> str:
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def largest_in_srcset(srcset: str) -> str | None:
    """The candidate with the largest width (``800w``) or density (``2x``) descriptor."""
    best, best_size = None, -1.0
    for candidate in srcset.split(","):
        bits = candidate.strip().split()
        if not bits:
            continue
        size = 0.0
        if len(bits) > 1:
            descriptor = bits[1].lower()
            try:
                size = float(descriptor[:-1]) * (1 if descriptor.endswith("w") else 1000)
            except ValueError:
                size = 0.0
        if size > best_size:
            best, best_size = bits[0], size
    return best


@dataclass(slots=True)
class Media:
    """What a body points at. ``found`` maps each raw URL to its canonical URL in the lists."""

    images: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    found: dict[str, str] = field(default_factory=dict)

    def add_image(self, raw: str, canonical: str) -> None:
        self.found.setdefault(raw, canonical)
        if canonical not in self.images:
            self.images.append(canonical)

    def add_document(self, raw: str, canonical: str) -> None:
        self.found.setdefault(raw, canonical)
        if canonical not in self.documents:
            self.documents.append(canonical)


_MEDIA_TAG = re.compile(r"<(img|source|a)\b([^<>]{0,8000})>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


def attributes(tag_text: str) -> dict[str, str]:
    """The attributes of one tag, names lowercased, values with entities decoded (the same decoding
    :func:`rewrite_urls` applies, so what is found can be replaced)."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(tag_text):
        raw = next((g for g in match.group(2, 3, 4) if g is not None), "")
        found.setdefault(match.group(1).lower(), html.unescape(raw))
    return found


def _collect(body: str) -> tuple[list[str], list[str]]:
    images: list[str] = []
    links: list[str] = []
    for match in _MEDIA_TAG.finditer(body):
        values = {k: v for k, v in attributes(match.group(2)).items() if v.strip()}
        if match.group(1).lower() in {"img", "source"}:
            images.extend(values[name] for name in _IMG_SRC if name in values)
            for name in _SRCSET:
                if name in values:
                    images.extend(_srcset_urls(values[name]))
        elif "href" in values:
            links.append(values["href"])
    return images, links


def _srcset_urls(srcset: str) -> list[str]:
    # Every candidate is recorded as found (so the writer can rewrite them all); the largest is the
    # one kept, because all of them normalise to the same original in the common cases.
    largest = largest_in_srcset(srcset)
    others = [c.strip().split()[0] for c in srcset.split(",") if c.strip()]
    return [largest, *others] if largest else others


def find_media(
    body: str,
    *,
    base_url: str | None = None,
    canonical: Callable[[str], str] = str,
    extra_images: Iterable[str] = (),
) -> Media:
    """Images (``img``/``source`` src and the largest srcset entry, links to image files) and
    documents (links to PDF, Word, Excel… files) in ``body``, in order of appearance, deduplicated."""
    found_images, links = _collect(without_comments(body))
    media = Media()
    for raw in [*found_images, *extra_images]:
        url = absolute_url(raw, base_url)
        if url:
            media.add_image(raw, canonical(normalise_image_url(url)))
    for raw in links:
        url = absolute_url(raw, base_url)
        if not url:
            continue
        ext = extension(url)
        if ext in IMAGE_EXTENSIONS or (is_blogger_image_host((urlsplit(url).hostname or "").lower())):
            media.add_image(raw, canonical(normalise_image_url(url)))
        elif ext in DOCUMENT_EXTENSIONS:
            media.add_document(raw, url)
    return media


# --- pointing a body at new copies ------------------------------------------------------------
_URL_ATTR = re.compile(
    r"""(?P<name>\b(?:src|href|data-src|data-lazy-src|data-original|data-orig-file|srcset|data-srcset|data-lazy-srcset))
        (?P<eq>\s*=\s*)
        (?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""",
    re.IGNORECASE | re.VERBOSE,
)


def rewrite_urls(body: str, replacements: Mapping[str, str]) -> str:
    """``body`` with every src/href/srcset value found in ``replacements`` (keys as in
    :attr:`ImportedItem.body_urls`) replaced by its value, e.g. the village's own copy."""

    def replace_one(value: str) -> str:
        return replacements.get(value, value)

    def attr(match: re.Match[str]) -> str:
        raw = match.group("dq") if match.group("dq") is not None else match.group("sq")
        if raw is None:
            raw = match.group("bare")
        value = html.unescape(raw)
        if "srcset" in match.group("name").lower():
            candidates = []
            for candidate in value.split(","):
                bits = candidate.strip().split(None, 1)
                if bits:
                    candidates.append(" ".join([replace_one(bits[0]), *bits[1:]]))
            new = ", ".join(candidates)
        else:
            new = replace_one(value)
        if new == value:
            return match.group(0)
        return f'{match.group("name")}="{html.escape(new, quote=True)}"'

    return _URL_ATTR.sub(attr, body)
