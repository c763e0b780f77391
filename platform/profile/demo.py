"""A small, plausible profile for the demo villages (``etalase demo``): made-up figures and names,
varied by the village's code so the demo villages do not all look alike."""

from __future__ import annotations

import json
import zlib

from sqlmodel import Session

from etalase.platform.profile.models import VillageOfficial, VillageProfile
from etalase.tenants.models import Village
from etalase.tenants.scope import in_village

OFFICIALS = (
    ("Kepala Desa", "Suharno"),
    ("Sekretaris Desa", "Sri Wahyuni"),
    ("Kaur Keuangan", "Dwi Astuti"),
    ("Kasi Pelayanan", "Agus Santoso"),
    ("Kepala Dusun I", "Bambang Riyadi"),
)
BPD = (("Ketua BPD", "Ahmad Fauzi"), ("Anggota BPD", "Siti Rohmah"), ("Anggota BPD", "Joko Purnomo"))


def demo_profile(session: Session, village: Village, title: str) -> None:
    """The profile and its officials, unless the village already has a profile."""
    assert village.id is not None
    if session.exec(in_village(VillageProfile, village.id)).first() is not None:
        return
    seed = zlib.crc32(village.code.encode())
    total = 2_400 + seed % 4_000
    male = total // 2 - seed % 60
    children, youth, elderly = total * 8 // 100, total * 19 // 100, total * 12 // 100
    session.add(
        VillageProfile(
            village_id=village.id,
            history=f"<p>{title} tumbuh dari permukiman petani di tepi sawah. Namanya diwariskan para "
            "sesepuh yang membuka lahan pertama dan menjadi pegangan warga sampai sekarang.</p>",
            vision=f"Terwujudnya {title} yang mandiri, sejahtera, dan berbudaya",
            mission="Meningkatkan pelayanan publik yang cepat dan terbuka\n"
            "Mengembangkan BUMDes dan UMKM berbasis potensi lokal\nMenjaga lingkungan dan budaya desa",
            population_year=2025,
            population_total=total,
            population_male=male,
            population_female=total - male,
            age_0_5=children,
            age_6_17=youth,
            age_18_59=total - children - youth - elderly,
            age_60_plus=elderly,
            households=total * 31 // 100,
            area=round(2 + (seed % 500) / 100, 2),
            area_unit="km2",
            address=f"Balai {title}, {village.name}",
            office_hours=json.dumps([["08:00", "15:00"]] * 4 + [["08:00", "11:00"], None, None]),
            hours_note="Istirahat pukul 12.00–13.00",
        )
    )
    for body, people in (("perangkat", OFFICIALS), ("bpd", BPD)):
        for position, (role, name) in enumerate(people):
            session.add(
                VillageOfficial(village_id=village.id, body=body, name=name, title=role, position=position)
            )
