"""llm-app-180: stages, sections and day slices must match the Markdown source."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from curriculum import lesson_for, load_plan
from curriculum.llmapp import REVIEW_TITLE

PLAN = "llm-app-180"


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN)


@pytest.fixture(scope="module")
def raw_sections(plan):
    """section heading -> (bold topic lines, task lines), read straight off the source."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    current = None
    in_tasks = False
    for line in plan.source_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#### "):
            current = line[5:].strip()
            found[current] = ([], [])
            in_tasks = False
        elif line.startswith("#"):
            current = None
        elif current and line.startswith("**实践任务"):
            in_tasks = True
        elif current and line.startswith("- "):
            found[current][1 if in_tasks else 0].append(line[2:].replace("**", ""))
    return found


def sections(plan):
    return [section for stage in plan.stages for section in stage.sections]


def test_header(plan):
    assert plan.title == "综合LLM应用开发学习计划（180天）"
    assert plan.total_days == 180
    assert plan.tracks == {} and plan.track_ids() == ()
    assert plan.length(None) == 180


def test_stages(plan):
    assert [s.number for s in plan.stages] == [1, 2, 3, 4, 5, 6]
    assert plan.stages[0].title == "第1阶段：大模型基础与生态（Day 1-30）"
    assert [s.day_range for s in plan.stages] == [(30 * i + 1, 30 * i + 30) for i in range(6)]
    assert all(len(s.goals) == 3 and len(s.outcomes) == 3 for s in plan.stages)
    assert plan.stages[0].goals[0] == "深入理解Transformer架构与Attention机制"
    assert plan.stages[0].outcomes[0] == "理论笔记：Transformer架构详解文档"


def test_stage_ranges_agree_with_overview_table(plan):
    overview = plan.tables["overview"]
    assert overview.headers[:2] == ("阶段", "时间范围")
    for stage, row in zip(plan.stages, overview.rows, strict=True):
        first, last = map(int, re.findall(r"\d+", row[1]))
        assert stage.day_range == (first, last)
        assert row[2] in stage.title


def test_sections_tile_the_plan(plan, raw_sections):
    all_sections = sections(plan)
    assert len(all_sections) == 24
    assert [s.title for s in all_sections] == list(raw_sections)
    covered = [day for s in all_sections for day in range(s.day_range[0], s.day_range[1] + 1)]
    assert covered == list(range(1, 181))
    for stage in plan.stages:
        assert stage.sections[0].day_range[0] == stage.day_range[0]
        assert stage.sections[-1].day_range[1] == stage.day_range[1]


def test_section_content_matches_source(plan, raw_sections):
    for section in sections(plan):
        topics, tasks = raw_sections[section.title]
        assert list(section.topics) == topics
        assert list(section.practice) == tasks
        assert len(topics) == 5 and len(tasks) == 3


def test_every_day_maps_to_one_lesson(plan):
    sequence = plan.lessons_for(None)
    assert [lesson.day for lesson in sequence] == list(range(1, 181))
    assert len(plan.lessons) == 180
    assert all(
        lesson.track is None and lesson.key == f"{PLAN}/common/{lesson.day}" for lesson in sequence
    )


def test_every_topic_and_task_in_exactly_one_slice(plan):
    by_section: dict[str, list] = {}
    for lesson in plan.lessons:
        by_section.setdefault(lesson.section, []).append(lesson)
    for section in sections(plan):
        slices = by_section[section.title]
        assert len(slices) == section.day_range[1] - section.day_range[0] + 1
        assert all(lesson.day_range == section.day_range for lesson in slices)
        study = [lesson for lesson in slices if not lesson.title.endswith(REVIEW_TITLE)]
        units = Counter(u for lesson in study for u in (*lesson.topics, *lesson.practice))
        assert units == Counter((*section.topics, *section.practice))
        # order is preserved: topics first, then tasks
        flat = [u for lesson in study for u in (*lesson.topics, *lesson.practice)]
        assert flat == [*section.topics, *section.practice]


