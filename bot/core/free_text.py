"""Typed answers to recall and cloze cards: graded by meaning, and the verdict explained."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import N_
from bot.core.markup import Bold, Line, line
from bot.services.answer_grading import AnswerGrader
from quizzes.free_text import FreeTextGrade, Reason, Verdict
from quizzes.grading import grade
from quizzes.model import Kind, Question

HEADINGS = {
    Verdict.CORRECT: N_("✅ Correct!"),
    Verdict.PARTIAL: N_("🟡 Partly right."),
    Verdict.INCORRECT: N_("❌ Not quite."),
}
# The embedding grader's reasons, worded for the learner (the LLM writes its own sentence).
REASONS = {
    Reason.EMPTY: N_("That is not an answer."),
    Reason.DONT_KNOW: N_("No problem: here is the answer."),
    Reason.ACCEPTED: N_("That is the answer."),
    Reason.CONTAINS_KEY: N_("Your answer contains the missing term."),
    Reason.PART_OF_KEY: N_("Your answer is only part of the missing term."),
    Reason.CLOSE: N_("Your answer means what the answer says."),
    Reason.PARTLY_CLOSE: N_("Your answer is close, but compare it with the full answer below."),
    Reason.FAR: N_("Your answer says something other than the answer."),
}


async def grade_typed(ctx: Context, question: Question, answer: str) -> FreeTextGrade | None:
    """A verdict by meaning; None for a cloze answer the accepted list already takes as right
    (graded as before, so a right but slow answer can still rate Hard)."""
    if question.kind == Kind.CLOZE and grade(question, answer):
        return None
    grader = ctx.grader or AnswerGrader(ctx.settings)
    return await grader.grade(question, answer, ctx.language)


def verdict_lines(ctx: Context, result: FreeTextGrade) -> list[Line]:
    lines = [line(Bold(ctx._(HEADINGS[result.verdict])))]
    if result.grader == "llm":
        lines.append(line(result.reason))
    elif result.reason in REASONS:
        lines.append(line(ctx._(REASONS[Reason(result.reason)])))
    return lines
