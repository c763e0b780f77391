"""Profil desa: reading, checking and saving a village's profile and its officials.

Functions take the request's session and the village, never commit, and raise
:class:`ProfileError` (naming the field) before changing anything. Every change to what the public
profile shows bumps the village's content version, so the page cache shows it at once.

Other features read the profile through :func:`population` (the reach indicator: unique visitors
of the month / population) and :func:`contact` (the "Kontak desa" sidebar widget).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal
from lokal.phone import parse_phone
from sqlmodel import Session, col

from etalase.platform import i18n
from etalase.platform.accounts.identity import InputError, display_phone, normalize_email
from etalase.platform.content.richtext import to_safe_html
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import N_, _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.profile.models import AREA_UNITS, BODIES, VillageOfficial, VillageProfile
from etalase.tenants.models import utcnow
from etalase.tenants.scope import get_in_village, in_village

FIRST_YEAR = 1945
MAX_COUNT = 10_000_000  # people in one village: far above the largest (about 100,000)
MAX_HISTORY = 50_000  # characters of sanitised HTML
MAX_VISION = 2_000
MAX_MISSION = 5_000
MAX_BORDER = 200
MAX_ADDRESS = 300
MAX_HOURS_NOTE = 200
MAX_NAME = 100
MAX_TITLE = 100
MAX_OFFICIALS = 60  # per list
MAX_AREA = 1_000_000  # km² or ha
# Indonesia's bounding box, a little wider than its outermost islands (Weh, Rote, Merauke, Aceh).
LATITUDE = (-11.5, 6.5)
LONGITUDE = (94.5, 141.5)

COUNT_FIELDS = (
    "population_total",
    "population_male",
    "population_female",
    "age_0_5",
    "age_6_17",
    "age_18_59",
    "age_60_plus",
    "households",
)
AGE_FIELDS = ("age_0_5", "age_6_17", "age_18_59", "age_60_plus")
BORDER_FIELDS = ("border_north", "border_east", "border_south", "border_west")
TEXT_FIELDS = (
    "history",
    "vision",
    "mission",
    "population_year",
    *COUNT_FIELDS,
    "area",
    "area_unit",
    *BORDER_FIELDS,
    "latitude",
    "longitude",
    "address",
    "phone",
    "email",
    "hours_note",
)
DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
HOUR_FIELDS = tuple(f"{edge}_{day}" for day in DAYS for edge in ("open", "close"))
FIELDS = (*TEXT_FIELDS, *HOUR_FIELDS)

_LABELS = {
    "history": N_("Sejarah desa"),
    "vision": N_("Visi"),
    "mission": N_("Misi"),
    "population_year": N_("Tahun data penduduk"),
    "population_total": N_("Jumlah penduduk"),
    "population_male": N_("Laki-laki"),
    "population_female": N_("Perempuan"),
    "age_0_5": N_("Umur 0–5 tahun"),
    "age_6_17": N_("Umur 6–17 tahun"),
    "age_18_59": N_("Umur 18–59 tahun"),
    "age_60_plus": N_("Umur 60 tahun ke atas"),
    "households": N_("Jumlah kepala keluarga"),
    "area": N_("Luas wilayah"),
    "area_unit": N_("Satuan luas"),
    "border_north": N_("Batas utara"),
    "border_east": N_("Batas timur"),
    "border_south": N_("Batas selatan"),
    "border_west": N_("Batas barat"),
    "latitude": N_("Lintang (latitude)"),
    "longitude": N_("Bujur (longitude)"),
    "address": N_("Alamat kantor desa"),
    "phone": N_("Telepon kantor desa"),
    "email": N_("Email kantor desa"),
    "hours_note": N_("Keterangan jam pelayanan"),
}
DAY_NAMES = {  # untranslated (N_): translate with _() where shown
    "senin": N_("Senin"),
    "selasa": N_("Selasa"),
    "rabu": N_("Rabu"),
    "kamis": N_("Kamis"),
    "jumat": N_("Jumat"),
    "sabtu": N_("Sabtu"),
    "minggu": N_("Minggu"),
}
_BODY_NAMES = {"perangkat": N_("Perangkat desa"), "bpd": N_("Anggota BPD")}
_GROUPED = re.compile(r"^\d{1,3}([. ]\d{3})+$")  # 1.250 or 1 250: Indonesian digit grouping
_DECIMAL = re.compile(r"^\d{1,7}([.,]\d{1,2})?$")
_DEGREES = re.compile(r"^-?\d{1,3}([.,]\d{1,8})?$")
_CLOCK = re.compile(r"^([01]\d|2[0-3])[:.]([0-5]\d)$")


class ProfileError(ContentError):
    """A refusal worded for the person, naming the field it is about (``field``, a form name)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _number(value: int) -> str:
    """``1.300`` (Indonesian digit grouping) in a message."""
    return format_decimal(value, locale=i18n.babel_locale())


