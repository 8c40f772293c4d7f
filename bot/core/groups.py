"""Study groups in a group chat or channel: the admins set the group's plan and time, members
/join, the bot posts the day's lesson, /quiz plays a question together, /leaderboard ranks."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from sqlalchemy import select

from bot.core import lesson_views, typed_settings
from bot.core.catalog import Scope, commands_for, help_line
from bot.core.context import Context
from bot.core.i18n import Translate
from bot.core.markup import Bold, Doc, Line, doc, line
from bot.core.names import (
    COMMON_PUSH_TIMES,
    COMMON_TIMEZONES,
    LANGUAGE_NAMES,
    PLAN_NAMES,
    TRACK_NAMES,
    plan_name,
    track_name,
)
from bot.core.render import lesson_doc
from bot.db.models import ButtonMenu, Learner, QuestionRow
from bot.db.schedule_models import Group
from bot.ops import metrics
from bot.services import groups, learners, progress, quiz_flow, reviews
from bot.services.quiz_sessions import as_question
from bot.services.retros import local_week, week_ending
from bot.services.validation import parse_push_time
from curriculum import load_plan
from quizzes.grading import grade
from quizzes.model import Kind
from quizzes.presentation import header_title, option_order
from quizzes.srs import rating_for_answer

GROUP_QUIZ = "group-quiz"
LETTERS = "ABCDEF"
# Answer windows an admin can pick from the settings buttons (minutes); any other is typed.
QUIZ_WINDOWS = (5, 15, 60, 240, 1440)
MAX_WINDOW = 2880


def window_name(minutes: int, _: Translate) -> str:
    if minutes % 60:
        return _("{minutes} min").format(minutes=minutes)
    return _("{hours} h").format(hours=minutes // 60)


async def _ensure_learner(ctx: Context) -> Learner:
    """Group members get a learner row on first contact (not enrolled in a plan of their own)."""
    if ctx.learner is None:
        ctx.learner = await learners.create_learner(
            ctx.session,
            ctx.incoming.platform,
            ctx.incoming.user_id,
            ctx.incoming.display_name,
            ctx.language,
            ctx.settings.defaults,
        )
    return ctx.learner


async def _group(ctx: Context) -> Group | None:
    return await groups.find_group(ctx.session, ctx.incoming.platform, ctx.incoming.chat_id)


def _admins_only(ctx: Context) -> bool:
    if not ctx.incoming.is_admin:
        ctx.say(
            ctx._(
                "Only the group's admins can change its settings. Members: /join, /today, /quiz, /leaderboard."
            )
        )
        return False
    return True


def settings_doc(ctx: Context, group: Group) -> Doc:
    _ = ctx._
    pair = _("{name}: {value}")
    rows = [
        (_("Plan"), plan_name(group.plan, _)),
        (_("Timezone"), group.timezone),
        (_("Daily lesson time"), group.push_time.strftime("%H:%M")),
        (_("Language"), LANGUAGE_NAMES.get(group.language, group.language)),
        (_("Quiz answer window"), window_name(group.quiz_window_minutes, _)),
        (_("Status"), _("paused") if group.paused else _("active")),
    ]
    if group.plan and load_plan(group.plan).tracks:
        rows.insert(1, (_("Track"), track_name(group.track, _)))
    return doc(
        line(Bold(_("Study group settings"))),
        *[line(pair.format(name=n, value=v)) for n, v in rows],
    )


async def _setup(ctx: Context, args: str) -> None:
    if not _admins_only(ctx):
        return
    group = await _group(ctx)
    if group is None:
        group = await groups.create_group(
            ctx.session,
            ctx.incoming.platform,
            ctx.incoming.chat_id,
            ctx.incoming.chat_title,
            ctx.language,
        )
    if args.strip():
        await _typed_setting(ctx, group, args)
        return
    await _show_settings(ctx, group, None)


async def _show_settings(ctx: Context, group: Group, intro: str | None) -> None:
    await _ensure_learner(ctx)
    _ = ctx._
    body = settings_doc(ctx, group)
    if intro:
        body = doc(intro) + body
    if not group.enrolled:
        body = body + doc(
            _("Choose the group's plan to start. Members then /join the leaderboard.")
        )
    rows = [
        [(_("Plan"), f"gask:{group.id}:plan"), (_("Timezone"), f"gask:{group.id}:tz")],
        [
            (_("Daily lesson time"), f"gask:{group.id}:time"),
            (_("Language"), f"gask:{group.id}:lang"),
        ],
        [(_("Quiz answer window"), f"gask:{group.id}:window")],
    ]
    if group.plan and load_plan(group.plan).tracks:
        rows[0].insert(1, (_("Track"), f"gask:{group.id}:track"))
    await ctx.ask(body, "group-settings", rows)


async def ask_choice(ctx: Context, group_id: int, field: str) -> None:
    """An admin opened one of the group's settings: offer its values."""
    group = await _owned_group(ctx, group_id)
    if group is None:
        return
    _ = ctx._
    options: dict[str, list[tuple[str, str]]] = {
        "plan": [(_(label), plan_id) for plan_id, label in PLAN_NAMES.items()],
        "track": [(_(label), track_id) for track_id, label in TRACK_NAMES.items()],
        "tz": [(zone, zone) for zone in COMMON_TIMEZONES],
        "time": [(value, value) for value in COMMON_PUSH_TIMES],
        "lang": [(label, code) for code, label in LANGUAGE_NAMES.items()],
        "window": [(window_name(minutes, _), str(minutes)) for minutes in QUIZ_WINDOWS],
    }
    choices = [(label, f"gset:{group.id}:{field}:{value}") for label, value in options[field]]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    hint = (
        _("Or type /settings timezone Area/City, /settings time HH:MM.")
        if field in {"tz", "time"}
        else None
    )
    await ctx.ask(doc(hint) if hint else doc(_("Choose:")), "group-settings", rows)


