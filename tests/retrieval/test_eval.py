"""The regression guard of `make eval`: the development questions meet the retrieval goal
(hit@5 at least 0.95, MRR at least 0.80), and so does a broader set of our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Retriever
from retrieval.eval import DEFAULT_SET, evaluate, first_hit, load_questions

OWN_SET = Path(__file__).with_name("ask_extra.jsonl")


def test_a_hit_needs_every_gold_string_in_one_passage() -> None:
    assert first_hit(["a b", "x y z"], ["x", "z"]) == 2
    assert first_hit(["x", "z"], ["x", "z"]) is None


@pytest.mark.skipif(not DEFAULT_SET.exists(), reason=f"{DEFAULT_SET} is not checked out beside")
def test_the_development_set_meets_the_goal(curriculum_retriever: Retriever) -> None:
    scores = evaluate(curriculum_retriever, load_questions(DEFAULT_SET))
    assert scores.hit_at_5 >= 0.95, scores.misses
    assert scores.mrr >= 0.80


def test_our_own_questions_meet_it_too(curriculum_retriever: Retriever) -> None:
    scores = evaluate(curriculum_retriever, load_questions(OWN_SET))
    assert scores.hit_at_5 >= 0.95, scores.misses
    assert scores.mrr >= 0.80
