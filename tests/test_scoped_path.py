"""The one scoped path (etalase.tenants.scope) is the only place that filters by village.

An inline ``Post.village_id == x`` looks harmless until the day one copy forgets it and a village
shows another village's drafts. This test reads the source and fails on any comparison involving
``village_id`` outside the modules that own the tenant tables themselves.
"""

from __future__ import annotations

import ast

from sqlmodel import SQLModel

from etalase.platform import models  # noqa: F401  (registers every table)
from etalase.platform.accounts.models import AuditEvent, OneTimeToken
from etalase.platform.content.models import Post
from etalase.platform.content.service import create_post
from etalase.tenants.models import VillageDomain
from etalase.tenants.scope import VillageOwned, get_in_village, in_village
from etalase.tenants.service import create_village
from tests.conftest import REPO, Stack

# Modules allowed to compare village_id directly, and why.
ALLOWED = {
    "tenants/scope.py": "the scoped path itself",
    "tenants/resolver.py": "maps a custom domain to its village, before any village is known",
    "tenants/service.py": "manages village_domain rows, which are tenant infrastructure",
}
# Tables that carry village_id but are tenant infrastructure, not village content.
INFRASTRUCTURE = {VillageDomain}
# Tables whose rows may belong to a village or to nobody (a sign-in on the portal, a password reset
# asked there). Queried through in_village like the rest; RLS shows their NULL rows only without a
# village context.
VILLAGE_OPTIONAL = {AuditEvent, OneTimeToken}


def _compares_village_id(node: ast.Compare) -> bool:
    return any(isinstance(sub, ast.Attribute) and sub.attr == "village_id" for sub in ast.walk(node))


def test_no_inline_village_filters_outside_the_scoped_path() -> None:
    offenders = []
    for folder in ("platform", "tenants", "themes"):
        for path in sorted((REPO / folder).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if relative in ALLOWED:
                continue
            tree = ast.parse(path.read_text(), filename=relative)
            for node in ast.walk(tree):
                is_filter = isinstance(node, ast.Compare) and _compares_village_id(node)
                is_filter_by = (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "filter_by"
                    and any(k.arg == "village_id" for k in node.keywords)
                )
                if is_filter or is_filter_by:
                    offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], f"filter by village through etalase.tenants.scope.in_village: {offenders}"


def test_the_lint_catches_an_inline_filter() -> None:
    tree = ast.parse("select(Post).where(Post.village_id == 3)")
    assert any(isinstance(n, ast.Compare) and _compares_village_id(n) for n in ast.walk(tree))


def test_every_table_with_a_village_uses_the_mixin() -> None:
    for mapper in SQLModel._sa_registry.mappers:  # type: ignore[attr-defined]
        cls = mapper.class_
        if "village_id" in mapper.columns and cls not in INFRASTRUCTURE | VILLAGE_OPTIONAL:
            assert issubclass(cls, VillageOwned), f"{cls.__name__} must inherit VillageOwned"


def test_another_villages_row_is_not_found_by_id(stack: Stack) -> None:
    # all_villages: row-level security (tests/test_rls.py) stays out of the way, so this tests the
    # scoped path alone.
    with stack.runtime.session(all_villages=True) as session:
        a = create_village(session, "34.04.02.2003")
        b = create_village(session, "33.74.10.1001")
        session.flush()
        assert a.id and b.id
        post = create_post(session, a.id, title="Milik Sidomulyo", body="<p>x</p>")
        assert post.id
        assert get_in_village(session, Post, a.id, post.id) is post
        assert get_in_village(session, Post, b.id, post.id) is None
        assert session.exec(in_village(Post, b.id)).all() == []
