"""/quiz: spaced-repetition sessions (and practice runs that leave the schedule alone)."""

from __future__ import annotations

from bot.core import ask, free_text
from bot.core.context import Context
from bot.core.i18n import N_
from bot.core.markup import Bold, Doc, Line, Link, line
from bot.core.readable import small_number
from bot.ops import metrics
from bot.services import menus, progress, quiz_flow, quiz_sessions, reviews
from bot.services.quiz_sessions import PRACTICE, SCHEDULED
from curriculum import load_plan
from quizzes.free_text import FreeTextGrade, is_non_answer
from quizzes.model import Kind, Question
from quizzes.presentation import header_title
from quizzes.srs import Rating, format_interval

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


async def quiz(ctx: Context, args: str) -> None:
    if ctx.enrolled_learner() is None:
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
    await _show(ctx, await quiz_flow.start(ctx.session, learner, SCHEDULED, None, queue, ctx.now))


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
    await _show(ctx, await quiz_flow.start(ctx.session, learner, PRACTICE, scope, queue, ctx.now))


def _header(ctx: Context, shown: quiz_flow.Showing) -> Line:
    question = shown.question
    parts = [f"{shown.number}/{shown.total}", ctx._("Day {day}").format(day=question.day)]
    title = header_title(question)
    if title:
        parts.append(title)
    if shown.row.mode == PRACTICE:
        parts.append(ctx._("practice"))
    return line(Bold(" · ".join(parts)))


async def _show(ctx: Context, step: quiz_flow.Step) -> None:
    if isinstance(step, quiz_flow.RoundOver):
        await _round_over(ctx, step)
    else:
        await _present(ctx, step)


