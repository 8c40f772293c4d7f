"""Core replies -> what Discord shows: Markdown text cut into 2,000-character messages, an embed
for a reply that opens with a bold heading (lessons, quiz cards, retrospectives), files for
charts and exports, and button rows Discord accepts (at most 5 rows of 5).

Every piece of text is escaped here and nowhere else: learner and curriculum text stays data.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import discord

from bot.core.markup import Bold, Code, Doc, Line, Link, Plain, Span
from bot.core.messages import Button, Reply

CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
MAX_ROWS = 5
MAX_ROW_BUTTONS = 5
LABEL_LIMIT = 80
LINK_SCHEMES = ("http://", "https://")
EMBED_COLOUR = 0x5865F2


def _escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


def render_span(span: Span) -> str:
    if isinstance(span, Bold):
        return f"**{_escape(span.text)}**" if span.text else ""
    if isinstance(span, Code):
        text = span.text.replace("`", "ˋ")
        return f"`{text}`" if text else ""
    if isinstance(span, Link):
        if not span.url:
            return _escape(span.title)
        if not span.url.lower().startswith(LINK_SCHEMES):
            return _escape(f"{span.title} ({span.url})" if span.title else span.url)
        title = _escape(span.title or span.url).replace("[", "(").replace("]", ")")
        return f"[{title}](<{span.url.replace('>', '%3E')}>)"
    assert isinstance(span, Plain)
    return _escape(span.text)


def render_line(parts: Line) -> str:
    return "".join(render_span(span) for span in parts)


def render_markdown(body: Doc) -> str:
    return "\n".join(render_line(parts) for parts in body.lines)


def _hard_cut(text: str, limit: int) -> Iterator[str]:
    """A line too long for one message, cut between characters (never inside an escape)."""
    piece = ""
    for char in text:
        if len(piece) + 1 > limit and not piece.endswith("\\"):
            yield piece
            piece = ""
        piece += char
    if piece:
        yield piece


def split_markdown(body: Doc, limit: int = CONTENT_LIMIT) -> list[str]:
    """The document as messages of at most `limit` characters, cut at line boundaries; a single
    line longer than that is cut between its spans, or inside a span's text (each piece keeps
    its own bold markers). Empty messages never appear."""
    chunks: list[str] = []
    current = ""
    for parts in body.lines:
        rendered = render_line(parts)
        pieces = [rendered] if len(rendered) <= limit else list(_line_pieces(parts, limit))
        for piece in pieces:
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) > limit:
                chunks.append(current)
                current = piece
            else:
                current = candidate
    chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def _line_pieces(parts: Line, limit: int) -> Iterator[str]:
    current = ""
    for span in parts:
        rendered = render_span(span)
        if len(rendered) > limit:
            marker = "**" if isinstance(span, Bold) else ""
            text = _escape(span.text) if isinstance(span, Plain | Bold) else rendered
            pieces = [f"{marker}{p}{marker}" for p in _hard_cut(text, limit - 2 * len(marker))]
        else:
            pieces = [rendered]
        for piece in pieces:
            if current and len(current) + len(piece) > limit:
                yield current
                current = ""
            current += piece
    if current:
        yield current


def _heading(body: Doc) -> str | None:
    """The text of a first line that is one bold span: the reply's title."""
    if body.lines and len(body.lines[0]) == 1 and isinstance(body.lines[0][0], Bold):
        return body.lines[0][0].text
    return None


def as_embed(body: Doc) -> discord.Embed | None:
    """A reply that opens with a bold heading as an embed (title + description), when it fits
    in one; None otherwise (then it goes out as text)."""
    title = _heading(body)
    if title is None or len(title) > EMBED_TITLE_LIMIT:
        return None
    description = render_markdown(Doc(body.lines[1:])).strip("\n")
    if len(description) > EMBED_DESCRIPTION_LIMIT:
        return None
    return discord.Embed(title=title, description=description or None, colour=EMBED_COLOUR)


def button_pages(rows: tuple[tuple[Button, ...], ...]) -> list[list[list[Button]]]:
    """The core's button rows as Discord accepts them: rows of at most 5, at most 5 rows per
    message. Rows are kept as they are when they fit; otherwise the buttons are packed in order,
    and more than 25 go on further messages."""
    if len(rows) <= MAX_ROWS and all(len(row) <= MAX_ROW_BUTTONS for row in rows):
        return [[list(row) for row in rows]] if rows else []
    flat = [button for row in rows for button in row]
    packed = [flat[i : i + MAX_ROW_BUTTONS] for i in range(0, len(flat), MAX_ROW_BUTTONS)]
    return [packed[i : i + MAX_ROWS] for i in range(0, len(packed), MAX_ROWS)]


def label(text: str) -> str:
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


@dataclass
class Outgoing:
    """One Discord message: text and/or one embed, files, button rows."""

    content: str | None = None
    embed: discord.Embed | None = None
    files: list[discord.File] = field(default_factory=list)
    rows: list[list[Button]] = field(default_factory=list)


def _files(reply: Reply, embed: discord.Embed | None) -> list[discord.File]:
    files = []
    if reply.image is not None:
        files.append(discord.File(reply.image, filename=reply.image.name))
        if embed is not None:
            embed.set_image(url=f"attachment://{reply.image.name}")
    if reply.document is not None:
        content = io.BytesIO(reply.document.content)
        files.append(discord.File(content, filename=reply.document.filename))
    return files


def outgoing(reply: Reply) -> list[Outgoing]:
    """The messages one reply becomes, in order; buttons and files ride on the last one (or on
    extra messages when there are more than 25 buttons)."""
    embed = as_embed(reply.body)
    messages = (
        [Outgoing(embed=embed)]
        if embed is not None
        else [Outgoing(content=chunk) for chunk in split_markdown(reply.body)]
    )
    if not messages:
        messages = [Outgoing()]
    messages[-1].files = _files(reply, embed)
    pages = button_pages(reply.buttons)
    if pages:
        messages[-1].rows = pages[0]
        messages += [Outgoing(content="⋯", rows=page) for page in pages[1:]]
    if messages[0].content is None and messages[0].embed is None and not messages[0].files:
        messages[0].content = "⋯"
    return messages
