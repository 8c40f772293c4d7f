"""Structural questions the 180-day plan supports: what each topic of a section is about,
the section's practice tasks and paper, and the stage overview and acceptance tables."""

from __future__ import annotations

import re
from collections.abc import Iterator

from curriculum import Lesson, Plan

from ..model import Question, Source
from .drafting import choice_question, nearest_first, pick_distractors

__all__ = ["candidates"]

_DAY_SPAN = re.compile(r"（D\d+-D\d+）$")
_TOPIC = re.compile(r"(?P<name>[^：:]+)[：:]\s*(?P<gist>.+)")


def candidates(plan: Plan) -> Iterator[Question]:
    """In priority order: when two collide in one lesson, the earlier one stays."""
    yield from _topics(plan)
    yield from _practice(plan)
    yield from _papers(plan)
    yield from _stages(plan)


def section_name(lesson: Lesson) -> str:
    """ "1.1 Transformer架构原理（D1-D8）" -> "1.1 Transformer架构原理"."""
    return _DAY_SPAN.sub("", lesson.section).strip()


def _stage_number(lesson: Lesson) -> str:
    return section_name(lesson).split(".", 1)[0]


def _topics(plan: Plan) -> Iterator[Question]:
    named = [
        (lesson, match["name"].strip(), match["gist"].strip())
        for lesson in plan.lessons
        for topic in lesson.topics
        if (match := _TOPIC.fullmatch(topic))
    ]
    for lesson, name, gist in named:
        # Other topics of the section first, then of the stage: plausible, and all wrong.
        pool = nearest_first(
            (
                (other.day + (0 if other.section == lesson.section else 1000), other_name)
                for other, other_name, _ in named
                if _stage_number(other) == _stage_number(lesson) and other_name != name
            ),
            lesson.day,
        )
        yield choice_question(
            lesson,
            stem=f"「{section_name(lesson)}」一节中，要点为「{gist}」的主题是哪一个？",
            key=name,
            distractors=pick_distractors(name, pool),
            explanation=f"{name}：{gist}（第{lesson.day}天）。",
            family="topic",
            topic=name,
        )


def _practice(plan: Plan) -> Iterator[Question]:
    tasks = [(lesson, lesson.practice[0]) for lesson in plan.lessons if lesson.practice]
    for lesson, task in tasks:
        pool = nearest_first(
            (
                (other.day, other_task)
                for other, other_task in tasks
                if other.section != lesson.section and _stage_number(other) == _stage_number(lesson)
            ),
            lesson.day,
        )
        yield choice_question(
            lesson,
            stem=f"「{section_name(lesson)}」一节安排了下列哪项实践任务？",
            key=task,
            distractors=pick_distractors(task, pool),
            explanation=f"「{section_name(lesson)}」的实践任务之一是「{task}」（第{lesson.day}天）。",
            family="practice",
        )


def _papers(plan: Plan) -> Iterator[Question]:
    firsts: dict[str, Lesson] = {}
    for lesson in plan.lessons:
        if any(reference.arxiv_id for reference in lesson.references):
            firsts.setdefault(lesson.section, lesson)
    titles = [paper.title for paper in plan.papers]
    for lesson in firsts.values():
        reference = next(ref for ref in lesson.references if ref.arxiv_id)
        yield choice_question(
            lesson,
            stem=f"下列论文中，哪一篇是「{section_name(lesson)}」一节列出的参考论文？",
            key=reference.title,
            distractors=pick_distractors(reference.title, titles),
            explanation=(
                f"「{section_name(lesson)}」的参考论文是 {reference.title}"
                f"（arXiv:{reference.arxiv_id}）。"
            ),
            family="paper",
            sources=(
                Source(
                    lesson=lesson.key,
                    url=reference.url,
                    title=reference.title,
                    arxiv_id=reference.arxiv_id,
                ),
            ),
            difficulty=1,
        )


def _stages(plan: Plan) -> Iterator[Question]:
    overview = plan.tables.get("overview")
    acceptance = plan.tables.get("acceptance")
    stages = {stage.number: stage for stage in plan.stages}
    if overview:
        goals = [(number, row[4]) for number, row in enumerate(overview.rows, start=1)]
        for number, row in enumerate(overview.rows, start=1):
            stage = stages[number]
            lesson = plan.lesson_for(None, stage.day_range[0])
            yield choice_question(
                lesson,
                stem=f"{row[0]}（{row[1]}，{row[2]}）的阶段目标是什么？",
                key=row[4],
                distractors=pick_distractors(row[4], nearest_first(goals, number)),
                explanation=f"{row[0]}「{row[2]}」的阶段目标：{row[4]}。",
                family="stage-goal",
                topic=row[2],
                sources=(Source(lesson=lesson.key, title="学习路线总览"),),
                difficulty=1,
            )
    if acceptance:
        results = [(number, row[3]) for number, row in enumerate(acceptance.rows, start=1)]
        for number, row in enumerate(acceptance.rows, start=1):
            stage = stages[number]
            lesson = plan.lesson_for(None, stage.day_range[1])
            yield choice_question(
                lesson,
                stem=f"{row[0]}验收时，应交付的项目成果是什么？",
                key=row[3],
                distractors=pick_distractors(row[3], nearest_first(results, number)),
                explanation=f"{row[0]}的验收标准：项目成果为{row[3]}，文档输出为{row[4]}。",
                family="stage-result",
                topic=stage.title,
                sources=(Source(lesson=lesson.key, title="阶段验收标准"),),
                difficulty=1,
            )
