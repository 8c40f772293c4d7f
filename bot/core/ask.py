"""/ask: questions about the study plans and their papers, answered with numbered sources.

With an answer model configured the reply is streamed (the adapter edits it as the text grows);
without one, or when it fails or stays silent, the reply quotes the best passages instead.
A plain message in the same chat within a few minutes of an answer is a follow-up: it is
answered with the earlier turns as context.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import replace

from bot.core.context import Context
from bot.core.i18n import Translate
from bot.core.markup import Bold, Doc, Line, Link, Plain, doc, line, render_plain
from bot.core.messages import Reply
from bot.core.names import plan_name, track_name
from bot.services import ask as turns
from bot.services.ask_engine import AskEngine, IndexBuilding
from bot.services.ask_sources import key_text, question_chunk
from quizzes import Question
from retrieval import Draft, Passage, Scope, Turn, detect_language
from retrieval.model import CATALOG, PAPER, Chunk

log = logging.getLogger(__name__)

FEEDBACK_ACTION = "askfb"
# Without citations in a model's answer, the sources shown are the first few passages.
DEFAULT_SOURCES = 3


async def ask(ctx: Context, args: str) -> None:
    question = args.strip()
    if not question:
        ctx.say(
            doc(
                line(Bold(ctx._("Ask me about the study plans and the papers they cite."))),
                ctx._("Write your question after the command, for example:"),
                ctx._("/ask Which day covers Docker Compose?"),
                ctx._("I answer from the curriculum and list my sources."),
            )
        )
        return
    scope = None
    if ctx.learner is not None and ctx.learner.plan:
        scope = Scope(plan=ctx.learner.plan, track=ctx.learner.track)
    await _answer(ctx, question, language=detect_language(question), scope=scope)


async def followup(ctx: Context, text: str) -> bool:
    """Answer a plain message as a follow-up when this chat had an answer a few minutes ago."""
    if ctx.ask_engine is None or not text:
        return False
    settings = ctx.settings.ask
    since = ctx.now - dt.timedelta(minutes=settings.followup_minutes)
    earlier = await turns.conversation(
        ctx.session,
        ctx.incoming.platform,
        ctx.incoming.user_id,
        ctx.incoming.chat_id,
        since,
        settings.history_turns,
    )
    if not earlier:
        return False
    scope = None
    if ctx.learner is not None and ctx.learner.plan:
        scope = Scope(plan=ctx.learner.plan, track=ctx.learner.track)
    await _answer(
        ctx,
        text,
        language=detect_language(text),
        scope=scope,
        history=[Turn(turn.question, turn.answer) for turn in earlier],
    )
    return True


async def explain(ctx: Context, question: Question) -> None:
    """The /quiz "💡 Explain" button after a wrong answer: why the right answer is right, from
    the question's own explanation (passage [1]) and its lesson's passages."""
    lesson_key = question.sources[0].lesson if question.sources else None
    scope = None
    if lesson_key:
        plan, _, rest = lesson_key.partition("/")
        track = rest.partition("/")[0]
        scope = Scope(
            plan=plan,
            track=None if track in {"", "common"} else track,
            lesson_key=lesson_key,
            only=True,
        )
    pinned = question_chunk(question)
    await _answer(
        ctx,
        ctx._("Why is “{answer}” the right answer to: {stem}").format(
            answer=key_text(question), stem=question.stem
        ),
        language=ctx.language,
        scope=scope,
        # The lesson's passages about the question and its key, not about the topic's name.
        search_text=f"{question.stem} {key_text(question)} {question.explanation}",
        pinned=pinned,
        stored_question=ctx._("Explain: {topic}").format(topic=question.topic),
    )


async def feedback(ctx: Context, rest: str) -> None:
    """A 👍/👎 press; `rest` is "<turn id>:up" or "<turn id>:down"."""
    turn_id, _, value = rest.partition(":")
    assert ctx.learner is not None
    if not turn_id.isdigit() or not await turns.set_feedback(
        ctx.session, ctx.learner, int(turn_id), value, ctx.now
    ):
        ctx.say(ctx._("That answer is no longer available."), notice=True)
        return
    ctx.say(ctx._("Thanks for the feedback!"), notice=True)


async def _answer(
    ctx: Context,
    question: str,
    *,
    language: str,
    scope: Scope | None,
    history: Sequence[Turn] = (),
    search_text: str | None = None,
    pinned: Chunk | None = None,
    stored_question: str | None = None,
) -> None:
    """Search, answer and store a turn; `pinned` leads the passages (quoted whole when there
    is no model) and `search_text` replaces the question as the search query."""
    settings = ctx.settings.ask
    if len(question) > settings.max_question_chars:
        ctx.say(
            ctx._(
                "That question is {length} characters long. Please keep it under {limit} "
                "characters and ask again."
            ).format(length=len(question), limit=settings.max_question_chars)
        )
        return
    engine = ctx.ask_engine
    if engine is None:
        ctx.say(ctx._("Questions cannot be answered right now. Please try again later."))
        return
    incoming = ctx.incoming
    retry_at = await turns.retry_at(
        ctx.session, incoming.platform, incoming.user_id, ctx.now, settings.rate_limit_per_hour
    )
    if retry_at is not None:
        minutes = max(1, math.ceil((retry_at - ctx.now).total_seconds() / 60))
        ctx.say(
            ctx._(
                "You have asked {limit} questions in the last hour, which is the limit. "
                "Please ask again in {minutes} min. Meanwhile, /today has your lesson."
            ).format(limit=settings.rate_limit_per_hour, minutes=minutes)
        )
        return
    context = history[-1].question if history else None
    # The search embeds the question and queries the index: no transaction open meanwhile.
    await ctx.commit()
    try:
        passages = await engine.search(search_text or question, scope=scope, context=context)
    except IndexBuilding:
        ctx.say(
            ctx._(
                "I am still building the search index of the study plans (the first time takes "
                "a few minutes). Please ask again in a few minutes; /today has your lesson."
            )
        )
        return
    except Exception:
        log.exception("search failed")
        ctx.say(ctx._("I cannot search the study material right now. Please try again later."))
        return
    if ctx.learner is not None:
        await turns.adopt_turns(ctx.session, ctx.learner)
    lead = 0
    if pinned is not None:
        ranked = [(pinned, 1.0), *((p.chunk, p.score) for p in passages if p.chunk.id != pinned.id)]
        passages = [Passage(n, chunk, score) for n, (chunk, score) in enumerate(ranked, 1)]
        lead = 1
    drafts = engine.drafts(question, passages, language, history, lead)
    final: Draft | None = None
    if engine.llm is None:
        final = await anext(drafts)  # extractive: complete at once, nothing to stream
        await drafts.aclose()
    turn = await turns.record_turn(
        ctx.session,
        learner=ctx.learner,
        platform=incoming.platform,
        user_id=incoming.user_id,
        chat_id=incoming.chat_id,
        question=stored_question or question,
        language=language,
        passages=[passage.citation() for passage in passages],
        mode=final.mode if final else turns.PENDING,
        answer=answer_text(final, ctx._) if final else "",
        now=ctx.now,
    )
    if final is not None:
        body, stream = answer_doc(final, passages, ctx._), None
    else:
        body = doc(ctx._("🔎 Looking it up…"))
        stream = _stream(engine, turn.id, drafts, passages, ctx._)
    if ctx.learner is None:
        ctx.replies.append(Reply(body=body, stream=stream))
        return
    await ctx.ask(
        body,
        f"ask:{turn.id}",
        [[("👍", f"{FEEDBACK_ACTION}:{turn.id}:up"), ("👎", f"{FEEDBACK_ACTION}:{turn.id}:down")]],
    )
    ctx.replies[-1] = replace(ctx.replies[-1], stream=stream)


async def _stream(
    engine: AskEngine,
    turn_id: int,
    drafts: AsyncGenerator[Draft, None],
    passages: Sequence[Passage],
    _: Translate,
) -> AsyncIterator[Doc]:
    """Every partial answer, then the final one (stored first). How often the message is edited
    is the adapter's business (`bot.adapters.streaming.throttled_edits`)."""
    final: Draft | None = None
    async for draft in drafts:
        if draft.final:
            final = draft
            break
        yield answer_doc(draft, passages, _)
    assert final is not None
    if engine.sessions is not None:
        await turns.finish_turn(engine.sessions, turn_id, answer_text(final, _), final.mode)
    yield answer_doc(final, passages, _)


