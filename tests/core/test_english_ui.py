"""An English learner reads English everywhere the bot speaks for itself: every command of the
catalog, the buttons, the refusals. Only what the plans and the question banks say (Chinese
lessons and questions) and the names of the languages stay as written."""

from __future__ import annotations

import datetime as dt
import re

from bot.app import App
from bot.core import render_plain
from bot.core.catalog import Scope, commands_for
from bot.core.names import LANGUAGE_NAMES
from curriculum import PLAN_IDS, load_plan
from retrieval.curriculum_chunks import curriculum_chunks
from tests.retro.support import learner_id
from tests.support.bank import TEST_BANK, load_test_bank
from tests.support.chat import Chat

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _plan_texts() -> set[str]:
    texts: set[str] = set()
    for plan_id in PLAN_IDS:
        plan = load_plan(plan_id)
        texts.add(plan.title)
        for lesson in plan.lessons:
            texts |= {lesson.title, lesson.section, lesson.stage, lesson.depth or ""}
            texts |= {*lesson.topics, *lesson.practice, *lesson.deliverables}
            texts |= set(lesson.focus.values()) | {ref.title for ref in lesson.references}
        for stage in plan.stages:
            texts |= {stage.title, *stage.goals, *stage.outcomes}
            texts |= {ref.title for ref in stage.resources}
            for section in stage.sections:
                texts |= {section.title, *section.topics, *section.practice}
        for track in plan.tracks.values():
            texts |= {track.name, track.goal}
        for items in plan.checklists.values():
            texts |= set(items)
        texts |= _source_words(plan.source_path.read_text(encoding="utf-8"))
    # /ask quotes lesson passages as the index holds them, line labels included ("…重点: …").
    texts |= {
        line.split(": ", 1)[0]
        for chunk in curriculum_chunks()
        for line in chunk.text.splitlines()
        if ": " in line
    }
    return texts


def _source_words(source: str) -> set[str]:
    """Headings (with and without their emoji) and table cells of a plan's source: /ask cites
    passages by them."""
    words: set[str] = set()
    for raw in source.splitlines():
        text = raw.strip()
        if text.startswith("#"):
            heading = text.lstrip("#").strip()
            words |= {heading, re.sub(r"^\W+", "", heading)}
        elif text.startswith("|"):
            words |= {cell.strip().strip("*").strip() for cell in text.strip("|").split("|")}
    return words


def _bank_texts() -> set[str]:
    texts: set[str] = set()
    for question in TEST_BANK:
        texts |= {question.stem, question.answer, question.explanation, question.topic}
        texts |= {*question.options, *question.accepted}
    return texts


CONTENT = sorted(
    (text for text in _plan_texts() | _bank_texts() | set(LANGUAGE_NAMES.values()) if text),
    key=len,
    reverse=True,
)


def chinese_ui(text: str) -> list[str]:
    """Lines that still hold CJK characters once the plans' and banks' own text is removed."""
    found = []
    for line in text.splitlines():
        rest = line
        for content in CONTENT:
            if content in rest:
                rest = rest.replace(content, "")
        if CJK.search(rest):
            found.append(line)
    return found


class Transcript:
    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.lines: list[str] = []

    def _keep(self, text: str) -> str:
        labels = "\n".join(label for label, _ in self.chat.last_buttons)
        self.lines += chinese_ui(text) + chinese_ui(labels)
        return text

    async def say(self, text: str) -> str:
        return self._keep(await self.chat.say(text))

    async def press(self, label: str) -> str:
        return self._keep(await self.chat.press(label))


async def test_an_english_learner_meets_no_chinese_ui_in_any_command(app: App) -> None:
    await load_test_bank(app)
    chat = Chat(app.core, locale_hint="en")
    walk = Transcript(chat)
    await walk.say("/start")
    for label in ("English", "100", "Application", "Asia/Shanghai", "08:00"):
        await walk.press(label)
    for spec in commands_for(Scope.PRIVATE):
        if spec.name != "forget":
            await walk.say(f"/{spec.name}")
    await walk.say("/today")
    await walk.press("Done")
    await walk.say("/quiz")
    await walk.press("I don't know")
    await walk.press("Explain")
    chat.advance(days=3)
    for command in (
        "/quiz 1",
        "/quiz LoRA",
        "/quiz 999",
        "/lesson 2",
        "/lesson 99",
        "/lesson x",
        "/backlog",
        "/progress",
        "/retro",
        "/plan",
        "/settings time 25:00",
        "/settings timezone Mars/Base",
        "/settings time 21:30",
        "/settings language fr",
        "/nonsense",
        "hello there",
        "/ask",
    ):
        await walk.say(command)
    await walk.say("/settings")
    for label in ("Language", "English", "Timezone", "Other"):
        await walk.press(label)
    await walk.say("Europe/Paris")
    for label in ("Daily lesson time", "19:00", "Track", "Application"):
        await walk.press(label)
    await walk.say("/settings")
    await walk.press("Plan")
    await walk.press("180")
    await walk.press("Cancel")
    await walk.say("/pause")
    await walk.say("/pause")
    await walk.say("/resume")
    await walk.say("/export")
    # What the bot sends on its own: the daily push and the weekly retrospective.
    learner = await learner_id(app)
    for kind in ("daily", "retro"):
        pushed = await app.core.compose("learner", learner, kind, chat.now) or []
        assert pushed
        walk.lines += chinese_ui("\n".join(render_plain(reply.body) for reply in pushed))
    await walk.say("/forget")
    await walk.press("Cancel")
    chat.advance(days=400)
    await walk.say("/today")
    ended = ""
    for days_back in range(298, 308):  # around the plan's last day (the clock went 403 days on)
        moment = chat.now - dt.timedelta(days=days_back)
        pushed = await app.core.compose("learner", learner, "daily", moment) or []
        text = "\n".join(render_plain(reply.body) for reply in pushed)
        walk.lines += chinese_ui(text)
        ended += text
    assert "You have reached the end of" in ended
    await walk.say("/forget")
    await walk.press("Yes")
    await walk.say("/today")
    assert walk.lines == [], "\n".join(walk.lines)


async def test_the_check_sees_chinese_ui_when_there_is_some() -> None:
    # The filter keeps lesson text and drops nothing else: a Chinese UI line is still caught.
    lesson = load_plan("ai-fullstack-100").lesson_for("app", 1)
    assert chinese_ui(f"Day 1 · {lesson.title}") == []
    assert chinese_ui(f"第 1 天 · {lesson.title}") == [f"第 1 天 · {lesson.title}"]
    assert chinese_ui("✅ 完成 / Done") == ["✅ 完成 / Done"]
