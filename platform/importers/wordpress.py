"""WordPress exports (WXR 1.0–1.2, Tools › Export) → :class:`ImportResult`.

A WXR file is RSS 2.0 with WordPress's own elements: ``wp:post_type`` (post, page, attachment,
nav_menu_item, revision, custom types), ``wp:status`` (publish, draft, future, pending, private,
trash…), ``wp:post_date_gmt``, ``wp:post_name``, ``<category domain="category|post_tag">``,
``dc:creator`` (a login, described in ``wp:author``), ``wp:post_parent``/``wp:menu_order`` and, for
attachments, ``wp:attachment_url``. Files are never in the export: only their addresses are.

Bodies are turned into plain HTML: Gutenberg's comment delimiters go, a classic-editor body gets the
paragraphs WordPress would add when showing it, ``[caption]`` becomes ``<figure>``/``<figcaption>``,
``[gallery]`` the pictures it showed, ``[embed]``/``[video]``/``[audio]`` links; other shortcodes
(plugins') are removed, keeping what they enclosed, and reported.
"""

from __future__ import annotations

import html
import mimetypes
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from etalase.platform.importers import bodies, shortcodes
from etalase.platform.importers.common import Authors, finish_body
from etalase.platform.importers.images import wordpress_key, wordpress_original
from etalase.platform.importers.model import (
    ImportedAttachment,
    ImportedAuthor,
    ImportedItem,
    ImportResult,
    Kind,
    Status,
)
from etalase.platform.importers.report import Report
from etalase.platform.importers.xmlsafe import MAX_BYTES, invalid, parse_xml

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
_WP_NS = re.compile(r"^\{http://wordpress\.org/export/(1\.[0-2])/\}")
WIB = timezone(timedelta(hours=7), "WIB")
_UNCATEGORISED = {"uncategorized", "tak berkategori", "tidak berkategori", "tanpa kategori"}

_STATUS: dict[str, Status] = {
    "publish": "published",
    "future": "scheduled",
    "draft": "draft",
    "pending": "draft",
    "private": "draft",
}
_STATUS_NOTES = {
    "private": "Tulisan privat di WordPress diimpor sebagai draf agar tidak langsung terbuka untuk umum.",
    "pending": "Tulisan yang menunggu tinjauan di WordPress diimpor sebagai draf.",
}
_TYPE_COUNTS = {
    "nav_menu_item": ("nav_menu", lambda n: f"{n} butir menu navigasi tidak diimpor; susun menu di Etalase."),
    "revision": ("revisions", lambda n: f"{n} revisi lama tidak diimpor (yang dibawa hanya versi terakhir)."),
}


@dataclass(slots=True)
class _Raw:
    """One ``<item>``, read but not yet judged."""

    post_id: str
    post_type: str
    status: str
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    post_date: str
    post_date_gmt: str
    modified: str
    modified_gmt: str
    post_name: str
    parent: str
    menu_order: int
    password: str
    attachment_url: str
    categories: list[tuple[str, str, str]]  # (domain, nicename, text)
    meta: dict[str, str]
    comments: int


@dataclass(slots=True)
class _Context:
    report: Report
    site_url: str | None
    attachments: dict[str, ImportedAttachment] = field(default_factory=dict)
    uploads: dict[str, str] = field(default_factory=dict)  # wordpress_key(url) → attachment URL
    children: dict[str, list[ImportedAttachment]] = field(default_factory=dict)  # parent id → files
    offset: timedelta | None = None  # the site's UTC offset, read from items that have both dates


