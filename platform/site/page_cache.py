"""The full-page cache of the public village sites: anonymous readers get stored bytes.

Pure ASGI (Starlette's BaseHTTPMiddleware would cost more than a whole cache hit), placed inside
SiteMiddleware (it needs the village) and the view counter (a cached page is still a view), outside
the language middleware and the app: on a hit nothing else of the app runs, no thread, no query.

What is cached: a GET on an active village's host, by a request without our session cookie and
without an Authorization header, answered 200 by a public route (a ``VillageRoute`` declared
``PUBLIC``) with a text body, no ``Set-Cookie``, no ``Cache-Control: private/no-store`` and no form
token (a page with a CSRF token is personal by definition). Never ``/admin``, ``/akun``, ``/api``,
``/konsol``, ``/bahasa``. Anything else passes through (compressed when that is safe, see below).

The key is village id, the village's ``content_version``, a digest of the cached village record
(name, theme, status…), the language (the ``bahasa`` cookie, as :func:`i18n.language_of` decides),
scheme, host, path and query (without click ids and ``utm_*`` tags, which platforms add to every
shared link: the app sees the URL without them too). Every change a reader can see bumps ``content_version``
(``workflow.bump_content_version``), so the old keys are simply never asked for again and expire by
TTL: nothing is scanned or deleted. The version comes from a per-process book (:class:`VersionBook`)
read at most every ``ETALASE_SITE_CACHE_SECONDS`` (the freshness the host cache already has; 0 in
the tests): a warm hit reads no table. A POST/PUT/DELETE on a village host makes this process
re-read at once, so the team sees their change on the next page; other processes within the window.

Time also changes pages without any write: announcements expire, "upcoming" events pass, a
scheduled post goes live (the ticker bumps the version for that one). So an entry lives at most
:data:`TTL_SECONDS` (60 s) from when it was rendered, in this process and in Redis alike (an entry
copied from Redis keeps its first render time), and ``Age`` tells downstream caches how old it is.

Storage: a byte-bounded LRU in each process, in front of Redis when the deployment has one (entries
of URLs with a query string stay in the process only: random ``?x=`` must not fill Redis). Each
entry holds the identity body and its gzip and brotli forms, made once; a reader gets the one its
``Accept-Encoding`` prefers, with ``Vary: Accept-Encoding, Cookie`` and a strong ETag per form
(``"<hash>"``, ``"<hash>-gz"``, ``"<hash>-br"``; any of them in ``If-None-Match`` gives 304).

Responses that are not cached are gzip-compressed when they are text of 1 KB or more, the client
accepts gzip and the body carries no form token (BREACH: a secret next to reflected input must not
be compressed, so the team's pages with forms go uncompressed).

View counting (``etalase.platform.analytics``) sits outside this middleware and sees hits and misses
alike; its per-request cost is an append to an in-process buffer.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from etalase.platform.accounts.authz import declaration_of
from etalase.platform.cache import Cache
from etalase.platform.i18n import language_of
from etalase.platform.site.versions import version_book
from etalase.platform.web.routing import ANY_HOST_PREFIXES, VillageRoute, site_of
from etalase.tenants.resolver import VillageSite

if TYPE_CHECKING:
    from etalase.platform.runtime import Runtime

try:  # brotli is a dependency; without it readers simply get gzip
    import brotli as _brotli
except ImportError:  # pragma: no cover
    _brotli = None

log = logging.getLogger(__name__)

# Click ids and campaign tags that platforms add to shared links; they never change a page.
TRACKING_PARAMS = frozenset(
    {
        b"fbclid",
        b"gclid",
        b"gbraid",
        b"wbraid",
        b"dclid",
        b"msclkid",
        b"yclid",
        b"igshid",
        b"igsh",
        b"ttclid",
        b"twclid",
        b"mc_cid",
        b"mc_eid",
        b"_ga",
        b"_gl",
    }
)
TRACKING_HINT = re.compile(
    rb"(?:^|&)(?:utm_|fbclid|gclid|gbraid|wbraid|dclid|msclkid|yclid|igsh|ttclid|twclid|mc_|_g)"
)


def without_tracking(query: bytes) -> bytes:
    """The query string without click ids and ``utm_*`` tags, the other parameters in order."""
    kept = [
        part
        for part in query.split(b"&")
        if part
        and not (name := part.split(b"=", 1)[0].lower()).startswith(b"utm_")
        and name not in TRACKING_PARAMS
    ]
    return b"&".join(kept)


# An entry's life from its render. Time alone changes pages (an announcement's end, an event that
# has passed): 60 s is how late such a change may show, here and downstream.
TTL_SECONDS = 60.0
# For browsers and CDNs: fresh for as long as our own entry (Age counts down from it), then a CDN
# may serve the old copy for 30 s more while it fetches the new one, and for a day while Etalase
# is unreachable (a village site stays readable during an outage). ``public`` because these pages
# are the same for every anonymous reader; a signed-in reader never gets this header.
CACHE_CONTROL = b"public, max-age=60, s-maxage=60, stale-while-revalidate=30, stale-if-error=86400"
# The body depends on the encoding asked and on cookies (language, sign-in): a shared cache that
# honours Vary keys on them. One that ignores Vary: Cookie (some CDNs) must be told to bypass its
# cache for requests carrying the ``bahasa`` or session cookie.
VARY = b"Accept-Encoding, Cookie"
PRIVATE = b"private, no-cache"  # any response to a signed-in request that set no policy itself

MEMORY_BYTES = 64 * 1024 * 1024  # per process; Redis holds the rest
MAX_BODY = 1024 * 1024  # bigger pages are not cached
MIN_COMPRESS = 1024  # below this gzip's header eats the gain
MAX_KEY_PATH = 512
GZIP_LEVEL = 6
BROTLI_QUALITY = 4  # smaller than gzip -9 at a fraction of brotli 11's time; paid once per entry

TEAM_PREFIXES = ("/admin", "/akun", "/api", "/konsol", "/bahasa")
SKIP_PREFIXES = ANY_HOST_PREFIXES + tuple(p + "/" for p in TEAM_PREFIXES)
TEXT_TYPES = (
    b"text/",
    b"application/xml",
    b"application/rss+xml",
    b"application/atom+xml",
    b"application/json",
    b"application/ld+json",
    b"application/javascript",
    b"image/svg+xml",
)
FORM_TOKEN = b'name="csrf_token"'
SESSION_COOKIE = b"etalase_sesi="  # both spellings: etalase_sesi and __Host-etalase_sesi
SAFE_METHODS = ("GET", "HEAD")
# Response headers the cache sets itself (per encoding and per answer) rather than stores.
OWN_HEADERS = frozenset(
    {b"content-length", b"content-encoding", b"etag", b"vary", b"cache-control", b"age", b"date", b"x-cache"}
)


# --- entries -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Entry:
    """One cached page: its bodies in three encodings and the headers to send with each."""

    headers: list[tuple[bytes, bytes]]  # what the route set (content-type…), minus OWN_HEADERS
    identity: bytes
    gz: bytes | None
    br: bytes | None
    tag: str  # hash of the identity body: the ETag's opaque part
    cache_control: bytes
    stored_at: float  # wall clock (time.time): comparable across processes
    heads: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for encoding in ("identity", "gzip", "br"):
            body = self.body(encoding)
            if body is None:
                continue
            suffix = {"identity": "", "gzip": "-gz", "br": "-br"}[encoding]
            head = [*self.headers, (b"content-length", str(len(body)).encode())]
            if encoding != "identity":
                head.append((b"content-encoding", encoding.encode()))
            head += [
                (b"etag", f'"{self.tag}{suffix}"'.encode()),
                (b"vary", VARY),
                (b"cache-control", self.cache_control),
            ]
            self.heads[encoding] = head

    def body(self, encoding: str) -> bytes | None:
        if encoding == "br":
            return self.br
        if encoding == "gzip":
            return self.gz
        return self.identity

    @property
    def size(self) -> int:
        return len(self.identity) + len(self.gz or b"") + len(self.br or b"") + 512

    def dump(self) -> bytes:
        """Bytes for Redis: a JSON line, then the bodies (no pickle: Redis content is not trusted code)."""
        meta = {
            "h": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in self.headers],
            "t": self.tag,
            "c": self.cache_control.decode("latin-1"),
            "s": self.stored_at,
            "n": [len(self.identity), len(self.gz or b""), len(self.br or b"")],
        }
        return json.dumps(meta).encode() + b"\n" + self.identity + (self.gz or b"") + (self.br or b"")

    @classmethod
    def load(cls, raw: bytes) -> Entry:
        line, _, rest = raw.partition(b"\n")
        meta = json.loads(line)
        n_id, n_gz, n_br = meta["n"]
        if len(rest) != n_id + n_gz + n_br:
            raise ValueError("truncated page cache entry")
        return cls(
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["h"]],
            identity=rest[:n_id],
            gz=rest[n_id : n_id + n_gz] or None,
            br=rest[n_id + n_gz :] or None,
            tag=meta["t"],
            cache_control=meta["c"].encode("latin-1"),
            stored_at=float(meta["s"]),
        )


def make_entry(headers: list[tuple[bytes, bytes]], body: bytes, cache_control: bytes, now: float) -> Entry:
    compress = len(body) >= MIN_COMPRESS
    return Entry(
        headers=headers,
        identity=body,
        gz=gzip.compress(body, GZIP_LEVEL, mtime=0) if compress else None,
        br=_brotli.compress(body, quality=BROTLI_QUALITY) if compress and _brotli is not None else None,
        tag=hashlib.blake2b(body, digest_size=12).hexdigest(),
        cache_control=cache_control,
        stored_at=now,
    )


class MemoryLRU:
    """Entries of this process, bounded by bytes. Touched from the event loop only, but locked anyway
    (the test client may run successive requests on different threads)."""

    def __init__(self, max_bytes: int = MEMORY_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is not None:
                self._data.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._data[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes and self._data:
                _key, dropped = self._data.popitem(last=False)
                self.bytes -= dropped.size

    def drop(self, key: str) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old.size

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0


# --- the middleware ------------------------------------------------------------------------------
def _accepts(header: bytes | None) -> tuple[bool, bool]:
    """(gzip, br) acceptable per Accept-Encoding (``q=0`` refuses; ``*`` accepts both)."""
    if not header:
        return False, False
    found: dict[str, bool] = {}
    for part in header.decode("latin-1").lower().split(","):
        name, _, params = part.strip().partition(";")
        refused = False
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    refused = float(value) <= 0
                except ValueError:
                    refused = True
        found[name.strip()] = not refused
    star = found.get("*", False)
    return found.get("gzip", star), found.get("br", star)


def _etag_matches(header: bytes, tag: str) -> bool:
    """``If-None-Match`` uses the weak comparison: any encoding's tag of the same body matches."""
    for part in header.decode("latin-1").split(","):
        value = part.strip()
        if value == "*":
            return True
        value = value.removeprefix("W/").strip('"')
        if value.removesuffix("-gz").removesuffix("-br") == tag:
            return True
    return False


