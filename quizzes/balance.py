"""Bank-level statistics a test-wise learner exploits, measured per bank file.

Per question nothing is wrong with a key that happens to be the longest option, or with a true
statement that says 通常; across a file, a key that is rarely the longest (writers over-correct)
or statements with 只要/仅 that are nearly always false teach learners to guess. Each check
compares a file's counts with what chance gives for the same options.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .flaws import option_length
from .grading import normalise_answer
from .model import Kind, Question

__all__ = [
    "HEDGED",
    "MIN_CHOICE",
    "MIN_CUED",
    "RESTRICTIVE",
    "Imbalance",
    "cue_imbalances",
    "key_length_imbalances",
    "key_position_imbalances",
]

MIN_CHOICE = 40  # fewer choice questions than this say too little about a file
MIN_CUED = 5
Z_LIMIT = 2.5  # this many standard deviations from chance is no accident (2.5: ~1% by luck)
MAX_CUED_SHARE = 0.7  # at most this share of cued statements may go the way the cue suggests

# Words that make a statement sweeping: such statements are usually false.
RESTRICTIVE = re.compile(
    r"只要|足以|只需|只有|仅|唯一|一定|总是|必须|完全|所有|任何|无需|永远|从不|绝不|彻底|必然"
    r"|\b(always|never|only|all|any|must|guarantees?)\b",
    re.IGNORECASE,
)
# Words that hedge a statement: such statements are usually true.
HEDGED = re.compile(
    r"通常|一般|往往|大多|多数|常常|常见|可能|有时|倾向于"
    r"|\b(usually|often|typically|generally|may|might|can|tends? to)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Imbalance:
    code: str
    message: str


def key_length_imbalances(questions: Sequence[Question]) -> list[Imbalance]:
    """The key uniquely longest (or shortest) far more or less often than a random option."""
    choice = _choice(questions)
    if len(choice) < MIN_CHOICE:
        return []
    found = []
    for name, pick in (("longest", max), ("shortest", min)):
        hits, chance = [], []
        for question in choice:
            lengths = [option_length(option) for option in question.options]
            extreme = pick(lengths)
            unique = lengths.count(extreme) == 1
            hits.append(unique and lengths[_key_position(question)] == extreme)
            chance.append(1 / len(lengths) if unique else 0.0)
        deviation = _deviation(hits, chance)
        if deviation is not None:
            found.append(
                Imbalance(
                    "key-length-balance",
                    f"the key is the uniquely {name} option in {sum(hits)} of {len(choice)} "
                    f"choice questions, chance gives {sum(chance):.0f} ({deviation}): "
                    "learners can guess by length",
                )
            )
    return found


def key_position_imbalances(questions: Sequence[Question]) -> list[Imbalance]:
    """One option position holding the key far more or less often than chance."""
    choice = _choice(questions)
    if len(choice) < MIN_CHOICE:
        return []
    found = []
    for position in range(max(len(question.options) for question in choice)):
        hits = [_key_position(question) == position for question in choice]
        chance = [1 / len(q.options) if position < len(q.options) else 0.0 for q in choice]
        deviation = _deviation(hits, chance)
        if deviation is not None:
            found.append(
                Imbalance(
                    "key-position-balance",
                    f"option {position + 1} is the key in {sum(hits)} of {len(choice)} choice "
                    f"questions, chance gives {sum(chance):.0f} ({deviation})",
                )
            )
    return found


def cue_imbalances(questions: Sequence[Question]) -> list[Imbalance]:
    """True/false statements whose cue words predict the answer: sweeping ones (只要, 仅,
    always) nearly always false, hedged ones (通常, 一般, usually) nearly always true."""
    statements = [question for question in questions if question.kind == Kind.TRUE_FALSE]
    found = []
    for words, cued, name in ((RESTRICTIVE, "false", "sweeping"), (HEDGED, "true", "hedged")):
        matching = [question for question in statements if words.search(question.stem)]
        agreeing = sum(question.answer == cued for question in matching)
        if len(matching) >= MIN_CUED and agreeing > MAX_CUED_SHARE * len(matching):
            found.append(
                Imbalance(
                    "tf-cue-balance",
                    f"{agreeing} of {len(matching)} {name} true/false statements are {cued} "
                    f"(at most {MAX_CUED_SHARE:.0%}): the cue word gives the answer away",
                )
            )
    return found


def _choice(questions: Sequence[Question]) -> list[Question]:
    return [q for q in questions if q.kind == Kind.CHOICE and len(q.options) >= 2]


def _key_position(question: Question) -> int:
    keys = [normalise_answer(option) for option in question.options]
    key = normalise_answer(question.answer)
    return keys.index(key) if key in keys else -1


def _deviation(hits: Sequence[bool], chance: Sequence[float]) -> str | None:
    """'z = …' when the count of hits lies beyond Z_LIMIT standard deviations of chance."""
    expected = sum(chance)
    spread = math.sqrt(sum(p * (1 - p) for p in chance))
    if spread == 0:
        return None
    z = (sum(hits) - expected) / spread
    return f"z = {z:+.1f}" if abs(z) >= Z_LIMIT else None
