"""End to end through the stand-in: slash commands and button presses reach the core through
the real discord.py client, and the replies come back as interaction follow-ups."""

from __future__ import annotations

from bot.adapters.discord import DiscordAdapter
from bot.app import App
from tests.discord.conftest import ALICE, BOB, Clock, DiscordChat, adapter_for, learner_row, onboard
from tests.support.bank import letter_of, load_test_bank
from tests.support.discord_standin import DiscordStandIn

CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"


async def test_onboarding_today_and_quiz_in_a_dm(
    app: App, api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    await load_test_bank(app)
    alice = DiscordChat(api, ALICE)
    await onboard(alice)
    # Every accepted press spent its menu: its buttons were taken off the message.
    assert all(not message.buttons() for message in alice.messages)

    lesson = (await alice.run("today"))[0]
    assert lesson.embeds and lesson.embeds[0]["title"].startswith("Day 1 · ")
    assert "Python类型系统与类型提示" in lesson.text
    assert [label for label, _ in lesson.buttons()] == ["✅ Done"]
    done = await alice.press("Done")
    assert "Day 1 done! 1 of 100" in done[0].text

    card = (await alice.run("quiz"))[0]
    assert "1/1 · Day 1" in card.text and card.embeds
    assert [label for label, _ in card.buttons()][:4] == ["A", "B", "C", "D"]
    feedback, summary = await alice.press(letter_of(card.text, "typing"), expect=2)
    assert "✅ Correct!" in feedback.text and "Next review in" in feedback.text
    assert "Round complete" in summary.text

    # Every interaction was deferred first (a "thinking" reply or an update of the pressed
    # message), posted with ?with_response=1 as JSON, and nothing was refused.
    callbacks = api.calls_to(CALLBACK)
    assert {call.json["type"] for call in callbacks} == {5, 6}
    assert all(call.query == {"with_response": "1"} for call in callbacks)
    assert all(call.status < 400 for call in api.calls)
    row = await learner_row(app, ALICE)
    assert row is not None and row.plan == "ai-fullstack-100" and row.language == "en"


async def test_a_button_still_works_after_a_restart(
    app: App, api: DiscordStandIn, clock: Clock
) -> None:
    alice = DiscordChat(api, ALICE)
    first = adapter_for(app, api, clock)
    await first.start()
    try:
        await onboard(alice)
        lesson = (await alice.run("today"))[0]
    finally:
        await first.stop()
    assert api.connected == 0
    second = adapter_for(app, api, clock)
    await second.start()
    try:
        done = await alice.press("Done", message=lesson)
        assert "Day 1 done!" in done[0].text
    finally:
        await second.stop()


async def test_in_a_server_personal_replies_are_ephemeral_and_buttons_their_owners(
    app: App, api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    guild = api.add_guild("Study hall", ALICE)
    channel = guild.channels[0]
    await api.dispatch("GUILD_CREATE", guild.as_json())
    alice = DiscordChat(api, ALICE, channel)
    bob = DiscordChat(api, BOB, channel)
    await onboard(alice)
    lesson = (await alice.run("today"))[0]
    assert lesson.ephemeral_for == ALICE.id and lesson.buttons()
    assert bob.messages == []  # Bob sees none of Alice's personal replies
    # Bob presses Alice's button anyway: refused to him alone, and her buttons stay.
    [refusal] = await bob.press("Done", message=lesson)
    assert refusal.text == "These buttons belong to someone else."
    assert refusal.ephemeral_for == BOB.id and lesson.buttons()
    done = await alice.press("Done", message=lesson)
    assert "Day 1 done!" in done[0].text and done[0].ephemeral_for == ALICE.id


async def test_replies_follow_the_interaction_locale(
    api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    from tests.support.discord_standin import DiscordUser

    li = DiscordChat(api, DiscordUser(777, "李", "zh-CN"))
    welcome = await li.run("start", expect=2)
    assert "欢迎" in welcome[0].text
    bob = DiscordChat(api, BOB)
    assert "/today" in (await bob.run("help"))[0].text


async def test_the_retrospective_is_an_embed_and_its_chart_an_attachment(
    api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    alice = DiscordChat(api, ALICE)
    await onboard(alice)
    text, chart = await alice.run("retro", expect=2)
    assert text.embeds and "Goals this week" in text.text
    [upload] = chart.attachments
    assert upload.filename.endswith(".png") and upload.content.startswith(b"\x89PNG")
    assert "Daily reviews and retention" in chart.text
    sent = api.calls_to("POST /webhooks/{application_id}/{token}")[-1]
    assert sent.content_type.startswith("multipart/form-data")


async def test_export_is_a_json_attachment(
    api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    alice = DiscordChat(api, ALICE)
    await onboard(alice)
    [export] = await alice.run("export")
    [upload] = export.attachments
    assert upload.filename.endswith(".json") and b'"learner"' in upload.content


async def test_typed_answers_in_a_dm_reach_the_core(
    app: App, api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    alice = DiscordChat(api, ALICE)
    await alice.run("start", expect=2)
    for label in ("English", "100", "Application", "Other (type it)"):
        await alice.press(label)

    async def type_(text: str, expected: str) -> None:
        await api.type_dm(ALICE, text)
        await api.wait_until(lambda: expected in alice.messages[-1].text)

    await type_("Europe/Paris", "At what local time")  # a timezone typed instead of pressed
    await alice.press("Other (type it)")
    await type_("21:30", "You're all set!")
    row = await learner_row(app, ALICE)
    assert row is not None and row.timezone == "Europe/Paris"
    assert row.push_time.strftime("%H:%M") == "21:30"
    assert api.identifies[-1]["intents"] == (1 << 0) | (1 << 12)  # guilds, direct messages


async def test_in_a_server_a_typed_answer_goes_through_the_answer_form(
    app: App, api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    guild = api.add_guild("Study hall", ALICE)
    await api.dispatch("GUILD_CREATE", guild.as_json())
    alice = DiscordChat(api, ALICE, guild.channels[0])
    await alice.run("start", expect=2)
    for label in ("English", "100", "Application"):
        await alice.press(label)
    [ask] = await alice.press("Other (type it)")
    assert "Type your timezone" in ask.text and ask.ephemeral_for == ALICE.id
    opened = await api.press(ALICE, ask, "✍️ Answer")
    await api.wait_answered(opened)
    assert opened.callback_type == 9 and opened.form is not None  # a form, not a message
    assert ask.buttons()  # opening the form spends nothing
    sent = await api.submit_form(opened, "Europe/Paris")
    await api.wait_answered(sent)
    await api.wait_until(lambda: "At what local time" in alice.messages[-1].text)
    assert alice.messages[-1].ephemeral_for == ALICE.id
    row = await learner_row(app, ALICE)
    assert row is not None and row.timezone == "Europe/Paris"
