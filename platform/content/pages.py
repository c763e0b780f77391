"""Village pages (halaman): profil, sejarah, visi-misi, struktur pemerintahan, kontak, and any page
the village adds, arranged in a nested menu.

Functions take the request's session and the village, never commit, and raise
:class:`ContentError` (a message for the person) before changing anything. Who may call which is
the route's business (pages are the village's official profile: editors and admins).

A page has a parent (or none: the top of the menu) and a ``menu_order`` among its siblings; the
menu is at most :data:`MAX_DEPTH` levels deep and never loops. Trashing a page moves its children
up to its own parent, so nothing published disappears from the menu with it. Saving is optimistic:
the form carries the ``version`` it was opened at, and a save over a newer version is refused
(:class:`PageConflictError`) while the form keeps the typed text.

Every change that a visitor can see bumps the village's ``content_version``; the public menu
(:func:`cached_menu`) is cached under that number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Literal, TypedDict

from sqlmodel import Session, col

from etalase.platform.content.models import Page
from etalase.platform.content.richtext import MAX_BODY, to_safe_html
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import _
from etalase.platform.runtime import Runtime
from etalase.platform.site.versions import version_book
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from etalase.tenants.slugs import slugify

MAX_DEPTH = 3  # Profil Desa › Pemerintahan › Struktur: deeper menus do not fit a phone
MAX_TITLE = 200
MENU_TTL = 7 * 24 * 3600.0  # an old version's entry is never read again; let it expire


class MenuItem(TypedDict):
    title: str
    slug: str
    children: list[MenuItem]


class PageConflictError(ContentError):
    """Someone saved the page after this form was opened; ``theirs`` is the page as saved now."""

    def __init__(self, theirs: Page) -> None:
        super().__init__(
            _(
                "Halaman ini sudah diubah orang lain setelah Anda membukanya, jadi teks Anda belum "
                "disimpan. Teks Anda tidak hilang: masih ada di formulir di bawah. Periksa teks yang "
                "tersimpan sekarang, lalu simpan lagi bila teks Anda yang dipakai."
            )
        )
        self.theirs = theirs


# --- reading ---------------------------------------------------------------------------------------
def get_page(db: Session, village_id: int, page_id: int, *, trashed: bool = False) -> Page:
    page = db.exec(in_village(Page, village_id).where(col(Page.id) == page_id)).first()
    if page is None or (page.deleted_at is not None) != trashed:
        raise ContentError(_("Halaman tidak ditemukan."))
    return page


def live_pages(db: Session, village_id: int) -> list[Page]:
    """Every page not in the trash, in menu order (one query)."""
    rows = db.exec(in_village(Page, village_id).where(col(Page.deleted_at).is_(None))).all()
    return sorted(rows, key=_menu_key)


def trashed_pages(db: Session, village_id: int) -> Sequence[Page]:
    return db.exec(
        in_village(Page, village_id)
        .where(col(Page.deleted_at).is_not(None))
        .order_by(col(Page.deleted_at).desc())
    ).all()


def _menu_key(page: Page) -> tuple[int, str, int]:
    return (page.menu_order, page.title.casefold(), page.id or 0)


def children_of(pages: Iterable[Page]) -> dict[int | None, list[Page]]:
    """``{parent id (None: the top): [children in menu order]}``."""
    found: dict[int | None, list[Page]] = {}
    for page in sorted(pages, key=_menu_key):
        found.setdefault(page.parent_id, []).append(page)
    return found


def flatten(pages: Sequence[Page]) -> list[tuple[Page, int]]:
    """The pages as an indented list: ``(page, level)`` with level 0 at the top, parents first.
    A page whose parent is not in ``pages`` shows at the top (it cannot be lost from the list)."""
    ids = {p.id for p in pages}
    children = children_of(pages)
    result: list[tuple[Page, int]] = []
    seen: set[int | None] = set()

    def walk(parent: int | None, level: int) -> None:
        for page in children.get(parent, []):
            if page.id in seen:
                continue
            seen.add(page.id)
            result.append((page, level))
            walk(page.id, level + 1)

    walk(None, 0)
    strays = (p for p in pages if p.parent_id is not None and p.parent_id not in ids)
    for page in sorted(strays, key=_menu_key):
        if page.id not in seen:
            seen.add(page.id)
            result.append((page, 0))
            walk(page.id, 1)
    return result


def descendants(pages: Iterable[Page], page_id: int) -> set[int]:
    """The ids under ``page_id`` (children, their children…)."""
    children = children_of(pages)
    found: set[int] = set()
    todo = [page_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child.id is not None and child.id not in found:
                found.add(child.id)
                todo.append(child.id)
    return found


def _depth(by_id: dict[int, Page], page_id: int | None) -> int:
    """Levels from the top down to ``page_id`` included (0 for no page, 1 for a top page)."""
    levels, seen = 0, set()
    while page_id is not None and page_id in by_id and page_id not in seen:
        seen.add(page_id)
        levels += 1
        page_id = by_id[page_id].parent_id
    return levels


def _height(children: dict[int | None, list[Page]], page_id: int) -> int:
    """Levels from ``page_id`` down to its deepest descendant (1 for a page without children)."""
    below = [_height(children, c.id) for c in children.get(page_id, []) if c.id is not None]
    return 1 + max(below, default=0)


def parent_choices(db: Session, village_id: int, page: Page | None) -> list[tuple[Page, int]]:
    """Pages that may become the parent of ``page`` (of a new page when None): not itself, not
    under it, and not so deep that the menu would pass :data:`MAX_DEPTH` levels."""
    pages = live_pages(db, village_id)
    by_id = {p.id: p for p in pages if p.id is not None}
    children = children_of(pages)
    excluded: set[int] = set()
    height = 1
    if page is not None and page.id is not None:
        excluded = {page.id} | descendants(pages, page.id)
        height = _height(children, page.id)
    return [
        (p, level)
        for p, level in flatten(pages)
        if p.id is not None and p.id not in excluded and _depth(by_id, p.id) + height <= MAX_DEPTH
    ]


# --- checks ----------------------------------------------------------------------------------------
def _check_fields(title: str, body: str) -> tuple[str, str]:
    title = " ".join(title.split())
    if not title:
        raise ContentError(_("Isi judul halaman."))
    if len(title) > MAX_TITLE:
        raise ContentError(_("Judul terlalu panjang (maksimal 200 karakter)."))
    if len(body) > MAX_BODY:
        raise ContentError(_("Isi halaman terlalu panjang. Bagi menjadi beberapa halaman."))
    return title, to_safe_html(body)


def _check_parent(pages: list[Page], page: Page | None, parent_id: int | None) -> None:
    """Refuse a parent that is missing, trashed, the page itself or under it, or too deep."""
    if parent_id is None:
        return
    by_id = {p.id: p for p in pages if p.id is not None}
    if parent_id not in by_id:
        raise ContentError(_("Halaman induk tidak ditemukan. Pilih halaman lain."))
    height = 1
    if page is not None and page.id is not None:
        if parent_id == page.id or parent_id in descendants(pages, page.id):
            raise ContentError(
                _("Halaman tidak dapat ditaruh di bawah dirinya sendiri atau di bawah sub-halamannya.")
            )
        height = _height(children_of(pages), page.id)
    if _depth(by_id, parent_id) + height > MAX_DEPTH:
        raise ContentError(
            _("Menu paling banyak {n} tingkat. Pilih halaman induk yang lebih atas.").format(n=MAX_DEPTH)
        )


def unique_page_slug(db: Session, village_id: int, title: str) -> str:
    """A slug no page of the village uses (pages in the trash keep theirs, for a restore)."""
    base = slugify(title)[:180] or "halaman"
    slug, n = base, 1
    while db.exec(in_village(Page, village_id).where(col(Page.slug) == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _next_order(pages: Iterable[Page], parent_id: int | None, skip: int | None = None) -> int:
    orders = [p.menu_order for p in pages if p.parent_id == parent_id and p.id != skip]
    return max(orders, default=-1) + 1


# --- writing ---------------------------------------------------------------------------------------
def create(db: Session, village_id: int, *, title: str, body: str = "", parent_id: int | None = None) -> Page:
    """A new draft page, last among its siblings."""
    title, body = _check_fields(title, body)
    pages = live_pages(db, village_id)
    _check_parent(pages, None, parent_id)
    page = Page(
        village_id=village_id,
        title=title,
        slug=unique_page_slug(db, village_id, title),
        body=body,
        parent_id=parent_id,
        menu_order=_next_order(pages, parent_id),
        status="draft",
    )
    db.add(page)
    db.flush()
    return page


def save(
    db: Session,
    village_id: int,
    page_id: int,
    *,
    expected_version: int,
    title: str,
    body: str,
    parent_id: int | None,
) -> Page:
    """New title, body and parent over ``expected_version``. The slug stays: links to the page
    keep working when its title changes."""
    title, body = _check_fields(title, body)
    page = get_page(db, village_id, page_id)
    unchanged = (title, body, parent_id) == (page.title, page.body, page.parent_id)
    if unchanged:
        return page  # the same form sent twice (or over a save of the same text): nothing to lose
    if page.version != expected_version:
        raise PageConflictError(page)
    pages = live_pages(db, village_id)
    if parent_id != page.parent_id:
        _check_parent(pages, page, parent_id)
        page.parent_id = parent_id
        page.menu_order = _next_order(pages, parent_id, skip=page.id)
    page.title, page.body = title, body
    page.version += 1
    page.updated_at = utcnow()
    db.add(page)
    if page.status == "published":
        bump_content_version(db, village_id)
    db.flush()
    return page


def publish(db: Session, village_id: int, page_id: int) -> Page:
    page = get_page(db, village_id, page_id)
    if page.status == "published":
        raise ContentError(_("Halaman ini sudah terbit."))
    page.status = "published"
    page.updated_at = utcnow()
    db.add(page)
    bump_content_version(db, village_id)
    return page


def unpublish(db: Session, village_id: int, page_id: int) -> Page:
    page = get_page(db, village_id, page_id)
    if page.status != "published":
        raise ContentError(_("Halaman ini belum terbit."))
    page.status = "draft"
    page.updated_at = utcnow()
    db.add(page)
    bump_content_version(db, village_id)
    return page


def trash(db: Session, village_id: int, page_id: int) -> Page:
    """Into the trash; its children move up to its parent (after that parent's other children).
    The page keeps its own parent, to go back there when restored."""
    page = get_page(db, village_id, page_id)
    pages = live_pages(db, village_id)
    kids = [p for p in pages if p.parent_id == page.id]
    order = _next_order(pages, page.parent_id)
    for offset, child in enumerate(kids):
        child.parent_id = page.parent_id
        child.menu_order = order + offset
        db.add(child)
    page.deleted_at = utcnow()
    db.add(page)
    if page.status == "published" or any(c.status == "published" for c in kids):
        bump_content_version(db, village_id)
    db.flush()
    return page


def restore(db: Session, village_id: int, page_id: int) -> Page:
    """Out of the trash, back under its parent when that is still there (else at the top)."""
    page = get_page(db, village_id, page_id, trashed=True)
    pages = live_pages(db, village_id)
    by_id = {p.id: p for p in pages if p.id is not None}
    if page.parent_id is not None and (
        page.parent_id not in by_id or _depth(by_id, page.parent_id) + 1 > MAX_DEPTH
    ):
        page.parent_id = None
    page.menu_order = _next_order(pages, page.parent_id)
    page.deleted_at = None
    db.add(page)
    if page.status == "published":
        bump_content_version(db, village_id)
    db.flush()
    return page


def move(db: Session, village_id: int, page_id: int, direction: Literal["up", "down"]) -> bool:
    """One place up or down among its siblings; False when it is already first (last)."""
    page = get_page(db, village_id, page_id)
    siblings = [p for p in live_pages(db, village_id) if p.parent_id == page.parent_id]
    index = next(i for i, p in enumerate(siblings) if p.id == page.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for order, sibling in enumerate(siblings):  # renumbered: equal orders (0, 0…) become a sequence
        if sibling.menu_order != order:
            sibling.menu_order = order
            db.add(sibling)
    if page.status == "published" or siblings[index].status == "published":
        bump_content_version(db, village_id)
    db.flush()
    return True


# --- the usual pages of a Website Desa -----------------------------------------------------------
# Village content is written in Indonesian whatever language the team's screens use: these titles
# and hints become the village's own pages, so they are not translated (no _()).
def _standard(place: str) -> list[tuple[str, str | None, str, str]]:
    """``(slug, parent slug, title, placeholder body)`` in menu order."""
    where = place.lower()
    return [
        (
            "profil",
            None,
            f"Profil {place}",
            f"<p>Tuliskan gambaran singkat {where}: letak dan batas wilayah, luas, jumlah dusun, RW dan "
            "RT, jumlah penduduk, mata pencaharian warga, serta potensi yang dibanggakan (pertanian, "
            "wisata, kerajinan, UMKM).</p><p>Ganti teks ini, lalu terbitkan halaman.</p>",
        ),
        (
            "sejarah",
            "profil",
            f"Sejarah {place}",
            f"<p>Ceritakan asal-usul nama {where}, peristiwa penting dari masa ke masa, dan daftar "
            "kepala desa dari yang pertama sampai sekarang.</p><p>Ganti teks ini, lalu terbitkan "
            "halaman.</p>",
        ),
        (
            "visi-misi",
            "profil",
            "Visi dan Misi",
            "<p>Salin visi dan misi kepala desa sesuai RPJM Desa yang berlaku, lengkap dengan periode "
            "jabatannya.</p><p>Ganti teks ini, lalu terbitkan halaman.</p>",
        ),
        (
            "struktur-pemerintahan",
            "profil",
            f"Struktur Pemerintahan {place}",
            "<p>Tuliskan nama dan jabatan perangkat desa: kepala desa, sekretaris desa, kepala urusan, "
            "kepala seksi, dan kepala dusun, serta anggota BPD. Bagan struktur organisasi dapat "
            "ditambahkan sebagai gambar dari pustaka media.</p><p>Ganti teks ini, lalu terbitkan "
            "halaman.</p>",
        ),
        (
            "kontak",
            None,
            "Kontak",
            f"<p>Tuliskan alamat kantor {where}, jam pelayanan, nomor telepon atau WhatsApp kantor, "
            "dan alamat email resmi. Jangan mencantumkan nomor pribadi warga.</p><p>Ganti teks ini, "
            "lalu terbitkan halaman.</p>",
        ),
    ]


def _standard_found(rows: Iterable[tuple[str, str]], place: str) -> dict[str, str]:
    """``{usual page's slug: slug of the village's page that is it}``: the same address, or the
    same title under another address (a "Profil Desa" the operator made before)."""
    by_slug = {slug: slug for slug, _title in rows}
    by_title = {title.casefold(): slug for slug, title in rows}
    found: dict[str, str] = {}
    for slug, _parent, title, _body in _standard(place):
        had = by_slug.get(slug) or by_title.get(title.casefold())
        if had is not None:
            found[slug] = had
    return found


def missing_standard_pages(db: Session, village_id: int, place: str = "Desa") -> list[str]:
    """Titles of the usual pages the village has not got yet (a page in the trash counts as had:
    restore it rather than make a second one)."""
    rows = db.execute(in_village(Page, village_id).with_only_columns(col(Page.slug), col(Page.title))).all()
    found = _standard_found([(slug, title) for slug, title in rows], place)
    return [title for slug, _parent, title, _body in _standard(place) if slug not in found]


def standard_pages(db: Session, village_id: int, place: str = "Desa") -> list[Page]:
    """Create the usual pages of a Website Desa that are missing, as drafts with a placeholder
    telling the operator what to write: Profil (with Sejarah, Visi dan Misi, Struktur
    Pemerintahan under it) and Kontak. ``place`` is Desa, Kelurahan… Returns the new pages."""
    existing = {p.slug: p for p in db.exec(in_village(Page, village_id)).all()}
    found = _standard_found([(p.slug, p.title) for p in existing.values()], place)
    created: list[Page] = []
    for slug, parent_slug, title, body in _standard(place):
        if slug in found:
            continue
        parent = existing.get(found.get(parent_slug, "")) if parent_slug else None
        parent_id = parent.id if parent is not None and parent.deleted_at is None else None
        pages = live_pages(db, village_id)
        by_id = {p.id: p for p in pages if p.id is not None}
        if parent_id is not None and _depth(by_id, parent_id) >= MAX_DEPTH:
            parent_id = None
        page = Page(
            village_id=village_id,
            title=title,
            slug=slug,
            body=body,
            parent_id=parent_id,
            menu_order=_next_order(pages, parent_id),
            status="draft",
        )
        db.add(page)
        db.flush()
        existing[slug], found[slug] = page, slug
        created.append(page)
    return created


# --- the public menu -------------------------------------------------------------------------------
def menu_tree(db: Session, village_id: int) -> list[MenuItem]:
    """Published pages not in the trash as a nested menu, ordered by ``menu_order`` then title,
    in one query. A page under an unpublished parent stays out of the menu with it."""
    rows = db.execute(
        in_village(Page, village_id)
        .where(col(Page.status) == "published", col(Page.deleted_at).is_(None))
        .with_only_columns(col(Page.id), col(Page.title), col(Page.slug), col(Page.parent_id))
        .order_by(col(Page.menu_order), col(Page.title), col(Page.id))
    ).all()
    items: dict[int, MenuItem] = {row[0]: {"title": row[1], "slug": row[2], "children": []} for row in rows}
    top: list[MenuItem] = []
    for page_id, _title, _slug, parent_id in rows:
        if parent_id is None:
            top.append(items[page_id])
        elif parent_id in items:
            items[parent_id]["children"].append(items[page_id])
    return top


def forget_menu(runtime: Runtime, village_id: int) -> None:
    """This process re-reads the version next time (the team just changed a page: they should see
    it at once on the site, not after the host cache's window)."""
    version_book(runtime).forget(village_id)


def cached_menu(runtime: Runtime, village_id: int) -> list[MenuItem]:
    """:func:`menu_tree`, cached (Redis or in-process) under the village's ``content_version``:
    a publish moves the key on, so an old menu is never served after it. Warm: no query; due a
    version check: one; cold: one session for the version and the tree."""
    book = version_book(runtime)
    # The version first, then the pages: a publish committed in between leaves a newer menu under
    # the older number, which the next check replaces. Never the other way.
    version = book.fresh(village_id)
    if version is None:
        version = book.read(village_id)
    memo_key = ("menu", village_id, version)
    tree: list[MenuItem] | None = runtime.derived.get(memo_key)
    if tree is not None:  # rendered again in this process: no round trip
        return tree
    raw = runtime.cache.get(f"menu:{village_id}:{version}")
    if raw is not None:
        tree = json.loads(raw)
    else:
        with runtime.session(village_id) as db:
            tree = menu_tree(db, village_id)
        runtime.cache.set(
            f"menu:{village_id}:{version}", json.dumps(tree, separators=(",", ":")).encode(), MENU_TTL
        )
    runtime.remember(memo_key, tree)
    return tree