def _text(elem: Element | None) -> str:
    return (elem.text or "").strip() if elem is not None else ""


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _read(item: Element, wp: str) -> _Raw:
    def w(name: str) -> str:
        return _text(item.find(f"{wp}{name}"))

    meta = {}
    for pm in item.findall(f"{wp}postmeta"):
        key = _text(pm.find(f"{wp}meta_key"))
        if key:
            meta[key] = _text(pm.find(f"{wp}meta_value"))
    content = item.find(f"{CONTENT}encoded")
    excerpt = next((e for e in item if e.tag.endswith("/excerpt/}encoded")), None)
    return _Raw(
        post_id=w("post_id"),
        post_type=w("post_type") or "post",
        status=w("status"),
        title=bodies.clean_text(_text(item.find("title"))),
        link=_text(item.find("link")),
        creator=_text(item.find(f"{DC}creator")),
        content=(content.text or "") if content is not None else "",
        excerpt=(excerpt.text or "") if excerpt is not None else "",
        post_date=w("post_date"),
        post_date_gmt=w("post_date_gmt"),
        modified=w("post_modified"),
        modified_gmt=w("post_modified_gmt"),
        post_name=unquote(w("post_name")),
        parent=w("post_parent") or "0",
        menu_order=_int(w("menu_order")),
        password=w("post_password"),
        attachment_url=w("attachment_url"),
        categories=[
            (c.get("domain", ""), c.get("nicename", ""), bodies.clean_text(c.text))
            for c in item.findall("category")
        ],
        meta=meta,
        comments=len(item.findall(f"{wp}comment")),
    )


def _sql_date(value: str) -> datetime | None:
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 (zone applied by caller)
    except ValueError:
        return None


def _site_offset(raws: list[_Raw]) -> timedelta | None:
    """The site's UTC offset as its own items show it (post_date − post_date_gmt), if they agree."""
    seen: Counter[timedelta] = Counter()
    for raw in raws:
        local, gmt = _sql_date(raw.post_date), _sql_date(raw.post_date_gmt)
        if local and gmt:
            minutes = round((local - gmt).total_seconds() / 900) * 15
            if -12 * 60 <= minutes <= 14 * 60:
                seen[timedelta(minutes=minutes)] += 1
    return seen.most_common(1)[0][0] if seen else None


def _date(gmt: str, local: str, context: _Context, title: str) -> datetime | None:
    """``wp:post_date_gmt`` in UTC; without it (drafts never published have 0000-00-00), the local
    ``wp:post_date`` in the site's zone: read from its other items, else assumed to be WIB."""
    parsed = _sql_date(gmt)
    if parsed:
        return parsed.replace(tzinfo=UTC)
    parsed = _sql_date(local)
    if parsed is None:
        return None
    if context.offset is not None:
        zone = timezone(context.offset)
        hours = _format_offset(context.offset)
        context.report.tally_note(
            "timezone_inferred",
            lambda n: (
                f"{n} tanggal tanpa zona waktu dihitung dengan selisih {hours} dari UTC, "
                "sesuai tulisan lain di ekspor ini."
            ),
        )
    else:
        zone = WIB
        context.report.tally_note(
            "timezone_assumed",
            lambda n: (
                f"{n} tanggal tanpa zona waktu dianggap WIB (Asia/Jakarta, UTC+7); "
                "periksa bila situs lama memakai WITA atau WIT."
            ),
        )
    return parsed.replace(tzinfo=zone).astimezone(UTC)


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _find_wp_namespace(root: Element) -> str | None:
    channel = root.find("channel")
    if channel is None:
        return None
    for child in channel:
        match = _WP_NS.match(child.tag)
        if match:
            return match.group(0)
    for item in channel.findall("item"):
        for child in item:
            match = _WP_NS.match(child.tag)
            if match:
                return match.group(0)
    return None