def label(field: str) -> str:
    """The field's name as the form shows it (translated)."""
    return _(_LABELS.get(field, field))


def _in_sentence(field: str) -> str:
    """The field's name inside a sentence: ``tahun data penduduk``."""
    name = label(field)
    return name[:1].lower() + name[1:]


def day_name(day: str) -> str:
    return _(DAY_NAMES.get(day, day))


def body_name(body: str) -> str:
    """``Perangkat desa`` or ``Anggota BPD``."""
    return _(_BODY_NAMES.get(body, body))


# --- reading ---------------------------------------------------------------------------------------
def get_profile(db: Session, village_id: int) -> VillageProfile | None:
    """The village's profile row, or None before anyone saved it."""
    found: VillageProfile | None = db.exec(in_village(VillageProfile, village_id)).first()
    return found


def population(db: Session, village_id: int) -> int | None:
    """The village's population (jumlah penduduk) as its team last entered it, or None when the
    profile does not say. The reach indicator (issue 7, jangkauan = unique visitors of the month /
    population) reads this; the year of the figure is ``get_profile(...).population_year``.
    One indexed query on ``village_profile.village_id``; cheap enough to call per village."""
    found = (
        db.execute(
            in_village(VillageProfile, village_id).with_only_columns(col(VillageProfile.population_total))
        )
        .scalars()
        .first()
    )
    return int(found) if found is not None else None


def hours(profile: VillageProfile | None) -> list[dict[str, Any]]:
    """``[{"day": "senin", "name": "Senin", "open": "08:00", "close": "15:00"}, …]`` (open and
    close are "" on a closed day), Senin to Minggu."""
    stored: Any = []
    if profile is not None:
        try:
            stored = json.loads(profile.office_hours or "[]")
        except ValueError:
            stored = []
    if not isinstance(stored, list):
        stored = []
    result = []
    for index, day in enumerate(DAYS):
        entry = stored[index] if index < len(stored) else None
        opens, closes = ("", "")
        if isinstance(entry, list) and len(entry) == 2:
            opens, closes = str(entry[0]), str(entry[1])
        result.append({"day": day, "name": day_name(day), "open": opens, "close": closes})
    return result


def phone_text(e164: str) -> str:
    """The office's number the way it is written locally: ``(0274) 868123``, ``0812-3456-7890``."""
    return display_phone(e164) if e164 else ""


def values_of(profile: VillageProfile | None) -> dict[str, str]:
    """The form's fields filled from the stored profile (empty strings when there is none)."""
    values = dict.fromkeys(FIELDS, "")
    values["area_unit"] = "km2"
    if profile is None:
        return values
    for name in ("history", "vision", "mission", *BORDER_FIELDS, "address", "email", "hours_note"):
        values[name] = str(getattr(profile, name))
    for name in ("population_year", *COUNT_FIELDS):
        value = getattr(profile, name)
        values[name] = "" if value is None else str(value)
    values["area"] = "" if profile.area is None else _trimmed(profile.area, 2)
    values["area_unit"] = profile.area_unit
    for name in ("latitude", "longitude"):
        value = getattr(profile, name)
        values[name] = "" if value is None else _trimmed(value, 6)
    values["phone"] = phone_text(profile.phone)
    for day in hours(profile):
        values[f"open_{day['day']}"], values[f"close_{day['day']}"] = day["open"], day["close"]
    return values


