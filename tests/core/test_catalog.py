"""The command catalog drives dispatch and both help texts: every command is listed, answered
where its scope says, and refused with a friendly reply elsewhere."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.core.catalog import CATALOG
from bot.core.conversation import COMMANDS, GROUP_COMMANDS
from tests.support.chat import Chat


def test_every_catalog_command_has_a_handler_for_its_scope_and_no_handler_is_unlisted() -> None:
    assert set(COMMANDS) == {spec.name for spec in CATALOG if spec.answers(is_group=False)}
    assert set(GROUP_COMMANDS) == {spec.name for spec in CATALOG if spec.answers(is_group=True)}
    assert len({spec.name for spec in CATALOG}) == len(CATALOG)


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_help_lists_every_command_with_its_arguments(app: App, language: str) -> None:
    text = await Chat(app.core, locale_hint=language).say("/help")
    for spec in CATALOG:
        # The operators' commands are documented for operators, not offered to learners.
        assert (f"/{spec.name} " in text) != spec.operators_only, spec.name
    if language == "en":
        assert "/ask <your question> — Ask a question about the plan" in text
        assert "/quiz [a day or a term] — Review what you learned" in text
    else:
        assert "/ask <你的问题> — 就学习计划提问" in text


async def test_group_help_lists_the_group_commands_and_marks_the_admin_ones(app: App) -> None:
    text = await Chat(app.core, group="g1", locale_hint="en").say("/help")
    members, _, admins = text.partition("For the group's admins")
    for spec in CATALOG:
        listed = f"/{spec.name} " in text
        assert listed == spec.answers(is_group=True), spec.name
        if listed:
            assert (f"/{spec.name} " in admins) == spec.admin_in_groups, spec.name
    assert "/ask <your question>" in members


async def test_commands_outside_their_scope_get_a_friendly_reply(app: App) -> None:
    in_group = await Chat(app.core, group="g1", locale_hint="en").say("/export")
    assert "Send me /export in a private chat" in in_group
    assert "I don't know the command /join" in await Chat(app.core, locale_hint="en").say("/join")
