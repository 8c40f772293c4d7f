"""Core markup -> Telegram HTML (parse mode HTML), cut into messages Telegram accepts.

Every piece of text is escaped here and nowhere else: learner and curriculum text stays data.
Long messages are cut at line boundaries; a single line too long for one message is cut between
spans, and a span too long is cut inside its text, each piece wrapped in its own tags, so no
message ever carries half a tag or half an entity.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from bot.core.markup import Bold, Code, Doc, Line, Link, Plain, Span

# Telegram's limits: a message's text, a photo's or document's caption.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
# Schemes Telegram turns into links; anything else is shown as text rather than risk a refusal.
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
# A link whose markup would take more than this share of a message is shown as text.
MAX_LINK_MARKUP_SHARE = 0.5


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _is_linkable(url: str) -> bool:
    return url.lower().startswith(LINK_SCHEMES)


def _parts(span: Span) -> tuple[str, str, str]:
    """(opening markup, text, closing markup) of a span; the text is not escaped yet."""
    if isinstance(span, Bold):
        return "<b>", span.text, "</b>"
    if isinstance(span, Code):
        return "<code>", span.text, "</code>"
    if isinstance(span, Link):
        if not span.url:
            return "", span.title, ""
        if not _is_linkable(span.url):
            return "", f"{span.title} ({span.url})" if span.title else span.url, ""
        return f'<a href="{html.escape(span.url, quote=True)}">', span.title or span.url, "</a>"
    return "", span.text, ""


def render_span(span: Span) -> str:
    opening, text, closing = _parts(span)
    if not text:
        return ""
    return f"{opening}{_escape(text)}{closing}"


def render_line(parts: Line) -> str:
    return "".join(render_span(span) for span in parts)


def render_telegram_html(body: Doc) -> str:
    """The whole document as one HTML string (see `split_html` for Telegram-sized pieces)."""
    return "\n".join(render_line(parts) for parts in body.lines)


def _span_pieces(span: Span, limit: int) -> Iterator[str]:
    """The span rendered, cut into pieces of at most `limit` when it is longer."""
    rendered = render_span(span)
    if telegram_length(rendered) <= limit:
        if rendered:
            yield rendered
        return
    opening, text, closing = _parts(span)
    overhead = telegram_length(opening + closing)
    if isinstance(span, Link) and overhead > limit * MAX_LINK_MARKUP_SHARE:
        opening, text, closing = _parts(Plain(f"{span.title} ({span.url})"))
        overhead = 0
    budget = limit - overhead
    piece: list[str] = []
    size = 0
    for char in text:
        escaped = _escape(char)
        width = telegram_length(escaped)
        if piece and size + width > budget:
            yield opening + "".join(piece) + closing
            piece, size = [], 0
        piece.append(escaped)
        size += width
    if piece:
        yield opening + "".join(piece) + closing


def _line_pieces(parts: Line, limit: int) -> Iterator[str]:
    """The line rendered; cut between (or inside) spans when it is longer than `limit`."""
    current: list[str] = []
    size = 0
    for span in parts:
        for piece in _span_pieces(span, limit):
            width = telegram_length(piece)
            if current and size + width > limit:
                yield "".join(current)
                current, size = [], 0
            current.append(piece)
            size += width
    yield "".join(current)


def split_html(body: Doc, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The document as HTML messages of at most `limit` characters each, cut at line
    boundaries where possible. Blank lines at a cut are dropped; empty messages never appear."""
    chunks: list[list[str]] = [[]]
    size = 0
    for parts in body.lines:
        for piece in _line_pieces(parts, limit):
            width = telegram_length(piece)
            joiner = 1 if chunks[-1] else 0
            if chunks[-1] and size + joiner + width > limit:
                chunks.append([])
                size, joiner = 0, 0
            chunks[-1].append(piece)
            size += joiner + width
    messages = []
    for chunk in chunks:
        text = "\n".join(chunk).strip("\n")
        if text.strip():
            messages.append(text)
    return messages
