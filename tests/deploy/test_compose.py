"""docker-compose.yml: valid by the Compose specification, and in step with the code.

No Docker engine runs where the tests do, so the file is checked against the Compose
specification's JSON schema (deploy/compose-spec/), and its variables are interpolated the
way Compose does it, with the values of .env.example.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from sqlalchemy.engine import make_url
from temporalio.envconfig import ClientConfig

from settings import Settings
from workflows.names import TASK_QUEUE

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT / "deploy" / "compose-spec" / "compose-spec.json"
ENV_EXAMPLE = ROOT / ".env.example"
DOCS = ROOT / "docs" / "deployment.md"

APP_SERVICES = ("migrate", "temporal-setup", "worker", "api")  # built from this repo
# Settings the deployment deliberately leaves at the code's default: the operator's command's
# own patience, which no service uses, and the codec keys file `make run` writes.
LEFT_AT_DEFAULT: set[str] = {"cli_timeout_seconds", "codec_keys_file"}
SECRETS = (
    "POSTGRES_PASSWORD",
    "TEMPORAL_DB_PASSWORD",
    "OVOP_DB_PASSWORD",
    "OVOP_CODEC_KEYS",
    "OVOP_SESSION_SECRET",
)

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt},
# and $$ for a literal $; defaults may themselves hold ${...}.
_VAR = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>(?:[^{}]|\{[^{}]*\})*))?\}"
)


class Unset(Exception):
    """A `${NAME:?message}` variable with no value."""


def interpolate(value: str, env: Mapping[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name, op, arg = m["name"], m["op"], m["arg"] or ""
        present = name in env
        filled = present and env[name] != ""
        if op is None:
            return env.get(name, "")
        if op in (":-", "-"):
            use = filled if op == ":-" else present
            return env[name] if use else interpolate(arg, env)
        if op in (":?", "?"):
            if filled if op == ":?" else present:
                return env[name]
            raise Unset(f"{name}: {arg}")
        return interpolate(arg, env) if filled else ""  # :+ and +

    parts = value.split("$$")
    return "$".join(_VAR.sub(one, part) for part in parts)


def variables(value: str) -> set[str]:
    found = set()
    for m in _VAR.finditer(value):
        found.add(m["name"])
        found |= variables(m["arg"] or "")
    return found


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


def resolve(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {k: resolve(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, env) for v in node]
    return node


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def documented_names(path: Path) -> set[str]:
    """Every NAME in .env.example, set or shown in a comment (`# NAME=...`)."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", path.read_text(), flags=re.M))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    """.env.example with its secrets filled in, as an operator would."""
    env = read_env_file(ENV_EXAMPLE)
    for secret in SECRETS:
        env[secret] = f"{secret.lower()}-0123abcd"
    return env


@pytest.fixture(scope="module")
def deployed(compose: dict[str, Any], example_env: dict[str, str]) -> dict[str, Any]:
    resolved: dict[str, Any] = resolve(compose, example_env)
    return resolved


def validate(document: Any) -> list[str]:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_the_file_and_its_deployed_form_follow_the_compose_specification(
    compose: dict[str, Any], deployed: dict[str, Any]
) -> None:
    assert validate(compose) == []
    assert validate(deployed) == []


