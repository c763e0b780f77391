"""The audit log: security events and administrative actions.

Who (the account, and its name at the time), what, when, which village, and a keyed hash of the
address. Village admins read their village's events; supervisors the events of every village in
their scope (one prefix scan on ``village_code``); the platform operator everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from etalase.platform.accounts.models import AuditEvent, User
from etalase.platform.i18n import _, pgettext
from etalase.tenants.scope import in_village

PAGE_SIZE = 50


def action_labels() -> dict[str, str]:
    """Names of the actions as shown in the log (translated for the current request)."""
    return {
        "login": pgettext("log", "Masuk"),  # "Signed in", unlike the button "Sign in"
        "login_failed": _("Gagal masuk"),
        "login_blocked": _("Masuk diblokir sementara"),
        "logout": pgettext("log", "Keluar"),
        "logout_all": _("Keluar dari semua perangkat"),
        "password_changed": _("Kata sandi diganti"),
        "password_reset_requested": _("Minta atur ulang kata sandi"),
        "password_reset": _("Kata sandi diatur ulang"),
        "totp_enabled": _("Verifikasi dua langkah diaktifkan"),
        "totp_disabled": _("Verifikasi dua langkah dinonaktifkan"),
        "recovery_code_used": _("Kode cadangan dipakai"),
        "member_invited": _("Anggota diundang"),
        "invite_cancelled": _("Undangan dibatalkan"),
        "member_joined": _("Anggota bergabung"),
        "role_changed": _("Peran diubah"),
        "member_removed": _("Anggota dikeluarkan"),
        "member_trained": _("Anggota ditandai terlatih"),
        "member_untrained": _("Tanda terlatih anggota dihapus"),
        "village_activated": _("Situs desa diaktifkan"),
        "village_deactivated": _("Situs desa dinonaktifkan"),
        "note_added": _("Catatan pendampingan ditambahkan"),
        "settings_changed": _("Pengaturan diubah"),
        "post_published": _("Berita diterbitkan"),
        "post_deleted": _("Berita dihapus"),
        "post_submitted": _("Berita dikirim untuk ditinjau"),
        "post_sent_back": _("Berita dikembalikan kepada penulis"),
        "post_scheduled": _("Berita dijadwalkan terbit"),
        "post_unpublished": _("Berita ditarik dari situs"),
        "post_restored": _("Berita dipulihkan dari sampah"),
        "page_created": _("Halaman dibuat"),
        "page_published": _("Halaman diterbitkan"),
        "page_unpublished": _("Halaman ditarik dari situs"),
        "page_deleted": _("Halaman dihapus"),
        "page_restored": _("Halaman dipulihkan dari sampah"),
        "event_created": _("Agenda dibuat"),
        "event_published": _("Agenda diterbitkan"),
        "event_unpublished": _("Agenda ditarik dari situs"),
        "event_deleted": _("Agenda dihapus"),
        "event_restored": _("Agenda dipulihkan dari sampah"),
        "announcement_created": _("Pengumuman dibuat"),
        "announcement_published": _("Pengumuman diterbitkan"),
        "announcement_unpublished": _("Pengumuman ditarik dari situs"),
        "announcement_pinned": _("Pengumuman disematkan"),
        "announcement_unpinned": _("Pengumuman tidak disematkan lagi"),
        "announcement_deleted": _("Pengumuman dihapus"),
        "announcement_restored": _("Pengumuman dipulihkan dari sampah"),
        "album_created": _("Album galeri dibuat"),
        "album_photos_added": _("Foto ditambahkan ke album"),
        "album_published": _("Album galeri diterbitkan"),
        "album_unpublished": _("Album galeri ditarik dari situs"),
        "album_deleted": _("Album galeri dihapus"),
        "album_restored": _("Album galeri dipulihkan dari sampah"),
        "document_created": _("Dokumen ditambahkan"),
        "document_published": _("Dokumen diterbitkan"),
        "document_unpublished": _("Dokumen ditarik dari situs"),
        "document_deleted": _("Dokumen dipindahkan ke sampah"),
        "document_restored": _("Dokumen dipulihkan dari sampah"),
        "document_purged": _("Dokumen dihapus permanen"),
        "apbdes_created": _("Tahun APBDes dibuat"),
        "apbdes_imported": _("APBDes diimpor dari berkas"),
        "apbdes_published": _("APBDes diterbitkan"),
        "apbdes_unpublished": _("APBDes ditarik dari situs"),
        "apbdes_deleted": _("APBDes dihapus"),
        "project_created": _("Kegiatan pembangunan dibuat"),
        "project_published": _("Kegiatan pembangunan diterbitkan"),
        "project_unpublished": _("Kegiatan pembangunan ditarik dari situs"),
        "project_deleted": _("Kegiatan pembangunan dihapus"),
        "project_progress_added": _("Laporan kemajuan pembangunan ditambahkan"),
        "potensi_created": _("Potensi desa ditambahkan"),
        "potensi_submitted": _("Potensi desa dikirim untuk ditinjau"),
        "potensi_published": _("Potensi desa diterbitkan"),
        "potensi_returned": _("Potensi desa dikembalikan dengan catatan"),
        "potensi_unpublished": _("Potensi desa ditarik dari situs"),
        "potensi_deleted": _("Potensi desa dipindahkan ke sampah"),
        "potensi_restored": _("Potensi desa dipulihkan dari sampah"),
        "product_created": _("Produk ditambahkan"),
        "product_submitted": _("Produk dikirim untuk ditinjau"),
        "product_published": _("Produk diterbitkan"),
        "product_returned": _("Produk dikembalikan dengan catatan"),
        "product_unpublished": _("Produk ditarik dari situs"),
        "product_deleted": _("Produk dipindahkan ke sampah"),
        "product_restored": _("Produk dipulihkan dari sampah"),
        "profile_saved": _("Profil desa disimpan"),
        "official_added": _("Perangkat desa atau anggota BPD ditambahkan"),
        "official_changed": _("Perangkat desa atau anggota BPD diubah"),
        "official_removed": _("Perangkat desa atau anggota BPD dihapus"),
        "aspiration_replied": _("Aspirasi warga dibalas"),
        "aspiration_status_changed": _("Status aspirasi warga diubah"),
        "aspiration_published": _("Aspirasi warga diterbitkan"),
        "aspiration_unpublished": _("Aspirasi warga ditarik dari situs"),
        "aspiration_not_spam": _("Aspirasi warga dipindahkan dari spam"),
        "comment_approved": _("Komentar disetujui"),
        "comment_spam": _("Komentar ditandai spam"),
        "comment_deleted": _("Komentar dihapus"),
        "comment_words_saved": _("Daftar kata terlarang komentar diubah"),
        "comments_opened": _("Komentar dibuka"),
        "comments_closed": _("Komentar ditutup"),
        "media_uploaded": _("Berkas media diunggah"),
        "media_deleted": _("Berkas media dihapus"),
        "import_started": _("Impor blog lama dimulai"),
        "import_done": _("Blog lama diimpor"),
        "import_failed": _("Impor blog lama gagal"),
        "appearance_changed": _("Tampilan situs diubah"),
        "theme_default_changed": _("Tema bawaan wilayah diubah"),
    }


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    village_id: int | None = None,
    village_code: str | None = None,
    target: str = "",
    ip_hash: str = "",
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else "",
        village_id=village_id,
        village_code=village_code,
        target=target[:200],
        ip_hash=ip_hash,
    )
    if at is not None:
        event.at = at
    session.add(event)
    return event


def for_village(session: Session, village_id: int, *, before: int | None = None) -> Sequence[AuditEvent]:
    query = in_village(AuditEvent, village_id)
    if before:
        query = query.where(col(AuditEvent.id) < before)
    return session.exec(query.order_by(col(AuditEvent.id).desc()).limit(PAGE_SIZE)).all()


def for_scope(session: Session, scope: str, *, before: int | None = None) -> Sequence[AuditEvent]:
    """Events of the villages whose code starts with the scope (``""``: every village)."""
    query = select(AuditEvent).where(col(AuditEvent.village_code).is_not(None))
    if scope:
        query = query.where(col(AuditEvent.village_code).startswith(scope + ".", autoescape=True))
    if before:
        query = query.where(col(AuditEvent.id) < before)
    return session.exec(query.order_by(col(AuditEvent.id).desc()).limit(PAGE_SIZE)).all()


def for_user(session: Session, user_id: int, limit: int = 20) -> Sequence[AuditEvent]:
    """A person's own security events (their profile page)."""
    query = select(AuditEvent).where(col(AuditEvent.actor_id) == user_id)
    return session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()
