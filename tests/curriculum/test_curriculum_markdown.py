"""Low-level helpers: tables, spans, cleaning, slicing, token matching."""

from __future__ import annotations

from curriculum import extract, markdown, matching
from curriculum.llmapp import split_units


def test_blocks_kinds():
    source = "\n".join(
        [
            "# Title",
            "> quote",
            "| Day | A |",
            "|-----|---|",
            "| **1** | [x](https://e.org) |",
            "",
            "**🎯 交付物**：",
            "- [ ] one",
            "- [ ] two",
            "```markdown",
            "- [ ] not a checklist",
            "```",
            "- bullet",
        ]
    )
    kinds = [b.kind for b in markdown.blocks(source)]
    assert kinds == ["heading", "quote", "table", "label", "checklist", "fence", "bullets"]
    table = markdown.blocks(source)[2]
    assert table.rows == (("Day", "A"), ("**1**", "[x](https://e.org)"))
    assert extract.checklists(markdown.blocks(source)) == {"交付物": ("one", "two")}


def test_split_row_without_outer_spaces():
    assert markdown.split_row("|QLoRA | ★★★★★ |") == ("QLoRA", "★★★★★")


def test_day_spans():
    assert markdown.day_span("**32-35**") == (32, 35)
    assert markdown.day_span("**7**") == (7, 7)
    assert markdown.day_span("Day") is None
    assert markdown.heading_span("1.1 Transformer架构原理（D1-D8）") == (1, 8)
    assert markdown.heading_span("第1阶段：大模型基础与生态（Day 1-30）") == (1, 30)
    assert markdown.heading_span("Week 4-6: RAG技术全栈 (Day 21-35)") == (21, 35)


def test_clean_strips_emoji_but_keeps_stars():
    assert markdown.clean("**📝 项目1: 企业知识库问答系统**") == "项目1: 企业知识库问答系统"
    assert markdown.clean("⚙️ 第2阶段：推理服务与部署") == "第2阶段：推理服务与部署"
    assert markdown.cell_text("★★★☆☆ 掌握") == "★★★☆☆ 掌握"
    assert markdown.cell_text("a<br>b") == "a\nb"


def test_stage_numbers():
    assert extract.stage_number("第三阶段：综合实战") == 3
    assert extract.stage_number("第6阶段：工程化与产品化") == 6
    assert extract.stage_number("第十二阶段") == 12
    assert extract.stage_number("学习资源汇总") is None


def test_split_units():
    assert [list(g) for g in split_units(8, 8)] == [[i] for i in range(8)]
    assert [len(g) for g in split_units(8, 7)] == [2, 1, 1, 1, 1, 1, 1]
    assert [len(g) for g in split_units(10, 4)] == [3, 3, 2, 2]
    # fewer units than days: trailing empty groups become review days
    assert [len(g) for g in split_units(3, 5)] == [1, 1, 1, 0, 0]
    assert [i for g in split_units(10, 4) for i in g] == list(range(10))


def test_tokens_and_best_match():
    assert {"lora", "微调", "方法"} <= matching.tokens("LoRA: Low-Rank Adaptation 微调方法")
    assert "agent" in matching.tokens("LangChain Agents")
    candidates = [["推理性能优化"], ["微调技术", "参数高效微调：LoRA、QLoRA"]]
    assert matching.best_match("LoRA 微调方法", candidates) == 1
    assert matching.best_match("nothing shared", candidates) == 0
    assert matching.best_match("nothing shared", candidates, prefer=1) == 1
