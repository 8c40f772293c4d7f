"""The plan's context of a lesson: its stage's goal for the learner's track, its week or
section, the week's deliverables and the project day still ahead."""

from __future__ import annotations

from curriculum import load_plan, outline_of


def test_a_shared_early_day_points_at_its_weeks_deliverables_and_project() -> None:
    plan = load_plan("ai-fullstack-100")
    outline = outline_of(plan, plan.lesson_for("algo", 2), "algo")
    assert outline.goals == ("所有岗位必学，建立统一的技术基础",)
    assert outline.deliverables == ("异步数据处理工具", "容器化的PyTorch推理服务")
    assert outline.project is not None and outline.project.day == 7
    assert outline.section is not None and outline.section.day_range == (1, 14)


def test_a_track_day_gets_its_own_tracks_goal_only() -> None:
    plan = load_plan("ai-fullstack-100")
    for track, goal in (("app", "精通RAG和Agent技术"), ("algo", "精通模型训练"), ("fde", "全栈AI")):
        (found,) = outline_of(plan, plan.lesson_for(track, 40), track).goals
        assert found.startswith(goal)


def test_a_project_day_points_at_no_project_and_a_section_keeps_its_practice() -> None:
    plan = load_plan("ai-fullstack-100")
    assert outline_of(plan, plan.lesson_for("app", 7), "app").project is None
    assert outline_of(plan, plan.lesson_for("app", 12), "app").project.day == 14  # type: ignore[union-attr]
    llm = load_plan("llm-app-180")
    outline = outline_of(llm, llm.lesson_for(None, 3), None)
    assert outline.section is not None and "绘制完整的Transformer架构图" in outline.section.practice
    assert len(outline.goals) == 3 and outline.project is None
