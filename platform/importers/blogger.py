"""Blogger (Blogspot) exports → :class:`ImportResult`.

Two formats exist and both are read:

* the classic "Back up content" file (``blog-MM-DD-YYYY.xml``): an Atom feed whose entries say what
  they are with ``<category scheme="http://schemas.google.com/g/2005#kind"
  term="http://schemas.google.com/blogger/2008/kind#post">`` (``#page``, ``#comment``,
  ``#settings``, ``#template``), drafts with ``<app:control><app:draft>yes</app:draft>``;
* Google Takeout's ``feed.atom`` (namespace ``http://schemas.google.com/blogger/2018``):
  ``<blogger:type>POST|PAGE|COMMENT</blogger:type>``, ``<blogger:status>LIVE|DRAFT|SOFT_TRASHED``,
  ``<blogger:filename>/2023/05/judul.html``. Takeout keeps the theme in separate files, so its feed
  holds no settings or template entries.

Labels become categories (Blogger has no tags). Comments, settings and the template are counted in
the report, not imported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

from etalase.platform.importers import bodies
from etalase.platform.importers.common import Authors, finish_body, parse_iso
from etalase.platform.importers.images import normalise_image_url
from etalase.platform.importers.model import ImportedItem, ImportResult, Status
from etalase.platform.importers.report import Report
from etalase.platform.importers.xmlsafe import MAX_BYTES, invalid, parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"
BLOGGER = "{http://schemas.google.com/blogger/2018}"
MEDIA = "{http://search.yahoo.com/mrss/}"
APP = ("{http://purl.org/atom/app#}", "{http://www.w3.org/2007/app}")
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_PREFIX = "http://schemas.google.com/blogger/2008/kind#"
WXR_PREFIX = "{http://wordpress.org/export/"

_TRASHED = {"SOFT_TRASHED", "TRASHED", "DELETED"}
_STATUS: dict[str, Status] = {"LIVE": "published", "DRAFT": "draft", "SCHEDULED": "scheduled"}

# Counted lines: (code, message for n).
_COUNTED: dict[str, tuple[str, Callable[[int], str]]] = {
    "comment": ("comments", lambda n: f"{n} komentar tidak diimpor."),
    "settings": (
        "settings",
        lambda n: f"{n} entri pengaturan blog tidak diimpor; atur identitas situs di Etalase.",
    ),
    "template": (
        "template",
        lambda n: "Templat (tema) Blogger tidak diimpor; tampilan situs diatur oleh tema Etalase.",
    ),
}


def _text(elem: Element | None) -> str:
    return (elem.text or "").strip() if elem is not None else ""


def _kind(entry: Element) -> str:
    """post, page, comment, settings, template… ("" when the entry does not say)."""
    typed = _text(entry.find(f"{BLOGGER}type"))
    if typed:
        return typed.lower()
    for category in entry.findall(f"{ATOM}category"):
        term = category.get("term", "")
        if category.get("scheme") == KIND_SCHEME and term.startswith(KIND_PREFIX):
            return term.removeprefix(KIND_PREFIX).lower()
    return ""


def _link(elem: Element, rel: str) -> str | None:
    for link in elem.findall(f"{ATOM}link"):
        if link.get("rel") == rel and link.get("href"):
            return link.get("href")
    return None


def _is_draft(entry: Element) -> bool:
    return any(_text(entry.find(f"{app}control/{app}draft")).lower() == "yes" for app in APP)


def _labels(entry: Element) -> list[str]:
    labels: list[str] = []
    for category in entry.findall(f"{ATOM}category"):
        if category.get("scheme") == KIND_SCHEME:
            continue
        label = bodies.clean_text(category.get("term"))
        if label and label not in labels:
            labels.append(label)
    return labels


def parse_blogger(data: bytes, *, max_bytes: int = MAX_BYTES) -> ImportResult:
    """Read a Blogger export (classic backup XML or Takeout ``feed.atom``).

    Raises :class:`~etalase.platform.importers.xmlsafe.ImportRefusedError` for a file that is too large,
    unsafe, malformed or not a Blogger export.
    """
    root = parse_xml(data, max_bytes)
    if root.tag.startswith("rss") and any(c.tag.startswith(WXR_PREFIX) for c in root.iter()):
        raise invalid("ini ekspor WordPress, bukan Blogger. Pilih impor dari WordPress.")
    if root.tag != f"{ATOM}feed":
        raise invalid("tidak ditemukan feed Atom Blogger di dalamnya.")
    entries = root.findall(f"{ATOM}entry")
    feed_id = _text(root.find(f"{ATOM}id"))
    generator = _text(root.find(f"{ATOM}generator"))
    if not (
        feed_id.startswith("tag:blogger.com,")
        or generator.lower() == "blogger"
        or any(_kind(entry) for entry in entries)
    ):
        raise invalid("feed Atom ini tidak dibuat oleh Blogger.")

    site_url = _link(root, "alternate")
    if not site_url:
        for entry in entries:
            href = _link(entry, "alternate")
            if href:
                parts = urlsplit(href)
                site_url = f"{parts.scheme}://{parts.netloc}/"
                break
    exported_at = parse_iso(_text(root.find(f"{ATOM}updated")))
    result = ImportResult(
        source="blogger", site_title=bodies.clean_text(_text(root.find(f"{ATOM}title"))), site_url=site_url
    )
    report = Report()
    authors = Authors()
    slugs = bodies.SlugBook()

    for entry in entries:
        kind = _kind(entry)
        if kind in _COUNTED:
            code, message = _COUNTED[kind]
            report.tally_skip(code, message)
            continue
        if kind not in {"post", "page"}:
            label = kind.upper() or "tanpa jenis"
            report.tally_skip("unknown_entry", _unknown_entries(label), key=label)
            continue
        item = _item(
            entry,
            kind,
            site_url=site_url,
            exported_at=exported_at,
            report=report,
            authors=authors,
            slugs=slugs,
        )
        if item is not None:
            result.items.append(item)

    result.authors = authors.all()
    result.skipped, result.notes = report.finish()
    return result


def _unknown_entries(label: str) -> Callable[[int], str]:
    return lambda n: f"{n} entri berjenis {label} tidak dikenali dan tidak diimpor."


def _item(
    entry: Element,
    kind: str,
    *,
    site_url: str | None,
    exported_at: datetime | None,
    report: Report,
    authors: Authors,
    slugs: bodies.SlugBook,
) -> ImportedItem | None:
    source_id = _text(entry.find(f"{ATOM}id"))
    raw_title = bodies.clean_text(_text(entry.find(f"{ATOM}title")))
    shown = raw_title or source_id
    status_text = _text(entry.find(f"{BLOGGER}status")).upper()
    if status_text in _TRASHED:
        report.skip("trashed", shown, "Tulisan ini ada di tempat sampah Blogger, jadi tidak diimpor.")
        return None

    content = entry.find(f"{ATOM}content")
    raw_body = (content.text or "") if content is not None else ""
    title = raw_title
    if not title:
        title = bodies.title_from_body(raw_body) or "Tanpa judul"
        report.note("untitled", source_id, f"Judul kosong; dipakai awal isinya: “{title}”.")

    status: Status
    if status_text:
        status = _STATUS.get(status_text, "draft")
        if status_text not in _STATUS:
            report.note("unknown_status", title, f"Status Blogger “{status_text}” diimpor sebagai draf.")
    else:
        status = "draft" if _is_draft(entry) else "published"
    published_at = parse_iso(_text(entry.find(f"{ATOM}published")))
    if status == "published" and published_at and exported_at and published_at > exported_at:
        status = "scheduled"  # the classic backup lists a scheduled post as a post dated later

    source_url = _link(entry, "alternate")
    source_path = _text(entry.find(f"{BLOGGER}filename")) or (urlsplit(source_url).path if source_url else "")
    if not source_url and source_path and site_url and status == "published":
        source_url = urljoin(site_url, source_path)
    slug, changed = slugs.claim(kind, bodies.slug_from_path(source_path), title)
    if changed:
        report.note("slug_changed", title, f"Alamat “{source_path}” sudah dipakai; jadi “{slug}”.")

    author_elem = entry.find(f"{ATOM}author")
    name = bodies.clean_text(_text(author_elem.find(f"{ATOM}name"))) if author_elem is not None else ""
    email = _text(author_elem.find(f"{ATOM}email")) if author_elem is not None else ""
    if name.lower() == "unknown":
        name = ""
    author = authors.use(name, name, email if email and email != "noreply@blogger.com" else None)

    thumbnail = entry.find(f"{MEDIA}thumbnail")
    thumbnail_url = thumbnail.get("url", "") if thumbnail is not None else ""
    enclosures = [
        link.get("href", "")
        for link in entry.findall(f"{ATOM}link")
        if link.get("rel") == "enclosure" and link.get("type", "").startswith("image/")
    ]
    body = finish_body(
        bodies.blogger_captions(raw_body),
        title,
        report,
        base_url=site_url,
        extra_images=[u for u in [thumbnail_url, *enclosures] if u],
    )
    summary = bodies.clean_text(_text(entry.find(f"{BLOGGER}metaDescription"))) or bodies.clean_text(
        _text(entry.find(f"{ATOM}summary"))
    )
    return ImportedItem(
        kind="page" if kind == "page" else "post",
        source_id=source_id,
        title=title,
        slug=slug,
        body_html=body.html,
        summary=summary or bodies.summary_before_more(body.html),
        status=status,
        published_at=published_at,
        updated_at=parse_iso(_text(entry.find(f"{ATOM}updated"))),
        author=author,
        categories=_labels(entry),
        source_url=source_url,
        source_path=source_path or None,
        image_urls=body.media.images,
        document_urls=body.media.documents,
        body_urls=body.media.found,
        featured_image_url=normalise_image_url(thumbnail_url) if thumbnail_url else None,
    )
