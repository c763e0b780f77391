"""HTTP: host routing, the portal, the village site."""
