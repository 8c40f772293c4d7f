"""Questions for spaced repetition: the model, bank files, grading, validation, statistics and
generators. Pure: no database and no `bot` imports.

Heavy parts load on first use only (the embedding model behind near-duplicate checks, the
OpenAI client behind the LLM generator), so `import quizzes` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "BANKS_DIR",
    "BankEntry",
    "BankError",
    "BankStats",
    "Issue",
    "Kind",
    "Question",
    "RULES",
    "Source",
    "ValidationReport",
    "bank_stats",
    "content_hash",
    "generate_questions",
    "grade",
    "load_banks",
    "normalise",
    "normalise_answer",
    "structural_questions",
    "validate_banks",
    "validate_entries",
    "write_bank",
]

_HOMES = {
    "BANKS_DIR": "quizzes.banks",
    "BankEntry": "quizzes.banks",
    "BankError": "quizzes.banks",
    "load_banks": "quizzes.banks",
    "normalise": "quizzes.banks",
    "write_bank": "quizzes.banks",
    "BankStats": "quizzes.stats",
    "bank_stats": "quizzes.stats",
    "Issue": "quizzes.validate",
    "ValidationReport": "quizzes.validate",
    "validate_banks": "quizzes.validate",
    "validate_entries": "quizzes.validate",
    "Kind": "quizzes.model",
    "Question": "quizzes.model",
    "Source": "quizzes.model",
    "content_hash": "quizzes.model",
    "RULES": "quizzes.rules",
    "grade": "quizzes.grading",
    "normalise_answer": "quizzes.grading",
    "structural_questions": "quizzes.generators.structural",
    "generate_questions": "quizzes.generators.llm",
}

if TYPE_CHECKING:
    from quizzes.banks import BANKS_DIR, BankEntry, BankError, load_banks, normalise, write_bank
    from quizzes.generators.llm import generate_questions
    from quizzes.generators.structural import structural_questions
    from quizzes.grading import grade, normalise_answer
    from quizzes.model import Kind, Question, Source, content_hash
    from quizzes.rules import RULES
    from quizzes.stats import BankStats, bank_stats
    from quizzes.validate import Issue, ValidationReport, validate_banks, validate_entries


def __getattr__(name: str) -> Any:
    # Anything else (e.g. a submodule such as `quizzes.srs`) falls through to the import system.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'quizzes' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
