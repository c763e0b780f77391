"""Profil desa: the village's structured profile (history, vision and mission, officials, BPD,
population, area, boundaries, location, office and its hours)."""
