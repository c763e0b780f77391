"""The tenant wall as an attack matrix: roles × villages × routes, on both stacks.

A member of village A can read or change nothing of village B that is not public: not by guessing
ids, not by sending A's cookie to B's host, not through the JSON API. A supervisor sees nothing
outside their scope. The routes are two tables, :data:`VILLAGE_ROUTES` (the team's pages on a
village host) and :data:`CONSOLE_ROUTES` (the supervision console on the portal); every test walks
the whole table, so a route added there is attacked by every role from every village at once, and
:func:`test_every_guarded_route_is_in_the_matrix` fails until a new route is added to one of them.

The people: A = Sidomulyo (34.04.02.2003) and C (34.04.02.2001), both in Kecamatan Godean (Sleman);
B = Meteseh (33.74.10.1001, Kota Semarang). admin_a, editor_a, kontributor_a serve A, admin_b
serves B; sup_godean supervises 34.04.02 (A and C), sup_semarang 33.74 (B, kabupaten level, so
with two-factor sign-in).
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import Response
from PIL import Image
from sqlmodel import col, select

from etalase.platform.accounts import service
from etalase.platform.accounts.authz import api_routes, declaration_of
from etalase.platform.accounts.models import (
    AuditEvent,
    Membership,
    MentoringNote,
    OneTimeToken,
    User,
    UserSession,
)
from etalase.platform.accounts.passwords import hash_password
from etalase.platform.app import create_app
from etalase.platform.aspirations.models import Aspiration, AspirationReply
from etalase.platform.budget.models import ApbdesLine, ApbdesYear, Project, ProjectProgress
from etalase.platform.content import workflow
from etalase.platform.content.models import (
    Album,
    AlbumPhoto,
    Announcement,
    Document,
    Event,
    Page,
    Post,
)
from etalase.platform.discussion.models import Comment, CommentSettings
from etalase.platform.importers.models import ImportRun
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.potensi.models import Potensi, Product
from etalase.platform.profile.models import VillageOfficial
from etalase.tenants.models import Village, utcnow
from tests.conftest import BASE_DOMAIN, Stack, embedded_settings
from tests.people import PASSWORD, Browser, make_user, make_village, portal, totp_now, village_host
from tests.test_import_writer import finish_imports

# --- the matrix ------------------------------------------------------------------------------------
ADMIN, EDITOR, KONTRIBUTOR = "admin", "editor", "kontributor"
PENDAMPING = "pendamping"  # a supervisor whose scope covers the village, signed in on its host
TEAM = frozenset({ADMIN, EDITOR, KONTRIBUTOR})
EVERYONE_SIGNED_IN = TEAM | {PENDAMPING}


@dataclass(frozen=True)
class Route:
    """One route and who may use it.

    ``path`` uses the app's own parameter names; the tests fill them with rows of the village the
    request is aimed at. ``allowed`` are the roles that may use it in their own village (village
    routes) or ``{PENDAMPING}`` for a supervisor whose scope covers the village (console routes).
    ``ok`` are the statuses of an allowed request (a 400 is a refusal the route makes itself, e.g.
    "this village already has an admin", never an access decision)."""

    method: str
    path: str
    allowed: frozenset[str]
    ok: frozenset[int] = frozenset({200})
    form: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, str, bytes, str], ...] = ()  # (field, file name, content, type): multipart

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def changes(self) -> bool:
        return self.method != "GET"

    def url(self, base: str, **targets: object) -> str:
        return base + self.path.format(**targets)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


TINY_PNG = _tiny_png()
MEDIA_ALT = "Foto awal dari matriks"
MATRIX_ALT = "Teks alternatif dari matriks"
POST_TITLE = "Judul dari matriks"

# EVERY NEW ROUTE ON A VILLAGE HOST (a VillageTeamRoute, or an account page that shows or changes
# more than the signed-in person's own account) MUST BE ADDED HERE, with who may use it. POST routes
# that change something must come after the GET routes, in an order in which an admin's allowed
# requests succeed one after another (the same spare member is first changed, then removed).
VILLAGE_ROUTES: tuple[Route, ...] = (
    Route("GET", "/admin", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/anggota", frozenset({ADMIN})),
    Route("GET", "/admin/log", frozenset({ADMIN, PENDAMPING})),
    Route("GET", "/admin/dampak", EVERYONE_SIGNED_IN),
    Route("GET", "/api/v1/anggota", frozenset({ADMIN})),
    Route("GET", "/akun", EVERYONE_SIGNED_IN),
    Route("GET", "/api/v1/akun", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/media", TEAM),
    Route("GET", "/api/v1/media", TEAM),
    Route(
        "POST",
        "/admin/anggota/undang",
        frozenset({ADMIN}),
        form=(("recipient", "warga.baru@contoh.id"), ("role", "kontributor")),
    ),
    Route(
        "POST",
        "/admin/anggota/{membership_id}/peran",
        frozenset({ADMIN}),
        frozenset({303}),
        (("role", "admin"),),
    ),
    Route(
        "POST",
        "/admin/anggota/{membership_id}/terlatih",
        frozenset({ADMIN}),
        frozenset({303}),
        (("terlatih", "1"),),
    ),
    Route("POST", "/admin/anggota/{membership_id}/hapus", frozenset({ADMIN}), frozenset({303})),
    Route("POST", "/admin/undangan/{token_id}/batal", frozenset({ADMIN}), frozenset({303})),
    # The media library: the whole team uploads and writes alt text; editors and admins delete.
    Route(
        "POST",
        "/admin/media/unggah",
        TEAM,
        frozenset({303}),
        (("alt", "Foto kegiatan dari matriks"),),
        (("berkas", "kegiatan.png", TINY_PNG, "image/png"),),
    ),
    Route("POST", "/admin/media/{media_id}/alt", TEAM, frozenset({303}), (("alt", MATRIX_ALT),)),
    Route("POST", "/admin/media/{media_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    # News: {post_id} is a fresh draft of the person asking (saved once: version 2, one revision
    # {rev_id}). The team writes, a kontributor only their own drafts; editors and admins publish.
    Route("GET", "/admin/berita", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/berita/baru", TEAM),
    Route("GET", "/admin/berita/{post_id}", TEAM),
    Route("GET", "/admin/berita/{post_id}/revisi", TEAM),
    Route("POST", "/admin/berita/baru", TEAM, frozenset({303}), (("title", "Berita dari matriks"),)),
    Route(
        "POST",
        "/admin/berita/{post_id}/revisi/{rev_id}/pulihkan",
        TEAM,
        frozenset({303}),
        (("version", "2"),),
    ),
    Route(
        "POST",
        "/admin/berita/{post_id}",
        TEAM,
        frozenset({303}),
        (("version", "3"), ("title", POST_TITLE), ("body", "<p>Diubah dari matriks</p>")),
    ),
    Route(
        "POST",
        "/api/v1/berita/kualitas",
        TEAM,
        form=(("title", POST_TITLE), ("body", "<p>Diperiksa dari matriks</p>"), ("cover", "")),
    ),
    Route(
        "POST",
        "/api/v1/berita/{post_id}/autosimpan",
        TEAM,
        form=(("title", POST_TITLE), ("body", "<p>Tersimpan otomatis dari matriks</p>")),
    ),
    Route("POST", "/admin/berita/{post_id}/ajukan", TEAM, frozenset({303})),
    Route(
        "POST",
        "/admin/berita/{post_id}/kembalikan",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("comment", "Catatan dari matriks"),),
    ),
    Route("POST", "/admin/berita/{post_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/berita/{post_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/berita/{post_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/berita/{post_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    # Pages (halaman): {page_id} is a published page of the village.
    # <<halaman routes>>
    # The whole team sees the menu of pages; editors and admins write, order, publish and trash.
    # The save sends version 1: the editor's save changes the page, the admin's same text over the
    # newer version is no conflict (nothing to lose) and succeeds too.
    Route("GET", "/admin/halaman", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/halaman/baru", frozenset({ADMIN, EDITOR})),
    Route("GET", "/admin/halaman/{page_id}", frozenset({ADMIN, EDITOR})),
    Route(
        "POST",
        "/admin/halaman/baru",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("title", "Halaman matriks"),),
    ),
    Route("POST", "/admin/halaman/baku", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route(
        "POST",
        "/admin/halaman/{page_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (
            ("version", "1"),
            ("title", "Profil dari matriks"),
            ("body", "<p>Diubah dari matriks</p>"),
            ("parent_id", ""),
        ),
    ),
    Route("POST", "/admin/halaman/{page_id}/turun", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/halaman/{page_id}/naik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/halaman/{page_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/halaman/{page_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/halaman/{page_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/halaman/{page_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    # Agenda: {event_id} is a draft event of the village.
    # <<agenda routes>>
    Route("GET", "/admin/agenda", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/agenda/baru", TEAM),
    Route("GET", "/admin/agenda/{event_id}", frozenset({ADMIN, EDITOR})),
    Route(
        "POST",
        "/admin/agenda/baru",
        TEAM,
        frozenset({303}),
        (("title", "Acara dari matriks"), ("start_date", "2026-12-05"), ("start_time", "19:00")),
    ),
    Route(
        "POST",
        "/admin/agenda/{event_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("title", "Musyawarah dari matriks"), ("start_date", "2026-12-05"), ("all_day", "1")),
    ),
    Route("POST", "/admin/agenda/{event_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/agenda/{event_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/agenda/{event_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/agenda/{event_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    # Pengumuman: {announcement_id} is a draft announcement of the village.
    # <<pengumuman routes>>
    Route("GET", "/admin/pengumuman", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/pengumuman/baru", TEAM),
    Route("GET", "/admin/pengumuman/{announcement_id}", frozenset({ADMIN, EDITOR})),
    Route(
        "POST",
        "/admin/pengumuman/baru",
        TEAM,
        frozenset({303}),
        (("title", "Pengumuman dari matriks"),),
    ),
    Route(
        "POST",
        "/admin/pengumuman/{announcement_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("title", "Pengumuman diubah dari matriks"), ("expires", "2099-01-01T10:00")),
    ),
    Route(
        "POST", "/admin/pengumuman/{announcement_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})
    ),
    Route(
        "POST",
        "/admin/pengumuman/{announcement_id}/sematkan",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("sematkan", "1"),),
    ),
    Route("POST", "/admin/pengumuman/{announcement_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/pengumuman/{announcement_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route(
        "POST", "/admin/pengumuman/{announcement_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})
    ),
    # Galeri: {album_id} is a draft album holding the village's {media_id}.
    # <<galeri routes>>
    # The album has no author: a kontributor may not change it. The upload sends a PDF, which the
    # album refuses by name (400, nothing stored: the media counts above stay exact).
    Route("GET", "/admin/galeri", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/galeri/baru", TEAM),
    Route("GET", "/admin/galeri/{album_id}", frozenset({ADMIN, EDITOR})),
    Route("POST", "/admin/galeri/baru", TEAM, frozenset({303}), (("title", "Album dari matriks"),)),
    Route(
        "POST",
        "/admin/galeri/{album_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("title", "Album diubah dari matriks"),),
    ),
    Route("POST", "/admin/galeri/{album_id}/foto", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/galeri/{album_id}/tambah", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route(
        "POST",
        "/admin/galeri/{album_id}/unggah",
        frozenset({ADMIN, EDITOR}),
        frozenset({400}),
        (("keterangan", "Dari matriks"),),
        (("berkas", "bukan-foto.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),),
    ),
    Route("POST", "/admin/galeri/{album_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/galeri/{album_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/galeri/{album_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/galeri/{album_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    # Dokumen: {document_id} is a draft document whose file is the village's {doc_media_id}.
    # <<dokumen routes>>
    # The new document's upload is a photo, refused by the form (400, nothing stored); deleting for
    # good needs the trash, and the document is back from it by then (400, kept).
    Route("GET", "/admin/dokumen", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/dokumen/baru", TEAM),
    Route("GET", "/admin/dokumen/{document_id}", frozenset({ADMIN, EDITOR})),
    Route(
        "POST",
        "/admin/dokumen/baru",
        TEAM,
        frozenset({400}),
        (("title", "Perdes dari matriks"), ("category", "Peraturan Desa"), ("year", "2026")),
        (("berkas", "bukan-dokumen.png", TINY_PNG, "image/png"),),
    ),
    Route(
        "POST",
        "/admin/dokumen/{document_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("title", "APBDes dari matriks"), ("category", "APBDes"), ("year", "2026")),
    ),
    Route("POST", "/admin/dokumen/{document_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/dokumen/{document_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/dokumen/{document_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/dokumen/{document_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route(
        "POST", "/admin/dokumen/{document_id}/hapus-permanen", frozenset({ADMIN, EDITOR}), frozenset({400})
    ),
    # Komentar: {comment_id} is a held comment of the village, a fresh one for each person (the
    # editor's run deletes theirs). Kontributor and supervisors do not moderate (the list shows
    # readers' e-mail addresses); opening and closing comments is the admin's.
    Route("GET", "/admin/komentar", frozenset({ADMIN, EDITOR})),
    Route("GET", "/admin/komentar/pengaturan", frozenset({ADMIN, EDITOR})),
    Route("POST", "/admin/komentar/{comment_id}/setujui", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/komentar/{comment_id}/spam", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/komentar/{comment_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route(
        "POST",
        "/admin/komentar/kata",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("kata", "kata matriks"), ("tindakan", "hold")),
    ),
    Route("POST", "/admin/komentar/pengaturan", frozenset({ADMIN}), frozenset({303}), (("aktif", "1"),)),
    # Profil desa: the team reads it, editors and admins change it; {official_id} is one of the
    # village's perangkat desa. The editor removes it before the admin's turn, so the admin's
    # later requests aimed at it find nothing (404); tests/test_profile.py checks the removal.
    Route("GET", "/admin/profil", EVERYONE_SIGNED_IN),
    Route(
        "POST",
        "/admin/profil",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("vision", "Desa mandiri dari matriks"), ("population_total", "1200"), ("population_year", "2025")),
    ),
    Route("GET", "/admin/profil/perangkat", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/profil/bpd", EVERYONE_SIGNED_IN),
    Route(
        "POST",
        "/admin/profil/perangkat/baru",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("name", "Pejabat Matriks"), ("title", "Kepala Dusun")),
    ),
    Route(
        "POST",
        "/admin/profil/bpd/baru",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("name", "Anggota Matriks"), ("title", "Anggota BPD")),
    ),
    Route("GET", "/admin/profil/pejabat/{official_id}", frozenset({ADMIN, EDITOR}), frozenset({200, 404})),
    Route(
        "POST",
        "/admin/profil/pejabat/{official_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303, 404}),
        (("name", "Pejabat Diubah"), ("title", "Sekretaris Desa")),
    ),
    Route(
        "POST", "/admin/profil/pejabat/{official_id}/naik", frozenset({ADMIN, EDITOR}), frozenset({303, 404})
    ),
    Route(
        "POST", "/admin/profil/pejabat/{official_id}/turun", frozenset({ADMIN, EDITOR}), frozenset({303, 404})
    ),
    Route(
        "POST", "/admin/profil/pejabat/{official_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303, 404})
    ),
    # Aspirasi: {aspiration_id} arrives flagged as spam, its sender agreed to publish. Editors and
    # admins only (the sender's name and phone are personal data). The second "not spam" and the
    # second change to the same status are refusals of the route itself (400).
    # <<aspirasi routes>>
    Route("GET", "/admin/aspirasi", frozenset({ADMIN, EDITOR})),
    Route("GET", "/admin/aspirasi/{aspiration_id}", frozenset({ADMIN, EDITOR})),
    Route("GET", "/admin/aspirasi/{aspiration_id}/foto", frozenset({ADMIN, EDITOR})),
    Route(
        "POST",
        "/admin/aspirasi/{aspiration_id}/bukan-spam",
        frozenset({ADMIN, EDITOR}),
        frozenset({303, 400}),
    ),
    Route(
        "POST",
        "/admin/aspirasi/{aspiration_id}/balas",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("isi", "Balasan dari matriks"), ("jenis", "public")),
    ),
    Route(
        "POST",
        "/admin/aspirasi/{aspiration_id}/status",
        frozenset({ADMIN, EDITOR}),
        frozenset({303, 400}),
        (("status", "diproses"),),
    ),
    Route("POST", "/admin/aspirasi/{aspiration_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/aspirasi/{aspiration_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    # Potensi desa and produk: {potensi_id} and {product_id} are drafts written by nobody (so a
    # kontributor may not edit them); a new one without a name is refused (400, nothing stored); each
    # editor/admin run saves, sends back, publishes, takes down, trashes and restores it.
    Route("GET", "/admin/potensi", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/potensi/baru", TEAM),
    Route("GET", "/admin/potensi/{potensi_id}", frozenset({ADMIN, EDITOR})),
    Route("POST", "/admin/potensi/baru", TEAM, frozenset({400}), (("name", ""),)),
    Route(
        "POST",
        "/admin/potensi/{potensi_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("kind", "wisata"), ("name", "Embung dari matriks"), ("aksi", "draf")),
    ),
    Route(
        "POST",
        "/admin/potensi/{potensi_id}/kembalikan",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("catatan", "Perbaiki dari matriks"),),
    ),
    Route("POST", "/admin/potensi/{potensi_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/potensi/{potensi_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/potensi/{potensi_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/potensi/{potensi_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("GET", "/admin/produk", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/produk/baru", TEAM),
    Route("GET", "/admin/produk/{product_id}", frozenset({ADMIN, EDITOR})),
    Route("POST", "/admin/produk/baru", TEAM, frozenset({400}), (("name", ""),)),
    Route(
        "POST",
        "/admin/produk/{product_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (
            ("name", "Produk dari matriks"),
            ("price", "15000"),
            ("category", "kuliner"),
            ("stock", "tersedia"),
            ("seller_name", "Bu Sri"),
            ("whatsapp", "0812 3456 7890"),  # published next in the matrix: it needs a number
            ("aksi", "draf"),
        ),
    ),
    Route(
        "POST",
        "/admin/produk/{product_id}/kembalikan",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("catatan", "Perbaiki dari matriks"),),
    ),
    Route("POST", "/admin/produk/{product_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/produk/{product_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/produk/{product_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/produk/{product_id}/pulihkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    # APBDes and pembangunan: {apbdes_id} is a draft year with the line {line_id}; {project_id} a
    # draft project with the report {progress_id}. The team and a covering supervisor read; editors
    # and admins change (not a kontributor: these are the village government's figures). The
    # editor's run deletes the line and the report, so the admin's finds them gone (404); a second
    # new year 2025 is refused by the route (400); a second import of 2024 shows the replacement
    # preview (200); deleting a year or a project needs a confirmation the matrix does not send
    # (400, nothing deleted).
    Route("GET", "/admin/apbdes", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/apbdes/{apbdes_id}", EVERYONE_SIGNED_IN),
    Route(
        "GET", "/admin/apbdes/{apbdes_id}/baris/{line_id}", frozenset({ADMIN, EDITOR}), frozenset({200, 404})
    ),
    Route("GET", "/admin/pembangunan", EVERYONE_SIGNED_IN),
    Route("GET", "/admin/pembangunan/baru", frozenset({ADMIN, EDITOR})),
    Route("GET", "/admin/pembangunan/{project_id}", frozenset({ADMIN, EDITOR})),
    Route(
        "POST", "/admin/apbdes/baru", frozenset({ADMIN, EDITOR}), frozenset({303, 400}), (("tahun", "2025"),)
    ),
    Route(
        "POST",
        "/admin/apbdes/impor",
        frozenset({ADMIN, EDITOR}),
        frozenset({200, 303}),
        (("tahun", "2024"),),
        (("berkas", "apbdes.csv", b"kelompok,bidang,uraian,anggaran\nBelanja,1,Rapat,1000\n", "text/csv"),),
    ),
    Route(
        "POST",
        "/admin/apbdes/{apbdes_id}/baris",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (
            ("bidang", "belanja|Pelaksanaan Pembangunan Desa"),
            ("uraian", "Dari matriks"),
            ("anggaran", "1000"),
        ),
    ),
    Route(
        "POST",
        "/admin/apbdes/{apbdes_id}/baris/{line_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303, 404}),
        (("bidang", "pendapatan|Dana Desa"), ("uraian", "Diubah dari matriks"), ("anggaran", "2000")),
    ),
    Route(
        "POST",
        "/admin/apbdes/{apbdes_id}/baris/{line_id}/hapus",
        frozenset({ADMIN, EDITOR}),
        frozenset({303, 404}),
    ),
    Route("POST", "/admin/apbdes/{apbdes_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/apbdes/{apbdes_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/apbdes/{apbdes_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({400})),
    Route(
        "POST",
        "/admin/pembangunan/baru",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (
            ("name", "Sumur dari matriks"),
            ("budget", "1000"),
            ("fund_source", "Dana Desa"),
            ("year", "2026"),
            ("stage", "rencana"),
        ),
    ),
    Route(
        "POST",
        "/admin/pembangunan/{project_id}",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (
            ("name", "Embung dari matriks"),
            ("budget", "2000"),
            ("fund_source", "Dana Desa"),
            ("year", "2026"),
            ("stage", "berjalan"),
        ),
    ),
    Route(
        "POST",
        "/admin/pembangunan/{project_id}/kemajuan",
        frozenset({ADMIN, EDITOR}),
        frozenset({303}),
        (("reported_on", "2025-06-01"), ("percent", "30"), ("note", "Dari matriks")),
    ),
    Route(
        "POST",
        "/admin/pembangunan/{project_id}/kemajuan/{progress_id}/hapus",
        frozenset({ADMIN, EDITOR}),
        frozenset({303, 404}),
    ),
    Route("POST", "/admin/pembangunan/{project_id}/terbitkan", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/pembangunan/{project_id}/tarik", frozenset({ADMIN, EDITOR}), frozenset({303})),
    Route("POST", "/admin/pembangunan/{project_id}/hapus", frozenset({ADMIN, EDITOR}), frozenset({400})),
    # Content calendar.
    Route("GET", "/admin/kalender", EVERYONE_SIGNED_IN),
    # Tampilan (issue 5): the village's admin only; a supervisor never changes a village's look.
    Route("GET", "/admin/tampilan", frozenset({ADMIN})),
    Route("GET", "/admin/tampilan/pratinjau", frozenset({ADMIN})),
    Route("GET", "/admin/tampilan/pratinjau.css", frozenset({ADMIN})),
    Route(
        "POST",
        "/admin/tampilan",
        frozenset({ADMIN}),
        frozenset({303}),
        (("tema", "pesisir"), ("tata", "tanpa-sidebar"), ("aksi", "terapkan")),
    ),
    Route(
        "POST",
        "/admin/tampilan/terapkan",
        frozenset({ADMIN}),
        frozenset({303}),
        (("tema", "sawah"), ("opsi", "{}")),
    ),
    # Importing an old blog: admins only (pictures are not downloaded: the box is not ticked).
    Route("GET", "/admin/impor", frozenset({ADMIN})),
    Route("GET", "/admin/impor/{run_id}", frozenset({ADMIN})),
    Route(
        "POST",
        "/admin/impor",
        frozenset({ADMIN}),
        frozenset({303}),  # queued: the run's page follows it
        files=(
            (
                "berkas",
                "blog.atom",
                (Path(__file__).parent / "fixtures" / "imports" / "blogger-takeout-feed.atom").read_bytes(),
                "application/atom+xml",
            ),
        ),
    ),
)

# EVERY NEW ROUTE OF THE SUPERVISION CONSOLE (portal, scope_access or SUPERUSER) MUST BE ADDED HERE.
# A route with {code} is aimed at one village: a supervisor outside its scope gets 404, the same
# answer as for a village that does not exist.
CONSOLE_ROUTES: tuple[Route, ...] = (
    Route("GET", "/konsol", frozenset({PENDAMPING})),
    Route("GET", "/konsol/desa/{code}", frozenset({PENDAMPING})),
    Route("GET", "/konsol/log", frozenset({PENDAMPING})),
    Route("GET", "/konsol/kotak-keluar", frozenset()),  # the platform operator's only
    Route("GET", "/konsol/nasional", frozenset()),  # national scope and the operator only (issue 7)
    Route("GET", "/api/v1/desa", frozenset({PENDAMPING})),
    Route("POST", "/konsol/desa/{code}/nonaktifkan", frozenset({PENDAMPING}), frozenset({303})),
    Route("POST", "/konsol/desa/{code}/aktifkan", frozenset({PENDAMPING}), frozenset({303})),
    # 400 where the village already has an admin: the console invites the first admin only.
    Route(
        "POST",
        "/konsol/desa/{code}/undang",
        frozenset({PENDAMPING}),
        frozenset({200, 400}),
        (("recipient", "admin.pertama@contoh.id"),),
    ),
    Route(
        "POST",
        "/konsol/desa/{code}/catatan",
        frozenset({PENDAMPING}),
        frozenset({303}),
        (("body", "Catatan pendampingan: unggah profil desa."),),
    ),
    # The default theme of new villages in the supervisor's own scope (issue 5).
    Route("GET", "/konsol/tema", frozenset({PENDAMPING})),
    Route("POST", "/konsol/tema", frozenset({PENDAMPING}), frozenset({303}), (("tema", "sawah"),)),
    # The indicator tables (issue 7): a village's code in the region table's path leads to its page.
    Route("GET", "/konsol/wilayah", frozenset({PENDAMPING})),
    Route("GET", "/konsol/wilayah/{code}", frozenset({PENDAMPING}), frozenset({303})),
    Route("GET", "/konsol/perhatian", frozenset({PENDAMPING})),
)

# Signed-in routes that act on nothing but the signed-in person's own account (no village data),
# so they are outside the matrix. A new one goes here only if that is true.
OWN_ACCOUNT_ROUTES = frozenset(
    {
        "GET /akun/masuk/kode",
        "POST /akun/masuk/kode",
        "POST /akun/keluar",
        "POST /akun/profil",
        "POST /akun/sandi",
        "POST /akun/sesi/{session_id}/akhiri",
        "POST /akun/sesi/akhiri-semua",
        "GET /akun/2fa",
        "POST /akun/2fa",
        "POST /akun/2fa/kode-cadangan",
        "POST /akun/2fa/nonaktif",
    }
)

OK, DENIED, SIGN_IN, HIDDEN = "ok", "403", "sign-in", "404"


# --- the world -------------------------------------------------------------------------------------
@dataclass
class Desa:
    key: str
    id: int
    slug: str
    code: str
    name: str


@dataclass
class World:
    stack: Stack
    villages: dict[str, Desa]
    users: dict[str, int]  # person -> user id
    email: dict[str, str]
    memberships: dict[str, int]  # person -> membership id in their village
    invitations: dict[str, int]  # village key -> a pending invitation's id
    invitation_links: dict[str, str]  # village key -> that invitation's link (with the raw token)
    totp: dict[str, str]
    media: dict[str, int]  # village key -> a file of its media library
    browsers: dict[tuple[str, str], Browser] = field(default_factory=dict)
    posts: dict[str, tuple[int, int]] = field(default_factory=dict)  # village key -> (post, revision)
    # village key -> {placeholder: id} of the other content (pages, agenda, pengumuman, galeri, dokumen)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)

    def host(self, key: str) -> str:
        return portal(self.stack) if key == "portal" else village_host(self.stack, self.villages[key].slug)

    def targets(self, key: str) -> dict[str, object]:
        """Rows of village ``key`` for the placeholders of the route tables."""
        return {
            "membership_id": self.memberships[f"spare_{key.lower()}"],
            "token_id": self.invitations[key],
            "code": self.villages[key].code,
            "media_id": self.media[key],
            "post_id": self.posts[key][0],
            "rev_id": self.posts[key][1],
            **self.rows[key],
        }

    def new_content(self, key: str) -> dict[str, int]:
        """A page, an event, an announcement, an album (with the village's file) and a document
        (with a file of its own) in village ``key``, written as rows (the wall is what is tested)."""
        desa = self.villages[key]
        doc_media_id = self.new_media(key, f"dokumen-{key.lower()}.png", f"Berkas dokumen desa {key}")
        resident_photo = self.new_media(key, f"selokan-{key.lower()}.png", "Foto kiriman warga", private=True)
        now = utcnow()
        with self.stack.runtime.session(desa.id) as db:
            page = Page(village_id=desa.id, title=f"Profil {desa.name}", slug="profil", status="published")
            event = Event(village_id=desa.id, title=f"Musyawarah {key}", slug="musyawarah", starts_at=now)
            notice = Announcement(
                village_id=desa.id, title=f"Pengumuman {key}", expires_at=now + timedelta(days=7)
            )
            album = Album(village_id=desa.id, title=f"Kerja bakti {key}", slug="kerja-bakti")
            document = Document(
                village_id=desa.id, title=f"APBDes {key}", category="APBDes", year=2026, media_id=doc_media_id
            )
            db.add_all([page, event, notice, album, document])
            db.flush()
            assert album.id is not None
            db.add(AlbumPhoto(village_id=desa.id, album_id=album.id, media_id=self.media[key]))
            run = ImportRun(village_id=desa.id, status="done", site_title=f"Blog lama {key}", report="{}")
            db.add(run)
            aspiration = Aspiration(
                village_id=desa.id,
                code=f"MATRX{key}23",
                category="lingkungan",
                message=f"Selokan tersumbat di {desa.name}",
                sender_name=f"Warga {key}",
                consent_publish=True,
                spam=True,
                photo_media_id=resident_photo,
            )
            db.add(aspiration)
            potensi = Potensi(village_id=desa.id, kind="umkm", name=f"UMKM {key}", slug="umkm")
            product = Product(
                village_id=desa.id,
                name=f"Keripik {key}",
                slug="keripik",
                price=15000,
                category="kuliner",
                seller_name=f"Bu Sri {key}",
                whatsapp="6281234567890",
            )
            db.add_all([potensi, product])
            db.commit()
            ids = {
                "page_id": page.id,
                "event_id": event.id,
                "announcement_id": notice.id,
                "album_id": album.id,
                "document_id": document.id,
                "doc_media_id": doc_media_id,
                "run_id": run.id,
                "aspiration_id": aspiration.id,
                "potensi_id": potensi.id,
                "product_id": product.id,
                "comment_id": self.new_comment(key),
                "official_id": self.new_official(key),
                **self.new_budget(key),
            }
        return {name: value for name, value in ids.items() if value is not None}

    def new_budget(self, key: str) -> dict[str, int]:
        """A draft APBDes year of village ``key`` with one line, and a draft project with one
        progress report (rows: the wall is what is tested)."""
        desa = self.villages[key]
        with self.stack.runtime.session(desa.id) as db:
            year = ApbdesYear(village_id=desa.id, year=2026)
            project = Project(village_id=desa.id, name=f"Embung {key}", slug="embung", budget=1000, year=2026)
            db.add_all([year, project])
            db.flush()
            assert year.id is not None and project.id is not None
            line = ApbdesLine(
                village_id=desa.id,
                year_id=year.id,
                kelompok="pendapatan",
                bidang="Dana Desa",
                uraian=f"Dana Desa {key}",
                anggaran=1000,
            )
            report = ProjectProgress(
                village_id=desa.id, project_id=project.id, reported_on=utcnow().date(), percent=10
            )
            db.add_all([line, report])
            db.commit()
            assert line.id is not None and report.id is not None
            return {
                "apbdes_id": year.id,
                "line_id": line.id,
                "project_id": project.id,
                "progress_id": report.id,
            }

    def new_official(self, key: str) -> int:
        """One of village ``key``'s perangkat desa (profil desa), written as a row."""
        desa = self.villages[key]
        with self.stack.runtime.session(desa.id) as db:
            official = VillageOfficial(
                village_id=desa.id, body="perangkat", name=f"Carik {key}", title="Sekretaris Desa"
            )
            db.add(official)
            db.flush()
            assert official.id is not None
            return official.id

    def new_post(self, key: str, author: str, title: str = "Draf dari matriks") -> tuple[int, int]:
        """A draft of ``author`` in village ``key``, saved once (version 2, so it has one
        revision): its id and the revision's (through the workflow, not a route)."""
        desa = self.villages[key]
        with self.stack.runtime.session(desa.id) as db:
            user = db.get(User, self.users[author])
            assert user is not None
            post = workflow.create_draft(db, desa.id, user, title=title, body="<p>Awal</p>")
            assert post.id is not None
            workflow.save(
                db, desa.id, post.id, user, expected_version=1, title=title, summary="", body="<p>Kedua</p>"
            )
            revision_id = workflow.revisions(db, desa.id, post.id)[0].id
            assert revision_id is not None
            return post.id, revision_id

    def new_comment(self, key: str) -> int:
        """A reader's held comment on village ``key``'s post (a row: the wall is what is tested)."""
        desa = self.villages[key]
        with self.stack.runtime.session(desa.id) as db:
            comment = Comment(
                village_id=desa.id,
                post_id=self.posts[key][0],
                name=f"Pembaca {key}",
                email=f"pembaca.{key.lower()}@contoh.id",
                commenter=f"matriks-{key}",
                body=f"Komentar warga {key}",
            )
            db.add(comment)
            db.flush()
            assert comment.id is not None
            return comment.id

    def new_media(
        self, key: str, name: str = "foto-awal.png", alt: str = MEDIA_ALT, *, private: bool = False
    ) -> int:
        """A new file in village ``key``'s media library (through the service, not a route)."""
        desa = self.villages[key]
        with self.stack.runtime.session(desa.id) as db:
            row = media_service.upload(
                db,
                self.stack.runtime.media,
                desa.id,
                filename=name,
                stream=io.BytesIO(TINY_PNG),
                alt=alt,
                user=None,
                settings=self.stack.settings,
                private=private,
            )
            assert row.id is not None
            return row.id

    def signed_in(self, person: str, where: str) -> Browser:
        """A browser where ``person`` signed in at ``where`` ("A", "B", "C" or "portal"), with the
        code step for those with two-factor sign-in. Made once per test."""
        if (person, where) not in self.browsers:
            browser = Browser(self.stack)
            base = self.host(where)
            response = browser.login(base, self.email[person])
            assert response.status_code == 303, f"{person} at {where}: {response.status_code}"
            if person in self.totp:
                target = response.headers["location"]
                assert target.startswith("/akun/masuk/kode"), target
                response = browser.post(
                    f"{base}/akun/masuk/kode",
                    {"code": totp_now(self.totp[person]), "next": ""},
                )
                assert response.status_code == 303, response.text
            assert not response.headers["location"].startswith("/akun/masuk"), response.headers["location"]
            self.browsers[(person, where)] = browser
        return self.browsers[(person, where)]

    def token(self, browser: Browser, where: str) -> str:
        """The CSRF token ``browser`` holds at ``where`` (signed in or not)."""
        base = self.host(where)
        page = browser.get(f"{base}/akun")
        if page.status_code == 303:  # not signed in there: the sign-in form's token
            return browser.csrf(f"{base}/akun/masuk")
        return browser.csrf(f"{base}/akun")


def _people(stack: Stack, a: int, b: int) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    plan: dict[str, dict[str, Any]] = {
        "admin_a": {"name": "Siti Aminah", "roles": {a: ADMIN}},
        "editor_a": {"name": "Budi Santoso", "roles": {a: EDITOR}},
        "kontributor_a": {"name": "Dewi Lestari", "roles": {a: KONTRIBUTOR}},
        "spare_a": {"name": "Joko Susilo", "roles": {a: KONTRIBUTOR}},
        "admin_b": {"name": "Rahayu Wulandari", "roles": {b: ADMIN}},
        # A kontributor: promoting or removing them through the wall would succeed (no "last
        # admin" rule stands in the way), so a breach shows as a changed row.
        "spare_b": {"name": "Hendra Gunawan", "roles": {b: KONTRIBUTOR}},
        "sup_godean": {"name": "Pendamping Godean", "scope": "34.04.02"},
        "sup_semarang": {"name": "Pendamping Semarang", "scope": "33.74", "totp_secret": secret},
    }
    users, emails = {}, {}
    for person, spec in plan.items():
        emails[person] = f"{person.replace('_', '.')}@contoh.id"
        user = make_user(stack, email=emails[person], **spec)
        assert user.id is not None
        users[person] = user.id
    return users, emails, {"sup_semarang": secret}


@functools.cache
def _password_hash(password: str) -> str:
    return hash_password(password)


@pytest.fixture
def world(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> World:
    # The same argon2 hash of PASSWORD for everyone: a valid hash, made once per run, not per person.
    monkeypatch.setattr(service, "hash_password", _password_hash)
    villages = {}
    for key, code in (("A", "34.04.02.2003"), ("C", "34.04.02.2001"), ("B", "33.74.10.1001")):
        vid, slug = make_village(stack, code)
        with stack.runtime.session(all_villages=True) as db:
            village = db.get(Village, vid)
            assert village is not None
            villages[key] = Desa(key, vid, slug, code, village.name)
    users, emails, secrets = _people(stack, villages["A"].id, villages["B"].id)
    memberships, invitations, links = {}, {}, {}
    with stack.runtime.session(all_villages=True) as db:
        for row in db.exec(select(Membership)).all():
            person = next(p for p, uid in users.items() if uid == row.user_id)
            assert row.id is not None
            memberships[person] = row.id
        for key, inviter in (("A", "admin_a"), ("B", "admin_b")):
            desa = villages[key]
            invited = service.invite(
                db,
                village_id=desa.id,
                village_title=desa.name,
                recipient=f"calon.{key.lower()}@contoh.id",
                role=EDITOR,
                inviter=db.get(User, users[inviter]),  # type: ignore[arg-type]
                link=f"{village_host(stack, desa.slug)}/akun/undangan/{{token}}",
                email_possible=False,
            )
            assert invited.token.id is not None
            invitations[key], links[key] = invited.token.id, invited.link
    world = World(stack, villages, users, emails, memberships, invitations, links, secrets, {})
    world.media["A"] = world.new_media("A", "balai-desa-sidomulyo.png", "Balai desa Sidomulyo")
    world.media["B"] = world.new_media("B", "peta-rahasia-meteseh.png", "Peta rahasia Meteseh")
    world.posts["A"] = world.new_post("A", "kontributor_a", "Draf warga Sidomulyo")
    world.posts["B"] = world.new_post("B", "admin_b", "Draf rahasia Meteseh")
    world.rows["A"] = world.new_content("A")
    world.rows["B"] = world.new_content("B")
    return world


def snapshot(stack: Stack) -> dict[str, list[tuple[object, ...]]]:
    """Everything a wall breach could change: teams, invitations, villages, notes, posts, accounts."""
    with stack.runtime.session(all_villages=True) as db:
        return {
            "memberships": sorted(
                (m.id, m.village_id, m.user_id, m.role) for m in db.exec(select(Membership))
            ),
            "tokens": sorted(
                (t.id, t.village_id, t.purpose, t.recipient, t.role, t.used_at is None)
                for t in db.exec(select(OneTimeToken))
            ),
            "villages": sorted((v.id, v.code, v.status, v.slug) for v in db.exec(select(Village))),
            "notes": sorted((n.id, n.village_id, n.body) for n in db.exec(select(MentoringNote))),
            "posts": sorted(
                (p.id, p.village_id, p.title, p.status, p.version, p.deleted_at is None)
                for p in db.exec(select(Post))
            ),
            "media": sorted((m.id, m.village_id, m.alt, m.key) for m in db.exec(select(MediaFile))),
            # Pages, agenda, pengumuman, galeri and dokumen: every column of every row.
            **{
                model.__tablename__: sorted(  # type: ignore[attr-defined]
                    (row.village_id, *(str(value) for value in row.model_dump().values()))
                    for row in db.exec(select(model))
                )
                for model in (
                    Page,
                    Event,
                    Announcement,
                    Album,
                    AlbumPhoto,
                    Document,
                    ImportRun,
                    Aspiration,
                    AspirationReply,
                    ApbdesYear,
                    ApbdesLine,
                    Project,
                    ProjectProgress,
                    Comment,
                    CommentSettings,
                )
            },
            "users": sorted(
                (u.id, u.name, u.email, u.password_hash, u.supervisor_scope, u.is_active)
                for u in db.exec(select(User))
            ),
        }


# --- checking a cell -------------------------------------------------------------------------------
@dataclass
class Matrix:
    """Collects every cell's result, so one failing test shows every breach at once."""

    checks: int = 0
    failures: list[str] = field(default_factory=list)

    def attempt(
        self,
        who: str,
        browser: Browser,
        route: Route,
        url: str,
        expected: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if route.method == "GET":
            response = browser.get(url, headers=headers)
        else:
            data = dict(route.form)
            if token is not None:
                data["csrf_token"] = token
            origin = "/".join(url.split("/", 3)[:3])
            files = [(name, (filename, content, kind)) for name, filename, content, kind in route.files]
            response = browser.client.post(
                url, data=data, files=files or None, headers={"origin": origin, **(headers or {})}
            )
        self.expect(who, route, url, response, expected)
        return response

    def expect(self, who: str, route: Route, url: str, response: Response, expected: str) -> None:
        self.checks += 1
        status, location = response.status_code, response.headers.get("location", "")
        if expected == OK:
            good = status in route.ok and not location.startswith("/akun/")
        elif expected == SIGN_IN:
            good = status == 401 if route.api else (status == 303 and location.startswith("/akun/masuk?"))
        elif expected == DENIED:
            good = status == 403
        else:
            good = status == int(expected)
        if not good:
            self.failures.append(f"{who}: {route.method} {url} -> {status} {location} (expected {expected})")

    def done(self) -> None:
        assert self.failures == [], f"{len(self.failures)} of {self.checks} cells broke:\n" + "\n".join(
            self.failures
        )


def cookie_name(stack: Stack) -> str:
    return "__Host-etalase_sesi" if stack.settings.public_scheme == "https" else "etalase_sesi"


def village_domain(world: World, key: str) -> str:
    return f"{world.villages[key].slug}.{BASE_DOMAIN}"


CONTENT_TABLES = (
    "page",
    "event",
    "announcement",
    "album",
    "album_photo",
    "document",
    "import_run",
    "aspiration",
    "aspiration_reply",
    "apbdes_year",
    "apbdes_line",
    "project",
    "project_progress",
    "post_comment",
    "comment_settings",
)
VILLAGE_COLUMN = {
    "memberships": 1,
    "tokens": 1,
    "villages": 0,
    "notes": 1,
    "posts": 1,
    "media": 1,
    **dict.fromkeys(CONTENT_TABLES, 0),
}


def only_b(snap: dict[str, list[tuple[object, ...]]], world: World) -> dict[str, list[tuple[object, ...]]]:
    """The part of a snapshot that belongs to village B (and every account)."""
    b = world.villages["B"].id
    return {
        name: [row for row in rows if name not in VILLAGE_COLUMN or row[VILLAGE_COLUMN[name]] == b]
        for name, rows in snap.items()
    }


# --- matrix 1: village hosts -----------------------------------------------------------------------
def test_own_village_each_role_gets_exactly_its_routes(world: World) -> None:
    """Each role of A on A's host, a covering supervisor there, and anonymous: every route."""
    matrix, base = Matrix(), world.host("A")
    targets = world.targets("A")
    before = snapshot(world.stack)
    people = {
        "anonymous": Browser(world.stack),
        KONTRIBUTOR: world.signed_in("kontributor_a", "A"),
        EDITOR: world.signed_in("editor_a", "A"),
        PENDAMPING: world.signed_in("sup_godean", "A"),
    }
    fresh = {}  # person -> a file of A's media library their requests aim at
    drafts = {}  # person -> a draft of A their requests aim at (their own for the team)
    for role, browser in people.items():
        token = world.token(browser, "A")  # a valid token: a refusal must come from the role
        fresh[role] = world.new_media("A")
        drafts[role] = world.new_post("A", {EDITOR: "editor_a"}.get(role, "kontributor_a"))
        own = {**targets, "media_id": fresh[role], "post_id": drafts[role][0], "rev_id": drafts[role][1]}
        own["comment_id"] = world.new_comment("A")
        for route in VILLAGE_ROUTES:
            allowed = OK if role in route.allowed else DENIED
            expected = SIGN_IN if role == "anonymous" else allowed
            matrix.attempt(role, browser, route, route.url(base, **own), expected, token=token)
    matrix.done()
    middle = snapshot(world.stack)
    # (the content the roles may change is checked below, or by its own tests in the content screens')
    changeable = ("media", "posts", *CONTENT_TABLES)
    assert {k: v for k, v in middle.items() if k not in changeable} == {
        k: v for k, v in before.items() if k not in changeable
    }, "a refused request changed something"
    # The news as the roles allow: the kontributor rewrote and submitted their draft, the editor
    # took theirs through the whole workflow (back to a restored draft); refused requests changed
    # nothing; each of the two wrote one new draft, in A.
    states = {row[0]: row[2:] for row in middle["posts"]}
    assert states[drafts[KONTRIBUTOR][0]] == (POST_TITLE, "review", 4, True)
    assert states[drafts[EDITOR][0]] == (POST_TITLE, "draft", 4, True)
    for role in (PENDAMPING, "anonymous"):
        assert states[drafts[role][0]] == ("Draf dari matriks", "draft", 2, True)
    new_posts = set(states) - {row[0] for row in before["posts"]} - {d[0] for d in drafts.values()}
    assert len(new_posts) == 2
    assert all(row[1] == world.villages["A"].id for row in middle["posts"] if row[0] in new_posts)
    # The media library changed as the roles allow, in A only: the kontributor and the editor each
    # uploaded one file and re-labelled theirs, the editor deleted theirs, the rest changed nothing.
    assert only_b(middle, world) == only_b(before, world)
    alts = {row[0]: row[2] for row in middle["media"]}
    assert fresh[EDITOR] not in alts
    assert alts[fresh[KONTRIBUTOR]] == MATRIX_ALT
    assert alts[fresh[PENDAMPING]] == alts[fresh["anonymous"]] == MEDIA_ALT
    new_ids = set(alts) - {row[0] for row in before["media"]} - set(fresh.values())
    assert len(new_ids) == 2
    assert all(row[1] == world.villages["A"].id for row in middle["media"] if row[0] in new_ids)

    # The admin may do everything, the changes land in A, and only there.
    admin = world.signed_in("admin_a", "A")
    token = world.token(admin, "A")
    post_id, rev_id = world.new_post("A", "admin_a")
    own = {**targets, "media_id": world.new_media("A"), "post_id": post_id, "rev_id": rev_id}
    own["comment_id"] = world.new_comment("A")
    for route in VILLAGE_ROUTES:
        matrix.attempt(ADMIN, admin, route, route.url(base, **own), OK, token=token)
    matrix.done()
    finish_imports(world.stack)  # the queued import lands in A (and only there)
    after = snapshot(world.stack)
    assert only_b(after, world) == only_b(before, world)
    assert own["media_id"] not in {row[0] for row in after["media"]}
    spare = world.memberships["spare_a"]
    assert all(m[0] != spare for m in after["memberships"]), "the spare member was removed"
    cancelled = next(t for t in after["tokens"] if t[0] == world.invitations["A"])
    assert cancelled[-1] is False
    assert any(t[1] == world.villages["A"].id and t[3] == "warga.baru@contoh.id" for t in after["tokens"])
    # What A's pages showed never named B's people.
    for url in (
        f"{base}/admin/anggota",
        f"{base}/admin/log",
        f"{base}/api/v1/anggota",
        f"{base}/admin",
        f"{base}/admin/media",
        f"{base}/api/v1/media",
    ):
        text = admin.get(url).text
        assert "Rahayu Wulandari" not in text and "Hendra Gunawan" not in text and "calon.b@" not in text
        assert "Meteseh" not in text and f"v/{world.villages['B'].id}/" not in text


def test_a_cookie_is_nothing_on_another_village_host(world: World) -> None:
    """(a) A's session cookie copied onto B's host in the jar, (d) sent by hand in a Cookie header,
    and with a Host header swapped under A's URL: B's host sees nobody signed in."""
    matrix, base_b = Matrix(), world.host("B")
    targets_b = world.targets("B")
    before = snapshot(world.stack)
    name = cookie_name(world.stack)
    for person in ("admin_a", "editor_a", "kontributor_a"):
        own = world.signed_in(person, "A")
        token_a = world.token(own, "A")
        value = own.cookie("etalase_sesi")
        assert value
        # (a) the jar now holds A's session for B's host too (as a hostile subdomain would plant it).
        own.client.cookies.set(name, value, domain=village_domain(world, "B"))
        for route in VILLAGE_ROUTES:
            matrix.attempt(
                f"{person} (A cookie in jar)",
                own,
                route,
                route.url(base_b, **targets_b),
                SIGN_IN,
                token=token_a,
            )
        # (d) the cookie written by hand, from a browser that has no jar for B.
        bare = Browser(world.stack)
        for route in VILLAGE_ROUTES:
            url = route.url(base_b, **targets_b)
            matrix.attempt(
                f"{person} (Cookie header)",
                bare,
                route,
                url,
                SIGN_IN,
                token=token_a,
                headers={"cookie": f"{name}={value}"},
            )
        # Host swap: A's URL, so the jar sends A's cookie, but the Host header names B.
        for route in VILLAGE_ROUTES:
            url = route.url(world.host("A"), **targets_b)
            matrix.attempt(
                f"{person} (Host: B)",
                own,
                route,
                url,
                SIGN_IN,
                token=token_a,
                headers={"host": village_domain(world, "B")},
            )
        # A's own host still knows them: the attack did not cost the session either.
        assert own.get(f"{world.host('A')}/akun").status_code == 200
    # A supervisor's portal cookie is not a village session either, not even in their scope.
    sup = world.signed_in("sup_godean", "portal")
    value = sup.cookie("etalase_sesi")
    assert value
    sup.client.cookies.set(name, value, domain=village_domain(world, "A"))
    for route in VILLAGE_ROUTES:
        matrix.attempt(
            "sup_godean (portal cookie)",
            sup,
            route,
            route.url(world.host("A"), **world.targets("A")),
            SIGN_IN,
        )
    matrix.done()
    assert snapshot(world.stack) == before


def test_a_real_account_signed_in_on_another_village_has_no_rights_there(world: World) -> None:
    """(b) A's members sign in at B's host with their correct password (their account is real), and
    so does a supervisor whose scope does not cover B: only their own account answers."""
    matrix, base_b = Matrix(), world.host("B")
    targets_b = world.targets("B")
    before = snapshot(world.stack)
    for person in ("admin_a", "editor_a", "kontributor_a", "sup_godean"):
        browser = world.signed_in(person, "B")
        token = world.token(browser, "B")
        for route in VILLAGE_ROUTES:
            expected = OK if route.path in ("/akun", "/api/v1/akun") else DENIED
            response = matrix.attempt(
                person, browser, route, route.url(base_b, **targets_b), expected, token=token
            )
            assert "Rahayu Wulandari" not in response.text and "Hendra Gunawan" not in response.text
            if route.path == "/api/v1/akun" and response.status_code == 200:
                assert response.json()["id"] == world.users[person]
    matrix.done()
    after = snapshot(world.stack)
    assert after == before


def test_guessed_ids_of_another_village_find_nothing(world: World) -> None:
    """(c) A's admin, on A's host, aims the member and invitation routes at B's rows by id."""
    admin = world.signed_in("admin_a", "A")
    base = world.host("A")
    token = world.token(admin, "A")
    before = snapshot(world.stack)
    guesses = [
        (f"/admin/anggota/{world.memberships[person]}/{action}", form)
        for person, role in (("admin_b", "admin"), ("spare_b", "editor"))
        for action, form in (("peran", {"role": role}), ("hapus", {}))
    ]
    guesses.append((f"/admin/undangan/{world.invitations['B']}/batal", {}))
    # B's media file by id: re-labelled, deleted, deleted "anyway".
    b_media = world.media["B"]
    guesses.append((f"/admin/media/{b_media}/alt", {"alt": "Diganti dari Sidomulyo"}))
    guesses.append((f"/admin/media/{b_media}/hapus", {}))
    guesses.append((f"/admin/media/{b_media}/hapus", {"paksa": "1"}))
    for path, form in guesses:
        response = admin.post(f"{base}{path}", {**form, "csrf_token": token})
        assert response.status_code in (400, 404), (path, response.status_code)
        assert "Rahayu Wulandari" not in response.text and "calon.b@" not in response.text
        assert "Meteseh" not in response.text
    # B's file is still whole: its row (the snapshot below) and every object it stored.
    with world.stack.runtime.session(all_villages=True) as db:
        stored = db.get(MediaFile, b_media)
        assert stored is not None and stored.alt == "Peta rahasia Meteseh"
        keys = stored.keys
    assert keys and all(world.stack.runtime.media.get(key) is not None for key in keys)
    for url in (f"{base}/admin/media", f"{base}/api/v1/media"):
        text = admin.get(url).text
        assert "Meteseh" not in text and keys[0] not in text
    # B's invitation link opened on A's host: not valid there, and nobody joins A by it.
    raw = world.invitation_links["B"].rsplit("/", 1)[1]
    page = Browser(world.stack)
    assert page.get(f"{base}/akun/undangan/{raw}").status_code == 400
    accept = page.post(
        f"{base}/akun/undangan/{raw}",
        {"name": "Calon B", "password": PASSWORD, "password2": PASSWORD},
        form_url=f"{base}/akun/masuk",
    )
    assert accept.status_code == 400
    # Ending a session by id ends only one's own: B's admin stays signed in at B.
    victim = world.signed_in("admin_b", "B")
    with world.stack.runtime.session(all_villages=True) as db:
        ids = db.exec(select(UserSession.id).where(col(UserSession.user_id) == world.users["admin_b"])).all()
    assert ids
    for session_id in ids:
        admin.post(f"{base}/akun/sesi/{session_id}/akhiri", {"csrf_token": token})
    assert victim.get(f"{world.host('B')}/admin").status_code == 200
    assert admin.get(f"{base}/admin").status_code == 200
    assert snapshot(world.stack) == before


def test_guessed_post_ids_of_another_village_find_nothing(world: World) -> None:
    """A's editor, on A's host, aims every news route at B's draft and its revision by id: not
    found, and B's post stays exactly as it was (also after B's admin publishes and trashes it)."""
    editor = world.signed_in("editor_a", "A")
    base = world.host("A")
    token = world.token(editor, "A")
    post_id, rev_id = world.posts["B"]
    before = snapshot(world.stack)
    for route in (r for r in VILLAGE_ROUTES if "{post_id}" in r.path):
        url = route.url(base, post_id=post_id, rev_id=rev_id)
        if route.method == "GET":
            response = editor.get(url)
        else:
            response = editor.post(url, {**dict(route.form), "csrf_token": token})
        assert response.status_code == 404, (str(route), response.status_code)
        assert "Meteseh" not in response.text and "Rahayu Wulandari" not in response.text
    assert snapshot(world.stack) == before
    # B publishes and trashes its post: A still cannot restore, unpublish or see it.
    admin_b = world.signed_in("admin_b", "B")
    token_b = world.token(admin_b, "B")
    for action in ("terbitkan", "hapus"):
        done = admin_b.post(f"{world.host('B')}/admin/berita/{post_id}/{action}", {"csrf_token": token_b})
        assert done.status_code == 303, action
    before = snapshot(world.stack)
    for action in ("pulihkan", "tarik", "terbitkan", "hapus"):
        response = editor.post(f"{base}/admin/berita/{post_id}/{action}", {"csrf_token": token})
        assert response.status_code == 404, action
    for tab in ("draf", "tinjauan", "terjadwal", "terbit", "sampah"):
        assert "Meteseh" not in editor.get(f"{base}/admin/berita?status={tab}").text
    assert snapshot(world.stack) == before


def test_forms_need_the_token_of_the_same_session(world: World) -> None:
    """(e) No token, another person's token, a foreign origin: 403 and nothing changed. And every
    guarded route is closed to anonymous visitors of every village."""
    matrix = Matrix()
    base = world.host("A")
    targets = world.targets("A")
    admin = world.signed_in("admin_a", "A")
    own_token = world.token(admin, "A")
    other_tokens = {
        "no token": None,
        "editor_a's token": world.token(world.signed_in("editor_a", "A"), "A"),
        "admin_b's token": world.token(world.signed_in("admin_b", "B"), "B"),
        "a signed-out visitor's token": world.token(Browser(world.stack), "A"),
    }
    before = snapshot(world.stack)
    for label, token in other_tokens.items():
        for route in (r for r in VILLAGE_ROUTES if r.changes):
            matrix.attempt(
                f"admin_a with {label}", admin, route, route.url(base, **targets), DENIED, token=token
            )
    for route in (r for r in VILLAGE_ROUTES if r.changes):
        url = route.url(base, **targets)
        matrix.attempt(
            "admin_a from B's origin",
            admin,
            route,
            url,
            DENIED,
            token=own_token,
            headers={"origin": world.host("B")},
        )
    sup = world.signed_in("sup_godean", "portal")
    for route in (r for r in CONSOLE_ROUTES if r.changes):
        url = route.url(portal(world.stack), code=world.villages["A"].code)
        matrix.attempt("sup_godean with no token", sup, route, url, DENIED)
    for key in ("A", "B", "C"):
        anonymous = Browser(world.stack)
        token = world.token(anonymous, key)
        for route in VILLAGE_ROUTES:
            url = route.url(world.host(key), **(world.targets(key) if key != "C" else targets))
            matrix.attempt(f"anonymous on {key}", anonymous, route, url, SIGN_IN, token=token)
    anonymous = Browser(world.stack)
    for route in CONSOLE_ROUTES:
        url = route.url(portal(world.stack), code=world.villages["A"].code)
        matrix.attempt(
            "anonymous on the portal", anonymous, route, url, SIGN_IN, token=world.token(anonymous, "portal")
        )
    matrix.done()
    assert snapshot(world.stack) == before


def test_a_removed_member_loses_the_village_at_once(world: World) -> None:
    editor = world.signed_in("editor_a", "A")
    base = world.host("A")
    assert editor.get(f"{base}/admin").status_code == 200
    admin = world.signed_in("admin_a", "A")
    removed = admin.post(
        f"{base}/admin/anggota/{world.memberships['editor_a']}/hapus", form_url=f"{base}/admin/anggota"
    )
    assert removed.status_code == 303
    matrix = Matrix()
    token = world.token(editor, "A")
    for route in VILLAGE_ROUTES:
        expected = OK if route.path in ("/akun", "/api/v1/akun") else DENIED
        matrix.attempt(
            "removed editor_a", editor, route, route.url(base, **world.targets("A")), expected, token=token
        )
    matrix.done()


# --- matrix 2: the console -------------------------------------------------------------------------
def _text_without_tokens(response: Response, code: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", response.text).replace(code, "CODE")


def supervise(
    matrix: Matrix, world: World, who: str, browser: Browser, token: str, *, keys: str, covered: str
) -> None:
    """The console table for one supervisor, aimed at the villages ``keys`` (routes without a
    village once); ``covered`` are the villages in their scope."""
    for route in CONSOLE_ROUTES:
        for key in keys if "{code}" in route.path else keys[:1]:
            if PENDAMPING not in route.allowed:
                expected = DENIED
            elif "{code}" in route.path and key not in covered:
                expected = HIDDEN
            else:
                expected = OK
            url = route.url(portal(world.stack), code=world.villages[key].code)
            matrix.attempt(who, browser, route, url, expected, token=token)


def test_console_shows_a_supervisor_their_scope_and_nothing_else(world: World) -> None:
    matrix, base = Matrix(), portal(world.stack)
    a, b, c = (world.villages[k] for k in ("A", "B", "C"))

    # sup_semarang (two-factor) works on B first: a note and its events exist outside Godean.
    semarang = world.signed_in("sup_semarang", "portal")
    token = world.token(semarang, "portal")
    supervise(matrix, world, "sup_semarang", semarang, token, keys="BAC", covered="B")
    matrix.done()
    secret_note = "Catatan khusus Meteseh: anggaran posyandu belum cair."
    noted = semarang.post(f"{base}/konsol/desa/{b.code}/catatan", {"body": secret_note, "csrf_token": token})
    assert noted.status_code == 303
    semarang_list = semarang.get(f"{base}/api/v1/desa").json()
    assert [v["code"] for v in semarang_list["villages"]] == [b.code]

    # sup_godean aimed at B: the answer of a village that does not exist, and B stays as it was.
    godean = world.signed_in("sup_godean", "portal")
    token = world.token(godean, "portal")
    before = snapshot(world.stack)
    supervise(matrix, world, "sup_godean on B", godean, token, keys="B", covered="AC")
    matrix.done()
    assert snapshot(world.stack) == before
    missing_code = "34.04.02.2999"
    hidden = godean.get(f"{base}/konsol/desa/{b.code}")
    missing = godean.get(f"{base}/konsol/desa/{missing_code}")
    assert missing.status_code == hidden.status_code == 404
    assert _text_without_tokens(hidden, b.code) == _text_without_tokens(missing, missing_code)

    # sup_godean on A and C: everything a supervisor may do, except the operator's outbox.
    supervise(matrix, world, "sup_godean", godean, token, keys="AC", covered="AC")
    matrix.done()
    after = snapshot(world.stack)
    assert only_b(after, world) == only_b(before, world)
    assert any(t[1] == c.id and t[3] == "admin.pertama@contoh.id" and t[4] == ADMIN for t in after["tokens"])

    # The lists: A and C, never B, however asked.
    listed = godean.get(f"{base}/api/v1/desa").json()
    assert listed["scope"] == "34.04.02"
    assert sorted(v["code"] for v in listed["villages"]) == sorted([a.code, c.code])
    for query in (
        "",
        "?q=Meteseh",
        f"?q={b.code}",
        "?q=33.74",
        "?status=active",
        "?status=inactive",
        "?halaman=2",
    ):
        html = godean.get(f"{base}/konsol{query}")
        assert html.status_code == 200, query
        searched = query.partition("q=")[2]
        # The search words come back in the search box and the links; the name, code or slug the
        # words did not spell would only come from a listed village.
        text = html.text.replace(searched, "") if searched else html.text
        assert b.name not in text and b.code not in text and b.slug not in text, query
    assert a.name in godean.get(f"{base}/konsol").text
    # The log: A's note, not B's, nor who works on B.
    log = godean.get(f"{base}/konsol/log").text
    assert a.code in log and "Pendamping Godean" in log
    assert b.code not in log and b.name not in log and "Pendamping Semarang" not in log
    for page in (f"{base}/konsol/desa/{a.code}", f"{base}/konsol/desa/{c.code}"):
        text = godean.get(page).text
        assert "Rahayu Wulandari" not in text and "Pendamping Semarang" not in text and b.code not in text
    # B's note reaches B's team only: not A's team, not A's supervisor.
    assert secret_note in world.signed_in("admin_b", "B").get(f"{world.host('B')}/admin").text
    for viewer, url in (
        (world.signed_in("admin_a", "A"), f"{world.host('A')}/admin"),
        (godean, f"{base}/konsol/desa/{a.code}"),
        (godean, f"{base}/konsol/log"),
    ):
        assert secret_note not in viewer.get(url).text, url
    semarang_log = semarang.get(f"{base}/konsol/log").text
    assert b.code in semarang_log and a.code not in semarang_log and "Pendamping Godean" not in semarang_log

    # A village's team on the portal is not a supervisor: every console route is refused.
    member = world.signed_in("admin_a", "portal")
    token = world.token(member, "portal")
    before = snapshot(world.stack)
    for route in CONSOLE_ROUTES:
        for key in ("A", "B"):
            url = route.url(base, code=world.villages[key].code)
            matrix.attempt("admin_a on the portal", member, route, url, DENIED, token=token)
    matrix.done()
    assert snapshot(world.stack) == before


def test_two_factor_stands_before_the_console(world: World) -> None:
    """A kabupaten supervisor between password and code, or without two-factor set up, gets no
    console and changes nothing."""
    matrix, base = Matrix(), portal(world.stack)
    code_b = world.villages["B"].code
    make_user(world.stack, "Pendamping Tanpa Kode", email="tanpa.kode@contoh.id", scope="33.74")
    before = snapshot(world.stack)
    pending = Browser(world.stack)
    response = pending.login(base, world.email["sup_semarang"])
    assert response.headers["location"].startswith("/akun/masuk/kode")
    token = pending.csrf(f"{base}/akun/masuk/kode")
    for route in CONSOLE_ROUTES:
        expected = "401" if route.api else "303"
        response = matrix.attempt(
            "before the code", pending, route, route.url(base, code=code_b), expected, token=token
        )
        if not route.api:
            assert response.headers["location"].startswith("/akun/masuk/kode?next="), route

    unenrolled = Browser(world.stack)
    assert unenrolled.login(base, "tanpa.kode@contoh.id").headers["location"] == "/konsol"
    token = unenrolled.csrf(f"{base}/akun/2fa")
    for route in CONSOLE_ROUTES:
        expected = "403" if route.api else "303"
        response = matrix.attempt(
            "no two-factor", unenrolled, route, route.url(base, code=code_b), expected, token=token
        )
        if not route.api:
            assert response.headers["location"] == "/akun/2fa?wajib=1", route
    matrix.done()
    assert snapshot(world.stack) == before


# --- a leak found while writing the matrix -----------------------------------------------------------
def test_a_failed_sign_in_at_a_does_not_name_b_people_in_a_log(world: World) -> None:
    base = world.host("A")
    prober = Browser(world.stack)
    assert prober.login(base, world.email["admin_b"], "bukan kata sandinya").status_code == 400
    asked = prober.post(
        f"{base}/akun/lupa-sandi", {"identifier": world.email["admin_b"]}, form_url=f"{base}/akun/lupa-sandi"
    )
    assert asked.status_code == 200
    log = world.signed_in("admin_a", "A").get(f"{base}/admin/log").text
    supervisor = world.signed_in("sup_godean", "portal").get(f"{portal(world.stack)}/konsol/log").text
    with world.stack.runtime.session(all_villages=True) as db:
        events = db.exec(select(AuditEvent).where(col(AuditEvent.actor_id) == world.users["admin_b"])).all()
    leaks = [
        f"A's audit_event {e.action} names admin_b" for e in events if e.village_id == world.villages["A"].id
    ]
    leaks += [
        f"{where} shows admin_b's name"
        for where, text in (("/admin/log", log), ("/konsol/log", supervisor))
        if "Rahayu Wulandari" in text
    ]
    assert leaks == []


# --- the matrix grows with the app --------------------------------------------------------------------
def test_every_guarded_route_is_in_the_matrix(tmp_path: Path) -> None:
    """A route that needs a village role, a scope or the operator is attacked by this file only if
    it is in a table above: this fails until it is."""
    app = create_app(embedded_settings(tmp_path))
    village = {str(r) for r in VILLAGE_ROUTES}
    console = {str(r) for r in CONSOLE_ROUTES}
    missing = []
    for route in api_routes(list(app.routes)):
        (kind,) = declaration_of(route.dependant)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            name = f"{method} {route.path}"
            if kind.startswith("village:") and name not in village:
                missing.append(f"{name} -> VILLAGE_ROUTES")
            elif (kind.startswith("scope:") or kind == "superuser") and name not in console:
                missing.append(f"{name} -> CONSOLE_ROUTES")
            elif kind in ("signed_in", "second_factor_pending") and name not in village | OWN_ACCOUNT_ROUTES:
                missing.append(
                    f"{name} -> VILLAGE_ROUTES, or OWN_ACCOUNT_ROUTES if it touches only the own account"
                )
    assert missing == [], "routes outside the tenant-wall matrix:\n" + "\n".join(missing)
