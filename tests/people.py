"""People and browsers for the account tests.

:class:`Browser` talks to the app by absolute URL (``https://sidomulyo.etalase.test/admin``), so its
cookie jar keeps each host's cookies for that host, as a real browser does; the tests that send a
cookie to the wrong host do it on purpose, by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyotp
from fastapi.testclient import TestClient
from httpx import Response

from etalase.platform.accounts import service
from etalase.platform.accounts.models import Membership, User
from etalase.platform.app import create_app
from etalase.tenants.service import create_village
from tests.conftest import BASE_DOMAIN, Stack

PASSWORD = "kopi pagi sawah hijau"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def portal(stack: Stack) -> str:
    return f"{stack.settings.public_scheme}://{BASE_DOMAIN}"


def village_host(stack: Stack, slug: str) -> str:
    return f"{stack.settings.public_scheme}://{slug}.{BASE_DOMAIN}"


@dataclass
class Browser:
    stack: Stack
    client: TestClient = field(init=False)

    def __post_init__(self) -> None:
        app = create_app(self.stack.settings, self.stack.runtime)
        self.client = TestClient(app, follow_redirects=False)

    def get(self, url: str, **kwargs: object) -> Response:
        return self.client.get(url, **kwargs)  # type: ignore[arg-type]

    def csrf(self, url: str) -> str:
        """The form token of the page at ``url`` (fetched as this browser)."""
        page = self.get(url)
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on {url} ({page.status_code})"
        return match.group(1)

    def post(
        self, url: str, data: dict[str, str] | None = None, *, form_url: str | None = None, **kw: object
    ) -> Response:
        """Submit a form the way a browser does: token from the page the form is on, same origin."""
        fields = dict(data or {})
        if "csrf_token" not in fields:
            fields["csrf_token"] = self.csrf(form_url or url)
        origin = "/".join(url.split("/", 3)[:3])
        headers = {"origin": origin, **(kw.pop("headers", {}) or {})}  # type: ignore[dict-item]
        return self.client.post(url, data=fields, headers=headers, **kw)  # type: ignore[arg-type]

    def login(self, base: str, who: str, password: str = PASSWORD, next_path: str = "") -> Response:
        return self.post(
            f"{base}/akun/masuk",
            {"identifier": who, "password": password, "next": next_path},
        )

    def cookie(self, name_part: str) -> str | None:
        for cookie in self.client.cookies.jar:
            if name_part in cookie.name:
                return cookie.value
        return None


def make_user(
    stack: Stack,
    name: str,
    *,
    email: str = "",
    phone: str = "",
    superuser: bool = False,
    scope: str | None = None,
    roles: dict[int, str] | None = None,
    totp_secret: str | None = None,
) -> User:
    with stack.runtime.session(all_villages=True) as db:
        user = service.create_user(
            db, name=name, email=email, phone=phone, password=PASSWORD, superuser=superuser, scope=scope
        )
        assert user.id is not None
        for village_id, role in (roles or {}).items():
            db.add(Membership(village_id=village_id, user_id=user.id, role=role))
        if totp_secret:
            user.totp_secret = totp_secret
            db.add(user)
    return user


def make_village(stack: Stack, code: str, *, active: bool = True) -> tuple[int, str]:
    with stack.runtime.session(all_villages=True) as db:
        village = create_village(db, code, active=active)
        db.flush()
        assert village.id is not None
        return village.id, village.slug


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()
