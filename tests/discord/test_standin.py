"""The Discord stand-in against the real, unmodified discord.py client: it connects over the
gateway, receives READY and GUILD_CREATE, answers a slash command, and waits out a 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.support.discord_standin import DiscordStandIn, DiscordUser

ALICE = DiscordUser(501, "Alice")


@pytest.fixture
async def api() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn() as server:
        with server.pointed_at():
            yield server


async def connected(api: DiscordStandIn, client: discord.Client) -> asyncio.Task[None]:
    await client.login(api.token)
    task = asyncio.create_task(client.connect())
    await asyncio.wait_for(client.wait_until_ready(), 10)
    return task


async def closed(client: discord.Client, task: asyncio.Task[None]) -> None:
    await client.close()
    await asyncio.wait_for(task, 10)


async def test_a_client_connects_and_sees_the_guild(api: DiscordStandIn) -> None:
    guild = api.add_guild("Study hall", ALICE)
    client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.1)
    task = await connected(api, client)
    try:
        assert client.user is not None and client.user.id == api.bot_id
        assert client.application_id == api.application_id
        seen = client.get_guild(guild.id)
        assert seen is not None and seen.name == "Study hall"
        assert [channel.name for channel in seen.text_channels] == ["general"]
        identify = api.identifies[0]
        assert identify["token"] == api.token and identify["intents"] == 1  # guilds only
        assert api.gateway_queries[0]["v"] == "10"
        assert str(client.ws.gateway) == api.gateway_url  # READY's resume_gateway_url
        await api.wait_until(lambda: api.heartbeats >= 1)
    finally:
        await closed(client, task)


async def test_a_slash_command_round_trip(api: DiscordStandIn) -> None:
    client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.1)
    tree = app_commands.CommandTree(client)

    @tree.command(name="echo", description="Say it back")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"{interaction.user.display_name}: {text}")

    task = await connected(api, client)
    try:
        await tree.sync()
        assert [command["name"] for command in api.commands[None]] == ["echo"]
        interaction = await api.slash(ALICE, "echo", {"text": "hello"})
        await api.wait_answered(interaction)
        channel = api.dm_channel(ALICE)
        [message] = api.channel_messages(channel.id)
        assert message.content == "Alice: hello"
        callback = api.calls_to("POST /interactions/{interaction_id}/{token}/callback")[0]
        assert callback.query == {"with_response": "1"}
        assert callback.content_type == "application/json"
        # A second acknowledgement is refused, as Discord does.
        async with aiohttp.ClientSession() as session:
            url = f"{api.base_url}/interactions/{interaction.id}/{interaction.token}/callback"
            async with session.post(url, params={"with_response": "1"}, json={"type": 5}) as again:
                assert again.status == 400 and (await again.json())["code"] == 40060
    finally:
        await closed(client, task)


async def test_a_429_is_waited_out(api: DiscordStandIn) -> None:
    client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.1)
    task = await connected(api, client)
    try:
        api.fail("POST /channels/{channel_id}/messages", 429, retry_after=0.4)
        channel = await client.create_dm(discord.Object(ALICE.id))
        started = time.monotonic()
        await channel.send("after the wait")
        assert time.monotonic() - started >= 0.4
        statuses = [call.status for call in api.calls_to("POST /channels/{channel_id}/messages")]
        assert statuses == [429, 200]
        assert [m.content for m in api.channel_messages(channel.id)] == ["after the wait"]
    finally:
        await closed(client, task)


async def test_closed_dms_answer_50007(api: DiscordStandIn) -> None:
    client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.1)
    task = await connected(api, client)
    try:
        api.dms_closed.add(ALICE.id)
        channel = await client.create_dm(discord.Object(ALICE.id))
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("hello")
        assert refused.value.code == 50007
    finally:
        await closed(client, task)


async def test_a_dropped_gateway_resumes_at_the_resume_gateway_url(api: DiscordStandIn) -> None:
    client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.1)
    tree = app_commands.CommandTree(client)

    @tree.command(name="ping", description="Pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    task = await connected(api, client)
    try:
        session_id = client.ws.session_id
        await api.drop_connections()
        await api.wait_until(lambda: len(api.resumes) == 1 and api.connected == 1)
        assert api.resumes[0]["session_id"] == session_id and len(api.identifies) == 1
        interaction = await api.slash(ALICE, "ping")
        await api.wait_answered(interaction)
        assert [m.content for m in api.channel_messages(api.dm_channel(ALICE).id)] == ["pong"]
    finally:
        await closed(client, task)