def _trimmed(value: float, places: int) -> str:
    """``12.5`` not ``12.50``, ``-7.7956`` not ``-7.795600``."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


# --- checking --------------------------------------------------------------------------------------
def _count(values: Mapping[str, str], name: str) -> int | None:
    raw = " ".join(values.get(name, "").split())
    if not raw:
        return None
    digits = raw.replace(".", "").replace(" ", "") if _GROUPED.match(raw) else raw
    if not digits.isdecimal() or len(digits) > 9 or int(digits) > MAX_COUNT:
        raise ProfileError(
            _("{field} harus berupa bilangan bulat, misalnya 1250.").format(field=label(name)), name
        )
    return int(digits)


def _text(values: Mapping[str, str], name: str, limit: int, *, lines: bool = False) -> str:
    raw = values.get(name, "")
    text = (
        "\n".join(" ".join(line.split()) for line in raw.splitlines()).strip()
        if lines
        else " ".join(raw.split())
    )
    if len(text) > limit:
        raise ProfileError(
            _("{field} terlalu panjang (maksimal {n} karakter).").format(field=label(name), n=limit), name
        )
    return text


def _degrees(values: Mapping[str, str], name: str, bounds: tuple[float, float]) -> float | None:
    raw = values.get(name, "").strip()
    if not raw:
        return None
    if not _DEGREES.match(raw):
        raise ProfileError(
            _("{field} harus berupa angka desimal, misalnya -7,7956 atau 110,3695.").format(
                field=label(name)
            ),
            name,
        )
    value = float(raw.replace(",", "."))
    low, high = bounds
    if not low <= value <= high:
        raise ProfileError(
            _("{field} berada di luar wilayah Indonesia (harus antara {low} dan {high}).").format(
                field=label(name), low=low, high=high
            ),
            name,
        )
    return round(value, 6)


def _clock(values: Mapping[str, str], name: str, day: str) -> str:
    raw = values.get(name, "").strip()
    if not raw:
        return ""
    match = _CLOCK.match(raw)
    if match is None:
        raise ProfileError(
            _("Jam pelayanan hari {day} harus ditulis seperti 08:00.").format(day=day_name(day)), name
        )
    return f"{match.group(1)}:{match.group(2)}"


def check_profile(values: Mapping[str, str]) -> dict[str, Any]:
    """The form's fields cleaned into the profile's columns, or the first problem (in the form's
    order) as a :class:`ProfileError` naming its field."""
    clean: dict[str, Any] = {}
    history = values.get("history", "")
    clean["history"] = to_safe_html(history) if history.strip() else ""
    if len(clean["history"]) > MAX_HISTORY:
        raise ProfileError(
            _("{field} terlalu panjang (maksimal {n} karakter).").format(
                field=label("history"), n=MAX_HISTORY
            ),
            "history",
        )
    clean["vision"] = _text(values, "vision", MAX_VISION, lines=True)
    clean["mission"] = _text(values, "mission", MAX_MISSION, lines=True)
    clean.update(_check_population(values))
    clean.update(_check_area(values))
    clean.update(_check_office(values))
    clean["office_hours"] = _check_hours(values)
    clean["hours_note"] = _text(values, "hours_note", MAX_HOURS_NOTE)
    return clean


def _population_year(values: Mapping[str, str]) -> int | None:
    raw = values.get("population_year", "").strip()
    latest = utcnow().year
    if raw and (not raw.isdecimal() or not FIRST_YEAR <= int(raw) <= latest):
        raise ProfileError(
            _("{field} harus berupa tahun antara {first} dan {last}.").format(
                field=label("population_year"), first=FIRST_YEAR, last=latest
            ),
            "population_year",
        )
    return int(raw) if raw else None


def _exceeds(part: str, value: int, total: int, field: str) -> ProfileError:
    """ "<part> (<value>) melebihi jumlah penduduk (<total>).", about ``field``."""
    return ProfileError(
        _("{part} ({value}) melebihi {total} ({n}).").format(
            part=part, value=_number(value), total=_in_sentence("population_total"), n=_number(total)
        ),
        field,
    )


def _check_population(values: Mapping[str, str]) -> dict[str, Any]:
    """Every figure optional, but with a total and its year, and the parts never above the whole."""
    counts = {name: _count(values, name) for name in COUNT_FIELDS}
    year = _population_year(values)
    total = counts["population_total"]
    given = [name for name, value in counts.items() if value is not None]
    if given and total is None:
        raise ProfileError(
            _("Isi {total} dulu: {field} tidak bisa diisi tanpa jumlah penduduk.").format(
                total=_in_sentence("population_total"), field=_in_sentence(given[0])
            ),
            "population_total",
        )
    if total is not None:
        if year is None:
            raise ProfileError(
                _("Isi {field} supaya pembaca tahu data tahun berapa.").format(
                    field=_in_sentence("population_year")
                ),
                "population_year",
            )
        male, female = counts["population_male"] or 0, counts["population_female"] or 0
        if male + female > total:
            part = _("{male} ditambah {female}").format(
                male=label("population_male"), female=label("population_female")
            )
            worst = "population_male" if male >= female else "population_female"
            raise _exceeds(part, male + female, total, worst)
        ages = sum(counts[name] or 0 for name in AGE_FIELDS)
        if ages > total:
            first = next(name for name in AGE_FIELDS if counts[name])
            raise _exceeds(_("Jumlah semua kelompok umur"), ages, total, first)
        households = counts["households"]
        if households is not None and households > total:
            raise _exceeds(label("households"), households, total, "households")
    return {**counts, "population_year": year if total is not None else None}


def _check_area(values: Mapping[str, str]) -> dict[str, Any]:
    """Area (two decimals, comma or point), boundaries, and the location: both or neither."""
    clean: dict[str, Any] = {"area": None}
    raw = values.get("area", "").strip()
    if raw:
        if not _DECIMAL.match(raw) or not 0 < float(raw.replace(",", ".")) <= MAX_AREA:
            raise ProfileError(
                _(
                    "{field} harus berupa angka lebih dari 0, paling banyak dua angka di belakang koma, "
                    "misalnya 4,35."
                ).format(field=label("area")),
                "area",
            )
        clean["area"] = round(float(raw.replace(",", ".")), 2)
    unit = values.get("area_unit", "").strip() or "km2"
    if unit not in AREA_UNITS:
        raise ProfileError(_("Pilih satuan luas: km² atau hektare."), "area_unit")
    clean["area_unit"] = unit
    for name in BORDER_FIELDS:
        clean[name] = _text(values, name, MAX_BORDER)
    latitude = _degrees(values, "latitude", LATITUDE)
    longitude = _degrees(values, "longitude", LONGITUDE)
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise ProfileError(
            _("Isi {field} juga: lokasi butuh lintang dan bujur.").format(field=_in_sentence(missing)),
            missing,
        )
    clean["latitude"], clean["longitude"] = latitude, longitude
    return clean


def _check_office(values: Mapping[str, str]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "address": _text(values, "address", MAX_ADDRESS),
        "phone": _office_phone(values.get("phone", "")),
        "email": "",
    }
    email = values.get("email", "").strip()
    if email:
        try:
            clean["email"] = normalize_email(email)
        except InputError as error:
            raise ProfileError(f"{label('email')}: {error}", "email") from None
    return clean


def _check_hours(values: Mapping[str, str]) -> str:
    """The week as stored: a JSON list, Senin to Minggu, of ``["08:00", "15:00"]`` or null."""
    week: list[list[str] | None] = []
    for day in DAYS:
        opens = _clock(values, f"open_{day}", day)
        closes = _clock(values, f"close_{day}", day)
        if bool(opens) != bool(closes):
            raise ProfileError(
                _("Jam pelayanan hari {day}: isi jam buka dan jam tutup, atau kosongkan keduanya.").format(
                    day=day_name(day)
                ),
                f"close_{day}" if opens else f"open_{day}",
            )
        if opens and opens >= closes:
            raise ProfileError(
                _("Jam pelayanan hari {day}: jam tutup harus sesudah jam buka.").format(day=day_name(day)),
                f"close_{day}",
            )
        week.append([opens, closes] if opens else None)
    return json.dumps(week, separators=(",", ":"))


def _office_phone(raw: str) -> str:
    """The office's number in E.164: a landline or a mobile number (many offices answer on one)."""
    value = raw.strip()
    if not value:
        return ""
    field = label("phone")
    if len(value) > 25:
        raise ProfileError(_("{field} terlalu panjang.").format(field=field), "phone")
    info = parse_phone(value)
    if not info.valid or info.e164 is None:
        raise ProfileError(
            _("{field} tidak valid. Contoh yang benar: (0274) 868123 atau 0812 3456 7890.").format(
                field=field
            ),
            "phone",
        )
    return info.e164