async def _owned_group(ctx: Context, group_id: int) -> Group | None:
    group = await ctx.session.get(Group, group_id)
    if (
        group is None
        or group.chat_id != ctx.incoming.chat_id
        or group.platform != ctx.incoming.platform
    ):
        ctx.say(ctx._("That button is not valid."), notice=True)
        return None
    return group


async def set_choice(ctx: Context, group_id: int, field: str, value: str) -> None:
    group = await _owned_group(ctx, group_id)
    if group is None:
        return
    if field == "plan":
        # A new plan restarts the group at Day 1; a plan with tracks waits for the track.
        group.plan, group.track, group.start_date = value, None, None
        if load_plan(value).tracks:
            await ask_choice(ctx, group.id, "track")
            return
        progress.enrol(group, ctx.now)
    elif field == "track":
        group.track = value
        progress.enrol(group, ctx.now)
    elif field == "tz":
        progress.move_timezone(group, value, ctx.now)
    elif field == "time":
        parsed = parse_push_time(value)
        assert parsed is not None
        group.push_time = parsed
    elif field == "lang":
        group.language = value
    elif field == "window":
        group.quiz_window_minutes = int(value)
    await _show_settings(ctx, group, ctx._("Saved."))


async def _typed_setting(ctx: Context, group: Group, args: str) -> None:
    name, _, value = args.strip().partition(" ")
    if name.lower() == "window":  # `/settings window 30`: minutes a group quiz takes answers
        minutes = value.strip()
        if not (minutes.isascii() and minutes.isdigit() and 1 <= int(minutes) <= MAX_WINDOW):
            ctx.say(
                ctx._("The answer window is a number of minutes from 1 to {most}.").format(
                    most=MAX_WINDOW
                )
            )
            return
        await set_choice(ctx, group.id, "window", str(int(minutes)))
        return
    parsed = typed_settings.parse(ctx, args)
    if parsed is not None:
        await set_choice(ctx, group.id, *parsed)


