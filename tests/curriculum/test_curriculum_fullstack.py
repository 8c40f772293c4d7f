"""ai-fullstack-100: the parsed plan must match the Markdown source."""

from __future__ import annotations

import re

import pytest

from curriculum import lesson_for, load_plan

PLAN = "ai-fullstack-100"
TRACK_DAYS = {"app": (21, 75), "algo": (21, 85), "fde": (21, 90)}
_ROW_RE = re.compile(r"^\|\s*\*\*(\d+)(?:-(\d+))?\*\*\s*\|\s*(.*?)\s*\|")


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN)


@pytest.fixture(scope="module")
def raw_rows(plan):
    """(track or None, first, last, raw title cell) for every day row of the source."""
    rows = []
    track = None
    for line in plan.source_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            track = None
        elif m := re.match(r"^###\s.*轨道([ABC])", line):
            track = {"A": "app", "B": "algo", "C": "fde"}[m.group(1)]
        elif m := _ROW_RE.match(line):
            first = int(m.group(1))
            rows.append((track, first, int(m.group(2) or first), m.group(3)))
    return rows


def test_header(plan):
    assert plan.title == "AI全栈工程师 100天学习计划 (2025版)"
    assert plan.total_days == 100
    assert plan.track_ids() == ("app", "algo", "fde")
    assert plan.weekly_review_template is None


def test_tracks(plan):
    app, algo, fde = (plan.tracks[t] for t in ("app", "algo", "fde"))
    assert (app.name, app.name_en) == ("大模型应用工程师", "LLM Application Engineer")
    assert (algo.name, algo.name_en) == ("大模型算法工程师", "LLM Algorithm Engineer")
    assert (fde.name, fde.name_en) == ("FDE", "Foundation Development Engineer")
    for tid, (first, last) in TRACK_DAYS.items():
        assert (plan.tracks[tid].first_day, plan.tracks[tid].last_day) == (first, last)
    assert app.goal == "精通RAG和Agent技术，能够独立开发AI应用"
    assert fde.goal == "全栈AI应用开发能力 + 模型部署 + 系统架构"


@pytest.mark.parametrize("track", ["app", "algo", "fde"])
def test_every_track_has_100_consecutive_days(plan, track):
    sequence = plan.lessons_for(track)
    assert plan.length(track) == 100
    assert [lesson.day for lesson in sequence] == list(range(1, 101))


def test_lesson_count_matches_source_rows(plan, raw_rows):
    assert len(plan.lessons) == sum(last - first + 1 for _, first, last, _ in raw_rows) == 235
    assert len({lesson.key for lesson in plan.lessons}) == len(plan.lessons)
    assert list(plan.lessons) == sorted(
        plan.lessons, key=lambda lesson: (lesson.track or "", lesson.day)
    )


def test_every_source_row_becomes_lessons(plan, raw_rows):
    by_key = {(lesson.track, lesson.day): lesson for lesson in plan.lessons}
    for track, first, last, cell in raw_rows:
        plain = cell.replace("**", "").replace("📝", "").strip()
        for day in range(first, last + 1):
            lesson = by_key[(track, day)]
            assert lesson.title.startswith(plain), (track, day, lesson.title)
            assert lesson.day_range == (first, last)
            assert lesson.is_project == ("📝" in cell)


def test_shared_days(plan):
    shared = [lesson for lesson in plan.lessons if lesson.track is None]
    assert len([lesson for lesson in shared if lesson.day <= 20]) == 20
    assert {lesson.day for lesson in shared} == set(range(1, 21)) | set(range(76, 101))
    for track in plan.track_ids():
        for day in (1, 13, 20):
            assert plan.lesson_for(track, day) is plan.lesson_for(None, day)


