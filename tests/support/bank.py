"""A small question bank for quiz tests: every kind, on the first lessons of ai-fullstack-100.
Difficulties fix the order in which new cards come: (day, difficulty)."""

from __future__ import annotations

import re

from bot.app import App
from bot.services.bank_import import import_questions
from quizzes.model import Question


def _question(day: int, kind: str, stem: str, answer: str, topic: str, **extra: object) -> Question:
    record = {
        "plan": "ai-fullstack-100",
        "track": None,
        "day": day,
        "topic": topic,
        "kind": kind,
        "stem": stem,
        "answer": answer,
        "explanation": f"{topic} 的要点。",
        "sources": [{"lesson": f"ai-fullstack-100/common/{day}"}],
        **extra,
    }
    return Question.from_record(record)


TEST_BANK = [
    _question(
        1,
        "choice",
        "Python 中哪个模块提供运行时可用的类型提示工具（如 get_type_hints）？",
        "typing",
        "类型提示",
        options=["typing", "asyncio", "pickle", "array"],
        difficulty=1,
    ),
    _question(
        1,
        "recall",
        "类型提示（type hints）在运行时会被 Python 解释器强制检查吗？为什么？",
        "不会。类型提示只是注解，由 mypy 等静态工具检查。",
        "类型提示",
        difficulty=2,
    ),
    _question(
        2,
        "true_false",
        "asyncio 的事件循环在单线程内通过协作式调度运行多个协程。",
        "true",
        "asyncio",
        difficulty=1,
    ),
    _question(
        2,
        "choice",
        "在协程中等待另一个协程完成应使用哪个关键字？",
        "await",
        "asyncio",
        options=["await", "yield", "return", "async"],
        difficulty=2,
    ),
    _question(
        3,
        "cloze",
        "Python 中用 ____ 语句使用上下文管理器，保证资源被释放。",
        "with",
        "上下文管理器",
        accepted=["with 语句"],
        difficulty=1,
    ),
]


async def load_test_bank(app: App) -> None:
    async with app.sessions() as session, session.begin():
        await import_questions(session, TEST_BANK)


def letter_of(text: str, option: str) -> str:
    """The letter a posted choice card shows for `option` (options are shuffled per post)."""
    found = re.search(rf"^([A-F])\\?\. {re.escape(option)}$", text, re.MULTILINE)
    assert found, f"no option {option!r} in {text!r}"
    return found.group(1)
