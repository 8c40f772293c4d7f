"""Every message the code can say has a Chinese translation, and placeholders survive it."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, normalise_language, plural_translator, translator

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _extracted() -> list[str | tuple[str, ...]]:
    found = extract_from_dir(
        str(ROOT / "bot"),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    )
    return [message for _, _, message, _, _ in found]


def code_messages() -> set[str]:
    return {message for message in _extracted() if isinstance(message, str)}


def plural_messages() -> set[tuple[str, str]]:
    return {(message[0], message[1]) for message in _extracted() if isinstance(message, tuple)}


def test_every_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "tutorbot.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {message.id: message.string for message in catalog if message.id}
    messages = code_messages()
    assert len(messages) > 50
    missing = sorted(message for message in messages if not translated.get(message))
    assert not missing, f"untranslated: {missing}"
    for message in messages:
        assert sorted(PLACEHOLDER.findall(message)) == sorted(
            PLACEHOLDER.findall(translated[message])
        ), message


def test_every_plural_message_has_a_chinese_form_with_the_same_placeholders() -> None:
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "tutorbot.po").open("rb") as handle:
        catalog = read_po(handle)
    forms = {message.id: message.string for message in catalog if isinstance(message.id, tuple)}
    messages = plural_messages()
    assert len(messages) >= 5
    for singular, plural in messages:
        assert sorted(PLACEHOLDER.findall(singular)) == sorted(PLACEHOLDER.findall(plural))
        translated = forms.get((singular, plural))
        assert translated and translated[0], f"untranslated plural: {singular}"
        assert sorted(PLACEHOLDER.findall(singular)) == sorted(
            PLACEHOLDER.findall(translated[0])
        ), singular


def test_plural_forms_in_both_languages() -> None:
    english, chinese = plural_translator("en"), plural_translator("zh")
    one, many = "🔥 Streak: {days} day", "🔥 Streak: {days} days"
    assert english(one, many, 1) == one and english(one, many, 2) == many
    assert chinese(one, many, 1) == chinese(one, many, 2) == "🔥 连续学习：{days} 天"


def test_translator_picks_the_language() -> None:
    assert translator("zh")("Cancel") == "取消"
    assert translator("en")("Cancel") == "Cancel"
    assert normalise_language("zh-hans") == "zh"
    assert normalise_language("en-US") == "en"
    assert normalise_language("fr") == "zh"
    assert normalise_language(None) == "zh"
