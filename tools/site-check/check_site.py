"""The quality check of the public village site (issue 5, "Light"): for every theme in themes/ with a
theme.json, the home, a post and a category page of a demo village in that theme get

- Lighthouse on mobile (default throttling, Debian's Chromium): performance >= 95, accessibility,
  best practices and SEO = 100;
- the W3C Nu HTML Checker (vnu.jar): no errors;
- a byte budget (the home page: HTML <= 20 KB gzip, CSS + JS <= 15 KB gzip);
- no request to another host and no web font;
- with JavaScript off, every link and nearly all the text still there (Playwright, when installed);
- with --extra, the other public pages and the 404 too (Nu checker, sizes, other hosts).

A cover photo goes on every checked post first (through the media library, so the pages carry
real srcset/WebP images); --no-photos leaves the demo as it is.

Run through ``scripts/check-site``, which installs the pinned tools first. The app runs from a
throwaway var dir with the demo villages on a free loopback port: nothing of var/ is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("SITE_CHECK_TOOLS", ROOT / ".tools" / "site-check"))
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
ETALASE = ROOT / ".venv" / "bin" / "etalase"
BASE_DOMAIN = "localhost"  # *.localhost is loopback in Chromium; other clients send a Host header

# Targets (issue 5, item 4). KB is 1,000 bytes: the stricter reading.
MIN_PERFORMANCE = 95
FULL = 100
HTML_BUDGET = 20_000
ASSET_BUDGET = 15_000
GZIP_LEVEL = 6  # what nginx, Caddy and most CDNs are set to
NOJS_TEXT_SHARE = 0.95  # with JavaScript off a page keeps at least this share of its visible text

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
ASSET_TYPES = {"Stylesheet", "Script"}
SKIPPED_MODES = {"notApplicable", "informative", "manual", "error"}


@dataclass
class PageResult:
    theme: str
    kind: str  # home, post, category
    url: str
    status: int = 0
    note: str = ""
    scores: dict[str, int | None] = field(default_factory=dict)
    failed_audits: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    vnu_errors: list[dict[str, Any]] = field(default_factory=list)
    html_gz: int = 0
    assets_gz: int = 0
    assets: list[tuple[str, int, int | None]] = field(default_factory=list)  # path, gzip, as served
    third_party: list[str] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)
    nojs: str = ""
    problems: list[str] = field(default_factory=list)
    extra: bool = False  # an --extra page: Nu checker, sizes and links only, no Lighthouse

    @property
    def skipped(self) -> bool:
        return self.status == 0


# --- the app under test ------------------------------------------------------------------------
@dataclass
class Target:
    theme: str
    slug: str
    post_slug: str
    category_slug: str
    page_slug: str = ""
    event_slug: str = ""

    def host(self, port: int) -> str:
        return f"{self.slug}.{BASE_DOMAIN}:{port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def discover_themes(only: list[str]) -> list[str]:
    found = sorted(p.parent.name for p in (ROOT / "themes").glob("*/theme.json"))
    if only:
        missing = [name for name in only if name not in found]
        if missing:
            sys.exit(f"No theme.json for: {', '.join(missing)} (found: {', '.join(found)})")
        return [name for name in found if name in only]
    return found


def prepare(var_dir: Path, env: dict[str, str], themes: list[str]) -> list[Target]:
    """The demo villages in the throwaway database, one village per theme (set before the app starts,
    so no cache holds an older theme), each with a category holding its posts."""
    done = subprocess.run(  # noqa: S603  (our own CLI, fixed arguments)
        [str(ETALASE), "demo"], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        sys.exit(f"`etalase demo` failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    db = sqlite3.connect(var_dir / "etalase.db")
    try:
        villages = db.execute("SELECT id, slug FROM village ORDER BY code").fetchall()
        if len(villages) < len(themes):
            sys.exit(f"{len(themes)} themes but only {len(villages)} demo villages")
        targets = []
        for theme, (village_id, slug) in zip(themes, villages, strict=False):
            db.execute("UPDATE village SET theme = ? WHERE id = ?", (theme, village_id))
            target = Target(theme, slug, _latest_post(db, village_id), _category(db, village_id))
            target.page_slug = _first(db, "page", village_id)
            target.event_slug = _first(db, "event", village_id)
            targets.append(target)
        db.commit()
    finally:
        db.close()
    return targets


def add_photos(var_dir: Path, port: int, targets: list[Target]) -> None:
    """A cover photo on every post of the checked villages, through the media library (WebP
    variants, srcset): the demo has no pictures, and a page without any would leave the image
    audits (sizes, lazy loading, the largest paint) untested."""
    import io  # noqa: PLC0415  (only when photos are wanted)

    from PIL import Image, ImageDraw  # noqa: PLC0415

    from etalase.platform.media_library import service  # noqa: PLC0415
    from etalase.platform.runtime import Runtime  # noqa: PLC0415
    from etalase.platform.settings import Settings  # noqa: PLC0415

    settings = Settings(var_dir=var_dir, public_port=port, base_domain=BASE_DOMAIN, env="development")
    runtime = Runtime.build(settings)
    photo = Image.effect_noise((1600, 1000), 40).convert("RGB")  # grain: compresses like a photo
    draw = ImageDraw.Draw(photo)
    for y in range(0, 1000, 4):  # sky over rice fields
        draw.rectangle((0, y, 1600, y + 3), fill=(40 + y // 8, 120 + y // 20, 200 - y // 6))
    photo = Image.blend(photo, Image.effect_noise((1600, 1000), 60).convert("RGB"), 0.15)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=85)
    db = sqlite3.connect(var_dir / "etalase.db")
    try:
        for target in targets:
            (village_id,) = db.execute("SELECT id FROM village WHERE slug = ?", (target.slug,)).fetchone()
            with runtime.session(village_id) as session:
                media = service.upload(
                    session,
                    runtime.media,
                    village_id,
                    filename="sawah.jpg",
                    stream=io.BytesIO(buffer.getvalue()),
                    alt="Hamparan sawah hijau di bawah langit biru",
                    user=None,
                    settings=settings,
                )
            # Committed at once: the next upload's session must not wait on this connection's lock.
            db.execute("UPDATE post SET cover_media_id = ? WHERE village_id = ?", (media.id, village_id))
            db.commit()
    finally:
        db.close()
        runtime.close()


def _latest_post(db: sqlite3.Connection, village_id: int) -> str:
    row = db.execute(
        "SELECT slug FROM post WHERE village_id = ? AND status = 'published' AND deleted_at IS NULL "
        "ORDER BY published_at DESC LIMIT 1",
        (village_id,),
    ).fetchone()
    return str(row[0]) if row else ""


def _first(db: sqlite3.Connection, table: str, village_id: int) -> str:
    query = {  # fixed queries: the table name is never from input
        "page": "SELECT slug FROM page WHERE village_id = ? AND status = 'published' ORDER BY id LIMIT 1",
        "event": "SELECT slug FROM event WHERE village_id = ? ORDER BY id LIMIT 1",
    }[table]
    row = db.execute(query, (village_id,)).fetchone()
    return str(row[0]) if row else "tidak-ada"


def _category(db: sqlite3.Connection, village_id: int) -> str:
    """A category with posts: the demo's own if it has one, otherwise one made here with every post."""
    row = db.execute(
        "SELECT c.slug FROM category c JOIN post_category pc ON pc.category_id = c.id "
        "WHERE c.village_id = ? GROUP BY c.id ORDER BY count(*) DESC LIMIT 1",
        (village_id,),
    ).fetchone()
    if row:
        return str(row[0])
    cursor = db.execute(
        "INSERT INTO category (village_id, name, slug) VALUES (?, 'Kegiatan Warga', 'kegiatan-warga')",
        (village_id,),
    )
    db.execute(
        "INSERT INTO post_category (village_id, post_id, category_id) "
        "SELECT village_id, id, ? FROM post WHERE village_id = ?",
        (cursor.lastrowid, village_id),
    )
    return "kegiatan-warga"


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, probe_host: str, log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603  (our own CLI, fixed arguments)
            [str(ETALASE), "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=out, stderr=out
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError):
                    if fetch(port, probe_host, "/")[0]:
                        break
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"The app did not start; its log:\n{log.read_text(errors='replace')}")
                time.sleep(0.3)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def fetch(port: int, host: str, path: str) -> tuple[int, bytes]:
    """GET over loopback with the village's Host header (no resolver needed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host, "Accept-Encoding": "identity"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- the checks --------------------------------------------------------------------------------
class _Assets(HTMLParser):
    """Stylesheets and scripts a page names in its HTML (Lighthouse adds what loads at run time)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag == "link" and "stylesheet" in named.get("rel", "").lower().split() and named.get("href"):
            self.urls.append(named["href"])
        elif tag == "script" and named.get("src"):
            self.urls.append(named["src"])


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def lighthouse(url: str, out: Path) -> dict[str, Any] | None:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--form-factor=mobile",  # the default, said out loud; throttling stays the default (simulated)
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run "
        f"--host-resolver-rules=MAP *.{BASE_DOMAIN} 127.0.0.1",
    ]
    env = {**os.environ, "CHROME_PATH": CHROME}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0 or not out.exists():
        print(f"  lighthouse failed on {url}: {done.stderr.strip()[-800:]}", file=sys.stderr)
        return None
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def median_run(url: str, stem: Path, runs: int) -> dict[str, Any] | None:
    """Lighthouse's own advice against noise: several runs, keep the one with the median
    performance score (on a shared machine one run can catch a busy moment)."""
    reports = []
    for run in range(runs):
        report = lighthouse(url, stem.with_name(f"{stem.name}.lighthouse-{run + 1}.json"))
        if report is not None:
            reports.append(report)
    if not reports:
        return None
    reports.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
    return reports[(len(reports) - 1) // 2]


def read_lighthouse(report: dict[str, Any], result: PageResult) -> list[dict[str, Any]]:
    """Scores, failed audits and the page's requests (returned)."""
    audits: dict[str, Any] = report["audits"]
    for name in CATEGORIES:
        score = report["categories"][name]["score"]
        result.scores[name] = None if score is None else round(score * 100)
        for ref in report["categories"][name]["auditRefs"]:
            audit = audits[ref["id"]]
            if audit.get("scoreDisplayMode") in SKIPPED_MODES or audit.get("score") is None:
                if audit.get("scoreDisplayMode") == "error":
                    result.failed_audits.append(
                        {"category": name, "id": ref["id"], "title": audit["title"], "error": True}
                    )
                continue
            if audit["score"] < 1 and (ref.get("weight", 0) > 0 or name != "performance"):
                result.failed_audits.append(
                    {
                        "category": name,
                        "id": ref["id"],
                        "title": audit["title"],
                        "score": audit["score"],
                        "value": audit.get("displayValue", ""),
                        "items": _items(audit),
                    }
                )
    for metric in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time"):
        result.metrics[metric] = audits.get(metric, {}).get("displayValue", "")
    result.metrics["cumulative-layout-shift"] = audits.get("cumulative-layout-shift", {}).get(
        "displayValue", ""
    )
    items: list[dict[str, Any]] = audits.get("network-requests", {}).get("details", {}).get("items", [])
    return items


def _items(audit: dict[str, Any]) -> list[str]:
    """What an audit points at, shortly: the element's selector and snippet, or the URL."""
    found = []
    for item in audit.get("details", {}).get("items", [])[:8]:
        node = item.get("node") if isinstance(item, dict) else None
        if isinstance(node, dict):
            found.append(f"{node.get('selector', '')} {node.get('snippet', '')[:160]}".strip())
        elif isinstance(item, dict) and item.get("url"):
            found.append(str(item["url"]))
        elif isinstance(item, dict) and item.get("description"):
            where = item.get("sourceLocation", {}).get("url", "")
            found.append(f"{str(item['description'])[:160]} {where}".strip())
    return found


def vnu(files: dict[Path, PageResult]) -> None:
    """One JVM for every page: errors only (warnings are advice, not failures)."""
    if not files:
        return
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    by_name = {path.resolve().as_uri(): result for path, result in files.items()}
    try:
        messages = json.loads(done.stderr or done.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        sys.exit(f"vnu.jar did not answer JSON:\n{done.stderr[-2000:]}")
    for message in messages:
        url = str(message.get("url", "")).replace("file:/", "file:///", 1).replace("file:////", "file:///")
        result = by_name.get(url)
        if result is None:
            result = next((r for p, r in files.items() if url.endswith(p.name)), None)
        if result is not None and message.get("type") in {"error", "non-document-error"}:
            result.vnu_errors.append(
                {
                    "line": message.get("lastLine"),
                    "message": message.get("message", ""),
                    "extract": message.get("extract", "").strip()[:160],
                }
            )


def no_js(pages: list[PageResult], port: int) -> None:
    """With JavaScript off a page must keep every link and (nearly) all its text: scripts may only
    add to a page that works without them (a "copy link" button, say). Playwright drives the same
    Chromium; skipped with "n/a" when Playwright is not installed."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415  (optional dev tool)
    except ImportError:
        for page in pages:
            page.nojs = "n/a"
        return
    seen: dict[bool, dict[str, tuple[int, set[str]]]] = {True: {}, False: {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROME,
            args=["--no-sandbox", f"--host-resolver-rules=MAP *.{BASE_DOMAIN} 127.0.0.1"],
        )
        for enabled in (True, False):
            context = browser.new_context(java_script_enabled=enabled, viewport={"width": 360, "height": 740})
            tab = context.new_page()
            for page in pages:
                tab.goto(page.url, wait_until="load")
                text = tab.evaluate("document.body.innerText.replace(/\\s+/g, ' ').trim().length")
                links = tab.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
                seen[enabled][page.url] = (int(text), set(links))
            context.close()
        browser.close()
    for page in pages:
        (text_on, links_on), (text_off, links_off) = seen[True][page.url], seen[False][page.url]
        lost = sorted(links_on - links_off)
        if lost or text_off < NOJS_TEXT_SHARE * text_on:
            page.nojs = f"lost {len(lost)} links, text {text_off}/{text_on}"
            page.problems.extend(f"link only with JavaScript: {url}" for url in lost)
        else:
            page.nojs = "ok" if text_on == text_off else f"ok ({text_on - text_off:+} chars by JS)"


# --- the run -----------------------------------------------------------------------------------
def extra_paths(target: Target) -> dict[str, str]:
    """The other public pages (--extra), with the 404 page; checked without Lighthouse."""
    return {
        "posts": "/berita",
        "page": f"/halaman/{target.page_slug}",
        "agenda": "/agenda",
        "event": f"/agenda/{target.event_slug}",
        "notices": "/pengumuman",
        "gallery": "/galeri",
        "documents": "/dokumen",
        "search": "/cari?q=desa",
        "archive": "/arsip",
        "profile": "/profil",
        "potensi": "/potensi",
        "products": "/produk",
        "apbdes": "/apbdes",
        "projects": "/pembangunan",
        "aspirasi": "/aspirasi",
        "aspirasi-lookup": "/aspirasi/lacak",
        "aspirasi-published": "/aspirasi/terbit",
        "404": "/halaman/tidak-ada-halaman-ini",
    }


def check(targets: list[Target], port: int, work: Path, runs: int, extra: bool) -> list[PageResult]:
    results: list[PageResult] = []
    for target in targets:
        host = target.host(port)
        paths = {
            "home": "/",
            "post": f"/berita/{target.post_slug}",
            "category": f"/kategori/{target.category_slug}",
        }
        if extra:
            paths.update(extra_paths(target))
        for kind, path in paths.items():
            result = PageResult(target.theme, kind, f"http://{host}{path}", extra=kind in extra_paths(target))
            status, body = fetch(port, host, path)
            expected = 404 if kind == "404" else 200
            if status != expected:
                result.note = f"HTTP {status}: skipped"
                result.problems.append(f"{path} answered HTTP {status}")
                results.append(result)
                continue
            result.status = status
            result.html_gz = gz(body)
            (work / f"{target.theme}-{kind}.html").write_bytes(body)
            results.append(result)

    live = [r for r in results if not r.skipped]
    vnu({work / f"{r.theme}-{r.kind}.html": r for r in live})
    for result in live:
        requests: list[dict[str, Any]] = []
        if not result.extra:
            print(f"  lighthouse {result.theme} {result.kind} …", file=sys.stderr, flush=True)
            report = median_run(result.url, work / f"{result.theme}-{result.kind}", runs)
            if report is None:
                result.problems.append("Lighthouse did not finish")
            else:
                requests = read_lighthouse(report, result)
        _requests(result, requests, port, work / f"{result.theme}-{result.kind}.html")
    no_js([r for r in live if not r.extra], port)
    for result in live:
        _judge(result)
    return results


def _requests(result: PageResult, requests: list[dict[str, Any]], port: int, html: Path) -> None:
    own = urlsplit(result.url).netloc
    parser = _Assets()
    asset_urls: dict[str, int | None] = {}  # url: bytes on the wire as Lighthouse saw them
    for request in requests:
        url = str(request.get("url", ""))
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            continue  # data:, blob: and the like are part of the page
        if parts.netloc != own:
            result.third_party.append(url)
        if request.get("resourceType") == "Font":
            result.fonts.append(url)
        if request.get("resourceType") in ASSET_TYPES and parts.netloc == own:
            asset_urls[url] = request.get("transferSize")
    parser.feed(html.read_text(errors="replace"))
    for src in parser.urls:
        absolute = urljoin(result.url, src)
        if urlsplit(absolute).netloc == own:
            asset_urls.setdefault(absolute, None)
        elif absolute not in result.third_party:
            result.third_party.append(absolute)
    for url, served in asset_urls.items():
        parts = urlsplit(url)
        status, data = fetch(port, own, parts.path + (f"?{parts.query}" if parts.query else ""))
        size = gz(data) if status == 200 else 0
        if status != 200:
            result.problems.append(f"{parts.path} answered HTTP {status}")
        result.assets.append((parts.path, size, served))
        result.assets_gz += size


def _judge(result: PageResult) -> None:
    for name in CATEGORIES:
        score = result.scores.get(name)
        wanted = MIN_PERFORMANCE if name == "performance" else FULL
        if score is not None and score < wanted:
            result.problems.append(f"{name} {score} < {wanted}")
    if result.vnu_errors:
        result.problems.append(f"{len(result.vnu_errors)} HTML errors (vnu)")
    if result.kind == "home" and result.html_gz > HTML_BUDGET:
        result.problems.append(f"HTML {result.html_gz:,} B gzip > {HTML_BUDGET:,}")
    if result.kind == "home" and result.assets_gz > ASSET_BUDGET:
        result.problems.append(f"CSS+JS {result.assets_gz:,} B gzip > {ASSET_BUDGET:,}")
    if result.third_party:
        result.problems.append(f"{len(result.third_party)} requests to other hosts")
    if result.fonts:
        result.problems.append(f"{len(result.fonts)} web fonts downloaded")
    if result.nojs.startswith("lost"):
        result.problems.append(f"differs with JavaScript off ({result.nojs})")


def table(results: list[PageResult]) -> str:
    head = ("theme", "page", "perf", "a11y", "bp", "seo", "vnu", "HTML gz", "CSS+JS gz", "3rd", "no-JS")
    rows: list[tuple[str, ...]] = [head]
    for r in results:
        if r.skipped:
            rows.append((r.theme, r.kind, "-", "-", "-", "-", "-", "-", "-", "-", r.note))
            continue
        scores = [("?" if r.scores.get(c) is None else str(r.scores[c])) for c in CATEGORIES]
        if r.extra:
            scores = ["-"] * len(CATEGORIES)
        rows.append(
            (
                r.theme,
                r.kind,
                *scores,
                str(len(r.vnu_errors)),
                f"{r.html_gz / 1000:.1f} KB",
                f"{r.assets_gz / 1000:.1f} KB",
                str(len(r.third_party) + len(r.fonts)),
                r.nojs,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join(cells) + "  " + row[-1])
    return "\n".join(lines)


def markdown(results: list[PageResult]) -> str:
    """The table for the README."""
    lines = [
        "| Theme | Page | Performance | Accessibility | Best practices | SEO | Nu errors "
        "| HTML gzip | CSS+JS gzip | Other hosts |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        if r.extra:
            continue
        if r.skipped:
            lines.append(f"| {r.theme} | {r.kind} | {r.note} | | | | | | | |")
            continue
        scores = " | ".join("?" if r.scores.get(c) is None else str(r.scores[c]) for c in CATEGORIES)
        lines.append(
            f"| {r.theme} | {r.kind} | {scores} | {len(r.vnu_errors)} | {r.html_gz / 1000:.1f} KB "
            f"| {r.assets_gz / 1000:.1f} KB | {len(r.third_party) + len(r.fonts)} |"
        )
    return "\n".join(lines)


def details(results: list[PageResult]) -> str:
    out = []
    for r in results:
        if r.skipped and not r.problems:
            continue
        if not (r.failed_audits or r.vnu_errors or r.problems or r.third_party or r.fonts):
            continue
        out.append(f"\n## {r.theme} / {r.kind}  {r.url}")
        if r.metrics and r.scores.get("performance", 100) != 100:
            out.append("  metrics: " + ", ".join(f"{k} {v}" for k, v in r.metrics.items()))
        out.extend(f"  ! {problem}" for problem in r.problems)
        for audit in r.failed_audits:
            value = f" ({audit['value']})" if audit.get("value") else ""
            out.append(f"  [{SHORT[audit['category']]}] {audit['id']}: {audit['title']}{value}")
            out.extend(f"      - {item}" for item in audit.get("items", []))
        for error in r.vnu_errors:
            out.append(f"  [vnu] line {error['line']}: {error['message']}")
            if error["extract"]:
                out.append(f"      {error['extract']!r}")
        out.extend(f"  [3rd] {url}" for url in r.third_party)
        out.extend(f"  [font] {url}" for url in r.fonts)
        if r.kind == "home":
            out.extend(
                f"  [asset] {path}: {size:,} B gzip" + ("" if served is None else f", {served:,} B as served")
                for path, size, served in r.assets
            )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--theme", action="append", default=[], help="check only this theme (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the full results as JSON here")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page; the median counts")
    parser.add_argument(
        "--extra", action="store_true", help="also the other public pages and the 404 (no Lighthouse)"
    )
    parser.add_argument("--no-photos", action="store_true", help="leave the demo posts without covers")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (HTML, Lighthouse JSON)")
    args = parser.parse_args()
    for tool in (LIGHTHOUSE, VNU_JAR, ETALASE, Path(CHROME)):
        if not tool.exists():
            sys.exit(f"{tool} is missing: run scripts/check-site (it installs the tools).")
    if shutil.which("java") is None:
        sys.exit("java is missing (apt-get install default-jre-headless): vnu.jar needs it.")

    themes = discover_themes(args.theme)
    work = Path(tempfile.mkdtemp(prefix="etalase-site-check-"))
    port = free_port()
    var_dir = work / "var"
    env = {
        **os.environ,
        "ETALASE_ENV": "development",
        "ETALASE_VAR_DIR": str(var_dir),
        "ETALASE_PUBLIC_PORT": str(port),
        "ETALASE_BASE_DOMAIN": BASE_DOMAIN,
    }
    for name in ("ETALASE_DATABASE_URL", "ETALASE_REDIS_URL", "ETALASE_S3_BUCKET", "ETALASE_MEDIA_ROOT"):
        env.pop(name, None)  # the embedded default, whatever the shell has set
    try:
        print(f"Themes: {', '.join(themes)}; work folder {work}", file=sys.stderr)
        targets = prepare(var_dir, env, themes)
        if not args.no_photos:
            add_photos(var_dir, port, targets)
        with serving(env, port, targets[0].host(port), work / "server.log"):
            results = check(targets, port, work, max(1, args.runs), args.extra)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    print(details(results))
    if args.markdown:
        print("\n" + markdown(results))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=2, ensure_ascii=False))
    missed = [r for r in results if r.problems]
    print(f"\n{len(missed)} of {len(results)} pages miss a target." if missed else "\nEvery target met.")
    return 0 if args.report_only or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