@pytest.mark.parametrize(("track", "count"), [("app", 55), ("algo", 65), ("fde", 70)])
def test_track_rows(plan, track, count):
    own = [lesson for lesson in plan.lessons if lesson.track == track]
    first, last = TRACK_DAYS[track]
    assert len(own) == count
    assert sorted(lesson.day for lesson in own) == list(range(first, last + 1))
    assert all(lesson.stage == "第二阶段：分轨道深入学习" for lesson in own)


def test_capstone_follows_each_track(plan):
    capstone = plan.lesson_for("app", 76)
    assert capstone.track is None and capstone.title == "项目架构设计"
    assert capstone.focus == {"app": "应用架构", "algo": "模型架构", "fde": "系统架构"}
    assert plan.lesson_for("algo", 86).title == "终极项目: 完整AI产品 (6/10)"
    assert plan.lesson_for("algo", 85).track == "algo"
    assert all(lesson.track == "fde" for lesson in plan.lessons_for("fde")[20:90])
    assert plan.lesson_for("app", 81).day_range == (81, 90)


def test_interview_days(plan):
    for track in plan.track_ids():
        tail = plan.lessons_for(track)[90:]
        assert [lesson.day for lesson in tail] == list(range(91, 101))
        assert all(lesson.track is None and not lesson.focus for lesson in tail)
    assert plan.lesson_for("app", 91).title == "算法刷题(LeetCode Hot 100)"
    assert plan.lesson_for("fde", 100).title == "最终复盘与职业规划"
    assert plan.lesson_for("fde", 100).references[0].url == "https://www.linkedin.com/advice/"


def test_day_25_spot_checks():
    app = lesson_for(PLAN, "app", 25)
    assert app.title == "向量数据库(上): FAISS"
    assert app.depth == "掌握"
    assert app.practice == ("实现FAISS检索",)
    assert [(r.title, r.url) for r in app.references] == [
        ("FAISS教程", "https://github.com/facebookresearch/faiss/wiki")
    ]
    assert app.section == "Week 4-6: RAG技术全栈 (Day 21-35)"
    assert lesson_for(PLAN, "algo", 25).title == "Transformer完整实现"
    assert lesson_for(PLAN, "fde", 25).title == "API设计最佳实践"


def test_day_1_focus_keeps_markers(plan):
    day1 = plan.lesson_for(None, 1)
    assert day1.title == "Python类型系统与类型提示"
    assert day1.focus == {"app": "数据验证", "algo": "-", "fde": "API设计"}
    assert day1.stage == "第一阶段：公共基础 (Day 1-20)"
    assert day1.references == () and day1.depth is None
    assert plan.lesson_for("algo", 7).focus == {"app": "✅", "algo": "✅", "fde": "✅"}


def test_project_rows_are_split_into_parts(plan):
    parts = [plan.lesson_for("app", day) for day in range(32, 36)]
    assert [p.title for p in parts] == [f"项目1: 企业知识库问答系统 ({i}/4)" for i in range(1, 5)]
    assert all(p.is_project and p.day_range == (32, 35) for p in parts)
    assert parts[1].deliverables == (
        "支持多种文档格式上传",
        "智能文档切分和向量化",
        "混合检索+重排序",
        "效果评估仪表板",
        "API接口封装",
    )
    fde88 = plan.lesson_for("fde", 88)
    assert fde88.is_project and fde88.day_range == (88, 90)
    assert fde88.title == "项目10: 完整业务方案 (1/3)"
    assert fde88.deliverables == ("完整业务方案",)
    single = plan.lesson_for("algo", 42)
    assert single.title == "实战: 分布式训练脚本" and single.day_range == (42, 42)


