"""/quiz: spaced-repetition sessions (and practice runs that leave the schedule alone)."""

from __future__ import annotations

import datetime as dt

from bot.core import ask, free_text
from bot.core.context import Context
from bot.core.i18n import N_
from bot.core.markup import Bold, Doc, Line, Link, line
from bot.core.readable import small_number
from bot.db.models import QuizSessionRow
from bot.ops import metrics
from bot.services import menus, progress, quiz_sessions, reviews
from bot.services.quiz_sessions import PRACTICE, SCHEDULED
from curriculum import load_plan
from quizzes.free_text import FreeTextGrade, Verdict, is_non_answer, rating_for_verdict
from quizzes.grading import grade
from quizzes.model import Kind, Question
from quizzes.presentation import header_topic, option_order
from quizzes.srs import Card, Rating, format_interval, preview_intervals, rating_for_answer

LETTERS = "ABCDEF"
MAX_TOPIC_CHARS = 64
MAX_TYPED_ANSWER = 200
MAX_RECALL_ANSWER = 1000
RATING_LABELS = {
    Rating.Again: N_("Again"),
    Rating.Hard: N_("Hard"),
    Rating.Good: N_("Good"),
    Rating.Easy: N_("Easy"),
}


def _require_enrolled(ctx: Context) -> bool:
    if ctx.learner is None or not ctx.learner.enrolled:
        ctx.say(ctx._("You have not chosen a study plan yet. Send /start to begin."))
        return False
    return True


async def quiz(ctx: Context, args: str) -> None:
    if not _require_enrolled(ctx):
        return
    argument = args.strip()
    if not argument:
        await _start_scheduled(ctx)
    elif argument.isascii() and argument.isdigit():
        # A number of thousands of digits is out of the plan like any other.
        await _start_practice_day(ctx, small_number(argument) or 0)
    elif len(argument) > MAX_TOPIC_CHARS:
        ctx.say(
            ctx._(
                "That topic is too long. Try a day number like /quiz 25 or a term like /quiz LoRA."
            )
        )
    else:
        await _start_practice_topic(ctx, argument)


async def _start_scheduled(ctx: Context) -> None:
    learner = ctx.learner
    assert learner is not None
    size = ctx.settings.quiz.session_cards
    queue = await reviews.build_queue(ctx.session, learner, ctx.now, size, ctx.settings.quiz)
    if not queue:
        ctx.say(await _nothing_due(ctx))
        return
    row = await quiz_sessions.start_session(ctx.session, learner, SCHEDULED, None, queue, ctx.now)
    await _present(ctx, row)


async def _nothing_due(ctx: Context) -> str:
    learner = ctx.learner
    assert learner is not None
    due_now = await reviews.due_count(ctx.session, learner.id, ctx.now)
    if due_now:
        return ctx._("{count} more cards are due: /quiz for another round.").format(count=due_now)
    upcoming = await reviews.next_due(ctx.session, learner.id)
    if upcoming is None:
        return ctx._(
            "Nothing to review right now. New questions come with your lessons: see /today."
        )
    when = progress.local_now(learner.timezone, upcoming).strftime("%Y-%m-%d %H:%M")
    return ctx._("All caught up! Your next review is due at {when}.").format(when=when)


async def _start_practice_day(ctx: Context, day: int) -> None:
    learner = ctx.learner
    assert learner is not None and learner.plan is not None
    sequence = load_plan(learner.plan).lessons_for(learner.track)
    if not 1 <= day <= len(sequence):
        ctx.say(ctx._("Your plan has days 1 to {length}.").format(length=len(sequence)))
        return
    lesson = sequence[day - 1]
    queue = await quiz_sessions.practice_queue(
        ctx.session, [lesson.key], None, ctx.settings.quiz.session_cards
    )
    await _start_practice(ctx, queue, f"day:{day}")


async def _start_practice_topic(ctx: Context, topic: str) -> None:
    learner = ctx.learner
    assert learner is not None and learner.plan is not None
    sequence = load_plan(learner.plan).lessons_for(learner.track)
    needle = topic.casefold()
    matching = [
        lesson.key
        for lesson in sequence
        if needle in lesson.title.casefold()
        or any(needle in item.casefold() for item in lesson.topics)
    ]
    keys = [lesson.key for lesson in sequence]
    queue = await quiz_sessions.practice_queue(
        ctx.session, keys, topic, ctx.settings.quiz.session_cards
    )
    if matching:
        by_lesson = await quiz_sessions.practice_queue(
            ctx.session, matching, None, ctx.settings.quiz.session_cards
        )
        queue = list(dict.fromkeys(by_lesson + queue))[: ctx.settings.quiz.session_cards]
    await _start_practice(ctx, queue, f"topic:{topic}")