def parse_wxr(data: bytes, *, max_bytes: int = MAX_BYTES) -> ImportResult:
    """Read a WordPress export (WXR).

    Raises :class:`~etalase.platform.importers.xmlsafe.ImportRefusedError` for a file that is too large,
    unsafe, malformed or not a WordPress export.
    """
    root = parse_xml(data, max_bytes)
    if root.tag == "{http://www.w3.org/2005/Atom}feed":
        raise invalid("ini ekspor Blogger, bukan WordPress. Pilih impor dari Blogger.")
    wp = _find_wp_namespace(root) if root.tag == "rss" else None
    if wp is None:
        raise invalid("ini bukan berkas WXR WordPress (Alat › Ekspor di dasbor WordPress).")
    channel = root.find("channel")
    assert channel is not None  # _find_wp_namespace found it

    site_url = _text(channel.find(f"{wp}base_blog_url")) or _text(channel.find("link")) or None
    result = ImportResult(
        source="wordpress",
        site_title=bodies.clean_text(_text(channel.find("title"))),
        site_url=site_url,
    )
    context = _Context(report=Report(), site_url=site_url)
    authors = _authors(channel, wp)
    raws = [_read(item, wp) for item in channel.findall("item")]
    context.offset = _site_offset(raws)
    # Attachments first: bodies refer to them (galleries, resized copies, featured images).
    result.attachments = _attachments(raws, context)

    slugs = bodies.SlugBook()
    page_parents: list[tuple[ImportedItem, str]] = []
    context.report.tally_skip(
        "comments", lambda n: f"{n} komentar tidak diimpor.", amount=sum(raw.comments for raw in raws)
    )
    for raw in raws:
        if raw.post_type == "attachment":
            continue
        item = _item(raw, context, authors, slugs)
        if item is None:
            continue
        result.items.append(item)
        if item.kind == "page" and raw.parent != "0":
            page_parents.append((item, raw.parent))

    pages = {item.source_id: item for item in result.items if item.kind == "page"}
    for page, parent_id in page_parents:
        parent = pages.get(parent_id)
        if parent is None:
            context.report.note(
                "parent_missing",
                page.title,
                f"Halaman induknya (ID {parent_id}) tidak ikut diimpor; halaman ini dijadikan halaman utama.",
            )
        else:
            page.parent = parent.slug

    result.authors = authors.all()
    result.skipped, result.notes = context.report.finish()
    return result


def _authors(channel: Element, wp: str) -> Authors:
    authors = Authors()
    for elem in channel.findall(f"{wp}author"):
        login = _text(elem.find(f"{wp}author_login"))
        if login:
            authors.know(
                ImportedAuthor(
                    key=login,
                    display_name=bodies.clean_text(_text(elem.find(f"{wp}author_display_name"))) or login,
                    email=_text(elem.find(f"{wp}author_email")) or None,
                )
            )
    return authors


def _attachments(raws: list[_Raw], context: _Context) -> list[ImportedAttachment]:
    found = []
    for raw in raws:
        attachment = _attachment(raw) if raw.post_type == "attachment" else None
        if attachment is None:
            continue
        found.append(attachment)
        context.attachments[raw.post_id] = attachment
        context.uploads[wordpress_key(attachment.url)] = attachment.url
        if attachment.parent_source_id:
            context.children.setdefault(attachment.parent_source_id, []).append(attachment)
    return found


def _attachment(raw: _Raw) -> ImportedAttachment | None:
    url = raw.attachment_url or ""
    if not url:
        return None
    mime, _ = mimetypes.guess_type(urlsplit(url).path)
    return ImportedAttachment(
        source_id=raw.post_id,
        url=url,
        title=raw.title,
        mime_type=mime,
        parent_source_id=raw.parent if raw.parent != "0" else None,
        alt=bodies.clean_text(raw.meta.get("_wp_attachment_image_alt", "")),
        caption=bodies.clean_text(raw.excerpt),
    )


