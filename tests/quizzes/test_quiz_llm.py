"""The LLM generator end to end against the local OpenAI-compatible stand-in: structured output,
validation, the blind answerability check, de-duplication, resumability, failures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openai
import pytest

from curriculum import Lesson, lesson_for
from quizzes.banks import load_banks
from quizzes.generators.llm import generate_questions, state_path
from quizzes.model import Question
from quizzes.validate import validate_banks
from tests.quizzes.factory import record
from tests.support.openai_standin import OpenAIStandIn

MODEL = "standin-model"
RERANK = lesson_for("ai-fullstack-100", "app", 28)  # 重排序模型(Cohere/BGE), practice 集成Reranker
EVAL = lesson_for(
    "ai-fullstack-100", "app", 29
)  # RAG评估框架(Ragas/TruLens), practice 建立评估体系


def item(kind: str, stem: str, answer: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "topic": extra.get("topic", ""),
        "stem": stem,
        "options": extra.get("options", []),
        "answer": answer,
        "accepted": extra.get("accepted", []),
        "explanation": extra.get("explanation", "课程表写明了这一点。"),
        "difficulty": 2,
        "language": "zh",
    }


GOOD: dict[str, list[dict[str, Any]]] = {
    RERANK.title: [
        item("choice", "第28天的练习要把哪个组件接入检索流程？", "Reranker", options=["Reranker", "Tokenizer", "Embedder"]),
        item("true_false", "这一课的参考资料对比了多种重排序模型。", "对"),
        item("cloze", "这一课的练习任务是集成 ____。", "Reranker", accepted=["重排序模型"]),
    ],
    EVAL.title: [
        item("choice", "这一课介绍的 RAG 评估框架是哪一组？", "Ragas/TruLens", options=["Ragas/TruLens", "FAISS/Milvus", "LangGraph/CrewAI"]),
        item("true_false", "第29天的练习任务是建立评估体系。", "true"),
        item("recall", "第29天的练习任务是什么？", "建立评估体系"),
    ],
}  # fmt: skip


class ScriptedLLM:
    """Replies like a model would: questions for a generation request (picked by the lesson
    title in the prompt), answers for an answerability check (right or wrong on demand)."""

    def __init__(
        self,
        questions: dict[str, list[dict[str, Any]]] = GOOD,
        answers: str = "right",
        generation: str | None = None,
    ) -> None:
        self.questions, self.answers, self.generation = questions, answers, generation

    def __call__(self, request: dict[str, Any]) -> str:
        schema = request["response_format"]["json_schema"]
        user = request["messages"][-1]["content"]
        if schema["name"] == "quiz_questions":
            if self.generation is not None:
                return self.generation
            title = next(title for title in self.questions if title in user)
            return json.dumps({"questions": self.questions[title]}, ensure_ascii=False)
        asked = next(q for items in self.questions.values() for q in items if q["stem"] in user)
        return json.dumps(self._answer(asked, schema["schema"]), ensure_ascii=False)

    def _answer(self, asked: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
        right = self.answers == "right"
        if asked["kind"] == "recall":
            return {"supported": right}
        if asked["kind"] == "true_false":
            truth = asked["answer"] in ("true", "对")
            return {"answer": "true" if truth == right else "false"}
        if asked["kind"] == "choice":
            allowed = schema["properties"]["answer"]["enum"]
            wrong = next(o for o in allowed if o not in (asked["answer"], "unknown"))
            return {"answer": asked["answer"] if right else wrong}
        return {"answer": asked["answer"] if right else "unknown"}


@pytest.fixture
async def standin() -> AsyncIterator[OpenAIStandIn]:
    async with OpenAIStandIn(reply=ScriptedLLM(), model=MODEL) as server:
        yield server


def _client(server: OpenAIStandIn) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=10)


async def _generate(
    server: OpenAIStandIn, out: Path, lessons: Sequence[Lesson] = (RERANK, EVAL), **options: Any
) -> Any:
    options.setdefault("progress", False)
    return await generate_questions(
        lessons, client=_client(server), model=MODEL, out=out, **options
    )


def _out(tmp_path: Path) -> Path:
    return tmp_path / "ai-fullstack-100" / "generated-app.yaml"


async def test_good_questions_are_written_with_llm_provenance(
    standin: OpenAIStandIn, tmp_path: Path
) -> None:
    summary = await _generate(standin, _out(tmp_path), concurrency=2)
    assert (summary.accepted, summary.done, summary.failed) == (6, 2, 0)
    assert not summary.rejected
    entries = load_banks(tmp_path)
    assert len(entries) == 6
    assert {entry.question.provenance for entry in entries} == {f"llm:{MODEL}"}
    truths = [e.question.answer for e in entries if e.question.kind == "true_false"]
    assert sorted(truths) == ["true", "true"]  # "对" is stored as "true"
    report = validate_banks(tmp_path, embeddings=False)
    assert report.issues == (), report.issues
    assert "lessons: 2 (2 done" in summary.format()


async def test_requests_use_strict_json_schema_and_a_blind_check(
    standin: OpenAIStandIn, tmp_path: Path
) -> None:
    await _generate(standin, _out(tmp_path), lessons=[RERANK])
    requests = standin.chat_requests()
    assert len(requests) == 1 + 3  # one generation, one check per question
    for request in requests:
        assert request["model"] == MODEL
        assert request["response_format"]["type"] == "json_schema"
        assert request["response_format"]["json_schema"]["strict"] is True
        assert "guided_json" not in request and "guided_json" not in request.get("extra_body", {})
    generation, *checks = requests
    assert "集成Reranker" in generation["messages"][-1]["content"]  # grounded on the lesson
    for check in checks:
        text = json.dumps(check["messages"], ensure_ascii=False)
        assert "课程表写明了这一点" not in text  # the explanation would give the key away
    choice_check = next(c for c in checks if "enum" in json.dumps(c["response_format"]))
    enum = choice_check["response_format"]["json_schema"]["schema"]["properties"]["answer"]["enum"]
    assert sorted(enum) == sorted(["Reranker", "Tokenizer", "Embedder", "unknown"])


async def test_junk_is_rejected_and_nothing_written(tmp_path: Path) -> None:
    async with OpenAIStandIn(
        reply=ScriptedLLM(generation="当然！以下是题目：1. 什么是 RAG？")
    ) as server:
        summary = await _generate(server, _out(tmp_path))
    assert summary.accepted == 0 and summary.rejected == {"unparseable": 2}
    assert not _out(tmp_path).exists()

    junk = json.dumps({"questions": [{"stem": "缺字段"}, {"kind": "essay"}]})
    async with OpenAIStandIn(reply=ScriptedLLM(generation=junk)) as server:
        summary = await _generate(server, _out(tmp_path), fresh=True)
    assert summary.rejected == {"schema": 4}
    async with OpenAIStandIn(reply=ScriptedLLM(generation='["not", "an", "object"]')) as server:
        summary = await _generate(server, _out(tmp_path), fresh=True)
    assert summary.rejected == {"schema": 2}
    assert not _out(tmp_path).exists()


async def test_wrong_blind_answers_are_unanswerable(tmp_path: Path) -> None:
    async with OpenAIStandIn(reply=ScriptedLLM(answers="wrong")) as server:
        summary = await _generate(server, _out(tmp_path))
    assert summary.accepted == 0 and summary.rejected == {"unanswerable": 6}
    assert not _out(tmp_path).exists()


async def test_invalid_and_duplicate_candidates_are_rejected(tmp_path: Path) -> None:
    questions = {
        RERANK.title: [
            *GOOD[RERANK.title],
            item("choice", "重排序模型的英文名？", "Reranker", options=["Ranker", "Sorter"]),
            item("true_false", "Reranker 总是能提升效果。", "true"),
            item(
                "choice", "这一课的参考资料是？", "以上都对", options=["以上都对", "Reranker对比"]
            ),
        ]
    }
    existing = [
        Question.from_record(
            record(stem="这一课的练习任务是集成 ____。", kind="cloze", options=None)
        )
    ]
    async with OpenAIStandIn(reply=ScriptedLLM(questions=questions)) as server:
        summary = await _generate(server, _out(tmp_path), lessons=[RERANK], existing=existing)
    assert summary.accepted == 2
    assert summary.rejected == {
        "duplicate": 1,
        "invalid:answer-not-option": 1,
        "invalid:tf-absolute": 1,
        "invalid:all-none-of-above": 1,
    }


async def test_near_duplicates_are_rejected_with_embeddings(
    standin: OpenAIStandIn, tmp_path: Path
) -> None:
    calls: list[int] = []

    def same_vector(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.ones((len(texts), 4), dtype=np.float32) / 2.0  # every stem identical

    summary = await _generate(standin, _out(tmp_path), lessons=[RERANK], embed=same_vector)
    assert summary.accepted == 1 and summary.rejected == {"duplicate": 2}
    assert calls == [2, 2]


async def test_reruns_skip_lessons_already_done(standin: OpenAIStandIn, tmp_path: Path) -> None:
    out = _out(tmp_path)
    first = await _generate(standin, out, lessons=[RERANK])
    assert first.accepted == 3 and json.loads(state_path(out).read_text())["done"] == [RERANK.key]
    asked = len(standin.chat_requests())
    second = await _generate(standin, out)
    assert (second.skipped, second.done, second.accepted) == (1, 1, 3)
    assert len(standin.chat_requests()) == asked + 4  # only the new lesson
    third = await _generate(standin, out)
    assert (third.skipped, third.done) == (2, 0)
    assert len(standin.chat_requests()) == asked + 4
    assert len(load_banks(tmp_path)) == 6


async def test_a_failing_server_is_counted_not_raised(tmp_path: Path) -> None:
    out = _out(tmp_path)
    async with OpenAIStandIn(mode="error") as server:
        summary = await _generate(server, out)
    assert (summary.failed, summary.done, summary.accepted) == (2, 0, 0)
    assert all(
        "InternalServerError" in failure and "500" in failure for failure in summary.failures
    )
    assert not out.exists() and not state_path(out).exists()
    assert summary.to_dict()["failed"] == 2
    async with OpenAIStandIn(reply=ScriptedLLM()) as server:  # the next run retries them
        summary = await _generate(server, out)
    assert (summary.skipped, summary.accepted) == (0, 6)


async def test_unreachable_server_is_a_failure(tmp_path: Path) -> None:
    client = openai.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="x", max_retries=0)
    summary = await generate_questions(
        [RERANK], client=client, model=MODEL, out=_out(tmp_path), progress=False
    )
    assert summary.failed == 1 and "APIConnectionError" in summary.failures[0]


async def test_concurrency_is_bounded(tmp_path: Path) -> None:
    in_flight = peak = 0
    scripted = ScriptedLLM()

    async def slow(request: dict[str, Any]) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return scripted(request)

    lessons = [RERANK, EVAL] * 3  # the same two lessons, as separate jobs
    async with OpenAIStandIn(reply=slow) as server:
        summary = await _generate(server, tmp_path / "x.yaml", lessons=lessons, concurrency=2)
    assert peak == 2 and summary.done == 6


async def test_retrieved_passages_ground_the_prompt(standin: OpenAIStandIn, tmp_path: Path) -> None:
    seen: list[str] = []

    async def passages(lesson: Lesson) -> list[str]:
        seen.append(lesson.key)
        return ["BGE-Reranker 是一个交叉编码器重排序模型。"]

    await _generate(standin, _out(tmp_path), lessons=[RERANK], context_provider=passages)
    assert seen == [RERANK.key]
    for request in standin.chat_requests():
        assert "[1] BGE-Reranker 是一个交叉编码器重排序模型。" in request["messages"][-1]["content"]

    async def broken(lesson: Lesson) -> list[str]:
        raise RuntimeError("index missing")

    summary = await _generate(standin, tmp_path / "y.yaml", lessons=[EVAL], context_provider=broken)
    assert summary.failed == 1 and "index missing" in summary.failures[0]
