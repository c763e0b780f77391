"""Readers' comments and "bermanfaat" taps under a village's posts, and their public JSON.

- ``POST /berita/<slug>/komentar``: the comment form (``themes/base/_comments.html``). Answers with
  a redirect back to the post and a message (post/redirect/get); a refused form comes back as the
  post page with what was typed and the reason.
- ``POST /berita/<slug>/bermanfaat``: one tap, a plain form that works without JavaScript
  (``comments.js`` posts it with ``fetch`` and updates the count in place).
- ``GET /api/v1/berita/<slug>/komentar``: the published comments, name and text only.

Why no CSRF token: the post page comes from the full-page cache, shared by every anonymous reader,
and a per-reader token cannot be in it (the cache refuses such pages). These forms act on no
account and no cookie authenticates them, so a forged request could do nothing its forger cannot
do directly. They are declared :data:`~etalase.platform.accounts.authz.PUBLIC_FORM` (another
origin is refused) and defended where it matters: a signed stamp (when the form was printed, for
this post only), a honeypot, rate limits per address and per village (Redis in production), size
limits, and moderation (:mod:`etalase.platform.discussion.moderation`).

A honeypot catch answers exactly like a held comment and stores nothing: the bot learns nothing.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from etalase.platform.accounts.authz import PUBLIC, PUBLIC_FORM
from etalase.platform.accounts.ratelimit import Limiter
from etalase.platform.analytics import visitors
from etalase.platform.content.models import Post
from etalase.platform.content.workflow import ContentError
from etalase.platform.discussion import moderation, service
from etalase.platform.i18n import _
from etalase.platform.web.deps import CurrentVillage, SessionDep, settings_of
from etalase.platform.web.pages import client_ip, redirect
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.platform.web.village import covers
from etalase.tenants.resolver import VillageSite
from etalase.tenants.scope import in_village
from etalase.tenants.timezones import zone_for

router = APIRouter(route_class=VillageRoute)

MAX_FORM_BYTES = 16 * 1024  # the text limit with room for the other fields and their encoding
FIELDS = ("nama", "email", "komentar")


def _notices() -> dict[str, str]:
    return {
        "terbit": _("Terima kasih, komentar Anda sudah tampil."),
        "menunggu": _("Terima kasih, komentar Anda akan tampil setelah diperiksa tim desa."),
    }


def _reaction_notices() -> dict[str, str]:
    return {
        "terima-kasih": _("Terima kasih! Tanggapan Anda sudah dihitung."),
        "sudah": _("Anda sudah menandai berita ini bermanfaat hari ini."),
        "nanti": _("Terlalu banyak tanggapan dari jaringan Anda. Coba lagi nanti."),
    }


def _stamp_errors() -> dict[str, str]:
    return {
        "forged": _("Formulir ini tidak dapat diterima. Muat ulang halaman, lalu kirim lagi."),
        "old": _("Formulir ini sudah kedaluwarsa. Komentar Anda masih di bawah: kirim lagi."),
        "fast": _("Komentar terkirim terlalu cepat. Tunggu beberapa detik, lalu kirim lagi."),
    }


def _published_post(db: Session, village_id: int, slug: str) -> Post:
    post = db.exec(
        in_village(Post, village_id).where(
            col(Post.slug) == slug, col(Post.status) == "published", col(Post.deleted_at).is_(None)
        )
    ).first()
    if post is None:
        raise HTTPException(status_code=404)
    return post


def _today(village: VillageSite) -> date:
    return datetime.now(zone_for(village.code)[0]).date()


def _limiter(request: Request) -> Limiter:
    return Limiter(request.app.state.runtime.cache)


def _too_big(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return length.isdecimal() and int(length) > MAX_FORM_BYTES


# --- the post page with its comments (the Jinja global ``post_talk()``) ------------------------------
def _talk(request: Request, village: VillageSite, post: Post, form: dict[str, Any] | None) -> dict[str, Any]:
    assert post.id is not None
    with request.app.state.runtime.session(village.id) as db:
        rules = service.settings_for(db, village.id)
        comments = service.published_comments(db, village.id, post.id)
        reactions = service.reaction_count(db, village.id, post.id)
    form = form or {}
    secret = settings_of(request).effective_secret_key
    return {
        "enabled": rules.enabled,
        "comments": [{"name": c.name, "body": c.body, "at": c.published_at} for c in comments],
        "reactions": reactions,
        "stamp": moderation.stamp(secret, village.id, post.id, time.time()),
        "honeypot": moderation.HONEYPOT,
        "values": form.get("values") or dict.fromkeys(FIELDS, ""),
        "error": form.get("error"),
        "notice": _notices().get(request.query_params.get("komentar", "")),
        "reaction_notice": _reaction_notices().get(request.query_params.get("bermanfaat", "")),
        "max_name": moderation.MAX_NAME,
        "max_email": moderation.MAX_EMAIL,
        "max_body": moderation.MAX_BODY,
    }


@pass_context
def post_talk(context: Context) -> dict[str, Any]:
    """``{% set talk = post_talk() %}`` in ``base/_comments.html``: the post's comments, its
    "bermanfaat" count and the form's stamp. Empty outside a published post of a village."""
    request, village, post = context.get("request"), context.get("village"), context.get("post")
    if not isinstance(request, Request) or not isinstance(village, VillageSite) or not isinstance(post, Post):
        return {}
    form = context.get("comment_form")
    return _talk(request, village, post, form if isinstance(form, dict) else None)


