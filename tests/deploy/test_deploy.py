"""The deploy artefacts: they parse, agree with each other and with the code, and the image's
install and entry point work (replayed in a fresh virtual environment, since no Docker engine
runs here)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from adapters.cli.processes import free_port
from bot.config import PLATFORM_NAMES, Settings, Thresholds
from bot.knowledge.policy import Policy
from tests.live import send
from tests.paths import ROOT

DEPLOY = ROOT / "deploy"


def settings_env_names() -> set[str]:
    names = {env for env, _, _ in PLATFORM_NAMES.values()}
    for name in Settings.model_fields:
        if name == "thresholds":
            names |= {f"ADVISOR_THRESHOLDS__{sub.upper()}" for sub in Thresholds.model_fields}
        elif name not in ("slack", "teams"):
            names.add(f"ADVISOR_{name.upper()}")
    return names


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_env_example_lists_every_setting() -> None:
    listed = set(env_example()) - {"POSTGRES_PASSWORD"}
    assert listed == settings_env_names()


def manifests() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found[f"{document['kind']}/{document['metadata']['name']}"] = document
    return found


def test_kubernetes_manifests_agree() -> None:
    docs = manifests()
    deployment = docs["Deployment/advisor"]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    [container] = pod["containers"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["replicas"] == 3 and spec["selector"]["matchLabels"] == labels
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 3978, "metrics": 9464} and container["args"][-1] == "3978"
    assert {"requests", "limits"} <= set(container["resources"]) and pod["securityContext"]["runAsNonRoot"]
    config = docs["ConfigMap/advisor-config"]["data"]
    drain = float(config["ADVISOR_DRAIN_SECONDS"]) + float(config["ADVISOR_SHUTDOWN_SECONDS"])
    assert pod["terminationGracePeriodSeconds"] > drain
    assert set(config) <= settings_env_names()
    [migrate] = pod["initContainers"]
    assert migrate["args"] == ["db", "upgrade"]
    service = docs["Service/advisor"]["spec"]
    assert service["selector"] == labels and service["ports"][0]["targetPort"] in ports
    for rule in docs["Ingress/advisor"]["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "advisor" and backend["port"]["name"] == service["ports"][0]["name"]
    paths = {p["path"] for r in docs["Ingress/advisor"]["spec"]["rules"] for p in r["http"]["paths"]}
    assert {"/slack/events", "/api/messages", "/"} <= paths
    # /metrics stays inside the cluster: on a port of its own, which the Service (and so the
    # Ingress) leaves out; Prometheus scrapes the pods' metrics port.
    assert int(config["ADVISOR_METRICS_PORT"]) == ports["metrics"]
    assert {p["targetPort"] for p in service["ports"]} == {"http"}
    annotations = spec["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == config["ADVISOR_METRICS_PORT"]
    [endpoint] = docs["PodMonitor/advisor"]["spec"]["podMetricsEndpoints"]
    assert (
        endpoint["port"] == "metrics"
        and docs["PodMonitor/advisor"]["spec"]["selector"]["matchLabels"] == labels
    )
    # A rolling restart loses no request: the ingress retries on another replica (bench/cluster.py).
    retry = docs["Ingress/advisor"]["metadata"]["annotations"][
        "nginx.ingress.kubernetes.io/proxy-next-upstream"
    ]
    assert {"error", "http_503", "non_idempotent"} <= set(retry.split())
    hpa = docs["HorizontalPodAutoscaler/advisor"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "advisor" and hpa["minReplicas"] >= 3
    assert docs["PodDisruptionBudget/advisor"]["spec"]["selector"]["matchLabels"] == labels
    secret_keys = set(docs["Secret/advisor-secrets"]["stringData"])
    refs = [
        e["valueFrom"]["secretKeyRef"]
        for c in [container, migrate]
        for e in c.get("env", [])
        if "valueFrom" in e
    ]
    assert all(r["name"] == "advisor-secrets" and r["key"] in secret_keys for r in refs)
    policy_mount = next(m for m in container["volumeMounts"] if m["name"] == "policy")
    assert config["ADVISOR_POLICY_FILE"].startswith(policy_mount["mountPath"])
    Policy.model_validate(yaml.safe_load(docs["ConfigMap/advisor-policy"]["data"]["policy.yaml"]))


def test_compose_runs_migrations_before_the_advisor() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]
    assert compose["migrate"]["command"] == ["db", "upgrade"]
    assert compose["advisor"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert (
        compose["advisor"]["env_file"] == ".env"
        and "advisor-db:/var/lib/postgresql/data" in compose["db"]["volumes"]
    )


def dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_rules() -> None:
    text = dockerfile()
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert len(stages) == 2 and all("slim" in s for s in stages)
    user = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'ENTRYPOINT ["advisor"]' in text and 'CMD ["serve", "--host", "0.0.0.0", "--port", "3978"]' in text
    assert 'pip install --no-cache-dir ".${EXTRAS}"' in text and "[test]" not in text
    assert 'ARG EXTRAS=""' in text
    # A model baked in at build time is the one the runtime loads; without MODEL, the default.
    assert text.count('ARG MODEL=""') == 2 and "ADVISOR_MODEL_DIR=${MODEL:+/opt/model}" in text
    assert "COPY --from=build /opt/model /opt/model" in text


def bake_script(advisor: Path, target: Path) -> str:
    """The Dockerfile's model-baking RUN step as a shell script, with this machine's paths."""
    runs = re.findall(r"^RUN ((?:.*\\\n)*.*)$", dockerfile(), re.MULTILINE)
    [step] = [r for r in runs if "model fetch" in r]
    for image_path, here in [
        ("/opt/advisor/bin/advisor", advisor),
        ("/opt/model", target),
        ("/tmp/models", target.parent / "models-cache"),
    ]:
        step = step.replace(image_path, str(here))
    return step


def test_the_image_install_and_entry_point_in_a_fresh_environment(tmp_path: Path) -> None:
    context = tmp_path / "src"
    for name in ("pyproject.toml", "README.md"):
        context.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, context / name)
    for name in ("bot", "adapters"):
        shutil.copytree(ROOT / name, context / name, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-qq", "--disable-pip-version-check", str(context)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ADVISOR_", "SLACK_", "Microsoft", "VIRTUAL_ENV"))
    }
    env |= {
        "ADVISOR_ENV": "development",
        "ADVISOR_DATA_DIR": str(tmp_path / "var"),
        "ADVISOR_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "PATH": f"{venv / 'bin'}:{env.get('PATH', '')}",
    }
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import bot; print(bot.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert str(venv) in where.stdout
    server = subprocess.Popen(
        [str(venv / "bin" / "advisor"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if send(port, "/healthz", method="GET", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        health = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import urllib.request, sys; sys.exit(urllib.request.urlopen("
                f"'http://127.0.0.1:{port}/healthz', timeout=2).status != 200)",
            ],
            timeout=30,
        )
        assert health.returncode == 0
        body = b'{"question": "should I join this facebook group?"}'
        answer = send(port, "/api/ask", body, [("Content-Type", "application/json")])
        assert answer.status == 200 and answer.json()["topic"] == "join-groups"
        assert send(port, "/", method="GET").status == 200
    finally:
        server.terminate()
        server.wait(30)
    bake_a_model_as_the_image_does(venv, env, tmp_path)


def bake_a_model_as_the_image_does(venv: Path, env: dict[str, str], tmp_path: Path) -> None:
    """The image's build step fetches MODEL (here from a stand-in hub) and the runtime loads it;
    without MODEL it fetches nothing and the installed default model loads, pinned."""
    from tests.hubkit import Repo, StandInHub
    from tests.live import Loop
    from tests.modelkit import write_model

    write_model(tmp_path / "hub-model", "xlmr", onnx_name="onnx/model.onnx")
    hub = StandInHub({"tiny-org/baked": Repo.from_directory(tmp_path / "hub-model")})
    loop = Loop()
    try:
        endpoint = hub.serve(loop)
        for model, target in [("tiny-org/baked", tmp_path / "baked"), ("", tmp_path / "plain")]:
            build = env | {"MODEL": model, "MODEL_PREFIX": "query: ", "HF_ENDPOINT": endpoint}
            build |= {"HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
            baked = subprocess.run(
                ["sh", "-c", bake_script(venv / "bin" / "advisor", target)],
                env=build,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert baked.returncode == 0, baked.stderr
            model_dir = str(target) if model else ""  # ENV ADVISOR_MODEL_DIR=${MODEL:+/opt/model}
            shown = subprocess.run(
                [str(venv / "bin" / "advisor"), "model", "show"],
                env=env | {"ADVISOR_MODEL_DIR": model_dir},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert shown.returncode == 0, shown.stderr
            if model:
                assert f"model: {target}" in shown.stdout and "prefix: 'query: '" in shown.stdout
                assert not (target / ".cache").exists()
            else:
                assert "pinned sha256, checked" in shown.stdout and not any(target.iterdir())
    finally:
        loop.close()


def test_every_alert_names_metrics_the_server_exposes(tmp_path: Path) -> None:
    from adapters.server import build_app
    from bot import load_settings
    from bot.service import Service
    from bot.testing import shipped_advisor
    from tests.live import Loop

    rule = manifests()["PrometheusRule/advisor"]
    alerts = {r["alert"]: r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]}
    assert {"AdvisorErrorResponses", "AdvisorLogBacklog", "AdvisorLogRecordsDropped"} <= set(alerts)
    config = load_settings(env="development", data_dir=tmp_path)
    service = Service.start(config, base=shipped_advisor())
    loop = Loop()
    try:
        port = loop.serve(build_app(service, config))
        send(port, "/healthz", method="GET")
        exposed = send(port, "/metrics", method="GET").body.decode()
    finally:
        loop.close()
        service.close()
    names = set(re.findall(r"^(advisor_[a-z_]+)", exposed, re.MULTILINE))
    for alert, expr in alerts.items():
        used = set(re.findall(r"\b(advisor_[a-z_]+)", expr))
        assert used and used <= names, (alert, used - names)