def test_track_wide_checklist_is_split_across_projects(plan):
    def delivered(track, day):
        return plan.lesson_for(track, day).deliverables

    assert delivered("algo", 33) == ("从零实现的Transformer",)
    assert delivered("algo", 42) == ("分布式训练脚本",)
    assert delivered("algo", 53) == ("完整SFT流程",)
    assert delivered("algo", 61) == ("模型优化流程",)
    assert delivered("algo", 78) == ("论文复现/改进",)
    assert delivered("fde", 35) == ("K8s部署配置",)
    assert delivered("fde", 7) == ("异步数据处理工具",)
    assert delivered("fde", 14) == ("容器化的PyTorch推理服务",)
    # Every item of a deliverable checklist lands on exactly one project row.
    for name in ("算法轨道核心交付物", "FDE轨道核心交付物", "项目2交付标准"):
        for item in plan.checklists[name]:
            owners = {
                row.day_range + (row.track,) for row in plan.lessons if item in row.deliverables
            }
            assert len(owners) == 1, (name, item, owners)


def test_references_and_papers(plan):
    algo47 = plan.lesson_for("algo", 47)
    assert algo47.references[0].arxiv_id == "2106.09685"
    papers = {paper.arxiv_id: paper for paper in plan.papers}
    lora = papers["2106.09685"]
    assert (lora.title, lora.url) == ("LoRA论文", "https://arxiv.org/abs/2106.09685")
    assert lora.cited_by == ("ai-fullstack-100/algo/47",)
    # html link with a version suffix
    assert papers["2501.13787"].cited_by == ("ai-fullstack-100/app/54",)
    source = plan.source_path.read_text(encoding="utf-8")
    ids = set(re.findall(r"arxiv\.org/(?:abs|html|pdf)/(\d{4}\.\d{4,5})", source))
    assert set(papers) == ids
    assert all(paper.cited_by for paper in plan.papers)


def test_stages_and_sections(plan):
    assert [s.number for s in plan.stages] == [1, 2, 3]
    assert [s.day_range for s in plan.stages] == [(1, 20), (21, 90), (76, 100)]
    assert plan.stages[0].goals == ("所有岗位必学，建立统一的技术基础",)
    assert "大模型应用工程师：精通RAG和Agent技术，能够独立开发AI应用" in plan.stages[1].goals
    sections = plan.stages[1].sections
    assert [s.track for s in sections].count("algo") == 3
    assert sections[0].title == "Week 4-6: RAG技术全栈 (Day 21-35)"
    assert sections[0].day_range == (21, 35)
    assert sections[0].topics[4] == "向量数据库(上): FAISS"
    assert plan.stages[2].outcomes[0] == "完整的技术方案文档"


def test_tables(plan):
    assert set(plan.tables) == {
        "capability_matrix",
        "responsibilities",
        "resources",
        "courses",
        "must_read_papers",
        "open_source",
        "blogs",
    }
    matrix = plan.tables["capability_matrix"]
    assert matrix.headers == ("能力维度", "大模型应用工程师", "大模型算法工程师", "FDE")
    assert len(matrix.rows) == 14
    assert matrix.rows[2] == ("深度学习", "了解", "★★★★★ 精通", "★★★☆☆ 掌握")
    duties = plan.tables["responsibilities"].rows
    assert duties[2][0] == "FDE" and "- 模型部署与优化" in duties[2][1].splitlines()
    assert plan.tables["resources"].rows[0] == ("Python 100天", "编程基础", "GitHub")
    assert ("QLoRA", "★★★★★") in plan.tables["must_read_papers"].rows
    assert len(plan.tables["must_read_papers"].rows) == 9
    assert len(plan.tables["blogs"].rows) == 5


def test_checklists(plan):
    lists = plan.checklists
    assert lists["Week 1-2: 编程与工程基础 (Day 1-14) / 交付物"] == (
        "异步数据处理工具",
        "容器化的PyTorch推理服务",
    )
    assert lists["Week 3: LLM公共基础 (Day 15-20) / 交付物"] == ("多模型支持的LLM问答系统",)
    assert lists["FDE轨道"][-1] == "5个完整项目"
    assert lists["最终阶段"] == ("终极综合项目", "面试准备完成", "作品集就绪", "获得Offer")
    source = plan.source_path.read_text(encoding="utf-8")
    assert sum(len(items) for items in lists.values()) == source.count("- [ ] ")
