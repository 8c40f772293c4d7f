"""The weekly retrospective's numbers, for a learner or a study group: lessons planned and done,
reviews and retention per local day, weakest cards, leeches, next week's lessons, a suggested
adjustment, a leaderboard for groups, and an optional narrative from the LLM.

Weeks are local: the seven calendar days ending on the recipient's retrospective weekday.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CardRow, Learner, LessonCompletion, QuestionRow, ReviewLogRow
from bot.db.schedule_models import Group, GroupMember
from bot.services import groups, lessons, progress, reviews
from bot.services.groups import Standing
from bot.services.learning_stats import streak_length, study_days
from bot.services.llm_client import LLMClient
from bot.settings import QuizSettings, RetroSettings
from curriculum import Lesson, load_plan
from quizzes.srs import Rating, State

log = logging.getLogger(__name__)

WEEK_DAYS = 7
NEXT_LESSONS = 7
MISSED_DAYS_SHOWN = 5

# Adjustment codes.
FEWER_NEW = "fewer_new"
CATCH_UP = "catch_up"
KEEP_GOING = "keep_going"


@dataclass(frozen=True, slots=True)
class Week:
    """Seven local calendar days, first to last inclusive, and their UTC bounds [start, end)."""

    iso: str
    first: dt.date
    last: dt.date
    start: dt.datetime
    end: dt.datetime

    @property
    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=offset) for offset in range(WEEK_DAYS)]


def week_ending(today: dt.date, weekday: int, upcoming: bool) -> dt.date:
    """The last day of a retrospective week: the most recent `weekday` on or before today, or
    with `upcoming` the next one on or after today (the week still in progress)."""
    if upcoming:
        return today + dt.timedelta(days=(weekday - today.weekday()) % WEEK_DAYS)
    return today - dt.timedelta(days=(today.weekday() - weekday) % WEEK_DAYS)


def local_week(timezone: str, last: dt.date) -> Week:
    zone = ZoneInfo(timezone)
    first = last - dt.timedelta(days=WEEK_DAYS - 1)
    year, number, _ = last.isocalendar()

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)

    return Week(
        iso=f"{year}-W{number:02d}",
        first=first,
        last=last,
        start=midnight(first),
        end=midnight(last + dt.timedelta(days=1)),
    )


@dataclass(frozen=True, slots=True)
class DayStat:
    """One local day: reviews done and the share of cards recalled at their first try that day
    (None without reviews)."""

    date: dt.date
    reviews: int
    retention: float | None


@dataclass(frozen=True, slots=True)
class WeakCard:
    question_id: str
    stem: str
    explanation: str
    reviews: int  # this week
    failures: int  # "Again" this week
    lapses: int  # forgotten after graduating, all time (summed over members for a group)


@dataclass(frozen=True, slots=True)
class PlannedLesson:
    lesson: Lesson
    delivered: bool  # its day has come
    done: bool  # marked done (always False for a group)


@dataclass(frozen=True, slots=True)
class PlanWeek:
    """What the plan holds for the week: the days it covers, their lessons, what comes next."""

    number: int  # the study plan's week, as in 第X周
    first_day: int
    last_day: int
    lessons: tuple[PlannedLesson, ...]
    topics: tuple[str, ...]  # of the lessons learned (see plan_week)
    practice: tuple[str, ...]
    next_lessons: tuple[Lesson, ...]

    @property
    def planned(self) -> int:
        return len(self.lessons)

    @property
    def done(self) -> int:
        return sum(item.done for item in self.lessons)


@dataclass(frozen=True, slots=True)
class Adjustment:
    code: str
    retention: float | None = None
    target: float | None = None
    new_per_day: int | None = None
    suggested_new_per_day: int | None = None
    backlog: int = 0
    missed_days: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewWeek:
    days: tuple[DayStat, ...]
    retention: float | None  # first tries of the week, every card state
    true_retention: float | None  # first tries of mature (review-state) cards only
    true_retention_reviews: int
    weakest: tuple[WeakCard, ...]

    @property
    def reviews(self) -> int:
        return sum(day.reviews for day in self.days)

    @property
    def active_days(self) -> int:
        return sum(1 for day in self.days if day.reviews)


@dataclass(frozen=True, slots=True)
class WeekReport:
    week: Week
    plan_id: str
    track: str | None
    plan: PlanWeek
    activity: ReviewWeek
    target_retention: float
    streak: int
    completed_this_week: int  # lessons marked done within the week, whichever day they are
    leeches: tuple[WeakCard, ...]
    leech_count: int
    adjustments: tuple[Adjustment, ...]


@dataclass(frozen=True, slots=True)
class GroupWeekReport:
    week: Week
    plan_id: str
    track: str | None
    plan: PlanWeek
    activity: ReviewWeek
    leaderboard: tuple[Standing, ...] = field(default=())
    members: int = 0


# --- the plan's side of the week -------------------------------------------------------------


def _lesson_topics(lesson: Lesson, track: str | None) -> list[str]:
    topics = [topic for topic in lesson.topics if topic != lesson.title] or [lesson.title]
    focus = lesson.focus.get(track or "", "").strip()
    if focus and focus not in {"-", "—", "✅"}:
        topics.append(focus)
    return topics


def plan_week(
    subject: progress.Enrolled,
    week: Week,
    today: dt.date,
    completed_days: set[int],
    *,
    learned_when_done: bool = False,
) -> PlanWeek:
    """The lessons the week covers for a learner or a group (both follow a plan day by day).
    Topics and practice come from the lessons learned: those marked done with
    `learned_when_done` (a learner), otherwise those delivered (a group marks nothing done)."""
    assert subject.plan is not None
    sequence = load_plan(subject.plan).lessons_for(subject.track)
    first_day = progress.current_day(subject, week.first)
    last_day = progress.current_day(subject, week.last)
    delivered_up_to = progress.current_day(subject, today)
    planned = tuple(
        PlannedLesson(
            lesson=lesson,
            delivered=lesson.day <= delivered_up_to,
            done=lesson.day in completed_days,
        )
        for lesson in sequence[first_day - 1 : last_day]
    )
    learned = [
        item.lesson for item in planned if (item.done if learned_when_done else item.delivered)
    ]
    topics = _unique(topic for lesson in learned for topic in _lesson_topics(lesson, subject.track))
    practice = _unique(task for lesson in learned for task in lesson.practice)
    return PlanWeek(
        number=(last_day - 1) // WEEK_DAYS + 1,
        first_day=first_day,
        last_day=last_day,
        lessons=planned,
        topics=topics,
        practice=practice,
        next_lessons=tuple(sequence[last_day : last_day + NEXT_LESSONS]),
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


# --- reviews ---------------------------------------------------------------------------------


async def review_week(
    session: AsyncSession,
    learner_ids: Sequence[int],
    timezone: str,
    week: Week,
    weak_cards: int,
) -> ReviewWeek:
    """Reviews per local day and the weakest cards of the week, over one or more learners."""
    zone = ZoneInfo(timezone)
    rows = (
        await session.execute(
            select(
                ReviewLogRow.learner_id,
                ReviewLogRow.reviewed_at,
                ReviewLogRow.rating,
                ReviewLogRow.state_before,
                CardRow.question_id,
            )
            .join(CardRow, CardRow.id == ReviewLogRow.card_id)
            .where(
                ReviewLogRow.learner_id.in_(list(learner_ids)),
                ReviewLogRow.reviewed_at >= week.start,
                ReviewLogRow.reviewed_at < week.end,
            )
            .order_by(ReviewLogRow.reviewed_at, ReviewLogRow.id)
        )
    ).all()
    per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])  # reviews, firsts, passed
    per_question: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # reviews, failures
    seen: set[tuple[int, str, dt.date]] = set()
    true_passed = true_total = 0
    for learner_id, reviewed_at, rating, state_before, question_id in rows:
        day = reviewed_at.astimezone(zone).date()
        failed = rating == int(Rating.Again)
        per_day[day][0] += 1
        per_question[question_id][0] += 1
        per_question[question_id][1] += int(failed)
        key = (learner_id, question_id, day)
        if key in seen:
            continue  # only a card's first try of the day says whether it was remembered
        seen.add(key)
        per_day[day][1] += 1
        per_day[day][2] += int(not failed)
        if state_before == int(State.Review):
            true_total += 1
            true_passed += int(not failed)
    days = []
    for day in week.dates:
        done, firsts, passed = per_day.get(day, (0, 0, 0))
        days.append(DayStat(day, done, passed / firsts if firsts else None))
    firsts = sum(counts[1] for counts in per_day.values())
    passed = sum(counts[2] for counts in per_day.values())
    weakest = await _weakest(session, learner_ids, per_question, weak_cards)
    return ReviewWeek(
        days=tuple(days),
        retention=passed / firsts if firsts else None,
        true_retention=true_passed / true_total if true_total else None,
        true_retention_reviews=true_total,
        weakest=weakest,
    )


async def _weakest(
    session: AsyncSession,
    learner_ids: Sequence[int],
    per_question: dict[str, list[int]],
    limit: int,
) -> tuple[WeakCard, ...]:
    failed = {question: counts for question, counts in per_question.items() if counts[1]}
    if not failed or limit <= 0:
        return ()
    lapses = dict(
        (
            await session.execute(
                select(CardRow.question_id, func.sum(CardRow.lapses))
                .where(
                    CardRow.learner_id.in_(list(learner_ids)),
                    CardRow.question_id.in_(list(failed)),
                )
                .group_by(CardRow.question_id)
            )
        ).all()
    )
    questions = {
        row.id: row
        for row in await session.scalars(
            select(QuestionRow).where(QuestionRow.id.in_(list(failed)))
        )
    }

    def weakness(question: str) -> tuple[int, float, int, str]:
        reviewed, failures = failed[question]
        return (-failures, -failures / reviewed, -int(lapses.get(question) or 0), question)

    ranked = sorted((question for question in failed if question in questions), key=weakness)
    return tuple(
        WeakCard(
            question_id=question,
            stem=questions[question].stem,
            explanation=questions[question].explanation,
            reviews=failed[question][0],
            failures=failed[question][1],
            lapses=int(lapses.get(question) or 0),
        )
        for question in ranked[:limit]
    )


async def leeches(
    session: AsyncSession, learner_id: int, limit: int
) -> tuple[tuple[WeakCard, ...], int]:
    """Suspended cards (forgotten too often), most lapses first, and how many there are."""
    rows = (
        await session.execute(
            select(CardRow.lapses, QuestionRow)
            .join(QuestionRow, QuestionRow.id == CardRow.question_id)
            .where(CardRow.learner_id == learner_id, CardRow.suspended.is_(True))
            .order_by(CardRow.lapses.desc(), CardRow.id)
        )
    ).all()
    shown = tuple(
        WeakCard(
            question_id=question.id,
            stem=question.stem,
            explanation=question.explanation,
            reviews=0,
            failures=0,
            lapses=lapses,
        )
        for lapses, question in rows[:limit]
    )
    return shown, len(rows)


# --- the suggested adjustment ----------------------------------------------------------------


def suggest_adjustments(
    true_retention: float | None,
    true_retention_reviews: int,
    target: float,
    new_per_day: int,
    missed_days: Sequence[int],
    settings: RetroSettings,
) -> tuple[Adjustment, ...]:
    """Fewer new cards when mature cards are forgotten more often than the target allows;
    catching up when delivered lessons pile up undone; otherwise the same pace."""
    found: list[Adjustment] = []
    if (
        true_retention is not None
        and true_retention_reviews >= settings.min_retention_reviews
        and true_retention < target
    ):
        found.append(
            Adjustment(
                FEWER_NEW,
                retention=true_retention,
                target=target,
                new_per_day=new_per_day,
                suggested_new_per_day=new_per_day // 2,
            )
        )
    if len(missed_days) > settings.backlog_lessons:
        found.append(
            Adjustment(
                CATCH_UP,
                backlog=len(missed_days),
                missed_days=tuple(missed_days[:MISSED_DAYS_SHOWN]),
            )
        )
    return tuple(found) or (Adjustment(KEEP_GOING),)


# --- the two reports -------------------------------------------------------------------------


def learner_week_of(learner: Learner, now: dt.datetime, upcoming: bool) -> Week:
    today = progress.local_today(learner.timezone, now)
    return local_week(learner.timezone, week_ending(today, learner.retro_weekday, upcoming))


async def learner_week(
    session: AsyncSession,
    learner: Learner,
    now: dt.datetime,
    *,
    upcoming: bool = False,
    retro: RetroSettings | None = None,
    quiz: QuizSettings | None = None,
) -> WeekReport:
    """The retrospective of the week ending on the learner's retrospective weekday: the last such
    week (a scheduled retrospective, even if sent late), or with `upcoming` the one in progress."""
    assert learner.plan is not None
    retro = retro or RetroSettings()
    quiz = quiz or QuizSettings()
    today = progress.local_today(learner.timezone, now)
    week = learner_week_of(learner, now, upcoming)
    completed = await lessons.completed_days(session, learner)
    planned = plan_week(learner, week, today, completed, learned_when_done=True)
    activity = await review_week(session, [learner.id], learner.timezone, week, retro.weak_cards)
    completed_this_week = await session.scalar(
        select(func.count())
        .select_from(LessonCompletion)
        .where(
            LessonCompletion.learner_id == learner.id,
            LessonCompletion.plan == learner.plan,
            LessonCompletion.completed_at >= week.start,
            LessonCompletion.completed_at < week.end,
        )
    )
    delivered_days = range(1, progress.current_day(learner, today) + 1)
    missed = [day for day in delivered_days if day not in completed]
    limits = reviews.limits_for(learner, quiz)
    shown_leeches, leech_count = await leeches(session, learner.id, retro.leeches)
    return WeekReport(
        week=week,
        plan_id=learner.plan,
        track=learner.track,
        plan=planned,
        activity=activity,
        target_retention=limits.desired_retention,
        streak=streak_length(await study_days(session, learner, now), today),
        completed_this_week=int(completed_this_week or 0),
        leeches=shown_leeches,
        leech_count=leech_count,
        adjustments=suggest_adjustments(
            activity.true_retention,
            activity.true_retention_reviews,
            limits.desired_retention,
            limits.new_per_day,
            missed,
            retro,
        ),
    )


async def group_week(
    session: AsyncSession,
    group: Group,
    now: dt.datetime,
    *,
    upcoming: bool = False,
    retro: RetroSettings | None = None,
) -> GroupWeekReport:
    """The group's week: its own lessons, its members' reviews together, the leaderboard."""
    assert group.plan is not None
    retro = retro or RetroSettings()
    today = progress.local_today(group.timezone, now)
    week = local_week(group.timezone, week_ending(today, group.retro_weekday, upcoming))
    member_ids = list(
        await session.scalars(
            select(GroupMember.learner_id).where(GroupMember.group_id == group.id)
        )
    )
    return GroupWeekReport(
        week=week,
        plan_id=group.plan,
        track=group.track,
        plan=plan_week(group, week, today, set()),
        activity=await review_week(session, member_ids, group.timezone, week, retro.weak_cards),
        leaderboard=tuple(await groups.leaderboard(session, group, week.start)),
        members=len(member_ids),
    )


# --- the narrative ---------------------------------------------------------------------------

NARRATIVE_INSTRUCTIONS = {
    "zh": (
        "你是一位温和、务实的学习教练。根据下面这位学习者本周的学习数据，用中文写 2 到 3 句话的周小结："
        "肯定做得好的地方，指出一个最值得改进的点，并给出下周一个具体可行的建议。"
        "只根据给出的数据，不要编造数字，不要使用 Markdown 或标题。"
    ),
    "en": (
        "You are a warm, practical study coach. From this learner's numbers for the week, write a "
        "2-3 sentence summary in English: acknowledge what went well, name the one thing most "
        "worth improving, and give one concrete suggestion for next week. Use only the numbers "
        "given, invent nothing, and use no Markdown or headings."
    ),
}


def narrative_facts(report: WeekReport | GroupWeekReport) -> str:
    """The week in plain English facts: the prompt's data (the model answers in the language
    the instructions ask for)."""
    plan, activity = report.plan, report.activity
    facts = [
        f"Study plan week {plan.number}, plan days {plan.first_day}-{plan.last_day}.",
        f"Reviews: {activity.reviews} on {activity.active_days} of 7 days.",
    ]
    if activity.retention is not None:
        facts.append(f"Recalled at first try: {round(100 * activity.retention)}%.")
    if isinstance(report, WeekReport):
        facts.append(f"Lessons done: {plan.done} of {plan.planned} planned this week.")
        facts.append(f"Streak: {report.streak} days.")
        if activity.true_retention is not None:
            facts.append(
                f"True retention of mature cards: {round(100 * activity.true_retention)}% "
                f"(target {round(100 * report.target_retention)}%)."
            )
        facts.append("Suggested adjustment: " + ", ".join(a.code for a in report.adjustments))
    else:
        facts.append(f"Members: {report.members}.")
        facts += [
            f"Leaderboard {rank}: {item.name} ({item.reviews} reviews, {item.lessons} lessons)."
            for rank, item in enumerate(report.leaderboard[:3], 1)
        ]
    if plan.topics:
        facts.append("Topics covered: " + "; ".join(plan.topics[:8]) + ".")
    if activity.weakest:
        facts.append("Weakest questions: " + " | ".join(card.stem for card in activity.weakest))
    if plan.next_lessons:
        facts.append(
            "Next week's lessons: " + "; ".join(lesson.title for lesson in plan.next_lessons)
        )
    return "\n".join(facts)


async def write_narrative(
    report: WeekReport | GroupWeekReport, llm_client: LLMClient, language: str, max_chars: int
) -> str | None:
    """A few encouraging sentences from the configured LLM, or None when there is none, it
    fails or it is too slow: the retrospective never waits on it for longer than the timeout."""
    client = llm_client.client()
    llm = llm_client.settings
    if client is None or not llm.model:
        return None
    try:
        async with asyncio.timeout(llm.timeout_seconds):
            response = await client.chat.completions.create(
                model=llm.model,
                messages=[
                    {
                        "role": "system",
                        "content": NARRATIVE_INSTRUCTIONS.get(
                            language, NARRATIVE_INSTRUCTIONS["en"]
                        ),
                    },
                    {"role": "user", "content": narrative_facts(report)},
                ],
                temperature=0.7,
                max_tokens=300,
            )
        text = (response.choices[0].message.content or "").strip() if response.choices else ""
    except Exception as error:  # noqa: BLE001 - any failure only drops the narrative
        log.warning("retrospective narrative skipped: %s", type(error).__name__)
        return None
    if not text:
        return None
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
