"""Share cards: the 1200×630 PNG a chat app or social site shows under a shared link when a post has
no photo of its own (and for the home page).

Drawn with Pillow from the village's name, the title and the theme's primary colour; no font is
downloaded: DejaVu from the system when present, else Pillow's own scalable default font. A card
is named by a hash of everything drawn on it (:func:`card_key`), so the same inputs give the same
bytes, the same ETag and the same cache entry in every process.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
DESIGN = "1"  # bump when the drawing changes: every card gets a new key
DEFAULT_COLOR = "#1f6f43"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True, slots=True)
class CardText:
    """What a card shows: ``headline`` large (the post's title, or the village's name on the home
    card), ``kicker`` small above it, ``footer`` along the bottom."""

    kicker: str
    headline: str
    footer: str
    color: str = DEFAULT_COLOR


def clean_color(value: object, default: str = DEFAULT_COLOR) -> str:
    return value.lower() if isinstance(value, str) and _HEX.match(value) else default


def card_key(text: CardText) -> str:
    """A hex digest of everything drawn: the cache key, the ETag and the ``?v=`` of the URL."""
    raw = "\x1f".join((DESIGN, text.kicker, text.headline, text.footer, clean_color(text.color)))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


@functools.lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> FontType:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        path = folder / name
        if path.is_file():
            try:
                return ImageFont.truetype(str(path), size)
            except OSError:
                continue
    try:
        return ImageFont.load_default(size=size)  # Pillow ≥ 10.1 with FreeType: scalable
    except (TypeError, OSError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def _rgb(color: str) -> tuple[int, int, int]:
    value = clean_color(color)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near-black, whichever reads better on the village's colour (any colour it picks)."""
    lum = _luminance(background)
    white = 1.05 / (lum + 0.05)
    dark = (lum + 0.05) / (_luminance((20, 24, 22)) + 0.05)
    return (255, 255, 255) if white >= dark else (20, 24, 22)


def _length(font: FontType, text: str) -> float:
    return float(font.getlength(text))


def wrap(text: str, font: FontType, width: float) -> list[str]:
    """Words into lines no wider than ``width``; a word too long for a line is cut."""
    lines: list[str] = []
    line = ""
    for whole in text.split():
        word = whole
        while _length(font, word) > width:  # a long URL or a name without spaces
            cut = len(word)
            while cut > 1 and _length(font, word[:cut]) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if _length(font, candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _fit(text: str, width: float, height: float) -> tuple[FontType, list[str], int]:
    """The largest size (72 down to 36 px) at which ``text`` fits the box; at the smallest, the
    lines that fit, the last one ending in an ellipsis."""
    for size in range(72, 35, -4):
        font = _font(size, True)
        step = round(size * 1.22)
        lines = wrap(text, font, width)
        if len(lines) * step <= height:
            return font, lines, step
    font = _font(36, True)
    step = round(36 * 1.22)
    lines = wrap(text, font, width)
    room = max(1, int(height // step))
    if len(lines) > room:
        last = lines[room - 1]
        while last and _length(font, last + "…") > width:
            last = last[:-1]
        lines = [*lines[: room - 1], last.rstrip() + "…"]
    return font, lines, step


def _one_line(text: str, font: FontType, width: float) -> str:
    if _length(font, text) <= width:
        return text
    while text and _length(font, text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render_card(text: CardText) -> bytes:
    """The PNG bytes (about 20 KB: a flat colour and text compress well as a palette image)."""
    background = _rgb(text.color)
    ink = _ink(background)
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    # A band across the top in the ink colour: the card reads as the village's, not as an ad.
    draw.rectangle((0, 0, WIDTH, 14), fill=ink)
    kicker_font = _font(34, True)
    draw.text((MARGIN, MARGIN), _one_line(text.kicker, kicker_font, inner), font=kicker_font, fill=ink)
    footer_font = _font(28, False)
    footer_y = HEIGHT - MARGIN - 28
    draw.line((MARGIN, footer_y - 28, WIDTH - MARGIN, footer_y - 28), fill=ink, width=2)
    draw.text((MARGIN, footer_y), _one_line(text.footer, footer_font, inner), font=footer_font, fill=ink)
    top = MARGIN + 34 + 40
    box = footer_y - 56 - top
    font, lines, step = _fit(text.headline or text.kicker, inner, box)
    y = top + max(0, (box - len(lines) * step) // 2)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=ink)
        y += step
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=False)
    return out.getvalue()
