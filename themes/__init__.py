"""Shared themes: one folder per theme with a manifest, Jinja2 templates and static files."""

from pathlib import Path

THEMES_DIR = Path(__file__).resolve().parent
