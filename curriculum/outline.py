"""What the plan says around one lesson: the goal of its stage, its week or section (topics,
practice, deliverables) and the project day that week builds towards. Many early days of the
plans are a single table row (a topic and a per-track focus), so this is what the plan gives
beyond the row."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Lesson, Plan, Section, Stage

DELIVERABLES_SUFFIX = " / 交付物"
# "大模型应用工程师：精通RAG…" — a stage goal naming one track before a full-width colon.
GOAL_SEPARATORS = ("：", ":")


@dataclass(frozen=True, slots=True)
class Outline:
    goals: tuple[str, ...]  # of the lesson's stage (the learner's track's one when it names it)
    section: Section | None  # the week or section the lesson is part of
    deliverables: tuple[str, ...]  # what that week or section delivers
    project: Lesson | None  # the week's next project day (📝 实战), when one is still ahead


def _stage(plan: Plan, lesson: Lesson) -> Stage | None:
    return next((stage for stage in plan.stages if stage.title == lesson.stage), None)


def _goals(plan: Plan, stage: Stage | None, track: str | None) -> tuple[str, ...]:
    if stage is None:
        return ()
    if track in plan.tracks:
        name = plan.tracks[track].name
        for goal in stage.goals:
            for separator in GOAL_SEPARATORS:
                head, found, rest = goal.partition(separator)
                if found and head.strip() == name:
                    return (rest.strip(),)
    # Goals that name another track are not this learner's.
    names = {item.name for item in plan.tracks.values()}
    return tuple(
        goal
        for goal in stage.goals
        if not any(goal.partition(sep)[0].strip() in names for sep in GOAL_SEPARATORS)
    )


def _section(stage: Stage | None, lesson: Lesson, track: str | None) -> Section | None:
    if stage is None:
        return None
    return next(
        (
            section
            for section in stage.sections
            if section.title == lesson.section and section.track in {None, track, lesson.track}
        ),
        None,
    )


def outline_of(plan: Plan, lesson: Lesson, track: str | None) -> Outline:
    """The plan's context of `lesson` for a learner on `track` (None on a plan without)."""
    stage = _stage(plan, lesson)
    section = _section(stage, lesson, track)
    deliverables = plan.checklists.get(lesson.section + DELIVERABLES_SUFFIX, ())
    # Without a track a plan with tracks has no one sequence to look in.
    sequence = plan.lessons_for(track) if track or not plan.tracks else ()
    project = (
        None
        if lesson.is_project
        else next(
            (
                item
                for item in sequence
                if item.is_project and item.section == lesson.section and item.day > lesson.day
            ),
            None,
        )
    )
    return Outline(
        goals=_goals(plan, stage, track),
        section=section,
        deliverables=tuple(deliverables),
        project=project,
    )
