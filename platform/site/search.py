"""Searching a village's published posts: ranked, with the matched words highlighted.

PostgreSQL: full-text search with the ``indonesian`` configuration (``simple`` on a server
without it), over an expression GIN index on ``post`` (title weight A, summary B, body C, the body's
tags stripped), ranked with ``ts_rank``, highlighted with ``ts_headline``. SQLite (the embedded
default): the FTS5 table ``post_fts`` that triggers keep in step with ``post``, ranked with
``bm25`` and highlighted with ``highlight``/``snippet``. Both are created by the migration
``20261128_0100_5e4c3b2a1f00_post_search``.

What a visitor types is never handed to a query parser as it is: it is cut down to words (letters
and digits), so quotes, operators and 2,000 characters of noise are just words or nothing. The
highlighted text comes back from the database with two control characters around each match;
everything is HTML-escaped and only then are those turned into ``<mark>`` tags, so a post's text
can never inject markup through the highlight.

Rows are read through the scoped path (:func:`etalase.tenants.scope.in_village`), and on
PostgreSQL row-level security also holds: another village's post is never a result.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import Float, String, bindparam, column, func, literal_column, table, text
from sqlmodel import Session, col

from etalase.platform.content.models import Post
from etalase.tenants.scope import in_village

MAX_QUERY = 200  # characters of the query looked at
MAX_TERMS = 12  # words searched
MAX_TERM = 40  # characters of one word
START, STOP = "\x02", "\x03"  # around each match, before escaping
_WORD = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<[^>]*>")

# Only these two names ever reach SQL text (never what a visitor typed).
CONFIGS = ("indonesian", "simple")
_config_cache: dict[str, str] = {}


def document_sql(config: str) -> str:
    """The tsvector a post is searched by. The index of the migration is built on exactly this
    expression; a query must repeat it verbatim for PostgreSQL to use the index."""
    assert config in CONFIGS
    c = f"'{config}'::regconfig"
    return (
        f"setweight(to_tsvector({c}, title), 'A') || "
        f"setweight(to_tsvector({c}, summary), 'B') || "
        f"setweight(to_tsvector({c}, regexp_replace(body, '<[^>]+>', ' ', 'g')), 'C')"
    )


def pg_config(connection: Any) -> str:
    """``indonesian`` when the server has it (PostgreSQL 15 does), else ``simple``."""
    found = connection.execute(text("SELECT cfgname FROM pg_ts_config WHERE cfgname = 'indonesian'")).first()
    return "indonesian" if found is not None else "simple"


def _config(session: Session) -> str:
    url = str(session.get_bind().engine.url)
    if url not in _config_cache:  # the server's configurations do not change while we run
        _config_cache[url] = pg_config(session.connection())
    return _config_cache[url]


def terms(query: str) -> list[str]:
    """The words of what was typed, lower case: ``'"Posyandu" OR -balita*'`` → posyandu, or, balita."""
    words = _WORD.findall(query[:MAX_QUERY].lower())
    unique = dict.fromkeys(w[:MAX_TERM] for w in words if w.strip("_"))  # in order, once each
    return list(unique)[:MAX_TERMS]


def safe_highlight(raw: str) -> Markup:
    """Escape the text (its spaces tidied), then turn the sentinels into ``<mark>`` tags (balanced,
    never nested)."""
    escaped = html.escape(" ".join(raw.split()), quote=True)
    out: list[str] = []
    open_ = False
    for char in escaped:
        if char == START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif char == STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(char)
    if open_:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704  (escaped above; only our own <mark> tags added)


def _plain(fragment: str) -> str:
    """Stored HTML (or a piece of it, cut anywhere) as text: tags and cut-off tags dropped,
    entities read."""
    text_ = _TAG.sub(" ", fragment)
    first_lt, first_gt = text_.find("<"), text_.find(">")
    if first_gt != -1 and (first_lt == -1 or first_gt < first_lt):  # "…ref="x">Teks" at the start
        text_ = text_[first_gt + 1 :]
    last_lt = text_.rfind("<")
    if last_lt != -1 and ">" not in text_[last_lt:]:  # "Teks <a hr…" at the end
        text_ = text_[:last_lt]
    return " ".join(html.unescape(text_).split())


@dataclass
class Hit:
    post: Post
    title: Markup  # the title with the matched words in <mark>
    excerpt: Markup  # the summary or a piece of the body around the matches


def search(session: Session, village_id: int, query: str, *, offset: int, limit: int) -> list[Hit]:
    """The village's published posts matching ``query``, best first."""
    words = terms(query)
    if not words:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _search_pg(session, village_id, words, offset, limit)
    return _search_sqlite(session, village_id, words, offset, limit)


def _published(village_id: int) -> Any:
    return in_village(Post, village_id).where(col(Post.status) == "published", col(Post.deleted_at).is_(None))


def _search_pg(session: Session, village_id: int, words: list[str], offset: int, limit: int) -> list[Hit]:
    config = _config(session)
    regconfig: Any = literal_column(f"'{config}'::regconfig")
    document: Any = literal_column(f"({document_sql(config)})")
    tsquery = func.plainto_tsquery(regconfig, bindparam("words", " ".join(words), type_=String))
    options = f"StartSel={START}, StopSel={STOP}"
    title = func.ts_headline(regconfig, col(Post.title), tsquery, options + ", HighlightAll=true")
    body_text = func.regexp_replace(col(Post.body), "<[^>]+>", " ", "g")
    excerpt_source = func.coalesce(func.nullif(col(Post.summary), ""), body_text)
    excerpt = func.ts_headline(
        regconfig, excerpt_source, tsquery, options + ", MaxWords=35, MinWords=12, MaxFragments=2"
    )
    rank = func.ts_rank(document, tsquery, type_=Float)
    query = (
        _published(village_id)
        .where(document.op("@@")(tsquery))
        .add_columns(title, excerpt)
        .order_by(rank.desc(), col(Post.published_at).desc(), col(Post.id).desc())
        .offset(offset)
        .limit(limit)
    )
    rows = session.execute(query).all()
    return [Hit(post, safe_highlight(t), safe_highlight(html.unescape(e))) for post, t, e in rows]


_FTS = table("post_fts", column("rowid"))


def _fts_query(words: list[str]) -> str:
    """Every word, each as a quoted prefix (``"bangun"*`` finds bangunan): no FTS5 syntax from the
    visitor survives, since a word has no quote in it."""
    return " ".join(f'"{w}"*' for w in words)


def _search_sqlite(session: Session, village_id: int, words: list[str], offset: int, limit: int) -> list[Hit]:
    fts: Any = literal_column("post_fts")
    title = func.highlight(fts, 0, START, STOP)
    summary = func.highlight(fts, 1, START, STOP)
    snippet = func.snippet(fts, 2, START, STOP, "", 24)
    rank = func.bm25(fts, 10.0, 4.0, 1.0, type_=Float)  # lower is better
    query = (
        _published(village_id)
        .join(_FTS, _FTS.c.rowid == col(Post.id))
        .where(fts.op("MATCH")(bindparam("match", _fts_query(words), type_=String)))
        .add_columns(title, summary, snippet)
        .order_by(rank, col(Post.published_at).desc(), col(Post.id).desc())
        .offset(offset)
        .limit(limit)
    )
    hits: list[Hit] = []
    for post, t, s, body in session.execute(query).all():
        if START in (s or "") or not body or START not in body:
            excerpt = s or _plain(body or "")
        else:
            excerpt = "… " + _plain(body) + " …"
        hits.append(Hit(post, safe_highlight(t or post.title), safe_highlight(excerpt)))
    return hits
