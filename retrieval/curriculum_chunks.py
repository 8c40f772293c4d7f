"""Lesson-aware chunks of the two study plans.

Every chunk starts with a context line (plan, track, section or stage) and names its day(s),
so a passage makes sense on its own, in a search result or in front of the model. A table row
keeps its column headers ("技术深度: 精通 | 实践作业: 实现LoRA"). Kinds:

- lesson: one row of a day table (a multi-day project row is one chunk for its day range), or
  one day-sized slice of a 180-day-plan section;
- section: a week table or a 180-day-plan section as a whole;
- stage: a stage's goals, outcomes and sections;
- track: a track's goal, days and sections (100-day plan);
- table: one row of the other tables (capability matrix, resources, stage overview, ...);
- checklist: a deliverables or progress checklist;
- notes: prose outside the stages (introduction, study advice, the weekly review template).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from langchain_text_splitters import MarkdownHeaderTextSplitter

from curriculum import PLAN_IDS, Lesson, Plan, Section, Stage, Table, load_plan

from .model import CURRICULUM, Chunk, Source

# Focus cells that say nothing ("-", "✅" in project rows).
EMPTY_CELLS = {"", "-", "—", "✅"}
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u2604\u2607-\u27bf\u2b00-\u2bff\ufe0f\u200d]")
# Box drawing (the architecture diagram) and Markdown scaffolding carry no words.
_DRAWING_RE = re.compile(r"[\u2500-\u257f]+|\*\*|`{3}\w*|^-{3,}$|^\s*>\s?", re.MULTILINE)
_SKIPPED_LINE_RE = re.compile(r"^\s*(\||[-*+]\s+\[[ xX]\])")
MIN_NOTES_CHARS = 30


def curriculum_chunks() -> Iterator[Chunk]:
    for plan_id in PLAN_IDS:
        yield from plan_chunks(load_plan(plan_id))


def plan_doc(plan_id: str) -> str:
    return f"plan:{plan_id}"


def plan_chunks(plan: Plan) -> list[Chunk]:
    chunks = [*_lessons(plan), *_sections(plan), *_stages(plan), *_tracks(plan)]
    for name, table in plan.tables.items():
        chunks.extend(_table_rows(plan, name, table))
    chunks.extend(_checklists(plan))
    chunks.extend(_notes(plan))
    return chunks


def _plain(text: str) -> str:
    return _EMOJI_RE.sub("", _LINK_RE.sub(r"\1", text)).replace("**", "").strip()


def _track_label(plan: Plan, track: str | None) -> str:
    if track is None:
        return ""
    info = plan.tracks[track]
    name = info.name if info.name == info.name_en else f"{info.name} {info.name_en}"
    return f"{track} track · {name}"


def _context(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def _days(first: int, last: int) -> str:
    return f"Day {first}" if first == last else f"Day {first}-{last}"


def _lesson_chunk(plan: Plan, lesson: Lesson, first: int, last: int) -> Chunk:
    multi_day = first != last
    title = lesson.topics[0] if multi_day and lesson.topics else lesson.title
    where = lesson.section if plan.tracks else _context(lesson.stage, lesson.section)
    lines = [
        _context(plan.title, _track_label(plan, lesson.track), where),
        f"{_days(first, last)} · {title}",
    ]
    topics = [topic for topic in lesson.topics if topic != title]
    if topics:
        lines.append("学习内容: " + "；".join(topics))
    for track, focus in lesson.focus.items():
        if focus not in EMPTY_CELLS and track in plan.tracks:
            lines.append(f"{plan.tracks[track].name}重点: {focus}")
    if lesson.depth:
        lines.append(f"技术深度: {lesson.depth}")
    if lesson.practice:
        lines.append("实践作业: " + "；".join(lesson.practice))
    if lesson.deliverables:
        lines.append("交付标准: " + "；".join(lesson.deliverables))
    if lesson.references:
        lines.append("参考资料: " + "；".join(ref.title for ref in lesson.references))
    links = tuple(Source(ref.title, ref.url) for ref in lesson.references if ref.url)
    return Chunk(
        doc=plan_doc(plan.id),
        key=f"lesson:{lesson.track or 'common'}:{first}",
        text="\n".join(lines),
        source=CURRICULUM,
        kind="lesson",
        title=title,
        plan=plan.id,
        track=lesson.track,
        day=first,
        day_end=last,
        lesson_key=lesson.key,
        section=lesson.section,
        url=links[0].url if links else None,
        links=links,
        arxiv_id=next((ref.arxiv_id for ref in lesson.references if ref.arxiv_id), None),
    )


def _lessons(plan: Plan) -> Iterator[Chunk]:
    sections = {
        (section.track, section.title): section
        for stage in plan.stages
        for section in stage.sections
    }
    seen: set[tuple[str | None, tuple[int, int]]] = set()
    for lesson in plan.lessons:
        section = sections.get((lesson.track, lesson.section)) or sections.get(
            (None, lesson.section)
        )
        if not lesson.topics and section is not None and lesson.practice == section.practice:
            continue  # a review day repeats its section, which has a chunk of its own
        if plan.tracks:
            # Multi-day rows (projects) become one Lesson per day with the same content.
            if (lesson.track, lesson.day_range) in seen:
                continue
            seen.add((lesson.track, lesson.day_range))
            yield _lesson_chunk(plan, lesson, *lesson.day_range)
        else:
            yield _lesson_chunk(plan, lesson, lesson.day, lesson.day)


def _sections(plan: Plan) -> Iterator[Chunk]:
    for stage in plan.stages:
        for section in stage.sections:
            yield _section_chunk(plan, stage, section)


def _section_chunk(plan: Plan, stage: Stage, section: Section) -> Chunk:
    first, last = section.day_range
    lines = [_context(plan.title, _track_label(plan, section.track), stage.title), section.title]
    if plan.tracks:
        rows = [
            lesson
            for lesson in plan.lessons
            if lesson.section == section.title and lesson.track == section.track
        ]
        days = dict.fromkeys(
            f"{_days(*lesson.day_range)} {lesson.topics[0] if lesson.topics else lesson.title}"
            for lesson in rows
        )
        lines.append("每日主题: " + "；".join(days))
    else:
        lines.append("学习内容: " + "；".join(section.topics))
    if section.practice:
        lines.append("实践任务: " + "；".join(section.practice))
    key_track = section.track or "common"
    return Chunk(
        doc=plan_doc(plan.id),
        key=f"section:{key_track}:{first}-{last}:{section.title}",
        text="\n".join(lines),
        source=CURRICULUM,
        kind="section",
        title=section.title,
        plan=plan.id,
        track=section.track,
        day=first,
        day_end=last,
        section=section.title,
    )


def _stage_number_label(stage: Stage) -> str:
    return f"Stage {stage.number}"


def _stages(plan: Plan) -> Iterator[Chunk]:
    for stage in plan.stages:
        first, last = stage.day_range
        lines = [plan.title, f"{stage.title} · {_stage_number_label(stage)} · {_days(first, last)}"]
        if stage.goals:
            lines.append("阶段目标: " + "；".join(stage.goals))
        lines.append("包含: " + "；".join(section.title for section in stage.sections))
        if stage.outcomes:
            lines.append("阶段成果: " + "；".join(stage.outcomes))
        yield Chunk(
            doc=plan_doc(plan.id),
            key=f"stage:{stage.number}",
            text="\n".join(lines),
            source=CURRICULUM,
            kind="stage",
            title=stage.title,
            plan=plan.id,
            day=first,
            day_end=last,
            links=tuple(Source(ref.title, ref.url) for ref in stage.resources if ref.url),
        )


def _tracks(plan: Plan) -> Iterator[Chunk]:
    for track in plan.tracks.values():
        sections = [
            section.title
            for stage in plan.stages
            for section in stage.sections
            if section.track == track.id
        ]
        lines = [
            plan.title,
            f"{_track_label(plan, track.id)} · {_days(track.first_day, track.last_day)}",
            f"目标: {track.goal}",
            "包含: " + "；".join(sections),
        ]
        yield Chunk(
            doc=plan_doc(plan.id),
            key=f"track:{track.id}",
            text="\n".join(lines),
            source=CURRICULUM,
            kind="track",
            title=f"{track.name} ({track.id})",
            plan=plan.id,
            track=track.id,
            day=track.first_day,
            day_end=track.last_day,
        )


def _table_rows(plan: Plan, name: str, table: Table) -> Iterator[Chunk]:
    for number, row in enumerate(table.rows):
        cells = [
            f"{header}: {_plain(cell).replace(chr(10), '；').lstrip('- ')}"
            for header, cell in zip(table.headers, row, strict=False)
            if _plain(cell)
        ]
        yield Chunk(
            doc=plan_doc(plan.id),
            key=f"table:{name}:{number}",
            text=f"{_context(plan.title, table.title)}\n" + " | ".join(cells),
            source=CURRICULUM,
            kind="table",
            title=f"{table.title}: {_plain(row[0])}" if row else table.title,
            plan=plan.id,
        )


def _checklists(plan: Plan) -> Iterator[Chunk]:
    for number, (name, items) in enumerate(plan.checklists.items()):
        yield Chunk(
            doc=plan_doc(plan.id),
            key=f"checklist:{number}",
            text=f"{_context(plan.title, name)}\n" + "\n".join(f"- {item}" for item in items),
            source=CURRICULUM,
            kind="checklist",
            title=name,
            plan=plan.id,
        )


def _notes(plan: Plan) -> Iterator[Chunk]:
    """Prose outside the stages; tables and checklists already have chunks of their own."""
    splitter = MarkdownHeaderTextSplitter(
        [("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
    )
    source = plan.source_path.read_text(encoding="utf-8")
    for number, piece in enumerate(splitter.split_text(source)):
        heading = piece.metadata.get("h2", "")
        if any(stage.title in heading for stage in plan.stages):
            continue
        kept = [
            line for line in piece.page_content.splitlines() if not _SKIPPED_LINE_RE.match(line)
        ]
        body = "\n".join(
            line.strip() for line in _DRAWING_RE.sub(" ", "\n".join(kept)).splitlines()
        )
        body = re.sub(r"[ \t]{2,}", " ", re.sub(r"\n\s*\n+", "\n", body)).strip()
        if len(body) < MIN_NOTES_CHARS:
            continue
        title = _context(*(_plain(piece.metadata[h]) for h in ("h2", "h3") if h in piece.metadata))
        yield Chunk(
            doc=plan_doc(plan.id),
            key=f"notes:{number}",
            text=f"{_context(plan.title, title)}\n{_plain(body)}",
            source=CURRICULUM,
            kind="notes",
            title=title or plan.title,
            plan=plan.id,
        )