# --- saving ----------------------------------------------------------------------------------------
def save_profile(db: Session, village_id: int, values: Mapping[str, str]) -> VillageProfile:
    """Check every field, then write them all (the row is made on the first save)."""
    clean = check_profile(values)
    profile = get_profile(db, village_id) or VillageProfile(village_id=village_id)
    for name, value in clean.items():
        setattr(profile, name, value)
    profile.updated_at = utcnow()
    db.add(profile)
    bump_content_version(db, village_id)
    db.flush()
    return profile


# --- officials -------------------------------------------------------------------------------------
def officials(db: Session, village_id: int, body: str) -> list[VillageOfficial]:
    """One list (perangkat or bpd) in the team's order."""
    return list(
        db.exec(
            in_village(VillageOfficial, village_id)
            .where(col(VillageOfficial.body) == body)
            .order_by(col(VillageOfficial.position), col(VillageOfficial.id))
        ).all()
    )


def get_official(db: Session, village_id: int, official_id: int) -> VillageOfficial:
    found = get_in_village(db, VillageOfficial, village_id, official_id)
    if found is None:
        raise ProfileError(_("Data pejabat tidak ditemukan."))
    return found


def check_official(name: str, title: str) -> tuple[str, str]:
    name, title = " ".join(name.split()), " ".join(title.split())
    if len(name) < 2:
        raise ProfileError(_("Isi nama (minimal 2 huruf)."), "name")
    if len(name) > MAX_NAME:
        raise ProfileError(_("Nama terlalu panjang (maksimal {n} karakter).").format(n=MAX_NAME), "name")
    if not title:
        raise ProfileError(_("Isi jabatan, misalnya Sekretaris Desa."), "title")
    if len(title) > MAX_TITLE:
        raise ProfileError(_("Jabatan terlalu panjang (maksimal {n} karakter).").format(n=MAX_TITLE), "title")
    return name, title


