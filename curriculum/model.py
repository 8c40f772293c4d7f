"""Immutable value types describing a parsed study plan."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import CurriculumError, DayOutOfRange, UnknownTrack

# abs/html/pdf links all name the same paper; the version suffix is dropped so
# "2501.13787v1" and "2501.13787" collapse into one Paper.
_ARXIV_RE = re.compile(r"arxiv\.org/(?:abs|html|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)


def arxiv_id_of(url: str) -> str | None:
    match = _ARXIV_RE.search(url)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    url: str
    arxiv_id: str | None = None

    @classmethod
    def from_link(cls, title: str, url: str) -> Reference:
        return cls(title=title, url=url, arxiv_id=arxiv_id_of(url))


@dataclass(frozen=True)
class Lesson:
    plan: str
    track: str | None
    day: int
    title: str
    topics: tuple[str, ...] = ()
    # hash=False keeps lessons hashable despite the dict.
    focus: dict[str, str] = field(default_factory=dict, hash=False)
    depth: str | None = None
    practice: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    section: str = ""
    stage: str = ""
    # (0, 0) means "just this day"; normalised in __post_init__.
    day_range: tuple[int, int] = (0, 0)
    is_project: bool = False
    deliverables: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.day_range == (0, 0):
            object.__setattr__(self, "day_range", (self.day, self.day))

    @property
    def key(self) -> str:
        return f"{self.plan}/{self.track or 'common'}/{self.day}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "plan": self.plan,
            "track": self.track,
            "day": self.day,
            "title": self.title,
            "topics": list(self.topics),
            "focus": dict(self.focus),
            "depth": self.depth,
            "practice": list(self.practice),
            "references": [asdict(ref) for ref in self.references],
            "section": self.section,
            "stage": self.stage,
            "day_range": list(self.day_range),
            "is_project": self.is_project,
            "deliverables": list(self.deliverables),
        }


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    name_en: str
    first_day: int
    last_day: int
    goal: str


@dataclass(frozen=True)
class Section:
    title: str
    day_range: tuple[int, int]
    topics: tuple[str, ...] = ()
    practice: tuple[str, ...] = ()
    track: str | None = None


@dataclass(frozen=True)
class Stage:
    number: int
    title: str
    day_range: tuple[int, int]
    goals: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    resources: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Paper:
    arxiv_id: str
    title: str
    url: str
    cited_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    total_days: int
    tracks: dict[str, Track] = field(hash=False)
    stages: tuple[Stage, ...]
    lessons: tuple[Lesson, ...]
    tables: dict[str, Table] = field(hash=False)
    checklists: dict[str, tuple[str, ...]] = field(hash=False)
    papers: tuple[Paper, ...]
    weekly_review_template: str | None
    source_path: Path
    # Every link of the source in order; tables keep only link text, so the
    # URLs would otherwise be lost.
    links: tuple[Reference, ...] = field(default=(), repr=False)

    def track_ids(self) -> tuple[str, ...]:
        return tuple(self.tracks)

    def references(self) -> tuple[Reference, ...]:
        return tuple(dict.fromkeys(self.links))

    def lessons_for(self, track: str | None) -> tuple[Lesson, ...]:
        self._check_track(track)
        if track is None and self.tracks:
            raise UnknownTrack(f"{self.id} needs a track, one of {self.track_ids()}")
        return self._sequences[track]

    def length(self, track: str | None) -> int:
        return len(self.lessons_for(track))

    def lesson_for(self, track: str | None, day: int) -> Lesson:
        self._check_track(track)
        if not 1 <= day <= self.total_days:
            raise DayOutOfRange(f"{self.id} has days 1-{self.total_days}, not {day}")
        lesson = self._resolve(track, day)
        if track is None and self.tracks:
            # Without a track only a day every track shares is unambiguous
            # (fde has its own days 76-90 while app/algo take the capstone).
            per_track = {id(self._resolve(t, day)) for t in self.tracks}
            if per_track != {id(lesson)}:
                lesson = None
        if lesson is None:
            raise UnknownTrack(f"day {day} of {self.id} needs a track, one of {self.track_ids()}")
        return lesson

    def row(self, track: str | None, day: int) -> Lesson | None:
        """The lesson the plan writes for exactly this track (None: the shared row) and day,
        without falling back to the shared day: what a question's lesson key names."""
        return self._index.get((track, day))

    def _check_track(self, track: str | None) -> None:
        if track is not None and track not in self.tracks:
            known = self.track_ids() or "no tracks (use None)"
            raise UnknownTrack(f"{self.id} has {known}, not {track!r}")

    def _resolve(self, track: str | None, day: int) -> Lesson | None:
        # A track's own row wins; otherwise the shared lesson of that day
        # (days 1-20, capstone after the track ends, interview days).
        return self._index.get((track, day)) or self._index.get((None, day))

    @cached_property
    def _index(self) -> dict[tuple[str | None, int], Lesson]:
        return {(lesson.track, lesson.day): lesson for lesson in self.lessons}

    @cached_property
    def _sequences(self) -> dict[str | None, tuple[Lesson, ...]]:
        sequences: dict[str | None, tuple[Lesson, ...]] = {}
        for track in self.track_ids() or (None,):
            days = []
            for day in range(1, self.total_days + 1):
                lesson = self._resolve(track, day)
                if lesson is None:
                    raise CurriculumError(f"{self.id}: no lesson for track {track} day {day}")
                days.append(lesson)
            sequences[track] = tuple(days)
        return sequences
