"""The papers the study plans cite, with the lessons that cite them.

Built from the curriculum alone, so an answer can name a paper and where the plan uses it
("LoRA (arXiv 2106.09685), cited on Day 47 of the algo track") before its PDF is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from curriculum import PLAN_IDS, Lesson, load_plan

from .model import CATALOG, Chunk, Source

_LATIN_RE = re.compile(r"[A-Za-z]{3,}")
_DAYS_SUFFIX_RE = re.compile(r"[（(]\s*(?:Day\s*|D)\d+[^)）]*[)）]\s*$")


@dataclass(frozen=True)
class Citing:
    """One run of consecutive days of one plan/track that cites a paper."""

    plan: str
    track: str | None
    first_day: int
    last_day: int
    lesson_key: str
    title: str

    @property
    def days(self) -> str:
        if self.first_day == self.last_day:
            return str(self.first_day)
        return f"{self.first_day}-{self.last_day}"

    def describe(self) -> str:
        track = f" {self.track} track" if self.track else ""
        return f"{self.plan}{track} Day {self.days} ({self.title})"


@dataclass(frozen=True)
class CitedPaper:
    arxiv_id: str
    title: str
    url: str
    names: tuple[str, ...]  # every link text the plans use for it
    citing: tuple[Citing, ...]

    @property
    def cited_by(self) -> tuple[str, ...]:
        return tuple(citing.lesson_key for citing in self.citing)

    @property
    def plans(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(citing.plan for citing in self.citing))

    def describe(self) -> str:
        where = "; ".join(citing.describe() for citing in self.citing)
        return f"{self.title} (arXiv {self.arxiv_id}), cited on {where}"


def _best_title(names: list[str]) -> str:
    # Prefer a real title ("LoRA: Low-Rank Adaptation") over a label ("LoRA论文").
    return max(names, key=lambda name: (bool(_LATIN_RE.search(name)), len(name)))


def _runs(plan: str, lessons: list[Lesson]) -> list[Citing]:
    """Lessons of one row or section cite together: one run per (track, day range)."""
    groups: dict[tuple[str | None, tuple[int, int]], list[Lesson]] = {}
    for lesson in lessons:
        groups.setdefault((lesson.track, lesson.day_range), []).append(lesson)
    runs = []
    for (track, _), members in groups.items():
        members.sort(key=lambda lesson: lesson.day)
        first = members[0]
        title = _DAYS_SUFFIX_RE.sub("", first.section) if len(members) > 1 else first.title
        runs.append(Citing(plan, track, first.day, members[-1].day, first.key, title.strip()))
    return runs


@cache
def paper_catalog() -> dict[str, CitedPaper]:
    """Every arXiv paper either plan links to, keyed by arXiv id."""
    names: dict[str, list[str]] = {}
    urls: dict[str, str] = {}
    citing: dict[str, list[Citing]] = {}
    for plan_id in PLAN_IDS:
        plan = load_plan(plan_id)
        by_key = {lesson.key: lesson for lesson in plan.lessons}
        for paper in plan.papers:
            names.setdefault(paper.arxiv_id, [])
            for ref in plan.references():
                if ref.arxiv_id == paper.arxiv_id and ref.title not in names[paper.arxiv_id]:
                    names[paper.arxiv_id].append(ref.title)
            urls.setdefault(paper.arxiv_id, paper.url)
            lessons = [by_key[key] for key in paper.cited_by if key in by_key]
            citing.setdefault(paper.arxiv_id, []).extend(_runs(plan_id, lessons))
    return {
        arxiv_id: CitedPaper(
            arxiv_id=arxiv_id,
            title=_best_title(names[arxiv_id]),
            url=urls[arxiv_id],
            names=tuple(names[arxiv_id]),
            citing=tuple(citing[arxiv_id]),
        )
        for arxiv_id in names
    }


CATALOG_DOC = "catalog"


def catalog_chunks() -> list[Chunk]:
    """One chunk per cited paper, so answers can name papers whose PDF was never added."""
    chunks = []
    for paper in paper_catalog().values():
        aliases = [name for name in paper.names if name != paper.title]
        lines = [f"论文 Paper: {paper.title} (arXiv {paper.arxiv_id})"]
        if aliases:
            lines.append("也称 Also: " + "；".join(aliases))
        lines.append("引用课程 Cited on: " + "; ".join(c.describe() for c in paper.citing))
        plans = paper.plans
        # A paper cited by a single lesson run is "about" that lesson, for scoping and citing.
        single = paper.citing[0] if len(paper.citing) == 1 else None
        chunks.append(
            Chunk(
                doc=CATALOG_DOC,
                key=paper.arxiv_id,
                text="\n".join(lines),
                source=CATALOG,
                kind="cited-paper",
                title=paper.title,
                plan=plans[0] if len(plans) == 1 else None,
                track=single.track if single else None,
                day=single.first_day if single else None,
                day_end=single.last_day if single else None,
                lesson_key=single.lesson_key if single else None,
                url=paper.url,
                links=(Source(paper.title, paper.url),),
                arxiv_id=paper.arxiv_id,
                cited_by=paper.cited_by,
            )
        )
    return chunks
