"""Where the village office is, without a third-party request on page load.

The public page shows the coordinates and a link to OpenStreetMap: nothing is fetched from
openstreetmap.org until the reader taps it (no tiles, no script). The link works with JavaScript
off, and on a phone it opens the map app when one is registered for the site.
"""

from __future__ import annotations

from dataclasses import dataclass

from etalase.platform.profile.models import VillageProfile

OSM = "https://www.openstreetmap.org/"
ZOOM = 15  # streets and the buildings around the office


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float

    @property
    def lat_text(self) -> str:
        return f"{self.latitude:.6f}".rstrip("0").rstrip(".")

    @property
    def lon_text(self) -> str:
        return f"{self.longitude:.6f}".rstrip("0").rstrip(".")

    @property
    def osm_url(self) -> str:
        """``https://www.openstreetmap.org/?mlat=-7.7956&mlon=110.3695#map=15/-7.7956/110.3695``:
        a marker on the office, the map centred on it."""
        lat, lon = self.lat_text, self.lon_text
        return f"{OSM}?mlat={lat}&mlon={lon}#map={ZOOM}/{lat}/{lon}"

    @property
    def readable(self) -> str:
        """``7,7956° LS, 110,3695° BT``: how Indonesian maps write it (S/N = LS/LU, E = BT)."""
        north = "LU" if self.latitude >= 0 else "LS"
        lat = f"{abs(self.latitude):.4f}".replace(".", ",")
        lon = f"{abs(self.longitude):.4f}".replace(".", ",")
        return f"{lat}° {north}, {lon}° BT"


def location_of(profile: VillageProfile | None) -> Location | None:
    if profile is None or profile.latitude is None or profile.longitude is None:
        return None
    return Location(profile.latitude, profile.longitude)
