"""Structural questions the 100-day plan's tables support: practice tasks, cited papers,
per-track focus of shared days, project deliverables, and the role tables."""

from __future__ import annotations

import re
from collections.abc import Iterator

from curriculum import Lesson, Plan

from ..model import Question, Source
from .drafting import choice_question, nearest_first, pick_distractors

__all__ = ["candidates"]

_UNSET_FOCUS = {"", "-", "✅"}
_PART = re.compile(r"\s*\(\d+/\d+\)$")
# Lessons where the role tables are taught: "公司研究与岗位匹配" (company research, role fit).
_ROLE_DAY = 99


def candidates(plan: Plan) -> Iterator[Question]:
    """In priority order: when two collide in one lesson, the earlier one stays."""
    yield from _practice(plan)
    yield from _papers(plan)
    yield from _focus(plan)
    yield from _deliverables(plan)
    yield from _track_goals(plan)
    yield from _roles(plan)


def _track_name(plan: Plan, track: str | None) -> str:
    return plan.tracks[track].name if track else "公共"


def _practice(plan: Plan) -> Iterator[Question]:
    tasks = [(lesson, lesson.practice[0]) for lesson in plan.lessons if lesson.practice]
    for lesson, task in tasks:
        # The section's other tasks first, then the rest of the track as spares.
        pool = nearest_first(
            (
                (other.day + (0 if other.section == lesson.section else 1000), other_task)
                for other, other_task in tasks
                if other.track == lesson.track and other is not lesson
            ),
            lesson.day,
        )
        yield choice_question(
            lesson,
            stem=f"第{lesson.day}天学习「{lesson.title}」，安排的练习任务是哪一项？",
            key=task,
            distractors=pick_distractors(task, pool),
            explanation=(
                f"第{lesson.day}天「{lesson.title}」（{_track_name(plan, lesson.track)}）"
                f"的练习任务是「{task}」。"
            ),
            family="practice",
        )


def _papers(plan: Plan) -> Iterator[Question]:
    cited = [
        (lesson, reference)
        for lesson in plan.lessons
        for reference in lesson.references
        if reference.arxiv_id
    ]
    for lesson, reference in cited:
        label = f"{reference.title}（arXiv:{reference.arxiv_id}）"
        pool = nearest_first(
            (
                (other.day, f"{other_ref.title}（arXiv:{other_ref.arxiv_id}）")
                for other, other_ref in cited
                if other_ref.arxiv_id != reference.arxiv_id
            ),
            lesson.day,
        )
        yield choice_question(
            lesson,
            stem=f"下列哪篇 arXiv 论文是「{lesson.title}」这一课的参考文献？",
            key=label,
            distractors=pick_distractors(label, pool),
            explanation=f"第{lesson.day}天「{lesson.title}」引用的论文是 {label}。",
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


def _focus(plan: Plan) -> Iterator[Question]:
    tracks = list(plan.tracks)
    for lesson in plan.lessons:
        focus = {track: lesson.focus.get(track, "").strip() for track in tracks}
        values = list(focus.values())
        # Rotate which track is asked about so all three come up over the days; the asked
        # track's focus must be its own, or two options would be right.
        start = lesson.day % len(tracks)
        askable = [
            track
            for track in tracks[start:] + tracks[:start]
            if focus[track] not in _UNSET_FOCUS and values.count(focus[track]) == 1
        ]
        if not askable:
            continue
        track = askable[0]
        names = [plan.tracks[t].name for t in tracks]
        yield choice_question(
            lesson,
            stem=f"第{lesson.day}天「{lesson.title}」中，侧重「{focus[track]}」的是哪个岗位轨道？",
            key=plan.tracks[track].name,
            distractors=[name for name in names if name != plan.tracks[track].name],
            explanation=(
                f"第{lesson.day}天各轨道侧重不同，{plan.tracks[track].name}轨道侧重"
                f"「{focus[track]}」。"
            ),
            family="focus",
        )


def _deliverables(plan: Plan) -> Iterator[Question]:
    projects: dict[str, list[Lesson]] = {}
    for lesson in plan.lessons:
        if lesson.is_project and len(lesson.deliverables) >= 3:
            projects.setdefault(_PART.sub("", lesson.title), []).append(lesson)
    everything = [
        (lesson.day, name, item)
        for name, lessons in projects.items()
        for lesson in lessons[:1]
        for item in lesson.deliverables
    ]
    for name, lessons in projects.items():
        own = set(lessons[0].deliverables)
        # One question per deliverable, on successive days of the project.
        for lesson, item in zip(lessons, lessons[0].deliverables, strict=False):
            pool = nearest_first(
                (
                    (day, other)
                    for day, project, other in everything
                    if project != name and other not in own
                ),
                lesson.day,
            )
            yield choice_question(
                lesson,
                stem=f"「{name}」的交付标准包括下列哪一项？",
                key=item,
                distractors=pick_distractors(item, pool),
                explanation=f"「{name}」的交付标准：{'、'.join(lessons[0].deliverables)}。",
                family="deliverable",
                topic=name,
            )


def _track_goals(plan: Plan) -> Iterator[Question]:
    names = [track.name for track in plan.tracks.values()]
    for track in plan.tracks.values():
        lesson = plan.lesson_for(track.id, track.first_day)
        yield choice_question(
            lesson,
            stem=f"学习计划中，哪个轨道的目标是「{track.goal}」？",
            key=track.name,
            distractors=[name for name in names if name != track.name],
            explanation=f"{track.name}轨道（Day {track.first_day}-{track.last_day}）的目标：{track.goal}。",
            family="track-goal",
            topic="岗位轨道",
            difficulty=1,
        )


def _roles(plan: Plan) -> Iterator[Question]:
    lesson = plan.lesson_for(None, _ROLE_DAY)
    responsibilities = plan.tables.get("responsibilities")
    matrix = plan.tables.get("capability_matrix")
    roles = list(matrix.headers[1:]) if matrix else []
    if responsibilities:
        for role, _work, output in responsibilities.rows:
            yield _role_question(
                lesson,
                roles or [row[0] for row in responsibilities.rows],
                role,
                stem=f"典型产出为「{output}」的是哪个岗位？",
                explanation=f"岗位职责表中，{role}的典型产出是{output}。",
                source="岗位职责表",
            )
    if not matrix:
        return
    for row in matrix.rows:
        dimension, values = row[0], row[1:]
        for role, value in zip(roles, values, strict=True):
            if "★" not in value or values.count(value) != 1:
                continue
            yield _role_question(
                lesson,
                roles,
                role,
                stem=f"按岗位能力矩阵，「{dimension}」要求达到「{value}」的是哪个岗位？",
                explanation=f"能力矩阵中，{role}在{dimension}上的要求是{value}。",
                source="岗位能力矩阵",
            )


def _role_question(
    lesson: Lesson, roles: list[str], role: str, *, stem: str, explanation: str, source: str
) -> Question:
    return choice_question(
        lesson,
        stem=stem,
        key=role,
        distractors=[other for other in roles if other != role],
        explanation=explanation,
        family="role",
        topic="岗位与能力要求",
        sources=(Source(lesson=lesson.key, title=source),),
        difficulty=1,
    )
