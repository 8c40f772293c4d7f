"""`/admin ...`: the operators' commands, for the `platform:user id`s in TUTORBOT_ADMINS only
(anyone else is told it is not for them, and nothing happens)."""

from __future__ import annotations

import asyncio
import logging

from bot.core.context import Context
from bot.core.markup import Bold, doc, line
from bot.services import admin
from bot.services.bank_import import BanksRefused

log = logging.getLogger(__name__)

# One reindex at a time per process; it runs in a worker thread, the bot keeps answering.
_reindexing: set[asyncio.Task[None]] = set()


async def admin_command(ctx: Context, args: str) -> None:
    incoming = ctx.incoming
    if not admin.is_admin(ctx.settings.admins, incoming.platform, incoming.user_id):
        ctx.say(ctx._("This command is for the bot's operators only."))
        return
    action, _, rest = args.strip().partition(" ")
    action, rest = action.lower(), rest.strip()
    if action == "stats":
        await _stats(ctx)
    elif action == "broadcast" and rest:
        await _broadcast(ctx, rest)
    elif action == "reindex":
        _reindex(ctx)
    elif action == "bank" and rest.lower() == "import":
        try:
            report = await admin.import_banks(ctx.session)
        except BanksRefused as refused:
            ctx.say(
                ctx._(
                    "The question banks have {count} errors: nothing was imported. "
                    "`tutorbot bank validate` lists them."
                ).format(count=len(refused.report.errors))
            )
            return
        ctx.say(
            ctx._(
                "Question banks imported: {total} questions ({added} added, {updated} updated, "
                "{retired} retired)."
            ).format(
                total=report.total,
                added=report.added,
                updated=report.updated,
                retired=report.retired,
            )
        )
    else:
        ctx.say(
            ctx._(
                "Usage: /admin stats · /admin broadcast <text> · /admin reindex · "
                "/admin bank import"
            )
        )


async def _stats(ctx: Context) -> None:
    figures = await admin.stats(ctx.session, ctx.now)
    outbox = ", ".join(f"{state} {count}" for state, count in figures.outbox.items()) or "0"
    _ = ctx._
    ctx.say(
        doc(
            line(Bold(_("Bot statistics"))),
            line(
                _("Learners: {total} ({active} active, {enrolled} enrolled)").format(
                    total=figures.learners,
                    active=figures.active_learners,
                    enrolled=figures.enrolled_learners,
                )
            ),
            line(_("Study groups: {count}").format(count=figures.groups)),
            line(_("Reviews in the last 24 hours: {count}").format(count=figures.reviews_last_day)),
            line(_("Questions in the banks: {count}").format(count=figures.questions)),
            line(_("Outbox: {states}").format(states=outbox)),
        )
    )


async def _broadcast(ctx: Context, text: str) -> None:
    if len(text) > admin.MAX_BROADCAST_CHARS:
        ctx.say(
            ctx._("A broadcast can be at most {limit} characters long.").format(
                limit=admin.MAX_BROADCAST_CHARS
            )
        )
        return
    sender = f"{ctx.incoming.platform}:{ctx.incoming.user_id}"
    count = await admin.broadcast(ctx.session, text, sender, ctx.now)
    log.info("%s queued a broadcast to %d recipients", sender, count)
    ctx.say(
        ctx._(
            "Broadcast queued for {count} recipients; it goes out at the platforms' rates."
        ).format(count=count)
    )


def _reindex(ctx: Context) -> None:
    engine = ctx.ask_engine
    if engine is None:
        ctx.say(ctx._("There is no search index in this process to rebuild."))
        return
    if _reindexing:
        ctx.say(ctx._("A reindex is already running."))
        return

    async def run() -> None:
        try:
            report = await asyncio.to_thread(lambda: engine.retriever.reindex())
            log.info(
                "reindex done: %d added, %d updated, %d removed",
                report.added,
                report.updated,
                report.removed,
            )
        except Exception:
            log.exception("reindex failed")

    task = asyncio.create_task(run())
    _reindexing.add(task)
    task.add_done_callback(_reindexing.discard)
    ctx.say(ctx._("Reindexing started; the log says when it is done."))
