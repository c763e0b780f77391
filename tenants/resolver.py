"""Host → site, cached.

Three layers: a bounded dict in each process, then Redis (when configured) shared by every
process, then the database. The cache is only as old as the last generation check (at most
``ETALASE_SITE_CACHE_SECONDS``): every process compares its generation with the database's
`site_generation` row; a village or domain change bumps that row in the same transaction, the
process empties its dict, and the Redis keys (which carry the generation) are no longer read.
With a warm cache a village page reads neither the `village` nor the `region` table.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Literal

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from etalase.platform.cache import Cache
from etalase.platform.db import autocommit
from etalase.tenants.hosts import classify_host
from etalase.tenants.models import Region, SiteGeneration, Village, VillageDomain

TYPE_TITLE = {
    "desa": "Desa",
    "kelurahan": "Kelurahan",
    "desa_adat": "Desa Adat",
    "kecamatan": "Kecamatan",
    "distrik": "Distrik",
    "provinsi": "Provinsi",
}


@dataclass(frozen=True, slots=True)
class VillageSite:
    """What a request needs to know about its village, cacheable as JSON."""

    id: int
    slug: str
    code: str
    name: str
    type: str  # desa, kelurahan, desa_adat
    status: str
    theme: str
    kecamatan: str
    kecamatan_type: str  # kecamatan, or distrik in Papua
    kabupaten: str  # already "Kabupaten …" or "Kota …"
    provinsi: str
    domain: str | None = None  # the mapped custom domain, if any

    @property
    def title(self) -> str:
        """``Desa Sidomulyo``, ``Kelurahan Kemiri Muka``."""
        return f"{TYPE_TITLE.get(self.type, 'Desa')} {self.name}"

    @property
    def region_path(self) -> str:
        """``Desa Sidomulyo, Kecamatan Godean, Kabupaten Sleman, Provinsi Daerah Istimewa Yogyakarta``."""
        return ", ".join(
            (
                self.title,
                f"{TYPE_TITLE[self.kecamatan_type]} {self.kecamatan}",
                self.kabupaten,
                f"Provinsi {self.provinsi}",
            )
        )

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Site:
    kind: Literal["portal", "village", "unknown"]
    village: VillageSite | None = None


PORTAL = Site("portal")
UNKNOWN = Site("unknown")

log = logging.getLogger(__name__)

POSITIVE_TTL = 3600.0
NEGATIVE_TTL = 60.0  # an unknown host may become a village any moment


class SiteResolver:
    def __init__(
        self,
        engine: Engine,
        cache: Cache,
        base_domain: str,
        *,
        check_seconds: float = 1.0,
        max_entries: int = 200_000,
    ) -> None:
        self.engine = engine
        self.cache = cache if cache.shared else None  # an in-process cache adds nothing to our dict
        self.base_domain = base_domain
        self.check_seconds = check_seconds
        self.max_entries = max_entries
        self._local: OrderedDict[str, Site] = OrderedDict()
        self._lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._reader = autocommit(engine)  # one SELECT, no BEGIN and ROLLBACK around it
        self._checking = False
        self._generation = -1
        self._checked_at = float("-inf")

    # -- fast path, no I/O: safe on the event loop --------------------------------------------
    def peek(self, raw_host: str | None) -> Site | None:
        """The cached answer, or None when the cache is cold or its generation is due a check."""
        kind = classify_host(raw_host, self.base_domain)
        if kind.kind == "portal":
            return PORTAL
        if kind.kind == "invalid":
            return UNKNOWN
        # Up to twice the interval the answer stands while one thread checks the generation for
        # everyone; every request waiting for the check (a thread hop and a query each) made a
        # pause each second under load.
        age = time.monotonic() - self._checked_at
        if age > self.check_seconds and (age > 2 * self.check_seconds or not self._check_in_background()):
            return None
        key = f"{kind.kind}:{kind.value}"
        with self._lock:
            site = self._local.get(key)
            if site is not None:
                self._local.move_to_end(key)
            return site

    # -- slow path: may query Redis and the database (run it in a thread) ---------------------
    def resolve(self, raw_host: str | None) -> Site:
        self._check_generation()
        kind = classify_host(raw_host, self.base_domain)
        if kind.kind == "portal":
            return PORTAL
        if kind.kind == "invalid":
            return UNKNOWN
        key = f"{kind.kind}:{kind.value}"
        with self._lock:
            site = self._local.get(key)
        if site is not None:
            return site
        site = self._from_shared(key)
        if site is None:
            village = self._load(kind.kind, kind.value)
            site = Site("village", village) if village else UNKNOWN
            self._to_shared(key, site)
        with self._lock:
            self._local[key] = site
            self._local.move_to_end(key)
            while len(self._local) > self.max_entries:
                self._local.popitem(last=False)
        return site

    def forget(self) -> None:
        """Empty this process's dict now (the shared layer follows the generation)."""
        with self._lock:
            self._local.clear()
        self._checked_at = float("-inf")

    def _check_in_background(self) -> bool:
        """Start one generation check in a thread of the running loop; False when there is no
        loop (the caller then checks itself)."""
        if self._checking:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self._checking = True
        loop.run_in_executor(None, self._check_quietly)
        return True

    def _check_quietly(self) -> None:
        try:
            self._check_generation()
        except Exception:
            log.exception("tenant generation could not be checked")
        finally:
            self._checking = False

    def _check_generation(self) -> None:
        if time.monotonic() - self._checked_at <= self.check_seconds:
            return
        asked = time.monotonic()
        with self._check_lock:  # one query per process, however many requests are due
            # A check that started after this request asked is as good as its own.
            if self._checked_at >= asked or time.monotonic() - self._checked_at <= self.check_seconds:
                return
            # The check counts from when it started, not when it ended: what was committed
            # before the start is in what it reads, so a change is seen within the interval
            # however slow the query was (a slow machine made a stale answer stand too long).
            started = time.monotonic()
            with self._reader.connect() as connection:
                generation = connection.execute(select(col(SiteGeneration.generation))).scalar() or 0
            with self._lock:
                if generation != self._generation:
                    self._local.clear()
                    self._generation = generation
                self._checked_at = started

    def _shared_key(self, key: str) -> str:
        return f"site:{self._generation}:{key}"

    def _from_shared(self, key: str) -> Site | None:
        if self.cache is None:
            return None
        raw = self.cache.get(self._shared_key(key))
        if raw is None:
            return None
        if raw == b"-":
            return UNKNOWN
        return Site("village", VillageSite(**json.loads(raw)))

    def _to_shared(self, key: str, site: Site) -> None:
        if self.cache is None:
            return
        if site.village is None:
            self.cache.set(self._shared_key(key), b"-", NEGATIVE_TTL)
        else:
            self.cache.set(self._shared_key(key), json.dumps(asdict(site.village)).encode(), POSITIVE_TTL)

    def _load(self, kind: str, value: str) -> VillageSite | None:
        with Session(self.engine) as session:
            query = select(Village)
            if kind == "slug":
                query = query.where(col(Village.slug) == value)
            elif kind == "domain":
                bare = value.removeprefix("www.")
                query = query.join(VillageDomain, col(VillageDomain.village_id) == col(Village.id)).where(
                    col(VillageDomain.domain).in_({value, bare})
                )
            else:
                return None
            village = session.execute(query.limit(1)).scalars().first()
            if village is None or village.id is None:
                return None
            code = village.code
            regions = {
                r.code: r
                for r in session.execute(
                    select(Region).where(col(Region.code).in_([code[:2], code[:5], code[:8], code]))
                ).scalars()
            }
            domain = session.execute(
                select(col(VillageDomain.domain)).where(col(VillageDomain.village_id) == village.id).limit(1)
            ).scalar()

        def name(c: str) -> str:
            return regions[c].name if c in regions else ""

        return VillageSite(
            id=village.id,
            slug=village.slug,
            code=code,
            name=village.name,
            type=regions[code].type if code in regions else "desa",
            status=village.status,
            theme=village.theme,
            kecamatan=name(code[:8]),
            kecamatan_type=regions[code[:8]].type if code[:8] in regions else "kecamatan",
            kabupaten=name(code[:5]),
            provinsi=name(code[:2]),
            domain=domain,
        )