async def _start_practice(ctx: Context, queue: list[str], scope: str) -> None:
    learner = ctx.learner
    assert learner is not None
    if not queue:
        ctx.say(ctx._("I have no questions for that yet. Try another day or term."))
        return
    row = await quiz_sessions.start_session(ctx.session, learner, PRACTICE, scope, queue, ctx.now)
    await _present(ctx, row)


def _header(ctx: Context, row: QuizSessionRow, question: Question) -> Line:
    parts = [f"{row.position + 1}/{len(row.queue)}", ctx._("Day {day}").format(day=question.day)]
    topic = header_topic(question)
    if topic:
        parts.append(topic)
    if row.mode == PRACTICE:
        parts.append(ctx._("practice"))
    return line(Bold(" · ".join(parts)))


async def _present(ctx: Context, row: QuizSessionRow) -> None:
    learner = ctx.learner
    assert learner is not None
    stored = await quiz_sessions.question(ctx.session, row.queue[row.position])
    if stored is None:  # a question removed from the database mid-session: skip it
        await _advance(ctx, row)
        return
    question = quiz_sessions.as_question(stored)
    row.presented_at = ctx.now
    prefix = f"qa:{row.id}:{row.position}"
    lines: list[Line] = [_header(ctx, row, question), line(question.stem)]
    stop = (ctx._("⏹ Stop"), f"qstop:{row.id}")
    if question.kind == Kind.CHOICE:
        # Shown in this presentation's order; each button still carries the bank index it shows.
        order = _order(row, question)
        lines += [
            line(f"{LETTERS[shown]}. {question.options[index]}")
            for shown, index in enumerate(order)
        ]
        letters = [(LETTERS[shown], f"{prefix}:{index}") for shown, index in enumerate(order)]
        rows = [letters[i : i + 3] for i in range(0, len(letters), 3)] + [
            [(ctx._("I don't know"), f"{prefix}:dk"), stop]
        ]
        await ctx.ask(Doc(tuple(lines)), "quiz", rows)
        learner.awaiting = f"quiz:{row.id}:{row.position}"
    elif question.kind == Kind.TRUE_FALSE:
        rows = [
            [(ctx._("✅ True"), f"{prefix}:true"), (ctx._("❌ False"), f"{prefix}:false")],
            [stop],
        ]
        await ctx.ask(Doc(tuple(lines)), "quiz", rows)
        learner.awaiting = f"quiz:{row.id}:{row.position}"
    elif question.kind == Kind.CLOZE:
        lines.append(line(ctx._("Type the missing word or phrase.")))
        token = await ctx.ask(
            Doc(tuple(lines)), "quiz", [[(ctx._("I don't know"), f"{prefix}:dk"), stop]]
        )
        learner.awaiting = f"cloze:{row.id}:{row.position}:{token}"
        ctx.expect_text()
    else:
        lines.append(
            line(ctx._("Type your answer to have it graded, or reveal it and rate yourself."))
        )
        token = await ctx.ask(
            Doc(tuple(lines)),
            "quiz",
            [[(ctx._("Show answer"), f"qs:{row.id}:{row.position}"), stop]],
        )
        learner.awaiting = f"recall:{row.id}:{row.position}:{token}"
        ctx.expect_text()


def _order(row: QuizSessionRow, question: Question) -> tuple[int, ...]:
    """The options' order of this presentation, the same every time it is derived."""
    return option_order(question, f"quiz:{row.id}:{row.position}")


async def _current(ctx: Context, session_id: int, position: int) -> QuizSessionRow | None:
    learner = ctx.learner
    assert learner is not None
    row = await quiz_sessions.open_session(ctx.session, learner, session_id)
    if row is None or row.position != position:
        ctx.say(
            ctx._("That question is already behind you. /quiz starts a new round."), notice=True
        )
        return None
    return row


def _duration_ms(row: QuizSessionRow, now: dt.datetime) -> int | None:
    if row.presented_at is None:
        return None
    return max(0, int((now - row.presented_at).total_seconds() * 1000))


async def press_answer(ctx: Context, session_id: int, position: int, value: str) -> None:
    row = await _current(ctx, session_id, position)
    if row is None:
        return
    stored = await quiz_sessions.question(ctx.session, row.queue[row.position])
    assert stored is not None
    question = quiz_sessions.as_question(stored)
    if value == "dk":
        response = ""
    elif question.kind == Kind.CHOICE and value.isdigit() and int(value) < len(question.options):
        response = question.options[int(value)]
    elif question.kind == Kind.TRUE_FALSE and value in {"true", "false"}:
        response = value
    else:
        ctx.say(ctx._("That button is not valid."), notice=True)
        return
    await _graded(ctx, row, question, response)


