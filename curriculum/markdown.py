"""Line-level Markdown helpers: a flat block list plus cell/link/heading cleaners.

The study plans only use headings, pipe tables, bullet and checklist lists,
block quotes, bold "label" lines and fenced blocks, so a small line scanner is
enough and keeps the package free of third-party parsers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

LINK_RE = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CHECK_RE = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(.*)$")
_BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(.*)$")
_LABEL_RE = re.compile(r"^\*\*(.+?)\*\*\s*[:：]?\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)(.*)$")
_SEPARATOR_CELL_RE = re.compile(r"^:?-{2,}:?$")
# Pictographs, dingbats and variation selectors, but not ★/☆ (U+2605/2606),
# which carry meaning in the capability tables.
_EMOJI_RE = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u2604\u2607-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3]"
)
_SPAN_RE = re.compile(r"(?:Day\s*|D)?(\d+)\s*[-–~]\s*(?:Day\s*|D)?(\d+)", re.IGNORECASE)
_HEADING_SPAN_RE = re.compile(
    r"[（(]\s*(?:Day\s*|D)(\d+)\s*[-–~]\s*(?:Day\s*|D)?(\d+)\s*[）)]", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Block:
    """One Markdown block; `items` holds list items, table rows live in `rows`."""

    kind: str  # heading | table | checklist | bullets | quote | label | fence | text
    line: int  # 1-based line of the block's first line
    text: str = ""  # heading/label/text content, fence body
    level: int = 0  # heading level
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()  # raw cells, header first, separator dropped
    info: str = ""  # fence info string (language)


def blocks(source: str) -> list[Block]:
    lines = source.splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or re.fullmatch(r"-{3,}|\*{3,}|_{3,}", stripped):
            i += 1
            continue
        if fence := _FENCE_RE.match(line):
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(1)):
                end += 1
            body = "\n".join(lines[i + 1 : end])
            out.append(Block("fence", i + 1, text=body, info=fence.group(2).strip()))
            i = end + 1
            continue
        if heading := _HEADING_RE.match(line):
            out.append(Block("heading", i + 1, text=heading.group(2), level=len(heading.group(1))))
            i += 1
            continue
        if stripped.startswith("|"):
            end = _run(lines, i, lambda s: s.strip().startswith("|"), allow_blank=False)
            rows = tuple(split_row(raw) for raw in lines[i:end])
            out.append(Block("table", i + 1, rows=tuple(r for r in rows if not is_separator(r))))
            i = end
            continue
        if _CHECK_RE.match(line):
            end = _run(lines, i, lambda s: bool(_CHECK_RE.match(s)))
            items = _items(lines[i:end], _CHECK_RE)
            out.append(Block("checklist", i + 1, items=items))
            i = end
            continue
        if _BULLET_RE.match(line):
            end = _run(lines, i, lambda s: bool(_BULLET_RE.match(s)) and not _CHECK_RE.match(s))
            out.append(Block("bullets", i + 1, items=_items(lines[i:end], _BULLET_RE)))
            i = end
            continue
        if stripped.startswith(">"):
            end = _run(lines, i, lambda s: s.strip().startswith(">"), allow_blank=False)
            quoted = tuple(raw.strip()[1:].strip() for raw in lines[i:end])
            out.append(Block("quote", i + 1, items=tuple(q for q in quoted if q)))
            i = end
            continue
        if label := _LABEL_RE.match(stripped):
            out.append(Block("label", i + 1, text=label.group(1)))
        else:
            out.append(Block("text", i + 1, text=stripped))
        i += 1
    return out


def _run(
    lines: list[str], start: int, belongs: Callable[[str], bool], *, allow_blank: bool = True
) -> int:
    """Index just past the run of lines satisfying `belongs` (blank lines may join a list)."""
    end = start
    last = start
    while end < len(lines):
        if belongs(lines[end]):
            last = end
        elif not (allow_blank and not lines[end].strip()):
            break
        end += 1
    return last + 1


def _items(lines: list[str], pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(m.group(1).strip() for raw in lines if (m := pattern.match(raw)))


def split_row(line: str) -> tuple[str, ...]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return tuple(cell.strip() for cell in body.split("|"))


def is_separator(cells: tuple[str, ...]) -> bool:
    return all(_SEPARATOR_CELL_RE.match(cell.replace(" ", "")) for cell in cells)


def links(text: str) -> list[tuple[str, str]]:
    return [(m.group(1).strip(), m.group(2)) for m in LINK_RE.finditer(text)]


def strip_bold(text: str) -> str:
    return text.replace("**", "").replace("__", "")


def cell_text(cell: str) -> str:
    """Table cell as plain text: links keep their text, bold markers and <br> go."""
    text = LINK_RE.sub(lambda m: m.group(1), cell)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    return strip_bold(text).strip()


def clean(text: str) -> str:
    """Title text: no bold, no links, no emoji, collapsed spaces, no trailing colon."""
    text = _EMOJI_RE.sub("", cell_text(text))
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text.rstrip(":：").strip()


def day_span(text: str) -> tuple[int, int] | None:
    """Span of a day cell such as "**32-35**" or "**7**"."""
    plain = strip_bold(text).strip()
    if match := _SPAN_RE.fullmatch(plain):
        return int(match.group(1)), int(match.group(2))
    if plain.isdigit():
        return int(plain), int(plain)
    return None


def heading_span(text: str) -> tuple[int, int] | None:
    """Span in a heading such as "(Day 21-35)" or "（D1-D8）"."""
    match = _HEADING_SPAN_RE.search(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def without_span(text: str) -> str:
    return _HEADING_SPAN_RE.sub("", text).strip()


def iter_links(source: str) -> Iterator[tuple[str, str]]:
    """Every link of the source, line by line, in source order."""
    for line in source.splitlines():
        yield from links(line)
