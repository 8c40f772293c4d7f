"""Typed group settings share the learners' parsing and explanations: `/settings language en`
works in a group too, a bad value is explained and changes nothing, and a new timezone keeps
the group's plan day, as it does for a learner."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.app import App
from bot.db.schedule_models import Group
from tests.core.test_bad_input import snapshot
from tests.groups.test_groups import set_up_group
from tests.support.chat import Chat, enrol


async def group_row(app: App) -> Group:
    async with app.sessions() as session:
        group = await session.scalar(select(Group))
    assert group is not None
    return group


async def test_typed_group_settings_are_parsed_and_explained_like_a_learners(app: App) -> None:
    admin = await set_up_group(app)
    before = await snapshot(app)
    assert "is not a timezone I know" in await admin.say("/settings timezone Mars/Olympus")
    assert "is not a time of day" in await admin.say("/settings time 25:99")
    assert "Usage: /settings timezone" in await admin.say("/settings colour blue")
    assert (await snapshot(app))["groups"] == before["groups"]

    learner = Chat(app.core, user="lea", locale_hint="en")
    await enrol(learner)
    assert "is not a timezone I know" in await learner.say("/settings timezone Mars/Olympus")
    assert "is not a time of day" in await learner.say("/settings time 25:99")

    assert "Saved." in await admin.say("/settings time 06:45")
    assert "Language: 中文" in await admin.say("/settings language zh")
    group = await group_row(app)
    assert (group.push_time, group.language) == (dt.time(6, 45), "zh")


async def test_a_new_timezone_keeps_the_groups_plan_day(app: App) -> None:
    admin = await set_up_group(app)
    admin.now += dt.timedelta(days=3)
    assert "Day 4 ·" in await admin.say("/today")
    await admin.say("/settings timezone America/Los_Angeles")
    group = await group_row(app)
    assert group.timezone == "America/Los_Angeles" and group.next_lesson_day == 4
    # Still Day 4 at this moment (the local date went back), Day 5 a day later.
    assert "Day 4 ·" in await admin.say("/today")
    admin.now += dt.timedelta(days=1)
    assert "Day 5 ·" in await admin.say("/today")
