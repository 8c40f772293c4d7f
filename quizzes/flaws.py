"""Item-writing flaws a rule can spot: giveaway option lengths, unemphasised negative stems,
absolute words in true/false statements, "all/none of the above" options."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .grading import normalise_answer
from .model import Question

__all__ = [
    "KEY_LENGTH_RATIO",
    "absolute_word",
    "all_keys_longest",
    "is_all_or_none_of_above",
    "key_is_longest",
    "key_much_longer",
    "option_length",
    "unemphasised_negation",
]

KEY_LENGTH_RATIO = 1.8

_ALL_OR_NONE = re.compile(
    r"(以上|上述)(各项|选项|说法|答案|几项)?(都|皆|均|全)"
    r"|^(都对|都不对|全对|全错|全部正确|全部错误|都正确|都不正确)$"
    r"|\b(all|none|both|neither) of (the )?(above|these)\b"
)
# Spans a writer uses to stress a word; a negation inside them is the emphasis asked for.
_EMPHASIS = re.compile(
    r"\*\*[^*]+\*\*|\*[^*]+\*|「[^」]*」|【[^】]*】|<(b|u|strong|em)>.*?</\1>", re.IGNORECASE
)
_NEGATION_ZH = re.compile(
    r"不正确|不属于|不是|不包括|不包含|不能|不应|不会|不需要|不适合|不适用|不符合|不支持|不可以"
    r"|不可能|不涉及|不必|错误的是|错误的一项|没有|并非|除了"
)
_NEGATION_EN = re.compile(r"\b(not|except|cannot|never)\b|n't\b", re.IGNORECASE)
_ABSOLUTE = re.compile(
    r"总是|一定|从不|从来|永远|绝对|绝不|必定|必然|任何情况"
    r"|\b(always|never|invariably|in all cases|under no circumstances)\b",
    re.IGNORECASE,
)


def is_all_or_none_of_above(option: str) -> bool:
    return bool(_ALL_OR_NONE.search(normalise_answer(option)))


def unemphasised_negation(stem: str) -> str | None:
    """The first negation left plain: Chinese 不/没有-style words outside emphasis, English
    not/except unless written in capitals (NOT, EXCEPT)."""
    plain = _EMPHASIS.sub(" ", stem)
    found = _NEGATION_ZH.search(plain)
    if found:
        return found.group(0)
    for match in _NEGATION_EN.finditer(plain):
        if match.group(0) != match.group(0).upper():
            return match.group(0)
    return None


def absolute_word(statement: str) -> str | None:
    found = _ABSOLUTE.search(statement)
    return found.group(0) if found else None


def option_length(text: str) -> int:
    """Length as a learner compares options: normalised, so punctuation does not count."""
    return len(normalise_answer(text))


def _distractors(question: Question) -> list[str]:
    key = normalise_answer(question.answer)
    return [option for option in question.options if normalise_answer(option) != key]


def key_is_longest(question: Question) -> bool:
    """Strictly longer than every distractor (a tie gives nothing away)."""
    distractors = _distractors(question)
    return bool(distractors) and option_length(question.answer) > max(
        map(option_length, distractors)
    )


def key_much_longer(question: Question, ratio: float = KEY_LENGTH_RATIO) -> bool:
    distractors = _distractors(question)
    return bool(distractors) and option_length(question.answer) > ratio * max(
        map(option_length, distractors)
    )


def all_keys_longest(questions: Sequence[Question], minimum: int = 3) -> bool:
    """True when a lesson's choice questions (at least `minimum`) all have the longest key."""
    return len(questions) >= minimum and all(map(key_is_longest, questions))
