"""Public API: exports, errors, caching, link coverage, serialisation."""

from __future__ import annotations

import json
import re

import pytest

import curriculum
from curriculum import (
    PLAN_IDS,
    CurriculumError,
    DayOutOfRange,
    Lesson,
    Reference,
    UnknownPlan,
    UnknownTrack,
    lesson_for,
    load_plan,
)

_URL_RE = re.compile(r"\]\((https?://[^)\s]+)\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def test_exports():
    assert set(curriculum.__all__) == {
        "Reference",
        "Lesson",
        "Track",
        "Section",
        "Stage",
        "Table",
        "Paper",
        "Plan",
        "PLAN_IDS",
        "load_plan",
        "lesson_for",
        "Outline",
        "outline_of",
        "CurriculumError",
        "UnknownPlan",
        "UnknownTrack",
        "DayOutOfRange",
    }
    assert PLAN_IDS == ("ai-fullstack-100", "llm-app-180")
    for error in (UnknownPlan, UnknownTrack, DayOutOfRange):
        assert issubclass(error, CurriculumError)


def test_load_plan_is_cached():
    assert load_plan("llm-app-180") is load_plan("llm-app-180")


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_source_link_survives(plan_id):
    plan = load_plan(plan_id)
    source = plan.source_path.read_text(encoding="utf-8")
    refs = plan.references()
    urls = {ref.url for ref in refs}
    assert set(_URL_RE.findall(source)) <= urls
    pairs = {(ref.title, ref.url) for ref in refs}
    assert {(t.strip(), u) for t, u in _LINK_RE.findall(source)} == pairs
    assert len(refs) == len(pairs)  # deduplicated
    first_seen = list(dict.fromkeys((t.strip(), u) for t, u in _LINK_RE.findall(source)))
    assert [(ref.title, ref.url) for ref in refs] == first_seen


def test_unknown_plan():
    with pytest.raises(UnknownPlan):
        load_plan("nope")
    with pytest.raises(CurriculumError):
        lesson_for("nope", None, 1)


@pytest.mark.parametrize(
    ("plan_id", "track", "day", "error"),
    [
        ("ai-fullstack-100", "app", 0, DayOutOfRange),
        ("ai-fullstack-100", "app", 101, DayOutOfRange),
        ("ai-fullstack-100", None, 101, DayOutOfRange),
        ("ai-fullstack-100", None, 25, UnknownTrack),
        ("ai-fullstack-100", None, 20, None),
        ("ai-fullstack-100", None, 80, UnknownTrack),
        ("ai-fullstack-100", None, 91, None),
        ("ai-fullstack-100", "ops", 5, UnknownTrack),
        ("ai-fullstack-100", "ops", 25, UnknownTrack),
        ("llm-app-180", None, 0, DayOutOfRange),
        ("llm-app-180", None, 181, DayOutOfRange),
        ("llm-app-180", "app", 5, UnknownTrack),
        ("llm-app-180", None, 180, None),
    ],
)
def test_errors(plan_id, track, day, error):
    if error is None:
        assert lesson_for(plan_id, track, day).day == day
    else:
        with pytest.raises(error):
            lesson_for(plan_id, track, day)


def test_sequence_needs_a_track_on_tracked_plan():
    plan = load_plan("ai-fullstack-100")
    with pytest.raises(UnknownTrack):
        plan.lessons_for(None)
    with pytest.raises(UnknownTrack):
        plan.length("ops")
    with pytest.raises(UnknownTrack):
        load_plan("llm-app-180").lessons_for("app")


@pytest.mark.parametrize(
    ("plan_id", "track", "day"), [("ai-fullstack-100", "algo", 47), ("llm-app-180", None, 136)]
)
def test_to_dict_is_json_ready(plan_id, track, day):
    lesson = lesson_for(plan_id, track, day)
    data = json.loads(json.dumps(lesson.to_dict(), ensure_ascii=False))
    assert data["key"] == lesson.key
    assert data["title"] == lesson.title
    assert data["day_range"] == list(lesson.day_range)
    assert data["references"][0] == {
        "title": lesson.references[0].title,
        "url": lesson.references[0].url,
        "arxiv_id": "2106.09685",
    }


def test_lessons_are_hashable_values():
    lesson = lesson_for("ai-fullstack-100", None, 1)
    assert {lesson} == {lesson_for("ai-fullstack-100", "fde", 1)}
    assert lesson.key == "ai-fullstack-100/common/1"
    built = Lesson(plan="p", track=None, day=3, title="t")
    assert built.day_range == (3, 3) and built.focus == {}


def test_reference_arxiv_ids():
    assert Reference.from_link("x", "https://arxiv.org/html/2501.13787v1").arxiv_id == "2501.13787"
    assert Reference.from_link("x", "https://arxiv.org/pdf/2106.09685v2").arxiv_id == "2106.09685"
    assert Reference.from_link("x", "https://github.com/microsoft/LoRA").arxiv_id is None