def check_photo(db: Session, village_id: int, media_id: int | None) -> None:
    """A photo of THIS village's library, or none."""
    if media_id is None:
        return
    media = media_service.find(db, village_id, media_id)
    if media is None:
        raise ProfileError(_("Foto tidak ditemukan di pustaka media desa ini."), "media_id")
    if media.kind != "image":
        raise ProfileError(_("Pilih foto, bukan dokumen."), "media_id")


def add_official(
    db: Session, village_id: int, body: str, *, name: str, title: str, media_id: int | None
) -> VillageOfficial:
    """A new official at the end of the list ``body``."""
    if body not in BODIES:
        raise ProfileError(_("Daftar itu tidak dikenal."))
    name, title = check_official(name, title)
    check_photo(db, village_id, media_id)
    current = officials(db, village_id, body)
    if len(current) >= MAX_OFFICIALS:
        raise ProfileError(_("Paling banyak {n} orang dalam satu daftar.").format(n=MAX_OFFICIALS))
    official = VillageOfficial(
        village_id=village_id,
        body=body,
        name=name,
        title=title,
        media_id=media_id,
        position=(current[-1].position + 1) if current else 0,
    )
    db.add(official)
    bump_content_version(db, village_id)
    db.flush()
    return official


def save_official(
    db: Session, village_id: int, official_id: int, *, name: str, title: str, media_id: int | None
) -> VillageOfficial:
    official = get_official(db, village_id, official_id)
    name, title = check_official(name, title)
    check_photo(db, village_id, media_id)
    official.name, official.title, official.media_id = name, title, media_id
    official.updated_at = utcnow()
    db.add(official)
    bump_content_version(db, village_id)
    db.flush()
    return official