def _storable_headers(raw: list[tuple[bytes, bytes]]) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
    """The route's headers worth storing and the Cache-Control to send, or None when the response
    must not be shared: a cookie, a private policy, a non-text body, its own encoding or ETag."""
    headers: list[tuple[bytes, bytes]] = []
    cache_control = CACHE_CONTROL
    for name, value in raw:
        lower = name.lower()
        refused = (
            lower == b"set-cookie"
            or (lower == b"content-type" and not value.startswith(TEXT_TYPES))  # images, files
            or lower in {b"content-encoding", b"etag"}  # encoded or versioned by the route itself
            or (lower == b"cache-control" and any(w in value for w in (b"private", b"no-store", b"no-cache")))
        )
        if refused:
            return None
        if lower == b"cache-control":
            cache_control = value  # the route's own policy (a year for /tema.css?v=<current>)
        elif lower not in OWN_HEADERS:
            headers.append((lower, value))
    return headers, cache_control


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


@dataclass(slots=True)
class Ask:
    """What the cache needs from the request, read in one pass over its headers."""

    host: bytes = b""
    cookie: bytes | None = None
    accept_encoding: bytes | None = None
    if_none_match: bytes | None = None
    authorization: bool = False

    @classmethod
    def of(cls, scope: Scope) -> Ask:
        ask = cls()
        for name, value in scope["headers"]:
            if name == b"host":
                ask.host = value
            elif name == b"cookie":
                ask.cookie = value if ask.cookie is None else ask.cookie + b"; " + value
            elif name == b"accept-encoding":
                ask.accept_encoding = value
            elif name == b"if-none-match":
                ask.if_none_match = value
            elif name == b"authorization":
                ask.authorization = True
        return ask

    @property
    def signed_in(self) -> bool:
        return self.cookie is not None and SESSION_COOKIE in self.cookie