def _item(raw: _Raw, context: _Context, authors: Authors, slugs: bodies.SlugBook) -> ImportedItem | None:
    report = context.report
    shown = raw.title or f"ID {raw.post_id}"
    if raw.post_type in _TYPE_COUNTS:
        code, message = _TYPE_COUNTS[raw.post_type]
        report.tally_skip(code, message)
        return None
    if raw.post_type not in {"post", "page"}:
        post_type = raw.post_type
        report.tally_skip(
            "unsupported_type",
            lambda n: f"{n} entri bertipe “{post_type}” tidak diimpor (jenisnya tidak ada di Etalase).",
            key=post_type,
        )
        return None
    if raw.status == "trash":
        report.skip("trashed", shown, "Tulisan ini ada di tempat sampah WordPress, jadi tidak diimpor.")
        return None
    if raw.status in {"auto-draft", "inherit"}:
        report.tally_skip("auto_draft", lambda n: f"{n} draf otomatis WordPress (kosong) tidak diimpor.")
        return None

    title = raw.title
    if not title:
        title = bodies.title_from_body(bodies.strip_block_comments(raw.content)) or "Tanpa judul"
        report.note("untitled", f"ID {raw.post_id}", f"Judul kosong; dipakai awal isinya: “{title}”.")

    status = _STATUS.get(raw.status)
    if status is None:
        status = "draft"
        report.note("unknown_status", title, f"Status WordPress “{raw.status}” diimpor sebagai draf.")
    elif raw.status in _STATUS_NOTES:
        report.note(f"{raw.status}_as_draft", title, _STATUS_NOTES[raw.status])
    if raw.password and status != "draft":
        status = "draft"
        report.note(
            "password_as_draft",
            title,
            "Tulisan ini dilindungi kata sandi di WordPress; diimpor sebagai draf dan kata sandinya "
            "tidak dibawa.",
        )

    kind: Kind = "page" if raw.post_type == "page" else "post"
    slug, changed = slugs.claim(kind, bodies.clean_slug(raw.post_name), title)
    if changed:
        report.note("slug_changed", title, f"Alamat “{raw.post_name}” sudah dipakai; jadi “{slug}”.")

    html_body = _wordpress_html(raw, title, context)
    featured = None
    thumb_id = raw.meta.get("_thumbnail_id", "")
    if thumb_id in context.attachments:
        featured = context.attachments[thumb_id].url
    attached = [
        a.url for a in context.children.get(raw.post_id, []) if (a.mime_type or "").startswith("image/")
    ]
    body = finish_body(
        html_body,
        title,
        report,
        base_url=context.site_url,
        canonical=lambda url: wordpress_original(url, context.uploads),
    )
    images = list(dict.fromkeys([*([featured] if featured else []), *body.media.images, *attached]))

    # Only a published item had a public address (with plain permalinks it is /?p=123 itself).
    link = raw.link if status == "published" and raw.link else None
    path = None
    if link:
        parts = urlsplit(link)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return ImportedItem(
        kind=kind,
        source_id=raw.post_id,
        title=title,
        slug=slug,
        body_html=body.html,
        summary=bodies.shorten(bodies.html_to_text(raw.excerpt)) or bodies.summary_before_more(raw.content),
        status=status,
        published_at=_date(raw.post_date_gmt, raw.post_date, context, title),
        updated_at=_date(raw.modified_gmt, raw.modified, context, title) if raw.modified else None,
        author=authors.use(raw.creator),
        categories=_terms(raw, "category"),
        tags=_terms(raw, "post_tag"),
        source_url=link,
        source_path=path,
        image_urls=images,
        document_urls=body.media.documents,
        body_urls=body.media.found,
        featured_image_url=featured,
        menu_order=raw.menu_order,
    )


def _terms(raw: _Raw, domain: str) -> list[str]:
    names: list[str] = []
    for term_domain, nicename, text in raw.categories:
        name = text or nicename
        if term_domain != domain or not name or name in names:
            continue
        if domain == "category" and name.lower() in _UNCATEGORISED:
            continue  # WordPress's default category, not one the village chose
        names.append(name)
    return names


