"""Parser for llm-app-180: six stages of four multi-day sections each.

Sections span several days but list only a handful of bullets, so each section
is sliced into day-sized lessons (see `split_units`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import extract
from .errors import CurriculumError
from .markdown import Block, blocks, cell_text, clean, heading_span, links, strip_bold, without_span
from .matching import best_match
from .model import Lesson, Plan, Reference, Section, Stage
from .papers import collect_papers

TABLE_NAMES = {"学习计划总览": "overview", "阶段验收标准": "acceptance"}
REVIEW_TITLE = "复习与实践"
_BOLD_LEAD_RE = re.compile(r"^\*\*(.+?)\*\*\s*[:：]?\s*(.*)$")
_SECTION_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)*\s*")


@dataclass(frozen=True, slots=True)
class _Unit:
    """One bullet of a section: a topic or a practice task."""

    text: str  # full text, e.g. "Self-Attention机制：理解注意力权重计算"
    name: str  # short name for titles, e.g. "Self-Attention机制"
    is_task: bool


@dataclass(frozen=True, slots=True)
class _Resource:
    ref: Reference
    note: str  # the 说明 column, used for matching only


def parse(plan_id: str, path: Path) -> Plan:
    source = path.read_text(encoding="utf-8")
    doc = blocks(source)
    title = extract.plan_title(doc)
    stages: list[Stage] = []
    lessons: list[Lesson] = []
    for heading, body in extract.split_at(doc, 2):
        number = _stage_number(heading)
        if heading is None or number is None:
            continue
        stage, stage_lessons = _parse_stage(plan_id, number, clean(heading.text), body)
        stages.append(stage)
        lessons.extend(stage_lessons)
    if not stages:
        raise CurriculumError(f"{path.name}: no stages found")
    links_ = extract.plan_links(source)
    lessons.sort(key=lambda lesson: lesson.day)
    return Plan(
        id=plan_id,
        title=title,
        total_days=extract.total_days(title),
        tracks={},
        stages=tuple(stages),
        lessons=tuple(lessons),
        tables=extract.named_tables(doc, TABLE_NAMES),
        checklists=extract.checklists(doc),
        papers=collect_papers(links_, lessons),
        weekly_review_template=_review_template(doc),
        source_path=path,
        links=links_,
    )


def _stage_number(heading: Block | None) -> int | None:
    return extract.stage_number(heading.text) if heading else None


def split_units(n_units: int, n_days: int) -> list[range]:
    """Contiguous, near-equal groups of unit indices, one per day.

    Earlier days take the extra unit when units outnumber days; when days
    outnumber units the trailing days get an empty group (a review day).
    """
    base, extra = divmod(n_units, n_days)
    groups = []
    start = 0
    for day in range(n_days):
        size = base + (1 if day < extra else 0)
        groups.append(range(start, start + size))
        start += size
    return groups


def match_resources(
    sections: list[Section], resources: list[Reference], notes: list[str]
) -> list[int]:
    """Index of the section each resource belongs to (most shared tokens, ties -> first)."""
    candidates = [[_short_title(s.title), *s.topics] for s in sections]
    return [
        best_match(f"{ref.title} {note}", candidates, prefer=0)
        for ref, note in zip(resources, notes, strict=True)
    ]


def _parse_stage(
    plan_id: str, number: int, title: str, body: list[Block]
) -> tuple[Stage, list[Lesson]]:
    goals: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    units: list[tuple[Section, list[_Unit]]] = []
    resources: list[_Resource] = []
    for sub, sub_body in extract.split_at(body, 3):
        name = clean(sub.text) if sub else ""
        if "目标" in name:
            goals = _bullets(sub_body)
        elif "成果" in name:
            outcomes = _bullets(sub_body)
        elif "资源" in name:
            resources = _resources(sub_body)
        elif "学习内容" in name:
            units = [
                _parse_section(head, part)
                for head, part in extract.split_at(sub_body, 4)
                if head is not None
            ]
    sections = [section for section, _ in units]
    if not sections:
        raise CurriculumError(f"stage {title!r} has no sections")
    span = heading_span(title) or (sections[0].day_range[0], sections[-1].day_range[1])
    owners = match_resources(sections, [r.ref for r in resources], [r.note for r in resources])
    lessons: list[Lesson] = []
    for index, (section, section_units) in enumerate(units):
        refs = tuple(
            r.ref
            for r, owner in zip(resources, owners, strict=True)
            if owner == index and r.ref.url
        )
        lessons.extend(_slice(plan_id, title, section, section_units, refs))
    # The stage's outcomes are what its final day should produce.
    lessons = [
        replace(lesson, deliverables=outcomes) if lesson.day == span[1] else lesson
        for lesson in lessons
    ]
    stage = Stage(
        number=number,
        title=title,
        day_range=span,
        goals=goals,
        outcomes=outcomes,
        sections=tuple(sections),
        resources=tuple(r.ref for r in resources),
    )
    return stage, lessons


def _parse_section(heading: Block, body: list[Block]) -> tuple[Section, list[_Unit]]:
    title = clean(heading.text)
    span = heading_span(title)
    if span is None:
        raise CurriculumError(f"section {title!r} has no day range")
    units: list[_Unit] = []
    in_tasks = False
    for block in body:
        if block.kind == "label":
            in_tasks = "实践" in block.text
        elif block.kind == "bullets":
            units.extend(_unit(item, in_tasks) for item in block.items)
    section = Section(
        title=title,
        day_range=span,
        topics=tuple(u.text for u in units if not u.is_task),
        practice=tuple(u.text for u in units if u.is_task),
    )
    return section, units


def _unit(item: str, is_task: bool) -> _Unit:
    match = _BOLD_LEAD_RE.match(item)
    if match and match.group(2):
        name = clean(match.group(1))
        return _Unit(text=f"{name}：{clean(match.group(2))}", name=name, is_task=is_task)
    text = clean(item)
    return _Unit(text=text, name=text, is_task=is_task)


def _slice(
    plan_id: str,
    stage: str,
    section: Section,
    units: list[_Unit],
    refs: tuple[Reference, ...],
) -> list[Lesson]:
    first, last = section.day_range
    n_days = last - first + 1
    short = _short_title(section.title)
    lessons = []
    for i, group in enumerate(split_units(len(units), n_days), start=1):
        chosen = [units[k] for k in group]
        if chosen:
            name = "、".join(u.name for u in chosen)
            topics = tuple(u.text for u in chosen if not u.is_task)
            practice = tuple(u.text for u in chosen if u.is_task)
        else:
            name, topics, practice = REVIEW_TITLE, (), section.practice
        lessons.append(
            Lesson(
                plan=plan_id,
                track=None,
                day=first + i - 1,
                title=f"{short}（{i}/{n_days}）: {name}",
                topics=topics,
                practice=practice,
                references=refs,
                section=section.title,
                stage=stage,
                day_range=section.day_range,
            )
        )
    return lessons


def _short_title(section_title: str) -> str:
    return _SECTION_NUMBER_RE.sub("", without_span(section_title))


def _bullets(body: list[Block]) -> tuple[str, ...]:
    return tuple(_unit(item, False).text for b in body if b.kind == "bullets" for item in b.items)


def _resources(body: list[Block]) -> list[_Resource]:
    table = next((b for b in body if b.kind == "table" and b.rows), None)
    if table is None:
        return []
    header = [cell_text(cell) for cell in table.rows[0]]
    col = header.index("资源") if "资源" in header else 1
    note_col = header.index("说明") if "说明" in header else len(header) - 1
    found: list[_Resource] = []
    for row in table.rows[1:]:
        cell = row[col] if col < len(row) else ""
        note = cell_text(row[note_col]) if note_col < len(row) else ""
        row_links = links(cell)
        if row_links:
            found.extend(_Resource(Reference.from_link(t, u), note) for t, u in row_links)
        elif strip_bold(cell).strip():
            # Unlinked tools still count as stage resources, just not as lesson references.
            found.append(_Resource(Reference(title=cell_text(cell), url=""), note))
    return found


def _review_template(doc: list[Block]) -> str | None:
    for heading, block in extract.with_heading(doc):
        if block.kind == "fence" and "模板" in heading:
            return block.text
    return None