def move_official(db: Session, village_id: int, official_id: int, step: int) -> VillageOfficial:
    """One place up (``step`` -1) or down (+1) in its list; at either end nothing changes."""
    official = get_official(db, village_id, official_id)
    rows = officials(db, village_id, official.body)
    index = next(i for i, row in enumerate(rows) if row.id == official.id)
    target = index + step
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
        for number, row in enumerate(rows):  # renumbered: old rows may share a position
            if row.position != number:
                row.position = number
                db.add(row)
        bump_content_version(db, village_id)
        db.flush()
    return official


def remove_official(db: Session, village_id: int, official_id: int) -> VillageOfficial:
    """Delete for good (the photo stays in the media library)."""
    official = get_official(db, village_id, official_id)
    db.delete(official)
    bump_content_version(db, village_id)
    db.flush()
    return official


def photos(db: Session, village_id: int, ids: Sequence[int | None]) -> dict[int, MediaFile]:
    """``{media id: photo}`` of a list of officials, in one query."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    found = db.exec(media_service.library(village_id, "image").where(col(MediaFile.id).in_(wanted))).all()
    return {m.id: m for m in found if m.id is not None}


# --- what other features read ------------------------------------------------------------------------
@dataclass(frozen=True)
class Contact:
    """The office as the "Kontak desa" widget shows it (all public: the office, not a person)."""

    address: str
    phone: str  # as written locally
    phone_e164: str
    email: str
    open_days: list[dict[str, Any]]
    hours_note: str

    @property
    def empty(self) -> bool:
        return not (self.address or self.phone or self.email or self.open_days)


def contact(db: Session, village_id: int) -> Contact | None:
    """The office's address, phone, email and opening hours, or None when there is no profile."""
    profile = get_profile(db, village_id)
    if profile is None:
        return None
    return Contact(
        address=profile.address,
        phone=phone_text(profile.phone),
        phone_e164=profile.phone,
        email=profile.email,
        open_days=[day for day in hours(profile) if day["open"]],
        hours_note=profile.hours_note,
    )


# --- where a photo is shown -------------------------------------------------------------------------
@media_service.usage_finder
def _officials_showing(db: Session, village_id: int, media: MediaFile) -> list[media_service.Usage]:
    rows = db.exec(
        in_village(VillageOfficial, village_id)
        .where(col(VillageOfficial.media_id) == media.id)
        .order_by(col(VillageOfficial.id))
    ).all()
    return [
        media_service.Usage(
            body_name(row.body), f"{row.name} ({row.title})", f"/admin/profil/pejabat/{row.id}"
        )
        for row in rows
    ]
