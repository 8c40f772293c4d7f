"""Core markup as Telegram HTML: everything escaped, long messages cut where Telegram accepts."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.rendering import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    render_telegram_html,
    split_html,
    telegram_length,
)
from bot.core.i18n import translator
from bot.core.markup import Bold, Code, Doc, Link, Plain, doc, line
from bot.core.render import lesson_doc
from curriculum import PLAN_IDS, load_plan
from tests.support.telegram_standin import BotApiError, html_to_text


def test_spans_become_tags_and_every_piece_of_text_is_escaped() -> None:
    body = doc(
        line(Bold("Day 3 <intro> & more"), " · ", Code("List[int] <T>")),
        line("a < b && c > d"),
        line(Link('Docs "<here>"', 'https://example.com/a?x=1&y="2"')),
    )
    rendered = render_telegram_html(body)
    assert rendered.splitlines() == [
        "<b>Day 3 &lt;intro&gt; &amp; more</b> · <code>List[int] &lt;T&gt;</code>",
        "a &lt; b &amp;&amp; c &gt; d",
        '<a href="https://example.com/a?x=1&amp;y=&quot;2&quot;">Docs "&lt;here&gt;"</a>',
    ]
    assert html_to_text(rendered).splitlines()[0] == "Day 3 <intro> & more · List[int] <T>"


def test_links_telegram_would_refuse_are_shown_as_text() -> None:
    assert render_telegram_html(doc(line(Link("run me", "javascript:alert(1)")))) == (
        "run me (javascript:alert(1))"
    )
    assert render_telegram_html(doc(line(Link("no url", "")))) == "no url"
    assert render_telegram_html(doc(line(Link("", "https://x.test")))) == (
        '<a href="https://x.test">https://x.test</a>'
    )


def test_learner_text_cannot_inject_markup() -> None:
    hostile = '</b><a href="https://evil.test">click</a><b>'
    rendered = render_telegram_html(doc(line(Bold(hostile)), line(Plain(hostile))))
    assert "<a" not in rendered
    assert html_to_text(rendered) == f"{hostile}\n{hostile}"


def test_a_short_document_is_one_message() -> None:
    body = doc("one", "", "two")
    assert split_html(body) == ["one\n\ntwo"]
    assert split_html(Doc()) == []
    assert split_html(doc("", "")) == []


def test_long_documents_are_cut_at_line_boundaries() -> None:
    lines = [line(Bold(f"Day {day}"), f" · topic {day} & <more>") for day in range(1, 400)]
    body = Doc(tuple(lines))
    messages = split_html(body)
    assert len(messages) > 1
    for message in messages:
        assert telegram_length(message) <= MESSAGE_LIMIT
        html_to_text(message)  # every piece parses: no half tag or half entity
    # Cut between lines only: every line survives whole, in order.
    assert "\n".join(messages).splitlines() == [
        render_telegram_html(Doc((parts,))) for parts in lines
    ]


def test_a_line_longer_than_a_message_is_cut_inside_its_spans() -> None:
    long_bold = Bold("粗" * 5000 + "&" * 3000)
    body = doc(line("start "), line(long_bold, Code("x" * 10)), line("end"))
    messages = split_html(body)
    assert all(telegram_length(message) <= MESSAGE_LIMIT for message in messages)
    texts = [html_to_text(message) for message in messages]
    assert (
        "".join(texts).replace("\n", "") == "start " + "粗" * 5000 + "&" * 3000 + "x" * 10 + "end"
    )
    assert all(message.count("<b>") == message.count("</b>") for message in messages)


def test_length_counts_utf16_units_like_telegram() -> None:
    assert telegram_length("你好") == 2
    assert telegram_length("🎉") == 2
    emoji_line = doc("🎉" * 3000)
    messages = split_html(emoji_line)
    assert [telegram_length(message) for message in messages] == [4096, 1904]


@pytest.mark.parametrize("limit", [CAPTION_LIMIT, 50])
def test_any_limit(limit: int) -> None:
    body = doc(*(f"line {number} <x>" for number in range(200)))
    assert all(telegram_length(message) <= limit for message in split_html(body, limit))


def test_the_standin_refuses_what_telegram_refuses() -> None:
    for broken in ["a < b", "<b>open", "<b>x</i>", "<script>x</script>", "fish & chips"]:
        with pytest.raises(BotApiError):
            html_to_text(broken)
    assert html_to_text('<a href="https://x.test">a &amp; b</a>') == "a & b"


def test_every_lesson_of_both_plans_is_html_telegram_accepts() -> None:
    checked = 0
    for plan_id in PLAN_IDS:
        plan = load_plan(plan_id)
        for track in plan.track_ids() or (None,):
            for lesson in plan.lessons_for(track):
                body = lesson_doc(lesson, track, translator("zh"), completed=False)
                for message in split_html(body):
                    assert telegram_length(message) <= MESSAGE_LIMIT
                    assert html_to_text(message).strip()
                checked += 1
    assert checked >= 480