# --- rendering ---------------------------------------------------------------------------


def answer_text(draft: Draft, _: Translate) -> str:
    """The answer without its source list, as plain text (stored, and printed by the CLI)."""
    return render_plain(_body(draft, _))


def _body(draft: Draft, _: Translate) -> Doc:
    if draft.mode == "llm":
        text = draft.text if draft.final else draft.text.rstrip() + " …"
        return Doc(tuple(line(part) for part in text.strip().splitlines()))
    notes = {
        "unconfigured": _("Here is what the study material says:"),
        "timeout": _(
            "The answer model did not respond in time, so here are the most relevant passages:"
        ),
        "error": _(
            "The answer model is unavailable right now, so here are the most relevant passages:"
        ),
    }
    lines = [line(notes.get(draft.reason or "", notes["error"]))]
    if draft.weak or not draft.excerpts:
        lines = [
            line(
                _(
                    "I found nothing that answers this directly in the study plans or papers; "
                    "these are the closest passages:"
                )
            )
        ]
    lines += [line(f"[{excerpt.number}] {excerpt.text}") for excerpt in draft.excerpts]
    return Doc(tuple(lines))


def answer_doc(draft: Draft, passages: Sequence[Passage], _: Translate) -> Doc:
    cited = [number for number in draft.cited() if 1 <= number <= len(passages)]
    shown = cited or [passage.number for passage in passages[:DEFAULT_SOURCES]]
    if not shown:
        return _body(draft, _)
    sources = [line(Bold(_("Sources")))]
    sources += [source_line(passages[number - 1], _) for number in shown]
    return _body(draft, _) + Doc(((),)) + Doc(tuple(sources))