async def typed(ctx: Context, text: str) -> None:
    """Text while a card is shown: a cloze or recall answer, or a hint to use the buttons."""
    learner = ctx.learner
    assert learner is not None and learner.awaiting is not None
    kind, _, rest = learner.awaiting.partition(":")
    if kind not in ("cloze", "recall"):
        ctx.say(
            ctx._("Please answer with the buttons under the question, or send /quiz to start over.")
        )
        return
    answer = text.strip()
    if kind == "recall" and (is_non_answer(answer) or len(answer) > MAX_RECALL_ANSWER):
        ctx.say(
            ctx._(
                "That does not look like an answer. Type it in a sentence or two (at most {limit} characters), or press “Show answer”."
            ).format(limit=MAX_RECALL_ANSWER)
        )
        return
    if is_non_answer(answer) or len(answer) > MAX_TYPED_ANSWER:
        ctx.say(
            ctx._(
                "That does not look like an answer. Type a short word or phrase, or press “I don't know”."
            )
        )
        return
    session_text, position_text, token = rest.split(":", 2)
    row = await _current(ctx, int(session_text), int(position_text))
    if row is None:
        learner.awaiting = None
        return
    stored = await quiz_sessions.question(ctx.session, row.queue[row.position])
    assert stored is not None
    question = quiz_sessions.as_question(stored)
    # Graded before anything is written, so a slow model holds no write lock.
    result = await free_text.grade_typed(ctx, question, answer)
    refusal = await menus.claim(ctx.session, learner, token, ctx.now)
    if refusal is not None:
        ctx.say(
            ctx._("That question is already behind you. /quiz starts a new round."), notice=True
        )
        return
    await _graded(ctx, row, question, answer, result)


async def _graded(
    ctx: Context,
    row: QuizSessionRow,
    question: Question,
    response: str,
    result: FreeTextGrade | None = None,
) -> None:
    """Show the verdict and record the review; `result` is a typed answer's grade by meaning."""
    learner = ctx.learner
    assert learner is not None
    learner.awaiting = None
    if result is None:
        correct = bool(response) and grade(question, response)
        lines = [line(Bold(ctx._("✅ Correct!") if correct else ctx._("❌ Not quite.")))]
    else:
        correct = result.verdict == Verdict.CORRECT
        lines = free_text.verdict_lines(ctx, result)
    metrics.quiz_answer("right" if correct else "wrong")
    if not correct or (result is not None and question.kind == Kind.RECALL):
        answer = _answer_text(ctx, question, _order(row, question))
        lines.append(line(ctx._("Answer: {answer}").format(answer=answer)))
    lines += _explanation(ctx, question)
    if row.mode == SCHEDULED:
        if result is None:
            usual = await reviews.usual_durations(ctx.session, learner.id)
            rating = rating_for_answer(correct, _duration_ms(row, ctx.now), usual)
        else:
            rating = rating_for_verdict(result.verdict)
        lines += await _record(ctx, row, question, rating, correct)
    row.answered += 1
    row.correct += int(correct)
    if correct:
        ctx.say(Doc(tuple(lines)))
    else:
        # A wrong answer offers /ask's explanation of the topic, scoped to the question's lesson.
        await ctx.ask(
            Doc(tuple(lines)), "explain", [[(ctx._("💡 Explain"), f"explain:{question.id}")]]
        )
    await _advance(ctx, row)


def _answer_text(ctx: Context, question: Question, order: tuple[int, ...]) -> str:
    if question.kind == Kind.TRUE_FALSE:
        return ctx._("True") if question.answer == "true" else ctx._("False")
    if question.kind == Kind.CHOICE and question.answer in question.options:
        shown = order.index(question.options.index(question.answer))
        return f"{LETTERS[shown]}. {question.answer}"
    return question.answer


def _explanation(ctx: Context, question: Question) -> list[Line]:
    lines: list[Line] = []
    if question.explanation:
        lines.append(line(question.explanation))
    for source in question.sources:
        plan, track, day = source.lesson.split("/")
        label = ctx._("Source: Day {day}").format(day=day)
        if source.url:
            lines.append(line(f"{label} · ", Link(source.title or source.url, source.url)))
        else:
            lines.append(line(label))
    return lines


