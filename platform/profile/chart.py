"""The population as a small bar chart drawn on the server (SVG, no script, no library).

The chart is a picture of the table printed beside it: the table is what screen readers and
copy-paste use, the SVG carries one summary label. Colours come from the theme's CSS (classes),
never inline styles, so every theme and the public CSP apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from etalase.platform.i18n import _
from etalase.platform.profile.models import VillageProfile

BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 120
BAR_WIDTH = 200  # the longest bar
VALUE_WIDTH = 80
WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    kind: str  # css modifier: sex or age
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + 6


def rows(profile: VillageProfile) -> list[tuple[str, int, str]]:
    """(label, value, kind) of every figure the team entered, sex first, then the age groups."""
    found: list[tuple[str, int | None, str]] = [
        (_("Laki-laki"), profile.population_male, "sex"),
        (_("Perempuan"), profile.population_female, "sex"),
        (_("0–5 tahun"), profile.age_0_5, "age"),
        (_("6–17 tahun"), profile.age_6_17, "age"),
        (_("18–59 tahun"), profile.age_18_59, "age"),
        (_("60 tahun ke atas"), profile.age_60_plus, "age"),
    ]
    return [(name, value, kind) for name, value, kind in found if value is not None]


def population_chart(profile: VillageProfile | None) -> Chart | None:
    """Bars scaled to the largest figure; None when there is nothing to draw."""
    if profile is None:
        return None
    figures = rows(profile)
    if not figures:
        return None
    largest = max(value for _name, value, _kind in figures) or 1
    bars = []
    for index, (name, value, kind) in enumerate(figures):
        width = round(BAR_WIDTH * value / largest)
        bars.append(Bar(name, value, kind, index * (BAR_HEIGHT + GAP), max(width, 1 if value else 0)))
    return Chart(bars, len(bars) * (BAR_HEIGHT + GAP) - GAP)