def test_slice_titles(plan):
    day1 = plan.lesson_for(None, 1)
    assert day1.title == "Transformer架构原理（1/8）: Self-Attention机制"
    assert day1.topics == ("Self-Attention机制：理解注意力权重计算",)
    assert day1.section == "1.1 Transformer架构原理（D1-D8）"
    assert day1.stage == "第1阶段：大模型基础与生态（Day 1-30）"
    assert day1.day_range == (1, 8)
    day9 = plan.lesson_for(None, 9)  # 8 units over 7 days: the first day takes two
    assert day9.title == "主流LLM模型生态（1/7）: GPT系列、Claude系列"
    assert len(day9.topics) == 2
    day15 = plan.lesson_for(None, 15)
    assert day15.practice == ("分析各模型在不同任务上的表现",) and day15.topics == ()


def test_spot_checks():
    assert lesson_for(PLAN, None, 39).section.startswith("2.2 高性能推理引擎")
    assert lesson_for(PLAN, None, 180).section.startswith("6.4 商业化与产品化")


def test_deliverables_on_stage_end(plan):
    for stage in plan.stages:
        first, last = stage.day_range
        assert plan.lesson_for(None, last).deliverables == stage.outcomes
        assert all(not plan.lesson_for(None, d).deliverables for d in range(first, last))


def test_resources(plan):
    first = plan.stages[0].resources
    assert len(first) == 5
    playground = first[-1]
    assert (playground.title, playground.url, playground.arxiv_id) == (
        "OpenAI Playground",
        "",
        None,
    )
    assert all(all(ref.url for ref in lesson.references) for lesson in plan.lessons)
    assert sum(len(stage.resources) for stage in plan.stages) == 25


def test_resource_to_section_mapping(plan):
    def titles(day):
        return {ref.title for ref in plan.lesson_for(None, day).references}

    assert titles(1) == {"Attention is All You Need", "The Illustrated Transformer"}
    assert titles(24) == {"LangChain官方文档"}
    assert titles(39) == {"vLLM文档", "TGI GitHub"}
    assert titles(76) == {"RAG: Retrieval-Augmented Generation", "LlamaIndex", "LangChain RAG"}
    assert titles(61) == {"Milvus文档"}
    assert titles(99) == {"LangGraph文档", "AutoGPT"}
    assert titles(136) == {"LoRA: Low-Rank Adaptation", "HuggingFace微调课程", "PEFT库"}
    assert titles(166) == {"Prometheus + Grafana", "OpenTelemetry"}
    # every linked stage resource is attached to exactly one section
    for stage in plan.stages:
        linked = [ref for ref in stage.resources if ref.url]
        attached = Counter(
            ref
            for section in stage.sections
            for ref in plan.lesson_for(None, section.day_range[0]).references
        )
        assert attached == Counter(linked)


def test_papers(plan):
    papers = {paper.arxiv_id: paper for paper in plan.papers}
    assert set(papers) == {"1706.03762", "2005.14165", "2005.11401", "2210.03629", "2106.09685"}
    lora = papers["2106.09685"]
    assert lora.title == "LoRA: Low-Rank Adaptation"
    assert lora.cited_by == tuple(f"{PLAN}/common/{d}" for d in range(136, 144))
    assert all(
        lesson_for(PLAN, None, d).section.startswith("5.3 微调技术") for d in range(136, 144)
    )


def test_weekly_review_template(plan):
    template = plan.weekly_review_template
    assert template is not None
    assert template.startswith("📅 第X周学习复盘（Day X-X）")
    assert "## 🔄 计划调整" in template and "```" not in template
    # the template's own checkboxes are not plan checklists
    assert all("目标1：完成情况" not in items for items in plan.checklists.values())


def test_tables_and_checklists(plan):
    assert set(plan.tables) == {"overview", "acceptance"}
    acceptance = plan.tables["acceptance"]
    assert acceptance.headers == ("阶段", "理论掌握", "实践能力", "项目成果", "文档输出")
    assert acceptance.rows[0] == (
        "第1阶段",
        "Transformer原理、LLM生态",
        "API调用、Prompt设计",
        "ChatBot Demo",
        "学习笔记",
    )
    assert list(plan.checklists) == ["技术文档", "实践项目", "技能认证"]
    assert [len(v) for v in plan.checklists.values()] == [6, 6, 4]
