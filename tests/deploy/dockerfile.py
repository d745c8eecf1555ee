"""A small reader for our Dockerfile and .dockerignore, enough to check them and replay their commands.

Handles what the project's Dockerfile uses: stages, line continuations, comment lines, exec-form (JSON)
arguments, `KEY=value` ENV pairs and HEALTHCHECK options. Not a general Dockerfile parser.
"""

from __future__ import annotations

import fnmatch
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str

    def exec_form(self) -> list[str]:
        """The argument list of `CMD ["a", "b"]`-style instructions (shell form is split like a shell)."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            text = text.split(" CMD ", 1)[1] if " CMD " in f" {text}" else ""
            text = text.strip()
        if text.startswith("["):
            parsed = json.loads(text)
            assert isinstance(parsed, list)
            return [str(part) for part in parsed]
        return shlex.split(text)

    def operands(self) -> list[str]:
        """The arguments without leading `--flag=value` options."""
        words = self.exec_form()
        while words and words[0].startswith("--"):
            words.pop(0)
        return words

    def options(self) -> dict[str, str]:
        """`--flag=value` options written before the arguments (COPY --from, HEALTHCHECK --interval)."""
        found: dict[str, str] = {}
        for word in self.args.split():
            if not word.startswith("--"):
                break
            key, _, value = word[2:].partition("=")
            found[key] = value
        return found


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [ins for ins in self.instructions if ins.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"stage {self.name or self.base} has no {keyword}"
        return found[-1]

    def env(self) -> dict[str, str]:
        """ENV values in order, with `$VAR` references to earlier values expanded."""
        values: dict[str, str] = {}
        for ins in self.all("ENV"):
            for pair in shlex.split(ins.args):
                key, _, value = pair.partition("=")
                for name, known in values.items():
                    value = value.replace(f"${name}", known)
                values[key] = value
        return values


def logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # Docker drops comment lines even inside a continued instruction.
        if stripped.endswith("\\"):
            pending += stripped[:-1].strip() + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    if pending:
        lines.append(pending.strip())
    return lines


def parse(path: Path) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, in order."""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical_lines(path.read_text(encoding="utf-8")):
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            base = words[0]
            for name, value in args.items():
                base = base.replace("${" + name + "}", value).replace("$" + name, value)
            stages.append(Stage(base=base, name=words[2] if len(words) > 2 else None))
        elif not stages and keyword == "ARG":
            name, _, value = rest.partition("=")
            args[name] = value.strip('"')
        elif stages:
            stages[-1].instructions.append(Instruction(keyword, rest))
    return args, stages


def ignored(patterns: list[str], path: str) -> bool:
    """Whether a context path is left out by .dockerignore rules (last matching rule wins)."""
    verdict = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.rstrip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes)
        if hit:
            verdict = not negate
    return verdict


def dockerignore(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