class PageCacheMiddleware:
    """With ``ETALASE_SITE_CACHE_SECONDS=0`` (the deployment accepts no stale tenant data: the test
    suite, a debugging session) nothing is stored or served from storage; pages are still compressed."""

    def __init__(self, app: ASGIApp, runtime: Runtime, memory_bytes: int = MEMORY_BYTES) -> None:
        self.app = app
        cache: Cache = runtime.cache
        self.shared = cache if cache.shared else None  # Redis; in-process storage is our own LRU
        self.memory = MemoryLRU(memory_bytes)
        self.versions = version_book(runtime)
        self.clock: Callable[[], float] = time.time  # tests move it to age entries
        self.ttl = TTL_SECONDS
        self.hits = 0
        self.misses = 0
        self._public_routes: dict[int, bool] = {}
        self._digests: dict[int, tuple[VillageSite, str]] = {}  # village id: (record, digest)
        self._accept_memo: dict[bytes | None, tuple[bool, bool]] = {}
        self._shared_failed_at = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        village = site_of(scope).village
        if method not in SAFE_METHODS:
            await self.app(scope, receive, send)
            if village is not None:  # the team may just have changed what readers see
                self.versions.forget(village.id)
            return
        path: str = scope["path"]
        if path.startswith(SKIP_PREFIXES) or path in TEAM_PREFIXES:
            await self.app(scope, receive, send)  # files, health checks and the team's screens
            return
        ask = Ask.of(scope)
        if (
            village is None
            or not village.active
            or self.versions.window() <= 0
            or ask.signed_in
            or ask.authorization
            or len(path) > MAX_KEY_PATH
        ):
            await self._pass(scope, receive, send, ask)
            return

        query = scope.get("query_string", b"")
        if query and TRACKING_HINT.search(query):
            # A link shared on Facebook comes back as /?fbclid=<random>: without this every such
            # reader would miss. The page never depends on these (the view counter outside has
            # already read the UTM tags), so the app sees the URL without them.
            scope = dict(scope, query_string=without_tracking(query))
        version = self.versions.fresh(village.id)
        if version is None:
            version = await run_in_threadpool(self.versions.read, village.id)
        key = self._key(scope, village, version, ask)
        now = self.clock()
        entry = self.memory.get(key)
        if entry is not None and now - entry.stored_at > self.ttl:
            self.memory.drop(key)
            entry = None
        if entry is None and self.shared is not None and not scope.get("query_string"):
            entry = await self._from_shared(key, now)  # (URLs with a query are never put there)
        if entry is not None:
            self.hits += 1
            await self._answer(send, ask, entry, head_only=method == "HEAD", hit=True)
            return
        self.misses += 1
        await self._miss(scope, receive, send, ask, key)

    # -- keys ----------------------------------------------------------------------------------
    def _key(self, scope: Scope, village: VillageSite, version: int, ask: Ask) -> str:
        language = language_of(HTTPConnection(scope)) if ask.cookie is not None else "id"
        query = scope.get("query_string", b"")
        target = scope["path"] + ("?" + query.decode("latin-1") if query else "")
        host = ask.host.decode("latin-1").lower()
        return (
            f"pc:{village.id}:{version}:{self._digest(village)}:{language}:"
            f"{scope.get('scheme', 'http')}:{host}:{target}"
        )

    def _digest(self, village: VillageSite) -> str:
        """A short hash of the cached village record: a new name or theme is a new key, even where
        the change bumped the host cache's generation rather than the content version."""
        known = self._digests.get(village.id)
        if known is not None and known[0] is village:
            return known[1]
        digest = hashlib.blake2b(repr(village).encode(), digest_size=6).hexdigest()
        # Keyed by the village's id: a newer record replaces the old one (which is then freed).
        self._digests[village.id] = (village, digest)
        return digest

    # -- answers -------------------------------------------------------------------------------
    def _accepted(self, ask: Ask) -> tuple[bool, bool]:
        memo = self._accept_memo.get(ask.accept_encoding)
        if memo is None:
            memo = _accepts(ask.accept_encoding)
            if len(self._accept_memo) < 256:  # browsers send a handful of distinct values
                self._accept_memo[ask.accept_encoding] = memo
        return memo

    async def _answer(self, send: Send, ask: Ask, entry: Entry, *, head_only: bool, hit: bool) -> None:
        gz, br = self._accepted(ask)
        encoding = "identity"
        if br and entry.br is not None:
            encoding = "br"
        elif gz and entry.gz is not None:
            encoding = "gzip"
        head = entry.heads[encoding]
        age = max(0, int(self.clock() - entry.stored_at)) if hit else 0
        extra = [(b"age", str(age).encode()), (b"x-cache", b"hit" if hit else b"miss")]
        if ask.if_none_match is not None and _etag_matches(ask.if_none_match, entry.tag):
            keep = [(k, v) for k, v in head if k in (b"etag", b"vary", b"cache-control")]
            await send({"type": "http.response.start", "status": 304, "headers": keep + extra})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": head + extra})
        await send({"type": "http.response.body", "body": b"" if head_only else entry.body(encoding) or b""})

    async def _miss(self, scope: Scope, receive: Receive, send: Send, ask: Ask, key: str) -> None:
        start: Message | None = None
        streaming = False

        async def capture(message: Message) -> None:
            nonlocal start, streaming
            if streaming:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                assert start is not None
                if message.get("more_body", False):  # a streamed body (a file): not for us
                    streaming = True
                    await send(start)
                    await send(message)
                    return
                body: bytes = message.get("body", b"")
                entry = self._cacheable(scope, start, body)
                if entry is None:
                    await self._send_plain(send, scope, ask, start, body)
                    return
                self.memory.put(key, entry)
                if self.shared is not None and not scope.get("query_string"):
                    self._to_shared(key, entry)
                await self._answer(send, ask, entry, head_only=False, hit=False)
            else:
                await send(message)

        await self.app(scope, receive, capture)

    def _cacheable(self, scope: Scope, start: Message, body: bytes) -> Entry | None:
        """The entry to store for this response, or None when it must not be cached."""
        if start["status"] != 200 or scope["method"] != "GET" or len(body) > MAX_BODY:
            return None
        if not self._public_route(scope.get("route")):
            return None
        kept = _storable_headers(start.get("headers", []))
        if kept is None or FORM_TOKEN in body:  # a personal form token is never served to another
            return None
        if (scope.get("state") or {}).get("new_csrf_cookie"):
            return None
        headers, cache_control = kept
        return make_entry(headers, body, cache_control, self.clock())

    def _public_route(self, route: Any) -> bool:
        """A village's public page: a VillageRoute whose one access declaration is PUBLIC."""
        if route is None:
            return False
        known = self._public_routes.get(id(route))
        if known is None:
            known = isinstance(route, VillageRoute) and declaration_of(route.dependant) == ["public"]
            self._public_routes[id(route)] = known
        return known

    # -- everything not cached -----------------------------------------------------------------
    async def _pass(self, scope: Scope, receive: Receive, send: Send, ask: Ask) -> None:
        """Not a cache candidate: through the app; compressed and marked private where it applies."""
        start: Message | None = None
        streaming = False

        async def wrap(message: Message) -> None:
            nonlocal start, streaming
            if streaming:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                assert start is not None
                if message.get("more_body", False):
                    streaming = True
                    await send(start)
                    await send(message)
                    return
                await self._send_plain(send, scope, ask, start, message.get("body", b""))
            else:
                await send(message)

        await self.app(scope, receive, wrap)

    async def _send_plain(self, send: Send, scope: Scope, ask: Ask, start: Message, body: bytes) -> None:
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        if ask.signed_in and _header(headers, b"cache-control") is None:
            headers.append((b"cache-control", PRIVATE))
        content_type = _header(headers, b"content-type") or b""
        if (
            self._accepted(ask)[0]
            and scope["method"] == "GET"
            and len(body) >= MIN_COMPRESS
            and content_type.startswith(TEXT_TYPES)
            and _header(headers, b"content-encoding") is None
            and FORM_TOKEN not in body  # BREACH: never compress a secret beside reflected input
        ):
            body = gzip.compress(body, GZIP_LEVEL, mtime=0)
            headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"etag")]
            headers += [(b"content-length", str(len(body)).encode()), (b"content-encoding", b"gzip")]
            vary = _header(headers, b"vary")
            if vary is None:
                headers.append((b"vary", b"Accept-Encoding"))
            elif b"accept-encoding" not in vary.lower():
                headers = [(k, v) for k, v in headers if k.lower() != b"vary"]
                headers.append((b"vary", vary + b", Accept-Encoding"))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    # -- the shared layer (Redis) --------------------------------------------------------------
    async def _from_shared(self, key: str, now: float) -> Entry | None:
        if self.shared is None or time.monotonic() - self._shared_failed_at < 5:
            return None
        try:
            raw = await run_in_threadpool(self.shared.get, key)
        except Exception:
            self._shared_failed_at = (
                time.monotonic()
            )  # a Redis outage must not slow every page: skip it a while
            log.exception("page cache: Redis read failed")
            return None
        if raw is None:
            return None
        try:
            entry = Entry.load(raw)
        except (ValueError, KeyError, TypeError):
            return None
        if now - entry.stored_at > self.ttl:
            return None
        self.memory.put(key, entry)
        return entry

    def _to_shared(self, key: str, entry: Entry) -> None:
        """Write in the background: the reader is not kept waiting for Redis."""
        shared = self.shared
        assert shared is not None
        blob = entry.dump()

        def write() -> None:
            try:
                shared.set(key, blob, self.ttl)
            except Exception:
                self._shared_failed_at = time.monotonic()
                log.exception("page cache: Redis write failed")

        try:
            asyncio.get_running_loop().run_in_executor(None, write)
        except RuntimeError:  # pragma: no cover - always inside a loop in the app
            write()
