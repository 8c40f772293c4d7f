"""Question generators: `structural` (offline, from the curriculum's tables) and `llm`
(an OpenAI-compatible endpoint; imports `openai`, so it is not imported here)."""

from __future__ import annotations

__all__ = ["STRUCTURAL_FILE", "structural_path", "structural_questions"]

from .structural import STRUCTURAL_FILE, structural_path, structural_questions
