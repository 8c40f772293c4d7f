"""Light, platform-neutral markup: adapters render it to plain text, Telegram HTML or Discord Markdown.

Learner and curriculum text stays data: only a renderer decides how it is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Plain:
    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    text: str


@dataclass(frozen=True, slots=True)
class Code:
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


Span: TypeAlias = Plain | Bold | Code | Link
Line: TypeAlias = tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Doc:
    """A message body: lines of spans."""

    lines: tuple[Line, ...] = ()

    def __add__(self, other: Doc) -> Doc:
        return Doc(self.lines + other.lines)

    def __iter__(self) -> Iterator[Line]:
        return iter(self.lines)


def line(*parts: Span | str) -> Line:
    return tuple(Plain(part) if isinstance(part, str) else part for part in parts)


def doc(*lines: Line | Span | str) -> Doc:
    built: list[Line] = []
    for item in lines:
        if isinstance(item, tuple):
            built.append(item)
        else:
            built.append(line(item))
    return Doc(tuple(built))


def join_docs(parts: Iterable[Doc], blank_line: bool = True) -> Doc:
    lines: list[Line] = []
    for part in parts:
        if lines and blank_line:
            lines.append(())
        lines.extend(part.lines)
    return Doc(tuple(lines))


def render_plain(body: Doc) -> str:
    """Console and logs: links become `title <url>`."""

    def span(item: Span) -> str:
        if isinstance(item, Link):
            return f"{item.title} <{item.url}>" if item.url else item.title
        return item.text

    return "\n".join("".join(span(item) for item in parts) for parts in body.lines)
