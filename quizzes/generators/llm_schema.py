"""The structured-output contract with the LLM: the JSON schemas sent as `response_format`,
and parsing of what comes back (which may ignore the schema entirely)."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from curriculum import Lesson

from ..grading import parse_truth
from ..model import Kind, Question, content_hash
from .drafting import lesson_sources, topic_of

__all__ = [
    "ANSWER_SCHEMA_NAME",
    "GENERATION_SCHEMA_NAME",
    "GeneratedQuestion",
    "answer_format",
    "generation_format",
    "parse_generation",
    "to_question",
]

GENERATION_SCHEMA_NAME = "quiz_questions"
ANSWER_SCHEMA_NAME = "quiz_answer"
UNKNOWN = "unknown"

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
# Strict mode needs every property required and no extra ones; it does not take
# minimum/maximum, so ranges are enums and the parser checks the rest.
_QUESTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "kind",
        "topic",
        "stem",
        "options",
        "answer",
        "accepted",
        "explanation",
        "difficulty",
        "language",
    ],
    "properties": {
        "kind": {"type": "string", "enum": [str(kind) for kind in Kind]},
        "topic": _STRING,
        "stem": _STRING,
        "options": _STRINGS,
        "answer": _STRING,
        "accepted": _STRINGS,
        "explanation": _STRING,
        "difficulty": {"type": "integer", "enum": [1, 2, 3, 4, 5]},
        "language": {"type": "string", "enum": ["zh", "en"]},
    },
}


class GeneratedQuestion(BaseModel):
    """One question as the schema above describes it; anything else is rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Literal["choice", "true_false", "cloze", "recall"]
    topic: str
    stem: str = Field(min_length=1)
    options: list[str]
    answer: str
    accepted: list[str]
    explanation: str
    difficulty: int = Field(ge=1, le=5)
    language: Literal["zh", "en"]


def generation_format() -> dict[str, Any]:
    """`response_format` for generation. vLLM >= 0.12 ignores the legacy `guided_json` request
    field without a word, so the schema goes only through the OpenAI-standard `json_schema`."""
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["questions"],
        "properties": {"questions": {"type": "array", "items": _QUESTION_SCHEMA}},
    }
    return _json_schema(GENERATION_SCHEMA_NAME, schema)


def answer_format(question: Question, options: list[str]) -> dict[str, Any]:
    """`response_format` for the answerability check: the options (or true/false) as an enum,
    plus "unknown" so the model can say the source does not tell."""
    if question.kind == Kind.RECALL:
        answer: dict[str, Any] = {"type": "boolean"}
        name = "supported"
    else:
        name = "answer"
        answer = dict(_STRING)
        if question.kind == Kind.CHOICE:
            answer["enum"] = [*options, UNKNOWN]
        elif question.kind == Kind.TRUE_FALSE:
            answer["enum"] = ["true", "false", UNKNOWN]
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": [name],
        "properties": {name: answer},
    }
    return _json_schema(ANSWER_SCHEMA_NAME, schema)


def _json_schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def load_json(content: str | None) -> Any:
    """The reply as JSON; a Markdown code fence around it is tolerated. Raises ValueError."""
    text = (content or "").strip()
    fenced = _FENCE.match(text)
    return json.loads(fenced.group(1) if fenced else text)


def parse_generation(content: str | None) -> tuple[list[GeneratedQuestion], Counter[str]]:
    """Questions that fit the schema, and rejection counts: "unparseable" when the reply is
    not JSON (one per reply, the number of questions being unknown), "schema" per bad item."""
    rejected: Counter[str] = Counter()
    try:
        data = load_json(content)
    except ValueError:
        rejected["unparseable"] += 1
        return [], rejected
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        rejected["schema"] += 1
        return [], rejected
    parsed = []
    for item in items:
        try:
            parsed.append(GeneratedQuestion.model_validate(item))
        except ValidationError:
            rejected["schema"] += 1
    return parsed, rejected


def to_question(item: GeneratedQuestion, lesson: Lesson, model: str) -> Question:
    kind = Kind(item.kind)
    answer = item.answer.strip()
    if kind == Kind.TRUE_FALSE:
        truth = parse_truth(answer)
        answer = answer if truth is None else ("true" if truth else "false")
    # Models fill every array the schema has; only choice keeps options, only cloze accepted.
    options = tuple(o.strip() for o in item.options) if kind == Kind.CHOICE else ()
    accepted = tuple(a.strip() for a in item.accepted if a.strip()) if kind == Kind.CLOZE else ()
    stem = item.stem.strip()
    return Question(
        id=content_hash(
            lesson.plan, lesson.track, lesson.day, kind, stem, options, answer, accepted
        ),
        plan=lesson.plan,
        track=lesson.track,
        day=lesson.day,
        topic=item.topic.strip() or topic_of(lesson),
        kind=kind,
        stem=stem,
        answer=answer,
        explanation=item.explanation.strip(),
        sources=lesson_sources(lesson),
        difficulty=item.difficulty,
        options=options,
        accepted=accepted,
        language=item.language,
        provenance=f"llm:{model}",
    )