async def _present(ctx: Context, shown: quiz_flow.Showing) -> None:
    learner = ctx.learner
    assert learner is not None
    row, question = shown.row, shown.question
    prefix = f"qa:{row.id}:{row.position}"
    lines: list[Line] = [_header(ctx, shown), line(question.stem)]
    stop = (ctx._("⏹ Stop"), f"qstop:{row.id}")
    if question.kind == Kind.CHOICE:
        # Shown in this presentation's order; each button still carries the bank index it shows.
        lines += [
            line(f"{LETTERS[number]}. {question.options[index]}")
            for number, index in enumerate(shown.order)
        ]
        letters = [
            (LETTERS[number], f"{prefix}:{index}") for number, index in enumerate(shown.order)
        ]
        rows = [letters[i : i + 3] for i in range(0, len(letters), 3)] + [
            [(ctx._("I don't know"), f"{prefix}:{quiz_flow.DONT_KNOW}"), stop]
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
            Doc(tuple(lines)),
            "quiz",
            [[(ctx._("I don't know"), f"{prefix}:{quiz_flow.DONT_KNOW}"), stop]],
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


async def _current(ctx: Context, session_id: int, position: int) -> quiz_flow.Showing | None:
    learner = ctx.learner
    assert learner is not None
    shown = await quiz_flow.at(ctx.session, learner, session_id, position)
    if isinstance(shown, quiz_flow.Refused):
        ctx.say(
            ctx._("That question is already behind you. /quiz starts a new round."), notice=True
        )
        return None
    return shown


async def press(ctx: Context, kind: str, rest: str) -> None:
    """A press of a quiz button: `qa:ROUND:POSITION:VALUE` (an answer), `qs:ROUND:POSITION`
    (reveal), `qr:ROUND:POSITION:RATING` (a self-rating), `qstop:ROUND`."""
    parts = rest.split(":")
    if kind == "qstop":
        await stop(ctx, int(parts[0]))
        return
    session_id, position = int(parts[0]), int(parts[1])
    if kind == "qa":
        await press_answer(ctx, session_id, position, parts[2])
    elif kind == "qs":
        await reveal(ctx, session_id, position)
    else:
        await rate(ctx, session_id, position, int(parts[2]))


async def press_answer(ctx: Context, session_id: int, position: int, value: str) -> None:
    shown = await _current(ctx, session_id, position)
    if shown is None:
        return
    response = "" if value == quiz_flow.DONT_KNOW else quiz_flow.response_for(shown.question, value)
    if response is None:
        ctx.say(ctx._("That button is not valid."), notice=True)
        return
    await _graded(ctx, shown, response)


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
    session_id, position = int(session_text), int(position_text)
    shown = await _current(ctx, session_id, position)
    if shown is None:
        learner.awaiting = None
        return
    # Graded with no transaction open (nor the round's row lock): the model may take seconds.
    await ctx.commit()
    result = await free_text.grade_typed(ctx, shown.question, answer)
    # Locked again, and still the round's current card (a button may have moved it on).
    shown = await _current(ctx, session_id, position)
    if shown is None:
        return
    refusal = await menus.claim(ctx.session, learner, token, ctx.now)
    if refusal is not None:
        ctx.say(
            ctx._("That question is already behind you. /quiz starts a new round."), notice=True
        )
        return
    await _graded(ctx, shown, answer, result)


async def _graded(
    ctx: Context, shown: quiz_flow.Showing, response: str, result: FreeTextGrade | None = None
) -> None:
    """Show the verdict and record the review; `result` is a typed answer's grade by meaning."""
    learner = ctx.learner
    assert learner is not None
    learner.awaiting = None
    graded = await quiz_flow.answer(
        ctx.session, learner, shown, response, result, ctx.now, ctx.settings.quiz
    )
    question = shown.question
    if result is None:
        lines = [line(Bold(ctx._("✅ Correct!") if graded.correct else ctx._("❌ Not quite.")))]
    else:
        lines = free_text.verdict_lines(ctx, result)
    metrics.quiz_answer("right" if graded.correct else "wrong")
    if not graded.correct or (result is not None and question.kind == Kind.RECALL):
        answer = _answer_text(ctx, question, shown.order)
        lines.append(line(ctx._("Answer: {answer}").format(answer=answer)))
    lines += _explanation(ctx, question)
    if graded.review is not None:
        lines += _review_lines(ctx, question, graded.review)
    if graded.correct:
        ctx.say(Doc(tuple(lines)))
    else:
        # A wrong answer offers /ask's explanation of the topic, scoped to the question's lesson.
        await ctx.ask(
            Doc(tuple(lines)), "explain", [[(ctx._("💡 Explain"), f"explain:{question.id}")]]
        )
    await _show(ctx, await quiz_flow.advance(ctx.session, shown.row, ctx.now))


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


def _review_lines(ctx: Context, question: Question, review: reviews.Outcome) -> list[Line]:
    """When the card comes back, or that it was set aside as a leech."""
    if review.leech:
        return [
            line(
                Bold(
                    ctx._(
                        "⚠️ You have missed this card {lapses} times, so I set it aside (suspended)."
                    ).format(lapses=review.card.lapses)
                )
            ),
            line(
                ctx._(
                    "Read the explanation above once more; /quiz {day} practises its lesson."
                ).format(day=question.day)
            ),
        ]
    interval = format_interval(review.card.due - ctx.now, ctx.language)
    return [line(ctx._("Next review in {interval}.").format(interval=interval))]


async def reveal(ctx: Context, session_id: int, position: int) -> None:
    """Free recall: show the answer, then the learner rates themselves."""
    shown = await _current(ctx, session_id, position)
    if shown is None:
        return
    learner = ctx.learner
    assert learner is not None
    row, question = shown.row, shown.question
    lines = [line(Bold(ctx._("Answer: {answer}").format(answer=question.answer)))] + _explanation(
        ctx, question
    )
    prefix = f"qr:{row.id}:{row.position}"
    if row.mode == PRACTICE:
        await ctx.ask(Doc(tuple(lines)), "quiz", [[(ctx._("Next"), f"{prefix}:0")]])
        return
    intervals = await quiz_flow.intervals(
        ctx.session, learner, question, ctx.now, ctx.settings.quiz
    )
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
    shown = await _current(ctx, session_id, position)
    if shown is None:
        return
    learner = ctx.learner
    assert learner is not None
    learner.awaiting = None
    review = await quiz_flow.rate(
        ctx.session, learner, shown, rating_value, ctx.now, ctx.settings.quiz
    )
    if isinstance(review, quiz_flow.Refused):
        ctx.say(ctx._("That button is not valid."), notice=True)
        return
    if review is not None:
        ctx.say(Doc(tuple(_review_lines(ctx, shown.question, review))))
    metrics.quiz_answer("self_rated")
    await _show(ctx, await quiz_flow.advance(ctx.session, shown.row, ctx.now))


async def stop(ctx: Context, session_id: int) -> None:
    learner = ctx.learner
    assert learner is not None
    over = await quiz_flow.stop(ctx.session, learner, session_id, ctx.now)
    if isinstance(over, quiz_flow.Refused):
        ctx.say(ctx._("That quiz is already over."), notice=True)
        return
    learner.awaiting = None
    await _round_over(ctx, over)


async def _round_over(ctx: Context, over: quiz_flow.RoundOver) -> None:
    lines: list[Line] = [line(Bold(ctx._("Round complete")))]
    if over.answered:
        lines.append(
            line(
                ctx._(
                    "{correct}/{answered} right ({percent}%) in {minutes} min {seconds} s."
                ).format(
                    correct=over.correct,
                    answered=over.answered,
                    percent=round(100 * over.correct / over.answered),
                    minutes=over.seconds // 60,
                    seconds=over.seconds % 60,
                )
            )
        )
    if over.mode == SCHEDULED:
        lines.append(line(await _nothing_due(ctx)))
    ctx.say(Doc(tuple(lines)))


async def explain(ctx: Context, question_id: str) -> None:
    stored = await quiz_sessions.question(ctx.session, question_id)
    if stored is None:
        ctx.say(ctx._("That button is not valid."), notice=True)
        return
    await ask.explain(ctx, quiz_sessions.as_question(stored))