async def _enrolled_group(ctx: Context) -> Group | None:
    group = await _group(ctx)
    if group is None or not group.enrolled:
        ctx.say(ctx._("This group has no study plan yet: an admin sends /start to choose one."))
        return None
    return group


async def _today(ctx: Context, _args: str) -> None:
    group = await _enrolled_group(ctx)
    if group is None:
        return
    assert group.plan is not None
    if progress.days_past_end(group, progress.local_today(group.timezone, ctx.now)):
        ctx.say(lesson_views.group_plan_over(ctx, group))
        return
    lesson = progress.current_lesson(group, ctx.now)
    ctx.say(lesson_doc(lesson, group.track, ctx._, completed=False))


async def _join(ctx: Context, _args: str) -> None:
    group = await _enrolled_group(ctx)
    if group is None:
        return
    learner = await _ensure_learner(ctx)
    name = ctx.incoming.display_name or learner.display_name
    if await groups.join(ctx.session, group, learner, ctx.now):
        ctx.say(
            ctx._(
                "Welcome to the study group, {name}! /quiz to play, /leaderboard to compare."
            ).format(name=name)
        )
    else:
        ctx.say(ctx._("{name}, you are already in this study group.").format(name=name))


async def _leave(ctx: Context, _args: str) -> None:
    group = await _group(ctx)
    if (
        group is None
        or ctx.learner is None
        or not await groups.leave(ctx.session, group, ctx.learner)
    ):
        ctx.say(ctx._("You are not in this study group."))
        return
    ctx.say(ctx._("You left the study group; your own plan and cards are untouched."))


async def leaderboard_lines(ctx: Context, group: Group, since: dt.datetime | None) -> list[Line]:
    standings = await groups.leaderboard(ctx.session, group, since)
    if not standings:
        return [line(ctx._("No members yet: /join to take part."))]
    medals = ["🥇", "🥈", "🥉"]
    return [
        line(
            ctx._(
                "{rank} {name}: {reviews} reviews · {lessons} lessons · {points} quiz points"
            ).format(
                rank=medals[index] if index < len(medals) else f"{index + 1}.",
                name=standing.name,
                reviews=standing.reviews,
                lessons=standing.lessons,
                points=standing.points,
            )
        )
        for index, standing in enumerate(standings)
    ]


async def _leaderboard(ctx: Context, _args: str) -> None:
    """This week (the group's retrospective week, in its timezone) and all time."""
    group = await _enrolled_group(ctx)
    if group is None:
        return
    today = progress.local_today(group.timezone, ctx.now)
    week = local_week(group.timezone, week_ending(today, group.retro_weekday, upcoming=True))
    lines = [line(Bold(ctx._("Leaderboard · this week")))]
    lines += await leaderboard_lines(ctx, group, week.start)
    lines += [(), line(Bold(ctx._("Leaderboard · all time")))]
    lines += await leaderboard_lines(ctx, group, None)
    ctx.say(Doc(tuple(lines)))


async def _quiz(ctx: Context, _args: str) -> None:
    group = await _enrolled_group(ctx)
    if group is None:
        return
    assert group.plan is not None
    day = progress.current_day(group, progress.local_today(group.timezone, ctx.now))
    keys = [lesson.key for lesson in load_plan(group.plan).lessons_for(group.track)[:day]]
    candidates = list(
        await ctx.session.scalars(
            select(QuestionRow).where(
                QuestionRow.lesson_key.in_(keys),
                QuestionRow.retired.is_(False),
                QuestionRow.kind.in_([str(Kind.CHOICE), str(Kind.TRUE_FALSE)]),
            )
        )
    )
    if not candidates:
        ctx.say(ctx._("I have no questions for that yet. Try another day or term."))
        return
    question = as_question(random.choice(candidates))  # noqa: S311 - a game, not security
    await _ensure_learner(ctx)
    lines: list[Line] = [
        line(
            Bold(
                " · ".join(
                    [ctx._("Group quiz · Day {day}").format(day=question.day)]
                    + [title for title in [header_title(question)] if title]
                )
            )
        ),
        line(question.stem),
    ]
    if question.kind == Kind.CHOICE:
        # Shuffled per post; each button carries the bank index of the option it shows.
        order = option_order(question, secrets.token_hex(8))
        lines += [
            line(f"{LETTERS[shown]}. {question.options[index]}")
            for shown, index in enumerate(order)
        ]
        buttons = [
            (LETTERS[shown], f"gq:{group.id}:{question.id}:{index}")
            for shown, index in enumerate(order)
        ]
    else:
        buttons = [
            (ctx._("✅ True"), f"gq:{group.id}:{question.id}:true"),
            (ctx._("❌ False"), f"gq:{group.id}:{question.id}:false"),
        ]
    lines.append(line(ctx._("Everyone may answer once; a right answer scores a point.")))
    await ctx.ask(Doc(tuple(lines)), GROUP_QUIZ, [buttons])


