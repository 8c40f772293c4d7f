"""Plan-agnostic extraction: named tables, checklists, links, stage numbers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from .errors import CurriculumError
from .markdown import Block, cell_text, clean, iter_links
from .model import Reference, Table

_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_STAGE_RE = re.compile(r"第\s*([0-9]+|[一二三四五六七八九十]+)\s*阶段")


def stage_number(heading: str) -> int | None:
    """2 for "第二阶段…" or "第2阶段…"; None when the heading is not a stage."""
    match = _STAGE_RE.search(heading)
    if not match:
        return None
    raw = match.group(1)
    if raw.isdigit():
        return int(raw)
    if raw.startswith("十"):  # 十, 十一 … 十九
        return 10 + _CN_DIGITS.get(raw[1:], 0)
    if "十" in raw:  # 二十, 二十三 …
        tens, _, units = raw.partition("十")
        return _CN_DIGITS[tens] * 10 + _CN_DIGITS.get(units, 0)
    return _CN_DIGITS[raw]


def with_heading(doc: Sequence[Block]) -> Iterator[tuple[str, Block]]:
    """Each non-heading block with the text of the nearest heading above it."""
    heading = ""
    for block in doc:
        if block.kind == "heading":
            heading = block.text
        else:
            yield heading, block


def split_at(doc: Sequence[Block], level: int) -> list[tuple[Block | None, list[Block]]]:
    """Cut `doc` at headings of `level` (or shallower): [(heading, body), ...].

    The first pair holds whatever precedes the first such heading, with None.
    """
    parts: list[tuple[Block | None, list[Block]]] = [(None, [])]
    for block in doc:
        if block.kind == "heading" and block.level <= level:
            parts.append((block, []))
        else:
            parts[-1][1].append(block)
    return parts


def to_table(title: str, block: Block) -> Table:
    header, *body = block.rows
    return Table(
        title=title,
        headers=tuple(cell_text(cell) for cell in header),
        rows=tuple(tuple(cell_text(cell) for cell in row) for row in body),
    )


def named_tables(doc: Sequence[Block], names: Mapping[str, str]) -> dict[str, Table]:
    """Tables whose heading contains one of `names` (heading fragment -> key)."""
    found: dict[str, Table] = {}
    for heading, block in with_heading(doc):
        if block.kind != "table" or not block.rows:
            continue
        title = clean(heading)
        for fragment, key in names.items():
            if fragment in title and key not in found:
                found[key] = to_table(title, block)
    return found


def checklists(doc: Sequence[Block]) -> dict[str, tuple[str, ...]]:
    """Every "- [ ]" list keyed by the bold label or heading right above it.

    Labels that repeat (two "交付物" lists) are prefixed with their heading so
    no list is lost.
    """
    found: list[tuple[str, str, tuple[str, ...]]] = []
    heading = ""
    previous: Block | None = None
    for block in doc:
        if block.kind == "heading":
            heading = clean(block.text)
        elif block.kind == "checklist":
            label = clean(previous.text) if previous and previous.kind == "label" else heading
            found.append((label, heading, tuple(clean(item) for item in block.items)))
        previous = block
    repeats = Counter(label for label, _, _ in found)
    result: dict[str, tuple[str, ...]] = {}
    for label, heading, items in found:
        key = label if repeats[label] == 1 or label == heading else f"{heading} / {label}"
        result[key] = result.get(key, ()) + items
    return result


def plan_links(source: str) -> tuple[Reference, ...]:
    return tuple(Reference.from_link(title, url) for title, url in iter_links(source))


def plan_title(doc: Sequence[Block]) -> str:
    for block in doc:
        if block.kind == "heading" and block.level == 1:
            return clean(block.text)
    raise CurriculumError("plan has no level-1 heading")


def total_days(title: str) -> int:
    match = re.search(r"(\d+)\s*天", title)
    if not match:
        raise CurriculumError(f"no day count in plan title {title!r}")
    return int(match.group(1))