def test_the_schema_check_catches_a_mistake(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["worker"]["depends_on"]["migrate"]["condition"] = "service_done"
    broken["services"]["worker"]["restart_policy"] = "always"
    assert len(validate(broken)) == 2


def test_secrets_must_be_set_and_none_is_committed(
    compose: dict[str, Any], example_env: dict[str, str]
) -> None:
    for secret in SECRETS:
        assert read_env_file(ENV_EXAMPLE)[secret] == "", f"{secret} has a value in .env.example"
        with pytest.raises(Unset, match=secret):
            resolve(compose, {**example_env, secret: ""})
    for service in compose["services"].values():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|PWD|SECRET|API_KEY", key):
                assert re.fullmatch(r"\$\{[^}]+\}", str(value)), f"{key} is not from .env"


def test_every_variable_is_in_env_example_and_documented(compose: dict[str, Any]) -> None:
    used = {v for s in strings(compose) for v in variables(s)}
    listed = documented_names(ENV_EXAMPLE)
    assert used - listed == set(), "used by docker-compose.yml, missing from .env.example"
    docs = DOCS.read_text()
    assert {v for v in listed if f"`{v}`" not in docs} == set(), "not in docs/deployment.md"


def test_the_app_services_set_every_setting_the_code_reads(deployed: dict[str, Any]) -> None:
    fields = set(Settings.model_fields)
    for name in APP_SERVICES:
        env = deployed["services"][name]["environment"]
        ovop = {k.removeprefix("OVOP_").lower() for k in env if k.startswith("OVOP_")}
        assert ovop - fields == set(), f"{name} sets variables no setting reads"
        assert fields - ovop - LEFT_AT_DEFAULT == set(), f"{name} leaves settings unset"
    worker = deployed["services"]["worker"]["environment"]
    assert worker["OVOP_TASK_QUEUE"] == TASK_QUEUE
    assert worker["OVOP_SMTP_STARTTLS"] == "true"  # production mail is encrypted by default


def test_every_temporal_variable_is_one_the_client_reads(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    pem = tmp_path / "x.pem"
    pem.write_text("x")
    baseline = ClientConfig.load_client_connect_config(override_env_vars={})
    for name in APP_SERVICES:
        for key in compose["services"][name]["environment"]:
            if key.startswith("TEMPORAL_"):
                sample = str(pem) if key.endswith("_PATH") else "sample.example:7233"
                read = ClientConfig.load_client_connect_config(override_env_vars={key: sample})
                assert read != baseline, f"{key} is not read by temporalio.envconfig"


def test_the_names_point_at_services_of_this_file(
    deployed: dict[str, Any], compose: dict[str, Any]
) -> None:
    services = set(compose["services"])
    worker = deployed["services"]["worker"]["environment"]
    assert make_url(worker["OVOP_DATABASE_URL"]).host in services
    assert make_url(worker["OVOP_DATABASE_URL"]).drivername == "postgresql+asyncpg"
    assert worker["TEMPORAL_ADDRESS"].split(":")[0] in services
    staging = re.search(r"^# OVOP_SMTP_HOST=(\S+)", ENV_EXAMPLE.read_text(), flags=re.M)
    assert staging and staging[1] in services
    assert "staging" in compose["services"][staging[1]]["profiles"]
    for service in compose["services"].values():
        for condition_of in service.get("depends_on") or {}:
            assert condition_of in services


def test_the_worker_scales_and_the_setup_runs_before_it(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker  # `--scale worker=3`
    assert worker["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "temporal-setup": {"condition": "service_completed_successfully"},
    }
    assert compose["services"]["migrate"]["command"] == ["ovop", "db", "upgrade"]
    assert compose["services"]["temporal-setup"]["command"] == ["ovop", "temporal", "setup"]


def test_images_are_pinned_and_health_checked(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name in APP_SERVICES:
            continue
        image = service["image"]
        assert re.search(r":v?\d+\.\d+", image), f"{name}: {image} is not pinned"
        assert f"`{image}`" in DOCS.read_text(), f"{image} is not in docs/deployment.md"
    for name in ("postgresql", "temporal", "mailpit"):
        assert compose["services"][name]["healthcheck"]["test"]


def test_each_volume_the_app_writes_to_belongs_to_the_user_it_runs_as(
    compose: dict[str, Any],
) -> None:
    """A named volume takes the owner of the image's folder it is mounted on; a folder the
    image lacks would be root's, and the API (user `ovop`) could not keep a document."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    for name in ("api", "worker"):
        for volume in compose["services"][name].get("volumes", []):
            source, target = str(volume).split(":")[:2]
            if source.startswith((".", "/")):
                continue  # a bind mount: the host's folder, the operator's to own
            assert f"mkdir -p {target}" in dockerfile, (name, volume)
            assert f"chown ovop {target}" in dockerfile, (name, volume)