async def answer(
    ctx: Context, post_token: str, group_id: int, question_id: str, value: str
) -> None:
    group = await _owned_group(ctx, group_id)
    stored = await ctx.session.get(QuestionRow, question_id)
    if group is None or stored is None:
        return
    question = as_question(stored)
    response = quiz_flow.response_for(question, value)
    if response is None:
        ctx.say(ctx._("That button is not valid."), notice=True)
        return
    posted = await ctx.session.get(ButtonMenu, post_token)
    window = dt.timedelta(minutes=group.quiz_window_minutes)
    if posted is not None and ctx.now > posted.created_at + window:
        ctx.say(ctx._("The answer window for this question has closed."), notice=True)
        return
    learner = await _ensure_learner(ctx)
    correct = grade(question, response)
    if not await groups.record_group_answer(
        ctx.session, group, learner, post_token, question.id, correct, ctx.now
    ):
        ctx.say(ctx._("You already answered this one."), notice=True)
        return
    metrics.quiz_answer("right" if correct else "wrong")
    # The answer counts for the member's own spaced repetition too: that card is reviewed.
    rating = rating_for_answer(correct, None, ())
    await reviews.record_review(
        ctx.session, learner, stored, rating, correct, ctx.now, None, ctx.settings.quiz
    )
    if correct:
        ctx.say(ctx._("✅ Correct! +1 point"), notice=True)
    else:
        shown = (
            (ctx._("True") if question.answer == "true" else ctx._("False"))
            if question.kind == Kind.TRUE_FALSE
            else question.answer
        )
        ctx.say(ctx._("❌ Not quite. Answer: {answer}").format(answer=shown), notice=True)


async def _pause(ctx: Context, _args: str) -> None:
    group = await _enrolled_group(ctx)
    if group is None or not _admins_only(ctx):
        return
    progress.pause(group, ctx.now)
    ctx.say(ctx._("⏸ The group's daily lessons are paused. An admin sends /resume to continue."))


async def _resume(ctx: Context, _args: str) -> None:
    group = await _enrolled_group(ctx)
    if group is None or not _admins_only(ctx):
        return
    progress.resume(group, ctx.now)
    ctx.say(ctx._("▶ The group's daily lessons continue."))


async def _help(ctx: Context, _args: str) -> None:
    _ = ctx._
    ctx.say(
        doc(
            line(Bold(_("Study group commands"))),
            *[help_line(spec, _) for spec in commands_for(Scope.GROUP) if not spec.admin_in_groups],
            line(Bold(_("For the group's admins"))),
            *[help_line(spec, _) for spec in commands_for(Scope.GROUP) if spec.admin_in_groups],
        )
    )


# The group chat's handlers of the catalog's group commands (/ask is the private one).
COMMANDS = {
    "start": _setup,
    "settings": _setup,
    "today": _today,
    "join": _join,
    "leave": _leave,
    "leaderboard": _leaderboard,
    "quiz": _quiz,
    "pause": _pause,
    "resume": _resume,
    "help": _help,
}
