"""Collect arXiv papers from a plan's links and record which lessons cite them."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Lesson, Paper, Reference


def collect_papers(links: Iterable[Reference], lessons: Iterable[Lesson]) -> tuple[Paper, ...]:
    """One Paper per arXiv id, titled by its first link, in source order."""
    first: dict[str, Reference] = {}
    for ref in links:
        if ref.arxiv_id and ref.arxiv_id not in first:
            first[ref.arxiv_id] = ref
    ordered = sorted(lessons, key=lambda lesson: (lesson.track or "", lesson.day))
    papers = []
    for arxiv_id, ref in first.items():
        cited_by = tuple(
            lesson.key
            for lesson in ordered
            if any(r.arxiv_id == arxiv_id for r in lesson.references)
        )
        papers.append(Paper(arxiv_id=arxiv_id, title=ref.title, url=ref.url, cited_by=cited_by))
    return tuple(papers)
