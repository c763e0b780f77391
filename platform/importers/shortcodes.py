"""WordPress shortcodes (``[caption]…[/caption]``, ``[gallery ids="1,2"]``, ``[embed]url[/embed]``).

WordPress expands them when it shows a page; an export holds them raw. Only shortcodes WordPress
itself ships are known by name; anything else counts as a shortcode only when it looks like one
(``name attr="…"`` or a matching ``[/name]``), so bracketed prose such as ``[Foto: Dok. Desa]`` or
``[1]`` stays text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

BUILT_IN = frozenset({"caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"})
# Bounded and without adjacent overlapping quantifiers: a body is untrusted and may be long.
_TAG = re.compile(r"\[(?P<name>[A-Za-z][\w-]{0,60})(?P<attrs>\s[^\[\]]{0,4000})?\]")
_CLOSER = re.compile(r"\[/([A-Za-z][\w-]{0,60})\]")
_OPENER = re.compile(r"\[([A-Za-z][\w-]{0,60})(?=[\s\]/])")
MAX_DEPTH = 4
_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)"""
    r"""|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)


@dataclass(slots=True, frozen=True)
class Shortcode:
    name: str
    attrs: dict[str, str]
    positional: tuple[str, ...]
    content: str | None  # None for a self-closing shortcode


Handler = Callable[[Shortcode], str]


def parse_attrs(text: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """WordPress's ``shortcode_parse_atts``: named values (names lowercased) and positional ones."""
    attrs: dict[str, str] = {}
    positional: list[str] = []
    text = text.replace("\u00a0", " ").replace("\u200b", " ")
    for m in _ATTR.finditer(text.strip() + " "):
        if m.group(1):
            attrs[m.group(1).lower()] = m.group(2)
        elif m.group(3):
            attrs[m.group(3).lower()] = m.group(4)
        elif m.group(5):
            attrs[m.group(5).lower()] = m.group(6)
        else:
            value = next((g for g in m.group(7, 8, 9) if g is not None), "")
            positional.append(value)
    return attrs, tuple(positional)


def _positions(pattern: re.Pattern[str], body: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for match in pattern.finditer(body):
        found.setdefault(match.group(1), []).append(match.start())
    return found


def _first_at_or_after(positions: list[int], pos: int) -> int | None:
    index = bisect_left(positions, pos)
    return positions[index] if index < len(positions) else None


def expand(body: str, handler: Handler, *, _depth: int = 0) -> str:
    """``body`` with every shortcode replaced by ``handler(shortcode)``; nested ones are expanded
    inside the content before the outer handler sees it. ``[[name]]`` is WordPress's escape and
    becomes the literal ``[name]``."""
    closers = _positions(_CLOSER, body)
    openers = _positions(_OPENER, body)
    out: list[str] = []
    pos = 0
    while True:
        match = _TAG.search(body, pos)
        if match is None:
            break
        name = match.group("name")
        raw_attrs = (match.group("attrs") or "").strip()
        self_closing = raw_attrs.endswith("/")
        raw_attrs = raw_attrs.removesuffix("/")
        close = None if self_closing else _first_at_or_after(closers.get(name, []), match.end())
        if not (name.lower() in BUILT_IN or "=" in raw_attrs or close is not None):
            out.append(body[pos : match.start() + 1])
            pos = match.start() + 1
            continue
        start, end = match.start(), match.end()
        content = None
        if close is not None:
            # Enclosing only if no other opening of the same name comes first (then this one is
            # self-closing and the later one owns the closer).
            again = _first_at_or_after(openers.get(name, []), end)
            if again is None or again > close:
                content, end = body[end:close], close + len(name) + 3
        if start > 0 and body[start - 1] == "[" and body[end : end + 1] == "]":
            out.append(body[pos : start - 1] + body[start:end])
            pos = end + 1
            continue
        attrs, positional = parse_attrs(raw_attrs)
        inner = content
        if content is not None and _depth < MAX_DEPTH:
            inner = expand(content, handler, _depth=_depth + 1)
        out.append(body[pos:start])
        out.append(handler(Shortcode(name.lower(), attrs, positional, inner)))
        pos = end
    out.append(body[pos:])
    return "".join(out)


_STRAY_CLOSER = re.compile(r"\[/(?:" + "|".join(sorted(BUILT_IN)) + r")\]", re.IGNORECASE)


def drop_stray_closers(body: str) -> str:
    return _STRAY_CLOSER.sub("", body)
