"""UI translations: Bahasa Indonesia is the source language, English comes from a catalog.

Every text a person reads is written in Indonesian in the code, and that text is the msgid:
``{% trans %}…{% endtrans %}`` / ``_("…")`` in templates, ``_("…")`` in Python, called at the moment
the message is built (never at import time: the language belongs to the request). A text that has
to be defined at import time (a module-level table) is marked with :func:`N_` and translated with
``_(text)`` where it is shown.

The language is Indonesian unless the visitor chose another one explicitly (the ``bahasa`` cookie
set by ``/bahasa/<code>``); the browser's Accept-Language is deliberately ignored, since many
Indonesian phones are set to English. The current request's language lives in a ContextVar set by
:class:`etalase.platform.web.language.LanguageMiddleware`.

Catalogs are the committed ``locale/<lang>/LC_MESSAGES/messages.po`` files, compiled in memory once
per process (no ``.mo`` files in the repository). ``scripts/i18n extract`` refreshes them from the
code, ``scripts/i18n check`` lists what is still untranslated.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import HTTPConnection

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"
COOKIE = "bahasa"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# The locale Babel formats dates and numbers with, per language.
BABEL_LOCALES = {"id": "id_ID", "en": "en"}

_current: ContextVar[str] = ContextVar("etalase_language", default=DEFAULT)


# --- which language ---------------------------------------------------------------------------
def language_of(request: HTTPConnection) -> str:
    """The language a request is served in: an explicit choice, or Indonesian.

    Only a choice the person made counts: today the ``bahasa`` cookie. (A signed-in user's saved
    preference goes here, before the cookie.) Accept-Language is never consulted.
    """
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


def current_language() -> str:
    """The language of the request being handled (``"id"`` outside a request)."""
    return _current.get()


def babel_locale() -> str:
    """The Babel locale for dates and numbers in the current language: ``id_ID`` or ``en``."""
    return BABEL_LOCALES.get(_current.get(), BABEL_LOCALES[DEFAULT])


@contextmanager
def use_language(code: str) -> Iterator[str]:
    """Run a block in ``code`` (unknown codes mean Indonesian); the previous language comes back after."""
    token = _current.set(code if code in LANGUAGES else DEFAULT)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


# --- catalogs ---------------------------------------------------------------------------------
def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> _gettext.NullTranslations:
    """The compiled catalog of a language, once per process. Indonesian is the source: no catalog."""
    path = catalog_path(code)
    if code == DEFAULT or code not in LANGUAGES or not path.is_file():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


# --- translating ------------------------------------------------------------------------------
def gettext(message: str) -> str:
    """``message`` (Indonesian) in the current language."""
    if not message:  # gettext("") would return the catalog's header
        return message
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, disambiguated by ``context`` (same text, other meaning)."""
    return translations(_current.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).npgettext(context, singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``message`` for extraction without translating it; translate with ``_(value)`` when shown."""
    return message


_ = gettext
