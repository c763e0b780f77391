"""Demo villages for the embedded default: every village of Kecamatan Godean (Sleman, DIY) and a
few villages elsewhere, each with sample news, its standing pages, an event and an announcement in
Bahasa Indonesia. Running it again adds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from etalase.platform.content.models import Announcement, Event, Post
from etalase.platform.content.pages import standard_pages
from etalase.platform.content.service import create_post
from etalase.platform.profile.demo import demo_profile
from etalase.platform.runtime import ALL_VILLAGES
from etalase.tenants.models import Village, utcnow
from etalase.tenants.resolver import TYPE_TITLE
from etalase.tenants.scope import in_village
from etalase.tenants.service import create_village, create_villages_under
from etalase.tenants.timezones import zone_for

KECAMATAN = "34.04.02"  # Godean, Kabupaten Sleman: seven desa, one of them a Sidomulyo
ELSEWHERE = (
    "33.22.19.1001",  # Sidomulyo, Ungaran Timur (Kab. Semarang): a second Sidomulyo
    "33.74.10.1001",  # Meteseh, Kota Semarang: a kelurahan
    "51.03.01.1002",  # Kuta, Badung, Bali
    "91.03.01.1001",  # Sentani Kota, Jayapura, Papua: a distrik
    "11.06.01.2002",  # Jantang, Aceh Besar
    "64.01.01.2011",  # Batu Kajang, Paser, Kalimantan Timur
)

SAMPLE_POSTS = (
    (
        "Musyawarah {title} Sepakati Rencana Kerja Pemerintah Desa 2027",
        "Warga, BPD, dan perangkat desa menyepakati prioritas pembangunan tahun depan.",
        "<p>Musyawarah desa di balai {title} dihadiri perwakilan RT, RW, kelompok tani, PKK, dan karang "
        "taruna. Forum menyepakati tiga prioritas: perbaikan jalan usaha tani, air bersih, dan pelatihan "
        "pemasaran produk UMKM.</p><p>Hasil musyawarah akan dituangkan dalam RKP Desa 2027 dan diumumkan "
        "di papan informasi serta website desa.</p>",
    ),
    (
        "Posyandu Balita dan Lansia Kembali Digelar Serentak",
        "Penimbangan, imunisasi, dan pemeriksaan tekanan darah gratis untuk warga.",
        "<p>Kader posyandu {title} kembali menggelar layanan bulanan. Selain penimbangan dan imunisasi "
        "balita, warga lansia mendapat pemeriksaan tekanan darah dan gula darah tanpa biaya.</p>"
        "<ul><li>Balita: penimbangan dan vitamin A</li><li>Lansia: cek tensi dan gula darah</li></ul>",
    ),
    (
        "BUMDes Pasarkan Produk Olahan Warga Lewat Website Desa",
        "Keripik, gula semut, dan kerajinan anyaman kini bisa dipesan dari luar desa.",
        "<p>Badan Usaha Milik Desa mulai memajang produk UMKM warga di website desa. Pembeli dapat "
        "memesan langsung kepada penjual melalui WhatsApp.</p><blockquote>Website desa adalah etalase "
        "kami, kata pengurus BUMDes.</blockquote>",
    ),
    (
        "Kerja Bakti Membersihkan Saluran Irigasi Menjelang Musim Tanam",
        "Ratusan warga turun bersama agar air sampai ke sawah.",
        "<p>Menjelang musim tanam, warga {title} bergotong royong membersihkan saluran irigasi "
        "sepanjang dua kilometer. Kegiatan ditutup dengan makan bersama di pos ronda.</p>",
    ),
)


# Demo accounts (development only: the embedded default refuses nothing, production has no demo).
DEMO_PASSWORD = "etalase demo desa"  # noqa: S105  (printed by `etalase demo`; never in production)
DEMO_PEOPLE = (
    # (email, name, role in the first Godean village, supervision scope)
    ("admin@contoh.id", "Siti Aminah (operator desa)", "admin", None),
    ("editor@contoh.id", "Budi Santoso (editor)", "editor", None),
    ("kader@contoh.id", "Rina Wulandari (kader)", "kontributor", None),
    ("pendamping@contoh.id", "Agus Pendamping (Kecamatan Godean)", None, KECAMATAN),
)


@dataclass
class DemoResult:
    villages_created: int
    posts_created: int
    slugs: list[str]
    people: list[tuple[str, str, str]] = field(default_factory=list)  # (email, where to sign in, role)


def provision_demo(session: Session, *, with_people: bool = True) -> DemoResult:
    """Create what is missing. It writes posts of many villages, so it needs a session opened with
    ``Runtime.session(all_villages=True)`` (row-level security would refuse them otherwise)."""
    if not session.info.get(ALL_VILLAGES):
        raise ValueError("provision_demo needs a session with all_villages=True")
    created = create_villages_under(session, KECAMATAN).created
    existing = set(session.exec(select(Village.code)).all())
    for code in ELSEWHERE:
        if code not in existing:
            create_village(session, code)
            created += 1
    session.flush()
    villages = session.exec(
        select(Village).where(col(Village.code).like(KECAMATAN + ".%") | col(Village.code).in_(ELSEWHERE))
    ).all()
    posts = 0
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for village in sorted(villages, key=lambda v: v.code):
        assert village.id is not None
        if session.exec(in_village(Post, village.id).limit(1)).first() is not None:
            continue
        kind = "kelurahan" if village.code[9] == "1" else "desa"
        title = f"{TYPE_TITLE[kind]} {village.name}"
        for age, (headline, summary, body) in enumerate(SAMPLE_POSTS):
            create_post(
                session,
                village.id,
                title=headline.format(title=title),
                summary=summary,
                body=body.format(title=title),
                published_at=now - timedelta(days=3 * age + 1, hours=age),
            )
            posts += 1
        _demo_content(session, village, title, now)
    result = DemoResult(created, posts, sorted(v.slug for v in villages))
    if with_people:
        godean = [v for v in villages if v.code.startswith(KECAMATAN + ".")]
        result.people = _demo_people(session, min(godean, key=lambda v: v.code))
    return result


def _demo_content(session: Session, village: Village, title: str, now: datetime) -> None:
    """The standing pages (published), an event next week, a pinned announcement and the profile."""
    assert village.id is not None
    demo_profile(session, village, title)
    pages = standard_pages(session, village.id, title.split(" ", 1)[0])
    for page in pages:
        page.status = "published"
        if page.slug.startswith("profil"):
            page.body = (
                f"<p>{title} terletak di {village.name}. Sebagian besar warga bertani dan beternak; "
                "kelompok UMKM mengolah hasil bumi menjadi keripik, gula semut, dan anyaman.</p>"
            )
        session.add(page)
    zone, _label = zone_for(village.code)
    evening = datetime.combine((now + timedelta(days=7)).astimezone(zone).date(), time(19, 0), zone)
    session.add(
        Event(
            village_id=village.id,
            title="Musyawarah Desa Perencanaan Pembangunan",
            slug="musyawarah-desa-perencanaan-pembangunan",
            description="<p>Warga diundang membahas usulan kegiatan untuk RKP Desa tahun depan.</p>",
            place=f"Balai {title}",
            starts_at=evening.astimezone(UTC),
            ends_at=(evening + timedelta(hours=2)).astimezone(UTC),
            status="published",
        )
    )
    session.add(
        Announcement(
            village_id=village.id,
            title="Pendaftaran Pelatihan Pemasaran Digital untuk UMKM",
            body="<p>Pelaku UMKM dapat mendaftar di kantor desa pada jam kerja. Tempat terbatas.</p>",
            expires_at=now + timedelta(days=14),
            pinned=True,
            status="published",
        )
    )


def _demo_people(session: Session, village: Village) -> list[tuple[str, str, str]]:
    """A village team for the first Godean village and the kecamatan's facilitator."""
    from etalase.platform.accounts.identity import Identifier  # noqa: PLC0415
    from etalase.platform.accounts.models import Membership  # noqa: PLC0415
    from etalase.platform.accounts.service import create_user, find_user  # noqa: PLC0415

    assert village.id is not None
    people = []
    for email, name, role, scope in DEMO_PEOPLE:
        user = find_user(session, Identifier("email", email))
        if user is None:
            user = create_user(
                session, name=name, email=email, password=DEMO_PASSWORD, scope=scope, check_password=False
            )
            if role:
                assert user.id is not None
                session.add(Membership(village_id=village.id, user_id=user.id, role=role))
        people.append((email, "portal" if scope else village.slug, role or "pendamping"))
    return people
