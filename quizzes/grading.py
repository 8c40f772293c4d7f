"""Automatic grading of choice, true/false and cloze answers; recall is rated by the learner."""

from __future__ import annotations

import re
import unicodedata

from .model import Kind, Question

__all__ = ["grade", "match_key", "normalise_answer", "parse_truth"]

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# A space next to a CJK character is layout, not meaning ("注意力 机制" is "注意力机制").
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")

_TRUE_WORDS = frozenset(
    "true t yes y right correct 对 是 正确 真 对的 是的 正确的 √ ✓ ✔ ⭕ ○".split()
)
_FALSE_WORDS = frozenset(
    "false f no n wrong incorrect 错 否 错误 假 不对 不是 不正确 错的 错误的 × ✗ ✘ ❌ x".split()
)
_LETTERS = "abcdef"


def normalise_answer(text: str) -> str:
    """Fold the differences a learner does not mean: full/half width (NFKC), case, punctuation
    (Chinese punctuation included) and runs of whitespace."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Punctuation becomes a space so "Self-Attention" reads as "self attention".
    spaced = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in folded)
    collapsed = " ".join(spaced.split())
    return _CJK_SPACE.sub("", collapsed)


def match_key(text: str) -> str:
    """What two answers must share to count as the same: the normalised text without spaces,
    so "self attention", "Self-Attention" and "selfattention" agree."""
    return normalise_answer(text).replace(" ", "")


def parse_truth(text: str) -> bool | None:
    """True/false words in Chinese and English; None when the text is neither."""
    word = normalise_answer(text)
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def grade(question: Question, response: str) -> bool:
    """Whether `response` answers `question`. Recall cards are self-rated and raise ValueError."""
    if question.kind == Kind.CHOICE:
        chosen = _chosen_option(question.options, response)
        return chosen is not None and match_key(chosen) == match_key(question.answer)
    if question.kind == Kind.TRUE_FALSE:
        truth, expected = parse_truth(response), parse_truth(question.answer)
        return truth is not None and truth == expected
    if question.kind == Kind.CLOZE:
        given = match_key(response)
        return bool(given) and any(
            given == match_key(accepted) for accepted in (question.answer, *question.accepted)
        )
    raise ValueError(f"{question.kind} questions are rated by the learner, not graded")


def _chosen_option(options: tuple[str, ...], response: str) -> str | None:
    """An option's text wins over its position, so an option that reads "2" stays itself."""
    given = match_key(response)
    for option in options:
        if match_key(option) == given:
            return option
    position = None
    if given.isdigit():
        position = int(given) - 1
    elif len(given) == 1 and given in _LETTERS:
        position = _LETTERS.index(given)
    if position is not None and 0 <= position < len(options):
        return options[position]
    return None