def source_label(passage: Passage, _: Translate) -> str:
    chunk = passage.chunk
    if chunk.source in (CATALOG, PAPER):
        parts = [f"{chunk.title} (arXiv {chunk.arxiv_id})" if chunk.arxiv_id else chunk.title]
        if chunk.page:
            parts.append(_("p. {page}").format(page=chunk.page))
        if chunk.source == CATALOG and chunk.day is not None:
            parts.append(_cited_on(passage, _))
        return " · ".join(parts)
    parts = [plan_name(chunk.plan, _) if chunk.plan else ""]
    if chunk.track:
        parts.append(track_name(chunk.track, _))
    if chunk.days:
        parts.append(_("Day {day}").format(day=chunk.days))
    parts.append(chunk.title)
    return " · ".join(part for part in parts if part)


def _cited_on(passage: Passage, _: Translate) -> str:
    chunk = passage.chunk
    where = _("Day {day}").format(day=chunk.days)
    if chunk.track:
        where = f"{track_name(chunk.track, _)} {where}"
    return _("cited on {where}").format(where=where)


def source_line(passage: Passage, _: Translate) -> Line:
    chunk = passage.chunk
    label = source_label(passage, _)
    if chunk.source in (CATALOG, PAPER) and chunk.url:
        return (Plain(f"[{passage.number}] "), Link(label, chunk.url))
    spans: list[Plain | Link] = [Plain(f"[{passage.number}] {label}")]
    if chunk.links:
        spans += [Plain(" — "), Link(chunk.links[0].title, chunk.links[0].url)]
    return tuple(spans)
