"""Docs that cannot drift: every command has help with an example; README and DESIGN names hold."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import pytest

from notifier.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_design_command_exists() -> None:
    assert set(subcommands()) == {
        "run",
        "serve",
        "preview",
        "extract",
        "check-config",
        "feeds",
        "demo",
        "explain",
    }


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_documents_an_example(name: str) -> None:
    parser = subcommands()[name]
    assert parser.description, f"{name} has no description"
    assert f"Example:\n  notifier {name}" in (parser.epilog or "")


@pytest.mark.parametrize("name", sorted(set(subcommands()) - {"extract"}))
def test_help_runs(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    assert "Example:" in capsys.readouterr().out


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && notifier demo" in readme
    assert "pip install '.[test]' && pytest" in readme
    for name in subcommands():
        assert re.search(rf"`notifier {name}\b", readme), (
            f"README does not mention `notifier {name}`"
        )


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["frobnicate"])
    assert done.value.code == 2


def test_every_package_is_installed() -> None:
    """`pip install .` ships every package of notifier/ (setuptools is given an explicit list)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "notifier").rglob("__init__.py")
    }
    assert found <= listed, f"not installed by pip install .: {sorted(found - listed)}"


@pytest.mark.parametrize("flag", ["-q", "--quiet", "-v", "--verbose", "--log-format json"])
def test_readme_documents_the_output_options(flag: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{flag}`" in readme
    run = subcommands()["run"]
    assert run.parse_args(["--once", *flag.split()])  # and the parser takes it


def test_readme_cron_lines_parse() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"\.venv/bin/notifier (run [^>\n]*?)(?:\s*>>|\n)", readme)
    assert len(lines) >= 2
    for line in lines:
        args = line.split()
        assert subcommands()["run"].parse_args(args[1:]).once
