"""Question generation with an OpenAI-compatible LLM (vLLM in production), grounded on the lesson
text and optionally on retrieved passages.

Each candidate must parse against the schema, pass the validator's per-question rules, not
repeat the bank, and survive a blind answerability check (a second call that sees only the
source and the question must find the key). Accepted questions are written after every lesson,
with a small state file beside the output, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openai
from tqdm import tqdm

from curriculum import Lesson

from ..banks import entry_of, read_records, write_bank
from ..checks import check_question
from ..grading import grade, match_key
from ..model import Kind, Question
from ..similarity import DEFAULT_THRESHOLD, Embedder
from .llm_prompts import answer_messages, generation_messages, source_text
from .llm_schema import (
    UNKNOWN,
    answer_format,
    generation_format,
    load_json,
    parse_generation,
    to_question,
)

__all__ = ["ContextProvider", "Summary", "generate_questions", "state_path"]

# Retrieval plugs in here: passages that ground a lesson's questions beyond its own text.
ContextProvider = Callable[[Lesson], Awaitable[list[str]]]


@dataclass
class Summary:
    out: Path
    lessons: int = 0  # asked for in this run
    skipped: int = 0  # done by an earlier run
    done: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # "lesson: error", LLM unreachable etc.

    @property
    def failed(self) -> int:
        return len(self.failures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "lessons": self.lessons,
            "skipped": self.skipped,
            "done": self.done,
            "failed": self.failed,
            "accepted": self.accepted,
            "rejected": dict(sorted(self.rejected.items())),
            "failures": self.failures,
        }

    def format(self) -> str:
        lines = [
            f"lessons: {self.lessons} ({self.done} done, {self.skipped} skipped as done before, "
            f"{self.failed} failed)",
            f"accepted: {self.accepted} -> {self.out}",
            f"rejected: {sum(self.rejected.values())}",
        ]
        lines += [f"  {reason:<24} {count}" for reason, count in sorted(self.rejected.items())]
        lines += [f"failed: {failure}" for failure in self.failures]
        return "\n".join(lines)


def state_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.state.json")


@dataclass
class _Run:
    client: openai.AsyncOpenAI
    model: str
    per_lesson: int
    context_provider: ContextProvider | None
    embed: Embedder | None
    threshold: float
    summary: Summary
    stems: dict[str, list[str]]  # lesson key -> stems already in the bank or accepted
    written: list[Question]
    done: set[str]
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    embed_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


async def generate_questions(
    lessons: Sequence[Lesson],
    *,
    client: openai.AsyncOpenAI,
    model: str,
    out: Path,
    existing: Sequence[Question] = (),
    context_provider: ContextProvider | None = None,
    embed: Embedder | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    per_lesson: int = 3,
    concurrency: int = 4,
    progress: bool = True,
    fresh: bool = False,
) -> Summary:
    """Generate for every lesson not already done into `out` (`fresh` forgets what earlier runs
    did; their questions stay). A lesson the LLM fails on never raises: it is counted in
    `failures` and left for the next run."""
    written = _read_out(out)
    done = set() if fresh else _read_state(out)
    summary = Summary(out=out, lessons=len(lessons))
    stems: dict[str, list[str]] = {}
    for question in (*existing, *written):
        stems.setdefault(question.lesson_key, []).append(question.stem)
    run = _Run(
        client, model, per_lesson, context_provider, embed, threshold, summary, stems, written, done
    )
    todo = [lesson for lesson in lessons if lesson.key not in done]
    summary.skipped = len(lessons) - len(todo)
    semaphore = asyncio.Semaphore(max(1, concurrency))
    with tqdm(total=len(todo), unit="lesson", file=sys.stderr, disable=not progress) as bar:

        async def one(lesson: Lesson) -> None:
            async with semaphore:
                await _lesson(run, lesson)
            bar.update(1)

        await asyncio.gather(*(one(lesson) for lesson in todo))
    return summary


def _read_out(out: Path) -> list[Question]:
    if not out.exists():
        return []
    return [entry_of(record).question for record in read_records(out)]


def _read_state(out: Path) -> set[str]:
    path = state_path(out)
    if not path.exists():
        return set()
    return set(json.loads(path.read_text(encoding="utf-8")).get("done", []))


def _write_state(out: Path, model: str, done: set[str]) -> None:
    path = state_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(
        json.dumps({"model": model, "done": sorted(done)}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    temporary.replace(path)


async def _lesson(run: _Run, lesson: Lesson) -> None:
    summary = run.summary
    try:
        passages = await run.context_provider(lesson) if run.context_provider else []
    except Exception as error:  # retrieval is optional: a broken one fails this lesson only
        summary.failures.append(f"{lesson.key}: context: {error!r}")
        return
    source = source_text(lesson, passages)
    accepted: list[Question] = []
    try:
        reply = await _chat(
            run,
            generation_messages(source, run.per_lesson, run.stems.get(lesson.key, ())),
            generation_format(),
            temperature=0.7,
        )
        items, rejected = parse_generation(reply)
        summary.rejected.update(rejected)
        for item in items:
            question = to_question(item, lesson, run.model)
            reason = await _rejection(run, question, source)
            if reason:
                summary.rejected[reason] += 1
                continue
            accepted.append(question)
            run.stems.setdefault(lesson.key, []).append(question.stem)
    except openai.APIError as error:
        summary.failures.append(f"{lesson.key}: LLM: {_describe(error)}")
        return
    async with run.write_lock:
        run.written.extend(accepted)
        if run.written:
            write_bank(summary.out, run.written)
        run.done.add(lesson.key)
        _write_state(summary.out, run.model, run.done)
        summary.done += 1
        summary.accepted += len(accepted)


async def _rejection(run: _Run, question: Question, source: str) -> str | None:
    """Why the candidate is refused, or None. Cheap checks first; the LLM call last."""
    findings = check_question(question)
    if findings:
        return f"invalid:{findings[0].code}"
    if await _is_duplicate(run, question):
        return "duplicate"
    if not await _answerable(run, question, source):
        return "unanswerable"
    return None


async def _is_duplicate(run: _Run, question: Question) -> bool:
    known = run.stems.get(question.lesson_key, [])
    stem = match_key(question.stem)
    if any(match_key(other) == stem for other in known):
        return True
    if run.embed is None or not known:
        return False
    async with run.embed_lock:  # one embedding at a time: the model is not shared across threads
        vectors = await asyncio.to_thread(run.embed, [question.stem, *known])
    similarity = np.asarray(vectors[1:]) @ np.asarray(vectors[0])
    return bool((similarity >= run.threshold).any())


async def _answerable(run: _Run, question: Question, source: str) -> bool:
    options = list(question.options)
    # Shuffled so the checker cannot lean on the generator's option order.
    random.Random(question.id).shuffle(options)
    reply = await _chat(
        run,
        answer_messages(source, question, options),
        answer_format(question, options),
        temperature=0.0,
    )
    try:
        data = load_json(reply)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    if question.kind == Kind.RECALL:
        return data.get("supported") is True
    answer = data.get("answer")
    if not isinstance(answer, str) or answer.strip().casefold() == UNKNOWN:
        return False
    return grade(question, answer)


async def _chat(
    run: _Run, messages: list[dict[str, str]], response_format: dict[str, Any], temperature: float
) -> str | None:
    # Structured output only via `response_format` json_schema: vLLM >= 0.12 silently ignores
    # the legacy `guided_json` field, so relying on it would yield unconstrained text.
    request: dict[str, Any] = {
        "model": run.model,
        "messages": messages,
        "response_format": response_format,
        "temperature": temperature,
    }
    response = await run.client.chat.completions.create(**request)
    return response.choices[0].message.content if response.choices else None


def _describe(error: openai.APIError) -> str:
    status = getattr(error, "status_code", None)
    kind = type(error).__name__
    return f"{kind} (HTTP {status}): {error.message}" if status else f"{kind}: {error.message}"
