"""Every message the code can say has a Chinese translation, and placeholders survive it."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, normalise_language, translator

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def code_messages() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "bot"), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


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


def test_translator_picks_the_language() -> None:
    assert translator("zh")("Cancel") == "取消"
    assert translator("en")("Cancel") == "Cancel"
    assert normalise_language("zh-hans") == "zh"
    assert normalise_language("en-US") == "en"
    assert normalise_language("fr") == "zh"
    assert normalise_language(None) == "zh"
