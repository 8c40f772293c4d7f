"""Every lesson of every plan and track is taught by at least three curated questions of the
shipped banks, mixing kinds: a learner can /quiz from Day 1 to the end with no LLM configured."""

from __future__ import annotations

from collections import Counter, defaultdict

from curriculum import PLAN_IDS, load_plan
from quizzes.banks import load_banks
from quizzes.model import Kind

MIN_PER_LESSON = 3


def test_every_lesson_of_every_track_has_curated_questions() -> None:
    per_lesson: dict[str, list[Kind]] = defaultdict(list)
    for entry in load_banks():
        if entry.question.provenance == "curated":
            per_lesson[entry.question.lesson_key].append(entry.question.kind)
    walked = 0
    thin: list[str] = []
    for plan_id in PLAN_IDS:
        plan = load_plan(plan_id)
        for track in plan.track_ids() or (None,):
            for lesson in plan.lessons_for(track):
                walked += 1
                if len(per_lesson[lesson.key]) < MIN_PER_LESSON:
                    thin.append(lesson.key)
    assert walked == 3 * 100 + 180  # every day of every learner's sequence
    assert not thin, f"lessons with fewer than {MIN_PER_LESSON} curated questions: {thin[:20]}"


def test_the_banks_mix_kinds_and_difficulties() -> None:
    questions = [entry.question for entry in load_banks()]
    kinds = Counter(question.kind for question in questions)
    difficulties = Counter(question.difficulty for question in questions)
    assert set(kinds) == set(Kind)
    # Each kind keeps a real share. Cloze is the smallest: the reviews turned name-recall
    # blanks (the stem all but spells the term) into applied questions.
    assert all(kinds[kind] >= 0.08 * len(questions) for kind in Kind)
    assert set(difficulties) == {1, 2, 3, 4, 5}
