"""The validator's rule catalogue: every code, its severity and what it means.

Errors fail validation; warnings are item-writing heuristics that are reported and fail only
with `--strict`. The README of the banks lists the same table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["RULES", "Finding", "Rule", "Severity", "severity_of"]


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    severity: Severity
    summary: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule of one question, before the validator adds where it is."""

    code: str
    message: str


_E, _W = Severity.ERROR, Severity.WARNING
RULES: dict[str, Rule] = {
    # files and records
    "yaml": Rule(_E, "the file is not a YAML list of records"),
    "schema": Rule(_E, "a field is missing, unknown or of the wrong type"),
    "bank-location": Rule(_E, "the question sits in another plan's or track's file"),
    # identity
    "id-missing": Rule(_E, "the record has no id yet: run `tutorbot bank fmt`"),
    "id-format": Rule(_E, "the id is not 16 lowercase hex digits"),
    "id-duplicate": Rule(_E, "two records share one id"),
    "version": Rule(_E, "version is not a positive integer"),
    # curriculum
    "lesson-unknown": Rule(_E, "plan/track/day name no lesson of the curriculum"),
    "lesson-track": Rule(_E, "the track does not match the lesson (shared days: track null)"),
    "sources-empty": Rule(_E, "a question names at least one source"),
    "source-lesson": Rule(_E, "a source's lesson key names no lesson"),
    "source-url": Rule(_E, "a source's URL is not an http(s) URL with a host"),
    "source-arxiv": Rule(_E, "a source's arxiv_id is not an arXiv identifier"),
    # fields
    "difficulty": Rule(_E, "difficulty is not 1-5"),
    "language": Rule(_E, "language is not zh or en"),
    "provenance": Rule(_E, "provenance is not curated, structural or llm:<model>"),
    "explanation-empty": Rule(_E, "the explanation is empty"),
    "explanation-long": Rule(_E, "the explanation is longer than 400 characters"),
    "explanation-sentences": Rule(_W, "the explanation has more than 3 sentences"),
    # kinds
    "options-count": Rule(_E, "a choice question has 2-6 options"),
    "options-unexpected": Rule(_E, "only choice questions have options"),
    "options-duplicate": Rule(_E, "two options are the same text after normalisation"),
    "answer-not-option": Rule(_E, "the answer of a choice question is not one of its options"),
    "answer-empty": Rule(_E, "the answer is empty"),
    "tf-answer": Rule(_E, "a true/false answer is not true or false"),
    "cloze-blank": Rule(_E, "a cloze stem has no ____ blank"),
    "answer-in-stem": Rule(_E, "the stem gives the answer away"),
    "all-none-of-above": Rule(_E, "an option is 'all/none of the above' (以上都对/以上皆非...)"),
    # the bank as a whole
    "duplicate-stem": Rule(_E, "two questions of one lesson have the same normalised stem"),
    # A warning: e5 puts reworded duplicates near 0.98 but also lets distinct questions on one
    # subject reach 0.95-0.97, so a person decides.
    "near-duplicate": Rule(_W, "two stems of one lesson embed above the similarity threshold"),
    "cross-lesson-repeat": Rule(
        _W, "two lessons that one learner meets ask the same question (stem and key embed alike)"
    ),
    # Per bank file, against chance: a learner who guesses by length, position or cue word
    # should do no better than one who guesses at random.
    "key-length-balance": Rule(
        _W, "the key is the uniquely longest or shortest option far more or less often than chance"
    ),
    "key-position-balance": Rule(_W, "one option position holds the key far more or less often"),
    "tf-cue-balance": Rule(
        _W,
        "sweeping true/false statements (只要, 仅) are nearly all false, or hedged ones (通常) true",
    ),
    # item-writing flaws
    "key-longest": Rule(_W, "in every choice question of a lesson the key is the longest option"),
    "key-length": Rule(_W, "the key is more than 1.8x longer than every distractor"),
    "negative-stem": Rule(_W, "a negative stem without emphasis (**不**, 「不」, NOT)"),
    "tf-absolute": Rule(_W, "a true/false statement with an absolute word (总是, 一定, never)"),
}


def severity_of(code: str) -> Severity:
    return RULES[code].severity
