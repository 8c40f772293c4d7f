"""Parser for ai-fullstack-100: a shared base, three role tracks, a shared finale.

Every lesson is a row of a "Day | ..." table. Which track a row belongs to
comes from the enclosing "轨道X" heading; rows outside a track are shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import extract
from .errors import CurriculumError
from .markdown import Block, blocks, cell_text, clean, day_span, heading_span, links, without_span
from .matching import best_match
from .model import Lesson, Plan, Reference, Section, Stage, Track
from .papers import collect_papers

# The source names tracks by letter; the ids are the stable API names.
TRACK_IDS = {"A": "app", "B": "algo", "C": "fde"}
TABLE_NAMES = {
    "岗位能力矩阵": "capability_matrix",
    "岗位核心职责对比": "responsibilities",
    "核心文档与教程": "resources",
    "推荐课程": "courses",
    "必读论文": "must_read_papers",
    "开源项目学习": "open_source",
    "优质博客与资讯": "blogs",
}
DEPTH_HEADER = "技术深度"
PRACTICE_HEADER = "实践作业"
REFERENCE_HEADER = "参考资料"
PROJECT_MARK = "📝"

_TRACK_RE = re.compile(r"轨道\s*([A-Z])\s*[:：]\s*(.+)")
_ROLE_RE = re.compile(r"\*\*(.+?)\*\*\s*[(（]([^)）]+)[)）]")
_GOAL_RE = re.compile(r"^目标\s*[:：]\s*")


@dataclass
class _Row:
    """A table row before its deliverables (listed after the table) are known."""

    track: str | None
    span: tuple[int, int]
    title: str
    is_project: bool
    focus: dict[str, str]
    depth: str | None
    practice: tuple[str, ...]
    references: tuple[Reference, ...]
    section: str
    stage: str
    deliverables: list[str] = field(default_factory=list)

    def lessons(self, plan_id: str) -> list[Lesson]:
        first, last = self.span
        parts = last - first + 1
        return [
            Lesson(
                plan=plan_id,
                track=self.track,
                day=day,
                title=f"{self.title} ({part}/{parts})" if parts > 1 else self.title,
                topics=(self.title,),
                focus=dict(self.focus),
                depth=self.depth,
                practice=self.practice,
                references=self.references,
                section=self.section,
                stage=self.stage,
                day_range=self.span,
                is_project=self.is_project,
                deliverables=tuple(self.deliverables),
            )
            for part, day in enumerate(range(first, last + 1), start=1)
        ]


@dataclass
class _StageDraft:
    number: int
    title: str
    span: tuple[int, int] | None
    goals: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    resources: list[Reference] = field(default_factory=list)

    def build(self) -> Stage:
        span = self.span or (
            min(s.day_range[0] for s in self.sections),
            max(s.day_range[1] for s in self.sections),
        )
        return Stage(
            number=self.number,
            title=self.title,
            day_range=span,
            goals=tuple(self.goals),
            outcomes=tuple(dict.fromkeys(self.outcomes)),
            sections=tuple(self.sections),
            resources=tuple(dict.fromkeys(self.resources)),
        )


def parse(plan_id: str, path: Path) -> Plan:
    source = path.read_text(encoding="utf-8")
    doc = blocks(source)
    title = extract.plan_title(doc)
    tracks = _tracks(doc)
    rows, stages = _walk(doc, tracks)
    tracks = {tid: _with_days(track, rows) for tid, track in tracks.items()}
    lessons = sorted(
        (lesson for row in rows for lesson in row.lessons(plan_id)),
        key=lambda lesson: (lesson.track or "", lesson.day),
    )
    links_ = extract.plan_links(source)
    return Plan(
        id=plan_id,
        title=title,
        total_days=extract.total_days(title),
        tracks=tracks,
        stages=tuple(stage.build() for stage in stages),
        lessons=tuple(lessons),
        tables=extract.named_tables(doc, TABLE_NAMES),
        checklists=extract.checklists(doc),
        papers=collect_papers(links_, lessons),
        weekly_review_template=None,
        source_path=path,
        links=links_,
    )


def _tracks(doc: list[Block]) -> dict[str, Track]:
    """Tracks from their "轨道X：name (Day a-b)" headings and "> **目标**" quotes.

    Days are provisional here; `_with_days` replaces them with the rows' span.
    """
    english = {
        clean(m.group(1)): m.group(2).strip()
        for block in doc
        if block.kind == "quote"
        for item in block.items
        if (m := _ROLE_RE.search(item))
    }
    tracks: dict[str, Track] = {}
    current: str | None = None
    for block in doc:
        if block.kind == "heading" and (m := _TRACK_RE.search(clean(block.text))):
            letter, rest = m.groups()
            if letter not in TRACK_IDS:
                raise CurriculumError(f"unknown track letter {letter!r} in {block.text!r}")
            current = TRACK_IDS[letter]
            name = without_span(rest)
            first, last = heading_span(rest) or (0, 0)
            tracks[current] = Track(current, name, english.get(name, name), first, last, "")
        elif block.kind == "heading" and block.level <= 3:
            current = None
        elif block.kind == "quote" and current and not tracks[current].goal:
            goal = _GOAL_RE.sub("", clean(" ".join(block.items)))
            tracks[current] = replace(tracks[current], goal=goal)
    return tracks


def _with_days(track: Track, rows: list[_Row]) -> Track:
    spans = [row.span for row in rows if row.track == track.id]
    if not spans:
        raise CurriculumError(f"track {track.id} has no rows")
    first = min(s[0] for s in spans)
    last = max(s[1] for s in spans)
    return replace(track, first_day=first, last_day=last)


def _focus_columns(header: tuple[str, ...], tracks: dict[str, Track]) -> dict[int, str]:
    """Column index -> track id for role columns such as "应用工程师重点" or "FDE"."""
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        role = clean(cell).removesuffix("重点").strip()
        for tid, track in tracks.items():
            if role and (role in track.name or track.name in role):
                columns[index] = tid
    return columns


def _walk(doc: list[Block], tracks: dict[str, Track]) -> tuple[list[_Row], list[_StageDraft]]:
    rows: list[_Row] = []
    stages: list[_StageDraft] = []
    stage: _StageDraft | None = None
    track: str | None = None
    section = ""
    # Project rows waiting for the next checklist of the same stage/track.
    pending: list[_Row] = []
    for block in doc:
        if block.kind == "heading":
            text = clean(block.text)
            track_match = _TRACK_RE.search(text)
            if block.level <= 2:
                number = extract.stage_number(text)
                stage = _StageDraft(number, text, heading_span(text)) if number else None
                if stage:
                    stages.append(stage)
                track, section, pending = None, "", []
            elif track_match:
                track, section, pending = TRACK_IDS[track_match.group(1)], "", []
            else:
                section = text
            continue
        if stage is None:
            continue
        if block.kind == "quote":
            stage.goals.append(
                f"{tracks[track].name}：{tracks[track].goal}"
                if track
                else clean(" ".join(block.items))
            )
        elif block.kind == "table" and block.rows and clean(block.rows[0][0]) == "Day":
            table_rows = _table_rows(block, tracks, track, section, stage.title)
            rows.extend(table_rows)
            pending.extend(row for row in table_rows if row.is_project)
            stage.sections.append(_section(section, track, table_rows))
            stage.resources.extend(ref for row in table_rows for ref in row.references)
        elif block.kind == "checklist":
            items = [clean(item) for item in block.items]
            stage.outcomes.extend(items)
            _assign(items, pending)
            pending = []
    return rows, stages


def _table_rows(
    block: Block, tracks: dict[str, Track], track: str | None, section: str, stage: str
) -> list[_Row]:
    header = tuple(clean(cell) for cell in block.rows[0])
    focus_cols = _focus_columns(header, tracks)

    def column(row: tuple[str, ...], name: str) -> str:
        return row[header.index(name)] if name in header and header.index(name) < len(row) else ""

    found = []
    for row in block.rows[1:]:
        span = day_span(row[0])
        if span is None or len(row) < 2:
            continue
        depth = cell_text(column(row, DEPTH_HEADER))
        practice = cell_text(column(row, PRACTICE_HEADER))
        found.append(
            _Row(
                track=track,
                span=span,
                title=clean(row[1]),
                is_project=PROJECT_MARK in row[1],
                focus={
                    tid: value
                    for index, tid in focus_cols.items()
                    if index < len(row) and (value := cell_text(row[index]))
                },
                depth=depth or None,
                practice=(practice,) if practice else (),
                references=tuple(
                    Reference.from_link(t, u) for t, u in links(column(row, REFERENCE_HEADER))
                ),
                section=section,
                stage=stage,
            )
        )
    return found


def _section(title: str, track: str | None, rows: list[_Row]) -> Section:
    span = heading_span(title) or (min(r.span[0] for r in rows), max(r.span[1] for r in rows))
    return Section(
        title=title,
        day_range=span,
        topics=tuple(row.title for row in rows),
        practice=tuple(p for row in rows for p in row.practice),
        track=track,
    )


def _assign(items: list[str], projects: list[_Row]) -> None:
    """Hand each checklist item to the project row it describes.

    One checklist may close several projects (a track's "核心交付物"); items
    follow the projects' order, so ties go to the positionally nearest row.
    """
    if len(projects) == 1:
        projects[0].deliverables.extend(items)
        return
    if not projects:
        return
    candidates = [[row.title] for row in projects]
    for index, item in enumerate(items):
        projects[best_match(item, candidates, prefer=index)].deliverables.append(item)
