"""Persistent buttons: each one's custom_id carries the core's callback data (its menu's one-time
token), and a `DynamicItem` template routes any press of such a button to the adapter, so
buttons keep working after a restart (`timeout=None`, nothing kept in memory)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.adapters.discord.rendering import label
from bot.core.messages import Button

PREFIX = "tb:"
OnPress = Callable[[discord.Interaction, str], Awaitable[None]]
# The class `press_item` makes, called as `item(data, label, row=index)`.
ItemFactory = Callable[..., discord.ui.Item[Any]]


def press_item(on_press: OnPress) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
    """A DynamicItem class whose presses go to `on_press(interaction, callback_data)`."""

    class CoreButton(
        discord.ui.DynamicItem[discord.ui.Button[Any]], template=re.escape(PREFIX) + r"(?P<data>.+)"
    ):
        def __init__(self, data: str, text: str = "…", row: int | None = None) -> None:
            super().__init__(
                discord.ui.Button(
                    label=label(text),
                    custom_id=PREFIX + data,
                    style=discord.ButtonStyle.secondary,
                    row=row,
                )
            )
            self.data = data

        @classmethod
        async def from_custom_id(
            cls,
            interaction: discord.Interaction,
            item: discord.ui.Item[Any],
            match: re.Match[str],
        ) -> CoreButton:
            return cls(match["data"], getattr(item, "label", None) or "…")

        async def callback(self, interaction: discord.Interaction) -> None:
            await on_press(interaction, self.data)

    return CoreButton


def view_of(item: ItemFactory, rows: list[list[Button]]) -> discord.ui.View | None:
    """A persistent view with the rows as given (at most 5, see `rendering.button_pages`)."""
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for index, row in enumerate(rows):
        for button in row:
            view.add_item(item(button.data, button.label, row=index))
    return view
