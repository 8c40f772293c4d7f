"""Rules that look at one question at a time: fields, the kind's contract, the curriculum,
sources, and per-question item-writing flaws. Generators run these on every candidate."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlparse

from curriculum import CurriculumError, lesson_for, load_plan

from . import flaws
from .grading import match_key
from .model import ID_PATTERN, Kind, Question, Source
from .rules import Finding

__all__ = ["check_question", "lesson_problem", "source_lesson_exists"]

BLANK = "____"
MAX_EXPLANATION_CHARS = 400
MAX_EXPLANATION_SENTENCES = 3
LANGUAGES = frozenset({"zh", "en"})
_PROVENANCE = re.compile(r"curated|structural|llm:\S+")
_ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}(v\d+)?|[a-z][a-z.\-]*/\d{7}(v\d+)?")
_SENTENCE_END = re.compile(r"[。！？!?；]+|\.(\s|$)")


def check_question(question: Question) -> list[Finding]:
    return [
        *_field_findings(question),
        *_kind_findings(question),
        *_curriculum_findings(question),
        *_flaw_findings(question),
    ]


def _field_findings(question: Question) -> list[Finding]:
    found = []
    if not ID_PATTERN.fullmatch(question.id):
        found.append(Finding("id-format", f"id {question.id!r} is not 16 lowercase hex digits"))
    if not 1 <= question.version:
        found.append(Finding("version", f"version {question.version} is below 1"))
    if not 1 <= question.difficulty <= 5:
        found.append(Finding("difficulty", f"difficulty {question.difficulty} is not 1-5"))
    if question.language not in LANGUAGES:
        found.append(Finding("language", f"language {question.language!r} is not zh or en"))
    if not _PROVENANCE.fullmatch(question.provenance):
        found.append(
            Finding(
                "provenance",
                f"provenance {question.provenance!r} is not curated, structural or llm:<model>",
            )
        )
    found += _explanation_findings(question.explanation)
    return found


def _explanation_findings(explanation: str) -> list[Finding]:
    text = explanation.strip()
    if not text:
        return [Finding("explanation-empty", "the explanation is empty")]
    if len(text) > MAX_EXPLANATION_CHARS:
        return [
            Finding(
                "explanation-long",
                f"the explanation has {len(text)} characters (at most {MAX_EXPLANATION_CHARS})",
            )
        ]
    sentences = [part for part in _SENTENCE_END.split(text) if part and part.strip()]
    if len(sentences) > MAX_EXPLANATION_SENTENCES:
        return [
            Finding(
                "explanation-sentences",
                f"the explanation has {len(sentences)} sentences; 1-3 read best on a card",
            )
        ]
    return []


def _kind_findings(question: Question) -> list[Finding]:
    if question.kind == Kind.CHOICE:
        return _choice_findings(question)
    found = []
    if question.options:
        found.append(Finding("options-unexpected", f"a {question.kind} question has no options"))
    if question.kind == Kind.TRUE_FALSE:
        if question.answer not in ("true", "false"):
            found.append(
                Finding("tf-answer", f"answer {question.answer!r} is neither true nor false")
            )
        return found
    if not question.answer.strip():
        found.append(Finding("answer-empty", "the answer is empty"))
    if question.kind == Kind.CLOZE:
        if BLANK not in question.stem:
            found.append(Finding("cloze-blank", f"the stem has no {BLANK} blank"))
        found += _answer_in_stem(question, (question.answer, *question.accepted))
    return found


def _choice_findings(question: Question) -> list[Finding]:
    found = []
    options = question.options
    if not 2 <= len(options) <= 6:
        found.append(Finding("options-count", f"{len(options)} options; a choice question has 2-6"))
    keys = [match_key(option) for option in options]
    if len(set(keys)) != len(keys):
        found.append(Finding("options-duplicate", "two options read the same once normalised"))
    if not question.answer.strip():
        found.append(Finding("answer-empty", "the answer is empty"))
    elif match_key(question.answer) not in keys:
        found.append(
            Finding("answer-not-option", f"answer {question.answer!r} is not one of the options")
        )
    for option in options:
        if flaws.is_all_or_none_of_above(option):
            found.append(
                Finding("all-none-of-above", f"option {option!r} is an all/none-of-the-above")
            )
    found += _answer_in_stem(question, (question.answer,))
    return found


def _answer_in_stem(question: Question, answers: tuple[str, ...]) -> list[Finding]:
    stem = match_key(question.stem)
    for answer in answers:
        key = match_key(answer)
        if len(key) >= 2 and key in stem:
            return [Finding("answer-in-stem", f"the stem contains the answer {answer!r}")]
    return []


def _curriculum_findings(question: Question) -> list[Finding]:
    found = []
    problem = lesson_problem(question.plan, question.track, question.day)
    if problem is not None:
        found.append(Finding(*problem))
    if not question.sources:
        found.append(Finding("sources-empty", "the question names no source"))
    for source in question.sources:
        found += _source_findings(source)
    return found


def _source_findings(source: Source) -> list[Finding]:
    found = []
    if not source_lesson_exists(source.lesson):
        found.append(Finding("source-lesson", f"source lesson {source.lesson!r} does not exist"))
    if source.url is not None and not _is_web_url(source.url):
        found.append(Finding("source-url", f"source URL {source.url!r} is not an http(s) URL"))
    if source.arxiv_id is not None and not _ARXIV_ID.fullmatch(source.arxiv_id):
        found.append(
            Finding("source-arxiv", f"arxiv_id {source.arxiv_id!r} is not an arXiv identifier")
        )
    return found


def _is_web_url(url: str) -> bool:
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlparse(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@cache
def _lesson_keys(plan: str) -> frozenset[str]:
    return frozenset(lesson.key for lesson in load_plan(plan).lessons)


@cache
def lesson_problem(plan: str, track: str | None, day: int) -> tuple[str, str] | None:
    """(code, message) when plan/track/day is not a lesson's own address, else None."""
    key = f"{plan}/{track or 'common'}/{day}"
    try:
        if key in _lesson_keys(plan):
            return None
        lesson = lesson_for(plan, track, day)
    except CurriculumError as error:
        return ("lesson-unknown", f"{key}: {error}")
    wanted = "null" if lesson.track is None else repr(lesson.track)
    return ("lesson-track", f"{key} is the lesson {lesson.key}: set track to {wanted}")


@cache
def source_lesson_exists(key: str) -> bool:
    plan, _, _ = key.partition("/")
    try:
        return key in _lesson_keys(plan)
    except CurriculumError:
        return False


def _flaw_findings(question: Question) -> list[Finding]:
    found = []
    if question.kind in (Kind.CHOICE, Kind.TRUE_FALSE):
        negation = flaws.unemphasised_negation(question.stem)
        if negation:
            found.append(
                Finding(
                    "negative-stem",
                    f"negative stem ({negation!r}): emphasise it (**不**, 「不」, NOT) "
                    "or ask positively",
                )
            )
    if question.kind == Kind.TRUE_FALSE:
        word = flaws.absolute_word(question.stem)
        if word:
            found.append(
                Finding("tf-absolute", f"absolute word {word!r} makes the statement guessable")
            )
    if question.kind == Kind.CHOICE and flaws.key_much_longer(question):
        found.append(
            Finding(
                "key-length",
                f"the key is more than {flaws.KEY_LENGTH_RATIO}x longer than every distractor",
            )
        )
    return found
