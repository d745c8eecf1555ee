"""Replay the Dockerfile's install and start commands in a clean virtualenv: a check that needs no Docker
engine (`test_image.py` builds and runs the real image where one runs).

What is replayed: the builder's COPY and RUN lines in order, into a scratch build context (the `pip install`
lines verbatim), except the venv's creation and pip upgrade; the runtime stage's COPY of the sample briefs,
its ENV (paths moved under tmp), its HEALTHCHECK and its entry points. To stay fast and offline the scratch
venv sees the project venv's dependencies through a `.pth` file and pip runs with `PIP_NO_INDEX`: the project
wheel itself is built and installed for real, its dependencies are not downloaded again. Not replayed: the
base image, `useradd` and USER, the VOLUME mount.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.deploy.dockerfile import Instruction, Stage, parse

ROOT = Path(__file__).resolve().parents[2]
GUARD = Path(__file__).parent / "data"

pytestmark = pytest.mark.slow


class Image:
    """The image's filesystem laid out under one tmp folder: /opt/venv, /src, /app, /data."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.net_log = base / "net.log"

    def path(self, absolute: str) -> Path:
        return self.base / absolute.lstrip("/")

    def translate(self, value: str) -> str:
        for root in ("/opt/venv", "/src", "/app", "/data"):
            value = value.replace(root, str(self.path(root)))
        return value

    def env(self, stage: Stage) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "VIRTUAL_ENV", "PYTHON"))
        }
        env["PATH"] = os.environ["PATH"]
        for key, value in stage.env().items():
            env[key] = self.translate(value.replace("$PATH", os.environ["PATH"]))
        env["PYTHONPATH"] = str(GUARD)  # only the network guard; the project comes from the venv
        env["BRIEFBOT_TEST_NET_LOG"] = str(self.net_log)
        return env

    def run(
        self, command: list[str] | str, stage: Stage, cwd: Path, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            shell=isinstance(command, str),
            cwd=cwd,
            env={**self.env(stage), **extra},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def _copy(ins: Instruction, image: Image, workdir: str) -> None:
    """Perform one COPY line from the repository (the build context)."""
    *sources, target = ins.operands()
    dest = image.path(target if target.startswith("/") else f"{workdir}/{target}")
    for source in sources:
        src = ROOT / source
        if src.is_dir():
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / src.name)


def _copy_all(stage: Stage, image: Image, workdir: str) -> None:
    for ins in stage.all("COPY"):
        if "from" not in ins.options():
            _copy(ins, image, workdir)


def _make_venv(image: Image) -> Path:
    """A venv without its own pip: pip, setuptools and all runtime deps come from the project venv."""
    venv = image.path("/opt/venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site / "project-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    shim = venv / "bin" / "pip"
    body = "import sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n"
    shim.write_text(f"#!{venv / 'bin' / 'python'}\n{body}", encoding="utf-8")
    shim.chmod(0o755)
    return venv


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> tuple[Image, Stage]:
    _, (builder, final) = parse(ROOT / "Dockerfile")
    image = Image(tmp_path_factory.mktemp("image"))
    _make_venv(image)
    build_dir = builder.last("WORKDIR").args
    image.path(build_dir).mkdir(parents=True)
    offline = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}
    for ins in builder.instructions:  # in order: a RUN sees only what the COPY lines before it brought
        if ins.keyword == "COPY":
            _copy(ins, image, build_dir)
        elif ins.keyword == "RUN":
            if ins.args.startswith("python -m venv"):
                continue  # made above, wired to the project venv's packages
            done = image.run(ins.args, builder, image.path(build_dir), **offline)
            assert done.returncode == 0, f"RUN {ins.args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    _copy_all(final, image, final.last("WORKDIR").args)
    image.path("/data").mkdir()
    return image, final


def _app(image: Image, final: Stage) -> Path:
    return image.path(final.last("WORKDIR").args)


def test_project_runs_from_the_installed_wheel_not_the_checkout(image: tuple[Image, Stage]) -> None:
    img, final = image
    probe = "import bot, ingest, store, bot.answering, store.embedding; print(bot.__file__, store.__file__)"
    done = img.run(["python", "-c", probe], final, _app(img, final))
    assert done.returncode == 0, done.stderr
    assert all(path.startswith(str(img.path("/opt/venv"))) for path in done.stdout.split())


def test_health_check_runs_offline_and_turns_healthy_once_indexed(image: tuple[Image, Stage]) -> None:
    img, final = image
    # The guard must really be loaded in these processes, or "no network attempts" below would prove nothing.
    probe = img.run(["python", "-c", "import socket; print(socket.socket.connect.__name__)"], final, img.base)
    assert probe.stdout.strip() == "_guarded_connect", probe.stderr
    health = final.last("HEALTHCHECK").exec_form()

    # A fresh volume holds no index yet: unhealthy, saying what to do (the bot indexes on its first start,
    # within the health check's start period).
    fresh = img.run(health, final, _app(img, final))
    assert fresh.returncode == 1 and "No brief index yet" in fresh.stdout, fresh.stdout + fresh.stderr

    briefs = img.path("/data/incoming")
    briefs.mkdir()
    (briefs / "nikel.txt").write_text("Pemerintah memangkas kuota penambangan bijih nikel tahun ini.\n")
    ingested = img.run(["python", "-m", "ingest", str(briefs)], final, _app(img, final))
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr

    done = img.run(health, final, _app(img, final))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: 1 brief, ")
    assert (img.path("/data") / "chroma").is_dir(), "state must land on the /data volume"
    assert not img.net_log.exists(), f"tried to reach the network: {img.net_log.read_text()}"


@pytest.mark.parametrize("entry", ["bot", "ingest"])
def test_entry_points_start(image: tuple[Image, Stage], entry: str) -> None:
    img, final = image
    command = final.last("CMD").exec_form() if entry == "bot" else ["python", "-m", "ingest"]
    done = img.run([*command, "--help"], final, _app(img, final))
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
    assert not img.net_log.exists(), f"tried to reach the network: {img.net_log.read_text()}"


def test_wheel_carries_every_file_of_the_packages(image: tuple[Image, Stage]) -> None:
    """A data file added next to the code (a stopword list, a template) must reach the image too."""
    img, _ = image
    site = img.path("/opt/venv") / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    installed = site / "site-packages"

    def files(root: Path, package: str) -> set[str]:
        return {
            str(p.relative_to(root))
            for p in (root / package).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    for package in ("bot", "ingest", "store", "logsetup"):
        missing = files(ROOT, package) - files(installed, package)
        assert not missing, f"not in the installed wheel: {sorted(missing)}"