# --- bodies -----------------------------------------------------------------------------------
def _wordpress_html(raw: _Raw, title: str, context: _Context) -> str:
    blocks = bodies.has_blocks(raw.content)
    text = bodies.strip_block_comments(raw.content) if blocks else bodies.link_bare_urls(raw.content)
    text = shortcodes.expand(text, lambda code: _shortcode(code, raw, title, context))
    text = shortcodes.drop_stray_closers(text)
    if not blocks:
        text = bodies.autop(text)
    return text.strip()


_MEDIA_ATTRS = ("src", "mp4", "m4v", "webm", "ogv", "mp3", "m4a", "ogg", "wav", "wmv", "flv")
_CAPTION_IMAGE = re.compile(
    r"^\s*((?:<a\b[^<>]{0,4000}>\s*)?<img\b[^<>]{0,4000}>(?:\s*</a\s*>)?)(.*)$", re.DOTALL | re.IGNORECASE
)


def _link(url: str, label: str | None = None) -> str:
    return f'<p><a href="{html.escape(url)}">{html.escape(label or url)}</a></p>'


def _shortcode(code: shortcodes.Shortcode, raw: _Raw, title: str, context: _Context) -> str:
    if code.name in {"caption", "wp_caption"}:
        return _caption(code)
    if code.name == "gallery":
        return _gallery(code, raw, title, context)
    if code.name in {"embed", "video", "audio"}:
        return _media_link(code, title, context.report)
    context.report.skip(
        "shortcode_removed",
        title,
        f"Kode pendek [{code.name}] (dari plugin atau tema WordPress) dihapus"
        + ("; teks di dalamnya dipertahankan." if code.content else "."),
    )
    return code.content or ""


def _caption(code: shortcodes.Shortcode) -> str:
    """``[caption]<a><img></a> Teks[/caption]`` (or ``caption="Teks"``) → a figure with a caption."""
    inner = code.content or ""
    match = _CAPTION_IMAGE.match(inner)
    if not match:
        return inner
    return bodies.figure(match.group(1), code.attrs.get("caption") or match.group(2))


def _gallery(code: shortcodes.Shortcode, raw: _Raw, title: str, context: _Context) -> str:
    files = _gallery_files(code, raw, context)
    if not files:
        context.report.skip(
            "shortcode_removed",
            title,
            "Kode pendek [gallery] dihapus: gambar-gambarnya tidak tercantum di berkas ekspor.",
        )
        return ""
    context.report.note(
        "shortcode_converted", title, f"Kode pendek [gallery] diubah menjadi deretan {len(files)} gambar."
    )
    images = "".join(
        f'<img src="{html.escape(a.url)}" alt="{html.escape(a.alt or a.caption)}">' for a in files
    )
    return f"<figure>{images}</figure>"


def _media_link(code: shortcodes.Shortcode, title: str, report: Report) -> str:
    """``[embed]url[/embed]``, ``[video mp4="…"]``, ``[audio src="…"]`` → a plain link."""
    url = (code.content or "").strip() if code.name == "embed" else ""
    url = url or next((code.attrs[a] for a in _MEDIA_ATTRS if code.attrs.get(a)), "")
    url = html.unescape(bodies.html_to_text(url) if "<" in url else url)
    if url.startswith(("http://", "https://")):
        report.note("shortcode_converted", title, f"Kode pendek [{code.name}] diganti tautan biasa ke {url}.")
        return _link(url)
    report.skip("shortcode_removed", title, f"Kode pendek [{code.name}] tanpa alamat dihapus.")
    return ""


def _gallery_files(code: shortcodes.Shortcode, raw: _Raw, context: _Context) -> list[ImportedAttachment]:
    ids = [
        i.strip() for i in (code.attrs.get("ids") or code.attrs.get("include") or "").split(",") if i.strip()
    ]
    if ids:
        return [context.attachments[i] for i in ids if i in context.attachments]
    # No ids: WordPress shows the images uploaded to this post.
    return [a for a in context.children.get(raw.post_id, []) if (a.mime_type or "").startswith("image/")]
