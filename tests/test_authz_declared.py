"""Every route says who may use it. A route without a declaration fails the build, so no page
becomes reachable by accident; public pages declare that they are public."""

from __future__ import annotations

from fastapi import APIRouter

from etalase.platform.accounts.authz import api_routes, declaration_of
from etalase.platform.app import create_app
from tests.conftest import embedded_settings


def test_every_route_declares_exactly_one_access_rule(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(embedded_settings(tmp_path))
    routes = api_routes(list(app.routes))
    assert len(routes) > 30  # the walk reaches into the included routers
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if len(declaration_of(r.dependant)) != 1]
    assert missing == [], f"routes without exactly one access declaration (accounts.authz): {missing}"


def test_state_changing_routes_are_never_anonymous_except_the_sign_in_forms(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(embedded_settings(tmp_path))
    public_posts = sorted(
        r.path
        for r in api_routes(list(app.routes))
        if r.methods & {"POST", "PUT", "PATCH", "DELETE"} and declaration_of(r.dependant) == ["public"]
    )
    assert public_posts == [
        "/akun/atur-sandi/{token}",
        "/akun/lupa-sandi",
        "/akun/masuk",
        "/akun/undangan/{token}",
        "/aspirasi",
        "/aspirasi/lacak",
    ]


def test_the_walk_catches_an_undeclared_route() -> None:
    router = APIRouter()

    @router.get("/lupa")
    def forgotten() -> None: ...

    assert [declaration_of(r.dependant) for r in api_routes(list(router.routes))] == [[]]
