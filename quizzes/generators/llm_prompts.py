"""What the LLM is told: the lesson as source text, the writing rules, and the blind
answerability check that sees only the source and the question."""

from __future__ import annotations

from collections.abc import Sequence

from curriculum import Lesson

from ..model import Kind, Question

__all__ = ["answer_messages", "generation_messages", "source_text"]

Messages = list[dict[str, str]]

_GENERATION_RULES = """\
You write spaced-repetition quiz questions for a learner following a Chinese study plan.
Use only facts stated in, or directly implied by, the SOURCE; never add outside knowledge.
Write in Chinese (language "zh"), keeping English technical terms as they are (RAG, LoRA, KV Cache).
Kinds:
- choice: 3-4 options, exactly one correct; "answer" is the exact text of the correct option;
  distractors plausible and about as long as the answer; never "all/none of the above" (以上都对/以上皆非).
- true_false: a statement; "answer" is "true" or "false"; "options" empty; no absolute words (总是, 一定, 从不).
- cloze: the stem contains ____ where one key term is missing; "answer" is that term; "accepted"
  lists other spellings (English/Chinese name, abbreviation).
- recall: a short question whose "answer" is one or two sentences.
Never put the answer in the stem. Ask positively; if a negation is unavoidable, emphasise it as **不**.
"explanation": 1-2 sentences (at most 150 characters) saying why the answer is right.
"difficulty": 1 recall a fact .. 5 apply and compare. "topic": the lesson topic the question tests.
Reply with JSON only, matching the schema."""

_ANSWER_RULES = """\
Answer the quiz question using only the SOURCE below, not your own knowledge.
If the SOURCE does not let you answer with confidence, answer "unknown".
Reply with JSON only, matching the schema."""


def source_text(lesson: Lesson, passages: Sequence[str] = ()) -> str:
    """The lesson as the learner sees it, plus retrieved passages when there are any."""
    lines = [
        f"计划 Plan: {lesson.plan}",
        f"阶段 Stage: {lesson.stage}",
        f"小节 Section: {lesson.section}",
        f"第{lesson.day}天 Day {lesson.day} ({lesson.track or 'common'}): {lesson.title}",
    ]
    if lesson.topics:
        lines.append("主题 Topics: " + "；".join(lesson.topics))
    if lesson.focus:
        lines.append("侧重 Focus: " + "；".join(f"{t}: {f}" for t, f in lesson.focus.items()))
    if lesson.depth:
        lines.append(f"掌握程度 Depth: {lesson.depth}")
    if lesson.practice:
        lines.append("练习 Practice: " + "；".join(lesson.practice))
    if lesson.deliverables:
        lines.append("交付物 Deliverables: " + "；".join(lesson.deliverables))
    for reference in lesson.references:
        arxiv = f" (arXiv:{reference.arxiv_id})" if reference.arxiv_id else ""
        lines.append(f"参考 Reference: {reference.title}{arxiv} <{reference.url}>")
    for number, passage in enumerate(passages, start=1):
        lines.append(f"[{number}] {passage.strip()}")
    return "\n".join(lines)


def generation_messages(source: str, count: int, avoid: Sequence[str] = ()) -> Messages:
    user = f"SOURCE:\n{source}\n\nWrite {count} questions of mixed kinds about this lesson."
    if avoid:
        listed = "\n".join(f"- {stem}" for stem in avoid)
        user += f"\nThe bank already asks these; do not repeat them:\n{listed}"
    return [
        {"role": "system", "content": _GENERATION_RULES},
        {"role": "user", "content": user},
    ]


def answer_messages(source: str, question: Question, options: Sequence[str]) -> Messages:
    parts = [f"SOURCE:\n{source}", f"QUESTION ({question.kind}):\n{question.stem}"]
    if question.kind == Kind.CHOICE:
        parts.append("OPTIONS:\n" + "\n".join(f"- {option}" for option in options))
    elif question.kind == Kind.TRUE_FALSE:
        parts.append('Is the statement true or false? Answer "true" or "false".')
    elif question.kind == Kind.CLOZE:
        parts.append("Fill the blank ____ with the missing term.")
    else:
        parts.append(
            f"PROPOSED ANSWER:\n{question.answer}\n\n"
            'Does the SOURCE support the proposed answer? Reply {"supported": true} or false.'
        )
    return [
        {"role": "system", "content": _ANSWER_RULES},
        {"role": "user", "content": "\n\n".join(parts)},
    ]