def install(app: FastAPI) -> None:
    """Give the post page its comments: the template asks (``post.html`` stays the same for
    every theme, and the post route does no work for them)."""
    app.state.templates.env.globals["post_talk"] = post_talk


def _post_page(
    request: Request, db: Session, village: VillageSite, post: Post, form: dict[str, Any], status: int
) -> HTMLResponse:
    templates = request.app.state.templates
    cover = covers(db, request.app.state.runtime.media, village.id, [post]).get(post.id or 0)
    context = {"village": village, "post": post, "cover": cover, "comment_form": form}
    response = render(
        templates, request, theme_template(templates, village.theme, "post.html"), context, status
    )
    response.headers["Cache-Control"] = "no-store"  # it carries what this reader typed
    return response


# --- the comment form --------------------------------------------------------------------------------
@router.post("/berita/{slug}/komentar", response_class=HTMLResponse, dependencies=[Depends(PUBLIC_FORM)])
async def comment(request: Request, slug: str, village: CurrentVillage, db: SessionDep) -> Response:
    if _too_big(request):
        raise HTTPException(status_code=413)
    form = await request.form(max_fields=20)
    raw = {name: form.get(name) for name in (*FIELDS, "stempel", moderation.HONEYPOT)}
    text = {k: v[: moderation.MAX_BODY * 2] if isinstance(v, str) else "" for k, v in raw.items()}

    def attempt() -> Response:
        post = _published_post(db, village.id, slug)
        assert post.id is not None
        values = {name: text[name] for name in FIELDS}
        back = f"/berita/{post.slug}"

        def refused(message: str, status: int) -> HTMLResponse:
            db.rollback()
            return _post_page(request, db, village, post, {"values": values, "error": message}, status)

        if not service.settings_for(db, village.id).enabled:
            return refused(_("Komentar di situs desa ini sedang ditutup."), 403)
        limiter, ip = _limiter(request), client_ip(request)
        if text[moderation.HONEYPOT].strip():  # a bot: answered like a held comment, nothing stored
            limiter.hit(moderation.PER_ADDRESS, ip)
            return redirect(f"{back}?komentar=menunggu#komentar")
        secret = settings_of(request).effective_secret_key
        problem = moderation.stamp_problem(secret, village.id, post.id, text["stempel"], time.time())
        if problem is not None:
            return refused(_stamp_errors()[problem], 400)
        checks = ((moderation.PER_ADDRESS, ip), (moderation.PER_VILLAGE, str(village.id)))
        wait = limiter.longest_wait(*checks)
        if wait:
            message = _("Terlalu banyak komentar dalam waktu singkat. Coba lagi dalam {n} menit.")
            return refused(message.format(n=wait), 429)
        typed = service.Typed(name=values["nama"], email=values["email"], body=values["komentar"])
        try:
            stored = service.submit(db, village.id, post, typed, secret=secret, ip=ip, day=_today(village))
        except ContentError as error:
            return refused(str(error), 400)
        db.commit()
        limiter.hit_all(*checks)
        outcome = "terbit" if stored.status == "published" else "menunggu"
        return redirect(f"{back}?komentar={outcome}#komentar")

    return await run_in_threadpool(attempt)


# --- "bermanfaat" ------------------------------------------------------------------------------------
def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/berita/{slug}/bermanfaat", response_class=HTMLResponse, dependencies=[Depends(PUBLIC_FORM)])
def useful(request: Request, slug: str, village: CurrentVillage, db: SessionDep) -> Response:
    """One per visitor per post and day; the visitor is the analytics' hash of the day's salt, the
    village, the address and the browser (no cookie, nothing stored that leads back to a person)."""
    if _too_big(request):
        raise HTTPException(status_code=413)
    post = _published_post(db, village.id, slug)
    assert post.id is not None
    limiter, ip = _limiter(request), client_ip(request)
    counted, outcome = False, "nanti"
    if not limiter.wait(moderation.REACTIONS_PER_ADDRESS, ip):
        day = _today(village)
        salt = visitors.salt_for(request.app.state.runtime.cache, day)
        visitor = visitors.visitor_id(salt, village.id, ip, request.headers.get("user-agent", ""))
        counted = service.react(db, village.id, post.id, day, visitor)
        db.commit()
        limiter.hit(moderation.REACTIONS_PER_ADDRESS, ip)
        outcome = "terima-kasih" if counted else "sudah"
    if _wants_json(request):
        count = service.reaction_count(db, village.id, post.id)
        return JSONResponse({"count": count, "counted": counted, "message": _reaction_notices()[outcome]})
    return redirect(f"/berita/{post.slug}?bermanfaat={outcome}#bermanfaat")


# --- JSON --------------------------------------------------------------------------------------------
@router.get("/api/v1/berita/{slug}/komentar", dependencies=[Depends(PUBLIC)])
def comments_json(slug: str, village: CurrentVillage, db: SessionDep) -> dict[str, Any]:
    """Published comments of a published post, oldest first: name and text only (never an e-mail
    address, nothing of a held comment)."""
    post = _published_post(db, village.id, slug)
    assert post.id is not None
    rows = service.published_comments(db, village.id, post.id)
    return {
        "post": post.slug,
        "reactions": service.reaction_count(db, village.id, post.id),
        "comments": [{"name": c.name, "text": c.body} for c in rows],
    }
