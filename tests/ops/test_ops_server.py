"""The operations server of `tutorbot run`: /healthz, /readyz (database and search index) and
/metrics, fed by a quiz answered in the chat, pushes the dispatcher sent, the outbox's backlog
and /ask answers (extractive, and a model that fails)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import App, build_app
from bot.cli.run import build_services
from bot.ops.server import OpsServer
from bot.scheduling.dispatcher import Dispatcher
from bot.services.ask_engine import AskEngine
from bot.settings import LLMSettings, OpsSettings, QdrantSettings, Settings
from retrieval.edge_store import EdgeStore
from retrieval.store import Point
from tests.core.test_quiz import START, stem_of
from tests.scheduling.test_dispatcher import Clock, add_recipients, enqueue
from tests.support.bank import load_test_bank
from tests.support.chat import Chat, enrol
from tests.support.openai_standin import OpenAIStandIn
from tests.support.sink import SinkStandIn, SinkTransport


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "qdrant"


@pytest.fixture
async def ops_app(database_url: str, index_path: Path) -> AsyncIterator[App]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, qdrant=QdrantSettings(path=index_path), ops=OpsSettings(http_port=0)
    )
    app = build_app(settings, database_url)
    yield app
    await app.close()


@pytest.fixture
async def ops(ops_app: App) -> AsyncIterator[httpx.AsyncClient]:
    server = OpsServer(ops_app, "127.0.0.1", 0)
    await server.start()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield client
    await server.stop()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        found = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if found and ",".join(sorted((found.group(1) or "").split(","))) == wanted:
            return float(found.group(2))
    return 0.0


def build_index(path: Path, collection: str = "tutorbot") -> None:
    """A Qdrant Edge index folder with one point, as `tutorbot index` leaves one."""
    store = EdgeStore(path / collection, 2)
    try:
        with store.session() as session:
            session.write(
                [Point("00000000-0000-0000-0000-000000000001", [1.0, 0.0], [1], [1.0], {})], []
            )
    finally:
        store.close()


async def test_health_and_readiness(ops: httpx.AsyncClient, index_path: Path) -> None:
    assert (await ops.get("/healthz")).json() == {"status": "ok"}
    response = await ops.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and not checks["index"]["ok"]
    assert "tutorbot index" in checks["index"]["detail"]
    build_index(index_path)
    response = await ops.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ready"


async def test_not_ready_when_the_database_is_unreachable(index_path: Path) -> None:
    build_index(index_path)
    settings = Settings(_env_file=None, qdrant=QdrantSettings(path=index_path))  # type: ignore[call-arg]
    app = build_app(settings, "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    server = OpsServer(app, "127.0.0.1", 0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            response = await client.get("/readyz")
            assert (await client.get("/healthz")).status_code == 200
    finally:
        await server.stop()
        await app.close()
    assert response.status_code == 503
    database = response.json()["checks"]["database"]
    assert not database["ok"] and "unreachable" in database["detail"]
    assert "nobody" not in response.text  # the URL (and any password in it) stays out


async def test_quiz_answers_in_the_chat_are_counted(ops_app: App, ops: httpx.AsyncClient) -> None:
    await load_test_bank(ops_app)
    chat = Chat(ops_app.core, now=START)
    await enrol(chat)
    before = (await ops.get("/metrics")).text
    await chat.say("/quiz")
    assert stem_of(1, "choice") in chat.text
    await chat.choose_other_than("typing")
    after = (await ops.get("/metrics")).text
    assert sample(after, "tutorbot_quiz_answers_total", result="wrong") == (
        sample(before, "tutorbot_quiz_answers_total", result="wrong") + 1
    )
    assert sample(after, "tutorbot_quiz_answers_total", result="right") == sample(
        before, "tutorbot_quiz_answers_total", result="right"
    )


async def test_pushes_and_the_outbox_backlog(ops_app: App, ops: httpx.AsyncClient) -> None:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    await add_recipients(ops_app, 3, now.date())
    assert await enqueue(ops_app, now) == 3
    metrics = (await ops.get("/metrics")).text
    assert sample(metrics, "tutorbot_outbox_due", platform="sink") == 3
    assert sample(metrics, "tutorbot_outbox_lag_seconds", platform="sink") >= 290
    sent_before = sample(metrics, "tutorbot_pushes_total", platform="sink", outcome="sent")
    async with SinkStandIn() as sink:
        sink.blocked.add("chat2")
        transport = SinkTransport(sink.url)
        dispatcher = Dispatcher(
            ops_app.sessions, ops_app.core, {"sink": transport}, "w", Clock(now)
        )
        await dispatcher.run_once()
        await transport.close()
    metrics = (await ops.get("/metrics")).text
    assert sample(metrics, "tutorbot_pushes_total", platform="sink", outcome="sent") == (
        sent_before + 2
    )
    assert sample(metrics, "tutorbot_pushes_total", platform="sink", outcome="dead") >= 1
    assert sample(metrics, "tutorbot_outbox_due", platform="sink") == 0
    assert sample(metrics, "tutorbot_outbox_lag_seconds", platform="sink") == 0


async def answer(engine: AskEngine) -> str:
    """The drafts of one answer, read to the end as an adapter does (no passages needed)."""
    final = None
    async for draft in engine.drafts("什么是 LoRA?", [], "zh"):
        final = draft
    assert final is not None and final.final
    return final.mode


async def test_ask_latency_by_mode_and_model_errors(
    ops: httpx.AsyncClient, settings: Settings
) -> None:
    before = (await ops.get("/metrics")).text
    assert await answer(AskEngine(settings)) == "extractive"
    async with OpenAIStandIn(reply=lambda request: "LoRA 是低秩适配 [1]。") as model:
        llm = LLMSettings(base_url=model.base_url, model=model.model, timeout_seconds=5)
        engine = AskEngine(settings.model_copy(update={"llm": llm}))
        assert await answer(engine) == "llm"
        model.mode = "error"
        assert await answer(engine) == "extractive"
        await engine.close()
    after = (await ops.get("/metrics")).text

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("tutorbot_ask_seconds_count", mode="extractive") == 2
    assert delta("tutorbot_ask_seconds_count", mode="llm") == 1
    assert delta("tutorbot_llm_first_token_seconds_count") == 1
    assert delta("tutorbot_llm_errors_total", reason="error") == 1


async def test_run_serves_them_when_a_port_is_set(ops_app: App) -> None:
    names = [named.name for named in build_services(ops_app, [])]
    assert names == ["ops"]
    no_port = ops_app.settings.model_copy(update={"ops": OpsSettings()})
    app = build_app(no_port, "sqlite+aiosqlite://")
    try:
        assert build_services(app, []) == []
    finally:
        await app.close()
