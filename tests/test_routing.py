"""Host routing: every host reaches its own village, the portal, or the portal's 404; never another
village. Runs on both stacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from etalase.platform.content.service import create_post
from etalase.tenants.models import Village
from etalase.tenants.resolver import SiteResolver
from etalase.tenants.service import add_domain, bump_generation, create_village, find_village, set_status
from tests.conftest import BASE_DOMAIN, Stack, StatementLog

PORTAL_MARK = "<h1>Website desa se-Indonesia</h1>"
NOT_FOUND_MARK = "Halaman tidak ditemukan"


@pytest.fixture
def two_villages(stack: Stack) -> dict[str, int]:
    with stack.runtime.session() as session:
        a = create_village(session, "34.04.02.2003")  # Sidomulyo, Godean
        b = create_village(session, "33.74.10.1001")  # Meteseh, Kota Semarang
        session.flush()
        assert a.id and b.id
    when = datetime(2026, 11, 1, 8, tzinfo=UTC)
    with stack.runtime.session(a.id) as session:  # posts are written in their village's context
        create_post(session, a.id, title="Panen Raya Sidomulyo", body="<p>Padi</p>", published_at=when)
    with stack.runtime.session(b.id) as session:
        create_post(session, b.id, title="Kabar Meteseh", body="<p>Pasar</p>", published_at=when)
        create_post(session, b.id, title="Draf Rahasia Meteseh", body="<p>x</p>")
    return {"a": a.id, "b": b.id}


def get(client: TestClient, host: str, path: str = "/") -> tuple[int, str]:
    response = client.get(path, headers={"host": host})
    return response.status_code, response.text


def test_portal_on_base_domain_and_www(client: TestClient, two_villages: dict[str, int]) -> None:
    for host in (BASE_DOMAIN, f"www.{BASE_DOMAIN}", f"WWW.{BASE_DOMAIN.upper()}.:443"):
        status, html = get(client, host)
        assert status == 200 and PORTAL_MARK in html


def test_village_home_shows_name_and_full_region_path(
    client: TestClient, two_villages: dict[str, int]
) -> None:
    status, html = get(client, f"sidomulyo.{BASE_DOMAIN}")
    assert status == 200
    assert "Desa Sidomulyo, Kecamatan Godean, Kabupaten Sleman, Provinsi Daerah Istimewa Yogyakarta" in html
    assert "Panen Raya Sidomulyo" in html and "Meteseh" not in html
    status, html = get(client, f"meteseh.{BASE_DOMAIN}")
    assert "Kelurahan Meteseh, Kecamatan Tembalang, Kota Semarang, Provinsi Jawa Tengah" in html
    assert "Kabar Meteseh" in html
    assert "Draf Rahasia" not in html and "Sidomulyo" not in html


@pytest.mark.parametrize(
    "host",
    [
        f"SIDOMULYO.{BASE_DOMAIN.upper()}",
        f"sidomulyo.{BASE_DOMAIN}:8000",
        f"sidomulyo.{BASE_DOMAIN}.",
        f"Sidomulyo.{BASE_DOMAIN}.:443",
    ],
)
def test_host_spellings_reach_the_same_village(
    client: TestClient, two_villages: dict[str, int], host: str
) -> None:
    status, html = get(client, host)
    assert status == 200 and "Panen Raya Sidomulyo" in html


@pytest.mark.parametrize(
    "host",
    [
        f"tidakada.{BASE_DOMAIN}",
        f"sidomulyo-palsu.{BASE_DOMAIN}",
        f"x.sidomulyo.{BASE_DOMAIN}",
        "evil.example.com",
        "127.0.0.1",
        "[::1]:8000",
        "a" * 300,
        f"sido mulyo.{BASE_DOMAIN}",
        f"sidomulyo{BASE_DOMAIN}",
    ],
)
def test_unknown_or_malformed_hosts_get_the_portal_404(
    client: TestClient, two_villages: dict[str, int], host: str
) -> None:
    for path in ("/", "/berita/panen-raya-sidomulyo", "/wilayah/34"):
        status, html = get(client, host, path)
        assert status == 404
        assert NOT_FOUND_MARK in html
        assert "Sidomulyo" not in html and "Meteseh" not in html and PORTAL_MARK not in html


def test_a_post_is_only_found_on_its_own_village(client: TestClient, two_villages: dict[str, int]) -> None:
    assert get(client, f"sidomulyo.{BASE_DOMAIN}", "/berita/panen-raya-sidomulyo")[0] == 200
    status, html = get(client, f"meteseh.{BASE_DOMAIN}", "/berita/panen-raya-sidomulyo")
    assert status == 404 and "Panen Raya" not in html and "Kelurahan Meteseh" in html  # the village's own 404
    assert get(client, f"meteseh.{BASE_DOMAIN}", "/berita/draf-rahasia-meteseh")[0] == 404
    # Portal paths are not village paths and the other way round.
    assert get(client, f"meteseh.{BASE_DOMAIN}", "/wilayah/33")[0] == 404
    assert get(client, BASE_DOMAIN, "/berita/kabar-meteseh")[0] == 404


def test_custom_domain_serves_its_village(
    stack: Stack, client: TestClient, two_villages: dict[str, int]
) -> None:
    with stack.runtime.session() as session:
        add_domain(session, find_village(session, "meteseh"), "meteseh.semarangkota.go.id", BASE_DOMAIN)
    for host in ("meteseh.semarangkota.go.id", "WWW.meteseh.semarangkota.go.id:443"):
        status, html = get(client, host)
        assert status == 200 and "Kabar Meteseh" in html
    assert get(client, "sidomulyo.semarangkota.go.id")[0] == 404


def test_inactive_village_is_not_served(
    stack: Stack, client: TestClient, two_villages: dict[str, int]
) -> None:
    with stack.runtime.session() as session:
        set_status(session, find_village(session, "sidomulyo"), active=False)
    status, html = get(client, f"sidomulyo.{BASE_DOMAIN}")
    assert status == 404 and "belum aktif" in html and "Panen Raya" not in html
    assert get(client, f"sidomulyo.{BASE_DOMAIN}", "/berita/panen-raya-sidomulyo")[0] == 404


def test_changes_reach_the_cache_through_the_generation(
    stack: Stack, client: TestClient, two_villages: dict[str, int]
) -> None:
    assert "Desa Sidomulyo" in get(client, f"sidomulyo.{BASE_DOMAIN}")[1]  # now cached
    assert get(client, f"baru.{BASE_DOMAIN}")[0] == 404  # negative answer cached too
    with stack.runtime.session() as session:
        session.execute(update(Village).where(Village.slug == "sidomulyo").values(name="Sidomulyo Baru"))
        create_village(session, "34.04.02.2001", slug="baru")  # bumps the generation
    assert "Desa Sidomulyo Baru" in get(client, f"sidomulyo.{BASE_DOMAIN}")[1]
    assert get(client, f"baru.{BASE_DOMAIN}")[0] == 200


def test_warm_cache_serves_village_pages_without_reading_villages(
    stack: Stack, client: TestClient, two_villages: dict[str, int], sql_log: StatementLog
) -> None:
    stack.runtime.resolver.check_seconds = 60.0
    try:
        get(client, f"sidomulyo.{BASE_DOMAIN}")  # warm
        get(client, f"meteseh.{BASE_DOMAIN}")
        sql_log.statements.clear()
        for _ in range(5):
            assert get(client, f"sidomulyo.{BASE_DOMAIN}")[0] == 200
            assert get(client, f"meteseh.{BASE_DOMAIN}")[0] == 200
        assert sql_log.touching("village") == []
        assert sql_log.touching("region") == []
        assert sql_log.touching("site_generation") == []
        assert sql_log.touching("post") == []  # the page itself comes from the page cache
    finally:
        stack.runtime.resolver.check_seconds = 0.0


def test_shared_cache_answers_a_fresh_process(production_stack: Stack) -> None:
    """On the production stack a second process finds the resolution in Redis, not the database."""
    stack = production_stack
    stack.wipe()
    with stack.runtime.session() as session:
        create_village(session, "34.04.02.2003")
    log = StatementLog()

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        log.statements.append(statement)

    def fresh_process() -> SiteResolver:
        return SiteResolver(stack.runtime.engine, stack.runtime.cache, BASE_DOMAIN)

    assert fresh_process().resolve(f"sidomulyo.{BASE_DOMAIN}").kind == "village"
    event.listen(stack.runtime.engine, "before_cursor_execute", record)
    try:
        site = fresh_process().resolve(f"sidomulyo.{BASE_DOMAIN}")
        assert site.village is not None and site.village.name == "Sidomulyo"
        assert log.touching("village") == [] and log.touching("region") == []
        with stack.runtime.session() as session:
            bump_generation(session)
        log.statements.clear()
        fresh_process().resolve(f"sidomulyo.{BASE_DOMAIN}")
        assert log.touching("village")  # a new generation is read from the database again
    finally:
        event.remove(stack.runtime.engine, "before_cursor_execute", record)
        stack.wipe()


def test_portal_directory_and_search(client: TestClient, two_villages: dict[str, int]) -> None:
    status, html = get(client, BASE_DOMAIN, "/")
    assert status == 200 and "Daerah Istimewa Yogyakarta" in html and "Papua" in html
    status, html = get(client, BASE_DOMAIN, "/wilayah/34.04.02")
    assert status == 200 and "Kecamatan Godean" in html
    assert f"http://sidomulyo.{BASE_DOMAIN}" in html or f"https://sidomulyo.{BASE_DOMAIN}" in html
    assert "belum punya situs" in html  # Godean's other villages have no site yet
    assert get(client, BASE_DOMAIN, "/wilayah/3404")[0] == 200  # undotted code
    for bad in ("/wilayah/99", "/wilayah/34.04.02.2003", "/wilayah/<script>", "/wilayah/" + "9" * 500):
        assert get(client, BASE_DOMAIN, bad)[0] == 404
    status, html = get(client, BASE_DOMAIN, "/cari?q=sidomulyo")
    assert status == 200 and "Godean" in html and "Ungaran Timur" in html
    status, html = get(client, BASE_DOMAIN, "/cari?q=s")
    assert status == 200 and "minimal 3 huruf" in html
    status, html = get(client, BASE_DOMAIN, "/cari?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert status == 200 and "<script>alert" not in html and "&lt;script&gt;" in html
    status, html = get(client, BASE_DOMAIN, "/cari?q=" + "a" * 5000)
    assert status == 200
    status, html = get(client, BASE_DOMAIN, "/cari?q=100%25_")
    assert status == 200 and "Tidak ada wilayah" in html


def test_health_answers_on_any_host(client: TestClient) -> None:
    for host in (BASE_DOMAIN, "anything.example", "127.0.0.1"):
        response = client.get("/healthz", headers={"host": host})
        assert response.status_code == 200 and response.json()["status"] == "ok"


def test_head_is_answered_like_get_and_other_methods_are_refused(
    client: TestClient, two_villages: dict[str, int]
) -> None:
    assert client.head("/", headers={"host": f"sidomulyo.{BASE_DOMAIN}"}).status_code == 200
    assert client.head("/", headers={"host": BASE_DOMAIN}).status_code == 200
    response = client.post("/", headers={"host": f"sidomulyo.{BASE_DOMAIN}"})
    assert response.status_code == 405 and "Cara akses tidak didukung" in response.text


def test_tls_ask_endpoint_allows_only_hosts_we_serve(
    stack: Stack, client: TestClient, two_villages: dict[str, int]
) -> None:
    with stack.runtime.session() as session:
        add_domain(session, find_village(session, "meteseh"), "meteseh.semarangkota.go.id", BASE_DOMAIN)

    def ask(domain: str) -> int:
        return client.get("/_caddy/ask", params={"domain": domain}, headers={"host": "web:8000"}).status_code

    assert ask("meteseh.semarangkota.go.id") == 200
    assert ask(f"sidomulyo.{BASE_DOMAIN}") == 200
    assert ask(BASE_DOMAIN) == 200
    assert ask("evil.example.com") == 404
    assert ask(f"tidakada.{BASE_DOMAIN}") == 404
    assert ask("") == 404
