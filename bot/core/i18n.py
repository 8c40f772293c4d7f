"""Message catalogs (gettext `.po` files read with Babel), one translator per learner language.

The `.po` files are the source of truth and are compiled in memory at first use, so a checkout
runs without a separate compile step. Message ids are English; `zh` is the default language.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "tutorbot"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

Translate = Callable[[str], str]
# ngettext(singular, plural, n): the form for n in the language (Chinese has one form).
TranslatePlural = Callable[[str, str, int], str]


def normalise_language(code: str | None) -> str:
    """Map a platform locale hint like `zh-hans` or `en-US` onto a supported language."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _translations(language: str) -> gettext.NullTranslations:
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translator(language: str) -> Translate:
    return _translations(normalise_language(language)).gettext


def plural_translator(language: str) -> TranslatePlural:
    return _translations(normalise_language(language)).ngettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message
