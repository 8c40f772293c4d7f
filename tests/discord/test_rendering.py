"""Core markup -> Discord: Markdown escaped, 2,000-character messages, embeds, button rows."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.discord import as_embed, button_pages, outgoing, split_markdown
from bot.core.markup import Bold, Code, Link, doc, line
from bot.core.messages import Button, Document, Reply


def test_text_is_escaped_and_links_are_masked() -> None:
    body = doc(
        line(Bold("Day *1*"), " a_b ", Code("x`y")),
        line(Link("typing [docs]", "https://docs.python.org/3/library/typing.html")),
        line(Link("local", "file:///etc/passwd")),
    )
    [text] = split_markdown(body)
    assert text.splitlines() == [
        r"**Day \*1\*** a\_b `xˋy`",
        "[typing (docs)](<https://docs.python.org/3/library/typing.html>)",
        "local (file:///etc/passwd)",
    ]


def test_long_text_is_split_at_lines_into_2000_character_messages() -> None:
    body = doc(*[f"line {index} " + "x" * 90 for index in range(60)])
    chunks = split_markdown(body)
    assert len(chunks) == 3 and all(len(chunk) <= 2000 for chunk in chunks)
    assert "\n".join(chunks).splitlines() == [f"line {i} " + "x" * 90 for i in range(60)]
    # One line longer than a message is cut inside, each piece keeping its bold markers.
    [first, second] = split_markdown(doc(line(Bold("y" * 2500))))
    assert first.startswith("**") and first.endswith("**") and len(first) <= 2000
    assert second == "**" + "y" * (2500 - 1996) + "**"


def test_a_reply_opening_with_a_bold_heading_becomes_an_embed() -> None:
    embed = as_embed(doc(line(Bold("Day 1 · Types")), "• typing", "• mypy"))
    assert embed is not None and embed.title == "Day 1 · Types"
    assert embed.description == "• typing\n• mypy"
    assert as_embed(doc("no heading", line(Bold("later")))) is None
    assert as_embed(doc(line(Bold("Huge")), "z" * 5000)) is None  # then it goes out as text
    [first, *_] = outgoing(Reply(body=doc(line(Bold("Huge")), *["z" * 1000] * 5)))
    assert first.embed is None and first.content is not None


def test_buttons_fit_in_five_rows_of_five() -> None:
    def rows(*sizes: int) -> tuple[tuple[Button, ...], ...]:
        counter = iter(range(100))
        return tuple(
            tuple(Button(str(i := next(counter)), f"t:{i}") for _ in range(n)) for n in sizes
        )

    assert [[len(r) for r in page] for page in button_pages(rows(3, 2))] == [[3, 2]]
    assert [[len(r) for r in page] for page in button_pages(rows(2, 2, 2, 2, 2, 2))] == [[5, 5, 2]]
    pages = button_pages(rows(*[2] * 14))
    assert [[len(r) for r in page] for page in pages] == [[5, 5, 5, 5, 5], [3]]
    labels = [b.label for page in pages for row in page for b in row]
    assert labels == [str(i) for i in range(28)]
    messages = outgoing(Reply(body=doc("pick"), buttons=rows(*[2] * 14)))
    assert len(messages) == 2 and len(messages[1].rows) == 1


def test_charts_and_exports_are_attachments(tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG")
    [message] = outgoing(Reply(body=doc(line(Bold("Retro"))), image=chart))
    assert message.embed is not None and message.embed.image.url == "attachment://chart.png"
    assert [file.filename for file in message.files] == ["chart.png"]
    export = Document("export.json", b"{}")
    [message] = outgoing(Reply(body=doc("Here it is"), document=export))
    assert [file.filename for file in message.files] == ["export.json"]
