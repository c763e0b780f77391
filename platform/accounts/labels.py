"""How roles and contacts are written for people (translated for the current request)."""

from __future__ import annotations

from etalase.platform.accounts.identity import display_phone
from etalase.platform.i18n import _


def role_label(role: str | None) -> str:
    if role is None:
        return ""
    return {"admin": _("Admin"), "editor": _("Editor"), "kontributor": _("Kontributor")}.get(role, role)


def contact(value: str | None) -> str:
    """An email as is; an E.164 number the way villagers write it (``0812-3456-7890``)."""
    if not value:
        return ""
    return display_phone(value) if value.startswith("+") else value
