"""Text that can be stored and shown: PostgreSQL refuses NUL characters in text, and a lone
surrogate (from a JSON `\\ud800` escape or a broken terminal) cannot be encoded at all."""

from __future__ import annotations


def readable(text: str | None) -> bool:
    if text is None:
        return True
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def cleaned(text: str) -> str:
    """A display name or chat title made storable (names are shown, never parsed)."""
    if readable(text):
        return text
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def small_number(text: str, digits: int = 9) -> int | None:
    """ASCII digits only: `str.isdigit()` accepts `²`, which `int()` refuses, and a number of
    thousands of digits is no day or button anyone means."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None
