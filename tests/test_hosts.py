"""The Host header rules of etalase.tenants.hosts, one case each."""

from __future__ import annotations

import pytest

from etalase.tenants.hosts import classify_host, normalize_domain, normalize_host

BASE = "desa.id"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sidomulyo.desa.id", "sidomulyo.desa.id"),
        ("SIDOMULYO.Desa.ID", "sidomulyo.desa.id"),
        ("sidomulyo.desa.id:8000", "sidomulyo.desa.id"),
        ("sidomulyo.desa.id.", "sidomulyo.desa.id"),
        ("Sidomulyo.desa.id.:443", "sidomulyo.desa.id"),
        ("xn--80ak6aa92e.com", "xn--80ak6aa92e.com"),
        (" localhost ", "localhost"),
    ],
)
def test_normalises_case_port_and_trailing_dot(raw: str, expected: str) -> None:
    assert normalize_host(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "a" * 64 + ".desa.id",  # label too long
        ("abcdefgh." * 30) + "desa.id",  # whole name over 253
        "x" * 5000,
        "sido mulyo.desa.id",
        "sidomulyo..desa.id",
        "-sidomulyo.desa.id",
        "sidomulyo-.desa.id",
        "sidomulyo_desa.desa.id",
        "sidomulyö.desa.id",  # browsers send punycode, never raw unicode
        "127.0.0.1",
        "127.0.0.1:8000",
        "[::1]:8000",
        "sidomulyo.desa.id:80:80",
        "sidomulyo.desa.id/evil",
        "sidomulyo.desa.id\r\nX-Injected: 1",
    ],
)
def test_rejects_malformed_hosts(raw: str | None) -> None:
    assert normalize_host(raw) is None
    assert classify_host(raw, BASE).kind == "invalid"


def test_classifies_portal_village_and_custom_domain() -> None:
    assert classify_host("desa.id", BASE).kind == "portal"
    assert classify_host("WWW.desa.id:443", BASE).kind == "portal"
    assert classify_host("sidomulyo.desa.id", BASE) == classify_host("sidomulyo.desa.id.", BASE)
    assert classify_host("sidomulyo.desa.id", BASE).value == "sidomulyo"
    # A deeper name under the base domain is no village: never guess which one it meant.
    assert classify_host("a.sidomulyo.desa.id", BASE).kind == "invalid"
    assert classify_host("sidomulyo.go.id", BASE).kind == "domain"
    # A look-alike that merely ends with the base domain's text is not under it.
    assert classify_host("evildesa.id", BASE).kind == "domain"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://Sidomulyo.Desa.ID/", "sidomulyo.desa.id"),
        ("sidomulyo-godean.sleman.go.id", "sidomulyo-godean.sleman.go.id"),
        ("localhost", None),
        ("not a domain", None),
        ("http://", None),
    ],
)
def test_normalises_custom_domains_as_typed(raw: str, expected: str | None) -> None:
    assert normalize_domain(raw) == expected