async def _record(
    ctx: Context, row: QuizSessionRow, question: Question, rating: Rating, correct: bool | None
) -> list[Line]:
    learner = ctx.learner
    assert learner is not None
    stored = await quiz_sessions.question(ctx.session, question.id)
    assert stored is not None
    outcome = await reviews.record_review(
        ctx.session,
        learner,
        stored,
        rating,
        correct,
        ctx.now,
        _duration_ms(row, ctx.now),
        ctx.settings.quiz,
    )
    if outcome.leech:
        return [
            line(
                Bold(
                    ctx._(
                        "⚠️ You have missed this card {lapses} times, so I set it aside (suspended)."
                    ).format(lapses=outcome.card.lapses)
                )
            ),
            line(
                ctx._(
                    "Read the explanation above once more; /quiz {day} practises its lesson."
                ).format(day=question.day)
            ),
        ]
    interval = format_interval(outcome.card.due - ctx.now, learner.language)
    return [line(ctx._("Next review in {interval}.").format(interval=interval))]


async def reveal(ctx: Context, session_id: int, position: int) -> None:
    """Free recall: show the answer, then the learner rates themselves."""
    row = await _current(ctx, session_id, position)
    if row is None:
        return
    learner = ctx.learner
    assert learner is not None
    stored = await quiz_sessions.question(ctx.session, row.queue[row.position])
    assert stored is not None
    question = quiz_sessions.as_question(stored)
    lines = [line(Bold(ctx._("Answer: {answer}").format(answer=question.answer)))] + _explanation(
        ctx, question
    )
    prefix = f"qr:{row.id}:{row.position}"
    if row.mode == PRACTICE:
        await ctx.ask(Doc(tuple(lines)), "quiz", [[(ctx._("Next"), f"{prefix}:0")]])
        return
    card = await reviews.card_for(ctx.session, learner.id, question.id)
    fsrs_card = reviews.fsrs_card_of(card) if card is not None else Card(due=ctx.now)
    scheduler = reviews.scheduler_for(learner, ctx.settings.quiz)
    intervals = preview_intervals(scheduler, fsrs_card, ctx.now)
    buttons = [
        (
            f"{ctx._(RATING_LABELS[rating])} · {format_interval(intervals[rating], learner.language)}",
            f"{prefix}:{int(rating)}",
        )
        for rating in RATING_LABELS
    ]
    await ctx.ask(Doc(tuple(lines)), "quiz", [buttons[:2], buttons[2:]])
    learner.awaiting = f"quiz:{row.id}:{row.position}"


async def rate(ctx: Context, session_id: int, position: int, rating_value: int) -> None:
    row = await _current(ctx, session_id, position)
    if row is None:
        return
    learner = ctx.learner
    assert learner is not None
    learner.awaiting = None
    stored = await quiz_sessions.question(ctx.session, row.queue[row.position])
    assert stored is not None
    question = quiz_sessions.as_question(stored)
    if row.mode == SCHEDULED:
        if rating_value not in {int(rating) for rating in Rating}:
            ctx.say(ctx._("That button is not valid."), notice=True)
            return
        lines = await _record(ctx, row, question, Rating(rating_value), None)
        ctx.say(Doc(tuple(lines)))
    metrics.quiz_answer("self_rated")
    row.answered += 1
    row.correct += int(rating_value >= int(Rating.Hard))
    await _advance(ctx, row)


async def stop(ctx: Context, session_id: int) -> None:
    learner = ctx.learner
    assert learner is not None
    row = await quiz_sessions.open_session(ctx.session, learner, session_id)
    if row is None:
        ctx.say(ctx._("That quiz is already over."), notice=True)
        return
    learner.awaiting = None
    await _finish(ctx, row)


async def _advance(ctx: Context, row: QuizSessionRow) -> None:
    row.position += 1
    if row.position >= len(row.queue):
        await _finish(ctx, row)
    else:
        await _present(ctx, row)


async def _finish(ctx: Context, row: QuizSessionRow) -> None:
    learner = ctx.learner
    assert learner is not None
    row.finished_at = ctx.now
    seconds = int((ctx.now - row.started_at).total_seconds())
    lines: list[Line] = [line(Bold(ctx._("Round complete")))]
    if row.answered:
        lines.append(
            line(
                ctx._(
                    "{correct}/{answered} right ({percent}%) in {minutes} min {seconds} s."
                ).format(
                    correct=row.correct,
                    answered=row.answered,
                    percent=round(100 * row.correct / row.answered),
                    minutes=seconds // 60,
                    seconds=seconds % 60,
                )
            )
        )
    if row.mode == SCHEDULED:
        lines.append(line(await _nothing_due(ctx)))
    ctx.say(Doc(tuple(lines)))


async def explain(ctx: Context, question_id: str) -> None:
    stored = await quiz_sessions.question(ctx.session, question_id)
    if stored is None:
        ctx.say(ctx._("That button is not valid."), notice=True)
        return
    await ask.explain(ctx, stored.topic or stored.stem[:80], stored.lesson_key)
